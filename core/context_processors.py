from django.conf import settings
from django.http import HttpRequest


def casework(request: HttpRequest) -> dict[str, object]:
    return {
        "authority_name": settings.CASEWORK_AUTHORITY_NAME,
        "demo_mode": settings.CASEWORK_DEMO_MODE,
    }
