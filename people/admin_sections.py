"""People's part of the administrator's page about a user (accounts.administration): the records they opened by
break-glass, with the reason and how each was reviewed."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.administration import UserSection, register_user_section
from accounts.models import User

from .models import BreakGlass
from .services import people_list_view_record

BREAK_GLASS_SHOWN = 20


def break_glass_section(request: HttpRequest, user: User) -> SafeString:
    """The user's latest break-glass uses, newest first: 1 query, and 1 more for the audit event naming the people
    shown when there are any."""
    uses = list(
        BreakGlass.objects.filter(user=user)
        .select_related("person", "reviewed_by")
        .order_by("-started_at")[: BREAK_GLASS_SHOWN + 1]
    )
    if uses:
        people_list_view_record(
            actor=request.user,
            what="user_break_glass_uses",
            people=[g.person_id for g in uses[:BREAK_GLASS_SHOWN]],
            context={"user": user.pk},
        )
    return SafeString(  # nosec B703: a rendered template
        render_to_string(
            "people/break_glass_uses.html",
            {"uses": uses[:BREAK_GLASS_SHOWN], "more": len(uses) > BREAK_GLASS_SHOWN, "shown_max": BREAK_GLASS_SHOWN},
            request=request,
        )
    )


def register() -> None:
    register_user_section(UserSection("break_glass", 10, break_glass_section))
