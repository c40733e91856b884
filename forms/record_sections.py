"""What the forms app adds to other apps' pages, registered in FormsConfig.ready:

- the person's record (people.record): the "Fill in a form" button and a "Forms in progress" section (drafts, and
  forms returned to the worker, with "Continue");
- My caseload (cases.hooks): "Forms in progress", the user's own drafts with "Continue";
- the journey panel (cases.hooks): beside a journey step that a form records, a link to fill in that form
  (`STEP_FORMS`: journey step slug -> form name; shown once that form is loaded).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from accounts import access
from cases import hooks
from cases import record_sections as cases_sections
from people import record
from people.models import Person
from recording import record_sections as recording_sections

from . import selectors_fill
from .fill_access import fits, may_fill, may_fill_any
from .models import FormDefinition

# Journey steps a form records: the journey panel's step opens the form. The step's own short page stays at its
# address (for a link made before, a date put right, and a council that has not loaded the form), and says which form
# records the step (docs/forms.md, "Where a form opens").
STEP_FORMS: dict[str, str] = {
    "assessment-start": "child-and-family-assessment",
    "assessment-record": "child-and-family-assessment",
    "strategy": "strategy-discussion",
    "initial-conference": "child-protection-conference",
    "review-conference": "child-protection-conference",
    "core-group": "child-protection-plan",
    "cin-plan-start": "child-in-need-plan",
    "cin-plan-review": "child-in-need-plan-review",
    "looked-after-review": "looked-after-review",
}

# The record's buttons a form records: (form name, the short page used when that form is not loaded, the permission
# the button needs: the short page's own).
RECORD_FORMS: dict[str, tuple[str, str, access.Can]] = {
    "visit": ("statutory-visit", "cases:visit_add", access.Can.RECORD_VISITS),
    "case_note": ("case-note", "recording:case_note_add", access.Can.RECORD_CASE_NOTES),
}


def can_fill(request: HttpRequest, person: Person) -> bool:
    return may_fill_any(request.user, person)


def drafts_section(request: HttpRequest, person: Person) -> SafeString:
    """The person's forms in progress (one query), for those who may fill in forms for them; nothing when none."""
    if not can_fill(request, person):
        return SafeString("")
    drafts = selectors_fill.drafts_for_person(person)
    if not drafts:
        return SafeString("")
    return render_to_string("forms/fill/record_drafts.html", {"person": person, "drafts": drafts}, request=request)


def caseload_drafts(request: HttpRequest) -> SafeString:
    """My caseload's "Forms in progress": the user's own drafts (one query); nothing when none."""
    drafts = selectors_fill.drafts_for_user(request.user)
    if not drafts:
        return SafeString("")
    return render_to_string("forms/fill/caseload_drafts.html", {"drafts": drafts}, request=request)


def step_links(request: HttpRequest, person: Any, slugs: Sequence[str]) -> dict[str, tuple[str, str]]:
    """For the offered steps a form records: "fill in the <form> form" (one query, only when such a step is offered)."""
    names = {STEP_FORMS[s] for s in slugs if s in STEP_FORMS}
    if not names:
        return {}
    latest: dict[str, FormDefinition] = {}
    for d in FormDefinition.objects.filter(name__in=names).order_by("name", "-version"):
        latest.setdefault(d.name, d)
    out = {}
    for slug in slugs:
        found = latest.get(STEP_FORMS.get(slug, ""))
        if found is not None and fits(found, person) and may_fill(request.user, found, person):
            out[slug] = (found.title, reverse("forms:start", args=[person.pk, found.name]))
    return out


def record_form_url(user: Any, person: Person, key: str) -> str:
    """Where the record's "Record a visit" or "Add a case note" goes: the form's start page when that form is loaded
    and this user may fill it in for this person, else the short page (one query)."""
    name, short_page, _ = RECORD_FORMS[key]
    found = FormDefinition.objects.filter(name=name).order_by("-version").first()
    if found is not None and fits(found, person) and may_fill(user, found, person):
        return reverse("forms:start", args=[person.pk, found.name])
    return reverse(short_page, args=[person.pk])


def register() -> None:
    record.register_action(record.RecordAction("fill_form", "Fill in a form", "forms:person_forms", 30, can_fill))
    record.register_section(record.RecordSection("forms_in_progress", "main", 40, drafts_section))
    hooks.register_caseload_section("forms_in_progress", caseload_drafts)
    hooks.register_step_links("forms", step_links)
    # The same keys as the buttons cases and recording register (replaced, so the record shows one of each): they
    # open the form, or the short page when the form is not loaded (views_fill.record_with_form).
    record.register_action(
        record.RecordAction("visit", "Record a visit", "forms:record_visit", 20, cases_sections.can_record_visits)
    )
    record.register_action(
        record.RecordAction("case_note", "Add a case note", "forms:record_case_note", 10, recording_sections.can_record)
    )
