"""Code sets the journey's rules rely on: groups of SSDA903 and CIN census codes with a meaning of their own
(temporary placements, adoption placements, short breaks...). The code lists themselves (every valid code and its
words) are data in core.Code; these are the facts about some of those codes that the rules need. Pure constants."""

from __future__ import annotations

import re

TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
NO_PROVIDER_PLACEMENTS = TEMPORARY_PLACEMENTS | {"Z11", "Z12", "Z13", "Z14"}  # rules 178, 213, 526
NO_URN_PLACEMENTS = NO_PROVIDER_PLACEMENTS | {"P1", "P3", "R1", "R2", "R5"}  # rules 218, 222
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})
WITH_CURRENT_FOSTER_CARERS = frozenset({"A3", "A5"})  # rule 217
NEEDS_PLACEMENT_ORDER = frozenset({"A5", "A6"})  # rule 408
LONG_TERM_FOSTERING = frozenset({"U1", "U4"})
FOSTER_PLACEMENTS = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
STAYING_PUT = frozenset({"E45", "E46"})  # with former foster carers (rule 516)
AGENCY_URN = "XXXXXXX"  # rule 242: regional adoption agencies, for adoption and foster placements only
AGENCY_URN_PLACEMENTS = ADOPTION_PLACEMENTS | {"U1", "U2", "U3", "U4", "U5", "U6"}
PROVIDER_NOT_FOR = {  # rules 527-531 and 550
    "PR1": {"P1", "R2", "R5"},
    "PR2": {"P1", "R2", "R5"},
    "PR3": {"P1", "A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"},
    "PR4": {"P1"},
    "PR5": {"P1"},
}


SHORT_BREAKS = frozenset({"V3", "V4"})
ADOPTED = frozenset({"E11", "E12"})
INDEPENDENT_LIVING = frozenset({"E5", "E6"})  # rule 387: aged 14 or over
URN_RE = re.compile(r"^(?:[A-Z]{0,2}[0-9]{6,8}|XXXXXXX)$")
LA_PERM_RE = re.compile(r"^(?:[0-9]{3}|WAL|SCO|NIR|NUK)$")  # rule 633: old-style LA number, or outside England
# Postcode areas wholly outside England: a placement there has no Ofsted URN (rule 218 exempts them).
OUTSIDE_ENGLAND_AREAS = frozenset(
    {"BT", "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "ZE"}
    | {"CF", "LD", "LL", "NP", "SA"}
)


ADOPTER_SEX_FOR_STATUS = {  # rules 514, 517, 518, 519, 520, 524
    "L0": {"M1", "F1"},
    "L11": {"MF"},
    "L12": {"MM", "FF"},
    "L2": {"MM", "FF", "MF"},
    "L3": {"MF"},
    "L4": {"MM", "FF"},
}


FIRST_CONTACT = "FCONTA"  # SSDA903 SW_REASON of a first social worker episode
