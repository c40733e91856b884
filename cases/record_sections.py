"""What cases adds to the person's record page (people.record): the journey panel (with the looked-after card) in the
main column, "Record a contact" in the side column, and the "Record a visit" button; and what a journey step's
chronology entry opens to (recording.entries). Registered in CasesConfig.ready."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import partial
from typing import Any

from django.apps import apps
from django.db import models
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts import access
from core.codes import label
from people import record
from people.models import Person
from recording import entries

from . import hooks
from .rules.ages import is_child
from .selectors import journey_summary
from .steps import offered_steps


def journey_section(request: HttpRequest, person: Person) -> SafeString:
    """The children's journey: for a child (under 18, unborn, or of unknown age), or for anyone with children's
    work still open or who was looked after and is under 25 (a care leaver). An adult's record shows none of it: adults'
    work comes later, and an empty children's panel would mislead."""
    today = timezone.localdate()
    journey = journey_summary(person, manager=access.is_manager(request.user))
    if not journey.for_this_person(person.date_of_birth, today):
        return SafeString("")
    steps = (
        offered_steps(journey.actions, request.user, person, today, looked_after_before=journey.been_looked_after)
        if can_record(request, person)
        else []
    )
    links = hooks.step_links(request, person, [slug for slug, _ in steps]) if steps else {}
    html = render_to_string(
        "cases/journey_panel.html",
        {
            "person": person,
            "journey": journey,
            "today": today,
            "steps": [(slug, label, links.get(slug)) for slug, label in steps],
        },
        request=request,
    )
    return html  # render_to_string gives SafeString: the template engine escaped what it put in


def contact_link_section(request: HttpRequest, person: Person) -> SafeString:
    """ "Record a contact" for a child: a contact goes to the children's front door (adults' contacts come later)."""
    if not can_record_contacts(request, person) or not is_child(person.date_of_birth, timezone.localdate()):
        return SafeString("")
    return render_to_string("cases/record_contact_link.html", {"person": person}, request=request)


def can_record(request: HttpRequest, person: Person) -> bool:
    return access.can_record_for_person(request.user, person)


def can_record_visits(request: HttpRequest, person: Person) -> bool:
    return access.may_for_person(request.user, access.Can.RECORD_VISITS, person)


def can_record_contacts(request: HttpRequest, person: Person) -> bool:
    return access.may(request.user, access.Can.RECORD_CONTACTS)


# Who and when a row was written is on the entry already; the person is the record's own.
_NOT_SHOWN = {"id", "person", "created_at", "created_by", "modified_at", "modified_by"}
_CODE_LIST = re.compile(r"^(?:Code list )?([a-z][a-z_]+)\b")


def _answer(field: models.Field, obj: models.Model) -> str:
    value: Any = getattr(obj, field.name)
    if value is None or value == "" or value == []:
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    code_list = _CODE_LIST.match(str(field.help_text or ""))
    if code_list and isinstance(value, (str, list)):
        codes = value if isinstance(value, list) else [value]
        return ", ".join(label(code_list.group(1), str(c)) for c in codes)
    return str(value)


def step_record(source_id: int, *, model: type[models.Model]) -> list[tuple[str, str]]:
    """What a journey step recorded, question and answer in words (codes as their labels): what a referral, a
    conference, a period of care... chronology entry opens to. Empty answers are left out."""
    fks = [f.name for f in model._meta.concrete_fields if f.is_relation and f.name not in _NOT_SHOWN]
    obj = model._default_manager.select_related(*fks).filter(pk=source_id).first()
    if obj is None:
        return []
    rows = []
    for field in model._meta.concrete_fields:
        if field.name in _NOT_SHOWN or field.name.startswith("pgh_"):
            continue
        if answer := _answer(field, obj):
            rows.append((str(field.verbose_name)[:1].upper() + str(field.verbose_name)[1:], answer))
    return rows


def register() -> None:
    for model in apps.get_app_config("cases").get_models():
        entries.register_describer([model._meta.model_name or ""], partial(step_record, model=model))
    record.register_section(record.RecordSection("journey", "main", 10, journey_section))
    record.register_section(record.RecordSection("contact_link", "side", 10, contact_link_section))
    record.register_action(record.RecordAction("visit", "Record a visit", "cases:visit_add", 20, can_record_visits))
