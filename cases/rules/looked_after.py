"""Rules of a looked-after child's placement and legal status that need no database: the SSDA903 validation rules
DfE checks, refused at the door. Each message names what to do; the rule number is kept for the developer in a
comment or, where it helps the data team, in brackets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from cases.rules.codes import (
    AGENCY_URN,
    AGENCY_URN_PLACEMENTS,
    NO_PROVIDER_PLACEMENTS,
    NO_URN_PLACEMENTS,
    OUTSIDE_ENGLAND_AREAS,
    PROVIDER_NOT_FOR,
    SHORT_BREAKS,
    URN_RE,
)
from cases.rules.timescales import POLICE_PROTECTION_MAX_DAYS
from core.dates import age_on
from people.validators import normalise_postcode, postcode_error

IsCode = Callable[[str, str], bool]


@dataclass(frozen=True)
class Placement:
    """Where a child lives while looked after: SSDA903 PLACE, PLACE_PROVIDER, PL_POST and URN."""

    type: str
    provider: str
    postcode: str
    urn: str = ""

    def normalised(self) -> Placement:
        return Placement(
            type=self.type.strip().upper(),
            provider=self.provider.strip().upper(),
            postcode=normalise_postcode(self.postcode) if self.postcode.strip() else "",
            urn=self.urn.strip().upper(),
        )


def outside_england(postcode: str) -> bool:
    area = re.match(r"^[A-Z]+", normalise_postcode(postcode))
    return area is not None and area.group(0) in OUTSIDE_ENGLAND_AREAS


def placement_errors(
    placement: Placement, *, legal_status: str, born: date | None, on: date | None, is_code: IsCode
) -> dict[str, str]:
    """The SSDA903 rules for one placement. Keys: placement_type, placement_provider, placement_postcode, urn.
    `is_code(list_name, value)` says whether a value is in an official code list (the caller reads the lists)."""
    errors: dict[str, str] = {}
    if legal_status not in SHORT_BREAKS or placement.postcode:
        message = postcode_error(placement.postcode)
        if message:
            errors["placement_postcode"] = message
    if not is_code("placement_type", placement.type):
        return {**errors, "placement_type": "Select the placement type"}
    kind = placement.type
    if kind in NO_PROVIDER_PLACEMENTS:
        if placement.provider:
            # SSDA903 rule 213
            errors["placement_provider"] = (
                "Leave the placement provider empty for a temporary placement or one not registered with Ofsted"
            )
    elif not placement.provider or not is_code("placement_provider", placement.provider):
        errors["placement_provider"] = "Select who provides the placement"
    elif placement.provider == "PR0" and kind != "P1":
        # SSDA903 rule 550
        errors["placement_provider"] = (
            "A parent is only the provider of a placement with parents: select who provides the placement"
        )
    elif kind in PROVIDER_NOT_FOR.get(placement.provider, set()):
        errors["placement_provider"] = (
            "This kind of provider cannot provide this kind of placement: check the provider or the type"
        )
    if kind in NO_URN_PLACEMENTS:
        if placement.urn:
            # SSDA903 rule 222
            errors["urn"] = "Leave the URN empty: this kind of placement is not registered with Ofsted"
    elif not placement.urn:
        if "placement_postcode" not in errors and placement.postcode and not outside_england(placement.postcode):
            # SSDA903 rule 218
            errors["urn"] = "Enter the Ofsted unique reference number (URN) of the placement or its provider"
    elif not URN_RE.match(placement.urn):
        errors["urn"] = "Enter the URN as Ofsted shows it, like SC123456 or 1234567"
    elif placement.urn == AGENCY_URN and kind not in AGENCY_URN_PLACEMENTS:
        errors["urn"] = "XXXXXXX is only for adoption and foster placements made by a regional adoption agency"
    if kind == "K3" and born and on and age_on(born, on) < 16:
        # SSDA903 rule 371
        errors["placement_type"] = "Supported accommodation is only for young people aged 16 or over"
    return errors


ADOPTION_MILESTONES = {
    # milestone: (field, words, the milestones that must come before it)
    "placement_order": ("placement_order_on", "the placement order", ()),
    "matched": ("date_matched", "the match with the adopters", ("placement_order",)),
    "placed": ("placed_on", "the placement with the adopters", ("placement_order", "matched")),
}


def police_protection_errors(began_on: date, until: date, field: str) -> dict[str, str]:
    """Police protection (L1) ends within 72 hours (Children Act 1989 s.46(6); SSDA903 rule 361): `until` (the day
    it changes, or the day care ends) may be at most 3 days after it began, counting every L1 episode in a row."""
    last_day = began_on + timedelta(days=POLICE_PROTECTION_MAX_DAYS)
    if until <= last_day:
        return {}
    return {
        field: f"Police protection lasts at most 72 hours. It began on {began_on.day} {began_on:%B %Y}, so the "
        f"legal status changed by {last_day.day} {last_day:%B %Y}: record that change first, on the day it happened"
    }


def reason_new_episode(*, status_changed: bool, placement_changed: bool, same_carers: bool) -> str:
    """The SSDA903 reason for a new episode (RNE) after a change in a period of care (rules 217, 380, 434-436):
    L legal status only; P placement, new carers; T placement, same carers; B both, new carers; U both, same
    carers. A change of legal status alone keeps the carers, so `same_carers` matters only with a move."""
    if not placement_changed:
        return "L"
    if not status_changed:
        return "T" if same_carers else "P"
    return "U" if same_carers else "B"
