"""Reads of the forms app for the review pages: the manager's forms to authorise and the worker's returned forms.
Each is one query whatever the number of forms (core.testing.assert_query_count)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from accounts import access

from .models import FormResponse, ResponseStatus


def _latest(queryset: QuerySet[FormResponse]) -> QuerySet[FormResponse]:
    """Versions nothing supersedes yet."""
    return queryset.exclude(Exists(FormResponse.objects.filter(supersedes_id=OuterRef("pk"))))


def to_authorise(user: Any) -> list[FormResponse]:
    """Submitted forms that need authorisation, about people this manager may see (their teams' children), oldest
    first: one query."""
    people = access.visible_people(user).values("pk")
    rows = FormResponse.objects.filter(
        status=ResponseStatus.SUBMITTED, definition__body__authorisation=True, person_id__in=people
    )
    return list(_latest(rows).select_related("definition", "person", "submitted_by").order_by("submitted_at", "pk"))


def returned_to(user: Any) -> list[FormResponse]:
    """Forms this worker submitted that a manager returned and that are not yet reopened: one query."""
    rows = FormResponse.objects.filter(status=ResponseStatus.RETURNED, submitted_by_id=user.pk)
    rows = rows.filter(person_id__in=access.visible_people(user).values("pk"))
    return list(_latest(rows).select_related("definition", "person", "decided_by").order_by("-decided_at", "-pk"))
