"""The sync app's pages: your devices (and removing one), and conflicts to resolve (the worker's and, for a manager,
those on their team's cases), both values shown in words."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts import access
from core.errors import RuleError
from core.forms import GovForm
from core.views import handle_form, saved_then
from people.services import people_list_view_record

from . import services
from .models import Device, Resolution
from .words import FIELD_LABELS, conflict_words, device_status, when_words


class RemoveDeviceForm(GovForm):
    device = forms.CharField(
        widget=forms.HiddenInput, max_length=36, error_messages={"required": "Choose a device to remove"}
    )


def device_rows(devices: Any) -> list[dict[str, Any]]:
    return [
        {
            "device": d,
            "registered": when_words(d.registered_at),
            "last_sync": when_words(d.last_sync_at),
            "status": device_status(d),
            "active": d.revoked_at is None and d.user.is_active,
        }
        for d in devices
    ]


@login_required
@require_http_methods(["GET", "POST"])
def devices(request: HttpRequest) -> HttpResponse:
    """The signed-in user's devices, with when each last synced; "Remove" tells a device to wipe itself. An
    administrator's form on a user's page posts here too (sync.admin_sections)."""
    form = RemoveDeviceForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> Device:
        try:
            key = uuid.UUID(data["device"])
        except ValueError:
            raise RuleError("There is no such device of yours") from None
        device = Device.objects.select_related("user").filter(pk=key).first()
        if device is None or not services.may_revoke(request.user, device):
            raise RuleError("There is no such device of yours")
        return services.device_revoke(actor=request.user, device=device, reason=request.POST.get("reason", ""))

    def done(device: Device) -> HttpResponse:
        message = f"“{device.name}” has been removed. Casework will delete what it holds the next time it connects."
        back = request.POST.get("back", "")
        if device.user_id != request.user.pk and back.startswith("/administration/"):
            return saved_then(request, message, back)
        return saved_then(request, message, "sync:devices")

    def page() -> HttpResponse:
        mine = Device.objects.filter(user_id=request.user.pk or 0).select_related("user")
        return render(request, "sync/devices.html", {"rows": device_rows(mine), "form": form})

    return handle_form(request, form, save, done=done, page=page)


class ResolveForm(GovForm):
    conflict = forms.IntegerField(widget=forms.HiddenInput)
    keep = forms.ChoiceField(
        label="Which value should Casework keep?",
        choices=Resolution.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which value to keep"},
    )
    value = forms.CharField(label="The value to keep", required=False, max_length=100)


@login_required
@require_http_methods(["GET", "POST"])
def conflicts(request: HttpRequest) -> HttpResponse:
    """Changes made on a device that met a different change in Casework: both values, in words, and a choice.
    The worker sees theirs; a team manager also sees those on their teams' cases."""
    if not access.has_any_role(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You do not have a role in Casework")
    form = ResolveForm(request.POST if request.method == "POST" else None)
    open_conflicts = services.conflicts_open_for(request.user)

    def save(data: dict[str, Any]) -> Any:
        conflict = open_conflicts.filter(pk=data["conflict"]).first()
        if conflict is None:
            raise RuleError("This conflict has already been resolved, or is not yours to resolve")
        blank = not (data.get("value") or "").strip()
        if data["keep"] == Resolution.OTHER and blank and conflict.field != "preferred_name":
            raise RuleError({"value": "Enter the value to keep"})
        return services.conflict_resolve(actor=request.user, conflict=conflict, keep=data["keep"], value=data["value"])

    def done(conflict: Any) -> HttpResponse:
        what = FIELD_LABELS.get(conflict.field, conflict.field)
        return saved_then(request, f"{what} of {conflict.person.full_name} is resolved.", "sync:conflicts")

    def page() -> HttpResponse:
        rows = list(open_conflicts)
        if rows:
            people_list_view_record(actor=request.user, what="sync conflicts", people=[c.person_id for c in rows])
        failed = form.is_bound and form.errors and form.data.get("conflict")
        items = [
            {
                "conflict": c,
                "words": conflict_words(c),
                "by": c.user.display_name if hasattr(c.user, "display_name") else str(c.user),
                "form": form
                if failed and str(c.pk) == str(form.data.get("conflict"))
                else ResolveForm(initial={"conflict": c.pk}, prefix=None),
            }
            for c in rows
        ]
        return render(request, "sync/conflicts.html", {"items": items, "form": form if failed else None})

    return handle_form(request, form, save, done=done, page=page)
