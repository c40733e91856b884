"""The sync app's part of the administrator's page about a user (accounts.administration): their devices, with when
each last synced, and a button to remove one (which tells it to wipe itself)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.administration import UserSection, register_user_section
from accounts.models import User

from .models import Device
from .views import device_rows


def devices_section(request: HttpRequest, user: User) -> SafeString:
    """The user's devices, newest first: 1 query."""
    rows = device_rows(Device.objects.filter(user=user).select_related("user"))
    return SafeString(  # nosec B703: a rendered template
        render_to_string(
            "sync/user_devices.html", {"rows": rows, "subject": user, "back": request.path}, request=request
        )
    )


def register() -> None:
    register_user_section(UserSection("devices", 20, devices_section))
