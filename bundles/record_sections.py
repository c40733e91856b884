"""What the bundles app adds to the person's record (people.record), registered in BundlesConfig.ready: the button
"Make a court or conference bundle" and a "Bundles" section listing those made, for those who may make them."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts import access
from people import record
from people.models import Person

from . import selectors


def may_make(request: HttpRequest, person: Person) -> bool:
    return access.may_make_bundle(request.user, person)


def bundles_section(request: HttpRequest, person: Person) -> SafeString:
    """The bundles made from the record, newest first (one query); shown to those who may make them."""
    if not access.may_make_bundle(request.user, person):
        return SafeString("")
    bundles = selectors.bundles_for_person(person, limit=5)
    return render_to_string("bundles/record_section.html", {"person": person, "bundles": bundles}, request=request)


def register() -> None:
    record.register_action(
        record.RecordAction("make_bundle", "Make a court or conference bundle", "bundles:new", 60, may_make)
    )
    record.register_section(record.RecordSection("bundles", "main", 47, bundles_section))
