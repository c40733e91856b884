"""Visits to children on plans and looked-after children, recorded through recording.services.visit_record, with
what the worker wrote: words that fit the child's age and, when looked after, where they live (demo.texts)."""

from __future__ import annotations

from datetime import date

from cases.services import visit_record
from core.dates import age_on
from recording.models import VisitType

from ..texts import AT_SCHOOL, Entry, Situation, choose, text, years_on
from .base import JourneyBase, Kid

_FAMILY = "foster,kinship,supported,adoption,parents,other"  # looked after and living with carers, not staff

_VISIT_NOTES: dict[str, tuple[Entry, ...]] = {
    VisitType.HOME: (
        (
            text(
                "Home visit. Home conditions adequate today. The child was seen in their bedroom and talked about school.",
                ages=(5, 18),
            ),
            text(
                "Home visit. Home conditions adequate today. The child was seen in their cot and appeared well.",
                ages=(0, 2),
            ),
            text("Home visit. Home conditions adequate today. The child was playing and appeared well."),
        ),
        "Unannounced home visit. Parent engaged well; the safety plan was reviewed and is being followed.",
        (
            text(
                "Home visit. The child was quiet but said things are better at home. Food in the cupboards.",
                ages=(4, 18),
            ),
            text("Home visit. The child was settled and well cared for. Food in the cupboards."),
        ),
    ),
    VisitType.STATUTORY: (
        (
            text(
                "Statutory visit at the placement. The child is settled and enjoying school; carers have no concerns.",
                ages=AT_SCHOOL,
                placements=_FAMILY,
            ),
            text(
                "Statutory visit at the placement. The child is settled and enjoying school; staff have no concerns.",
                ages=AT_SCHOOL,
            ),
            text(
                "Statutory visit at the placement. The child is settled and meeting milestones; carers have no concerns.",
                placements=_FAMILY,
            ),
            text("Statutory visit at the placement. The child is settled; staff have no concerns."),
        ),
        (
            text(
                "Statutory visit. The child showed me their room and talked about seeing their family at the weekend.",
                ages=(4, 18),
            ),
            text(
                "Statutory visit. The child was alert and content, and the carers showed me their routine.",
                placements=_FAMILY,
            ),
            text("Statutory visit. The child was content and the staff talked me through the week."),
        ),
        (
            text(
                "Statutory visit. Some worries about behaviour at school, discussed with the carers and the child.",
                ages=(5, 18),
                placements=_FAMILY,
            ),
            text(
                "Statutory visit. Some worries about behaviour at school, discussed with the staff and the child.",
                ages=(5, 18),
            ),
            text("Statutory visit. Some worries about sleep, discussed with the carers.", placements=_FAMILY),
            text("Statutory visit. Some worries about sleep, discussed with the staff."),
        ),
    ),
    VisitType.PLACEMENT: (
        (
            text(
                "Visit at the placement. The child was happy to see me and we talked about their wishes for the review.",
                ages=(4, 18),
            ),
            text(
                "Visit at the placement. The child was happy and settled; the carers gave me an update for the review."
            ),
        ),
        (
            text(
                "Visit at the placement. Contact arrangements discussed with the carers; no concerns raised.",
                placements=_FAMILY,
            ),
            text("Visit at the placement. Contact arrangements discussed with the staff; no concerns raised."),
        ),
    ),
}


_NOT_SEEN: tuple[Entry, ...] = (
    "No one answered the door; a card was left.",
    (
        text("The child was out with friends when I arrived.", ages=(10, 18)),
        text("The child was asleep and I did not wake them; I will visit again this week."),
    ),
    (
        text("The visit was cancelled by the carers at short notice because the child was unwell.", placements=_FAMILY),
        text(
            "The visit was cancelled by the home at short notice because the child was unwell.",
            placements="residential",
        ),
        text("The visit was cancelled by the parent at short notice because the child was unwell."),
    ),
)


class Visits(JourneyBase):
    """Home, statutory and placement visits."""

    def visit(self, k: Kid, day: date, kind: str, *, lac: bool, placement: str = "") -> None:
        """A visit of `kind` on `day`; `placement` is the kind of placement a looked-after child is in (see
        demo.texts.placement_kind)."""
        rng = k.rng
        seen = rng.random() < 0.93
        alone = seen and age_on(k.born, day) >= 5 and rng.random() < 0.7
        s = Situation(years_on(k.born, day), "lac" if lac else "", placement if lac else "")
        visit_record(
            actor=k.actor,
            person=k.person,
            occurred_at=self.at(rng, day, 9, 18),
            visit_type=kind,
            child_seen=seen,
            seen_alone=alone if seen else False,
            notes=choose(rng, _VISIT_NOTES[kind], s),
            not_seen_reason="" if seen else choose(rng, _NOT_SEEN, s),
        )
        self.log(k, "visit", day, kind + ("+" if seen else "-"))
