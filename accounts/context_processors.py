from django.conf import settings
from django.http import HttpRequest

from accounts import access
from accounts.models import Notification
from core.site import demo_mode


def casework(request: HttpRequest) -> dict[str, object]:
    return {
        "authority_name": settings.CASEWORK_AUTHORITY_NAME,
        "demo_mode": demo_mode(request),
        "can_add_people": access.may(request.user, access.Can.ADD_PEOPLE),
        "is_manager": access.is_manager(request.user),
        "is_reviewing_officer": access.is_reviewing_officer(request.user),
        "can_see_performance": access.can_see_performance(request.user),
        "can_run_returns": access.can_run_returns(request.user),
        "can_see_reviews_due": access.can_see_reviews_due(request.user),
        "can_review_break_glass": access.may(request.user, access.Can.REVIEW_BREAK_GLASS),
        "unread_notifications": _unread(request),
        "can_administer": access.may(request.user, access.Can.ADMINISTER),
    }


def _unread(request: HttpRequest) -> int:
    if not request.user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=request.user.pk, read_at__isnull=True).count()
