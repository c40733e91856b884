"""Reads for the worker's pages: drafts in progress (on the caseload and the person's record). Fixed query counts."""

from __future__ import annotations

from typing import Any

from accounts import access
from people.models import Person

from .models import FormResponse, ResponseStatus

IN_PROGRESS = (ResponseStatus.DRAFT, ResponseStatus.RETURNED)


def drafts_for_person(person: Person) -> list[FormResponse]:
    """The person's forms in progress (drafts, and forms returned to the worker), newest change first: one query."""
    return list(
        FormResponse.objects.filter(person=person, status__in=IN_PROGRESS)
        .select_related("definition", "author")
        .order_by("-updated_at", "-id")
    )


def drafts_for_user(user: Any) -> list[FormResponse]:
    """The forms in progress this user started, about people whose records they may still see: one query."""
    return list(
        FormResponse.objects.filter(
            author_id=user.pk, status__in=IN_PROGRESS, person__in=access.visible_people(user).values("pk")
        )
        .select_related("definition", "person")
        .order_by("-updated_at", "-id")
    )


def relationships_for_choice(person: Person) -> list[tuple[int, str]]:
    """The person's current relationships as choices for a "person" question: (record id, "Sarah Hughes (parent)"):
    one query."""
    rows = person.relationships.filter(ended_on__isnull=True).select_related("other").order_by("type", "other_id")
    return [(r.other_id, f"{r.other.full_name} ({r.get_type_display().lower()})") for r in rows]
