"""What cases adds to the person's record page (people.record): the journey panel (with the looked-after card) in the
main column, "Record a contact" in the side column, and the "Record a visit" button. Registered in CasesConfig.ready."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts import access
from people import record
from people.models import Person

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
        return mark_safe("")
    steps = offered_steps(journey.actions, request.user, person, today) if can_record(request, person) else []
    html = render_to_string(
        "cases/journey_panel.html",
        {"person": person, "journey": journey, "today": today, "steps": steps},
        request=request,
    )
    return mark_safe(html)  # noqa: S308 - rendered by Django's template engine, which escapes


def contact_link_section(request: HttpRequest, person: Person) -> SafeString:
    """ "Record a contact" for a child: a contact goes to the children's front door (adults' contacts come later)."""
    if not can_record_contacts(request, person) or not is_child(person.date_of_birth, timezone.localdate()):
        return mark_safe("")
    return mark_safe(render_to_string("cases/record_contact_link.html", {"person": person}, request=request))  # noqa: S308


def can_record(request: HttpRequest, person: Person) -> bool:
    return access.can_record_for_person(request.user, person)


def can_record_visits(request: HttpRequest, person: Person) -> bool:
    return access.may_for_person(request.user, access.Can.RECORD_VISITS, person)


def can_record_contacts(request: HttpRequest, person: Person) -> bool:
    return access.may(request.user, access.Can.RECORD_CONTACTS)


def register() -> None:
    record.register_section(record.RecordSection("journey", "main", 10, journey_section))
    record.register_section(record.RecordSection("contact_link", "side", 10, contact_link_section))
    record.register_action(record.RecordAction("visit", "Record a visit", "cases:visit_add", 20, can_record_visits))
