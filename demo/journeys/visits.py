"""Visits to children on plans and looked-after children, recorded through recording.services.visit_record, with
what the worker wrote."""

from __future__ import annotations

from datetime import date

from cases.services import visit_record
from core.dates import age_on
from recording.models import VisitType

from .base import JourneyBase, Kid

_VISIT_NOTES: dict[str, tuple[str, ...]] = {
    VisitType.HOME: (
        "Home visit. Home conditions adequate today. The child was seen in their bedroom and talked about school.",
        "Unannounced home visit. Parent engaged well; the safety plan was reviewed and is being followed.",
        "Home visit. The child was quiet but said things are better at home. Food in the cupboards.",
    ),
    VisitType.STATUTORY: (
        "Statutory visit at the placement. The child is settled and enjoying school; carers have no concerns.",
        "Statutory visit. The child showed me their room and talked about seeing their family at the weekend.",
        "Statutory visit. Some worries about behaviour at school, discussed with the carers and the child.",
    ),
    VisitType.PLACEMENT: (
        "Visit at the placement. The child was happy to see me and we talked about their wishes for the review.",
        "Visit at the placement. Contact arrangements discussed with the carers; no concerns raised.",
    ),
}


_NOT_SEEN = (
    "No one answered the door; a card was left.",
    "The child was out with friends when I arrived.",
    "The visit was cancelled by the carers at short notice because the child was unwell.",
)


class Visits(JourneyBase):
    """Home, statutory and placement visits."""

    def visit(self, k: Kid, day: date, kind: str, *, lac: bool) -> None:
        rng = k.rng
        seen = rng.random() < 0.93
        alone = seen and age_on(k.born, day) >= 5 and rng.random() < 0.7
        visit_record(
            actor=k.actor,
            person=k.person,
            occurred_at=self.at(rng, day, 9, 18),
            visit_type=kind,
            child_seen=seen,
            seen_alone=alone if seen else False,
            notes=rng.choice(_VISIT_NOTES[kind]),
            not_seen_reason="" if seen else rng.choice(_NOT_SEEN),
        )
        self.log(k, "visit", day, kind + ("+" if seen else "-"))
