"""Reads of the forms app: definitions by name and version, a person's responses (the API), the manager's forms to
authorise and the worker's returned forms (the review pages). Each is a fixed number of queries whatever the number of
forms (core.testing.assert_query_count)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from accounts import access
from people.models import Person

from .models import FormDefinition, FormResponse, ResponseStatus


class NoSuchDefinition(LookupError):
    """No form by that name, or not that version: the message says which, and what there is."""


def definition_for(name: str, version: int | None = None) -> FormDefinition:
    """The definition `name` at `version` (default: its latest). Raises NoSuchDefinition with words for the user.
    One query (two when the name or version is wrong, to say what there is)."""
    found = FormDefinition.objects.filter(name=name)
    definition = (found.filter(version=version) if version is not None else found.order_by("-version")).first()
    if definition is not None:
        return definition
    versions = list(found.order_by("version").values_list("version", flat=True))
    if not versions:
        raise NoSuchDefinition(f'No form is named "{name}" (casework forms list shows the forms loaded)')
    raise NoSuchDefinition(
        f'The form "{name}" has no version {version} (it has version{"s" if len(versions) > 1 else ""} '
        f"{', '.join(map(str, versions))})"
    )


@dataclass(frozen=True)
class DefinitionSummary:
    name: str
    title: str
    latest: FormDefinition
    versions: list[int]


def definitions_latest() -> list[DefinitionSummary]:
    """Every form, its latest version and the versions published, by name. One query."""
    by_name: dict[str, list[FormDefinition]] = {}
    for d in FormDefinition.objects.order_by("name", "version").defer("body"):
        by_name.setdefault(d.name, []).append(d)
    return [
        DefinitionSummary(name=name, title=rows[-1].title, latest=rows[-1], versions=[r.version for r in rows])
        for name, rows in by_name.items()
    ]


def person_responses(person: Person, *, drafts: bool | None = None) -> QuerySet[FormResponse]:
    """A person's form responses, newest first, with their definitions and authors (one query). `drafts=True`: only
    drafts (a form returned to the worker is kept as sent and reopened as a new draft); False: only the others."""
    rows = FormResponse.objects.filter(person=person).select_related("definition", "author", "submitted_by")
    if drafts is True:
        rows = rows.filter(status=ResponseStatus.DRAFT)
    elif drafts is False:
        rows = rows.exclude(status=ResponseStatus.DRAFT)
    return rows.order_by("-updated_at", "-id")


def person_response(person: Person, response_id: int) -> FormResponse | None:
    """One of the person's responses (None for another person's, or none), with its definition. One query."""
    return (
        FormResponse.objects.filter(person=person, pk=response_id)
        .select_related("definition", "author", "submitted_by", "decided_by")
        .first()
    )


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
