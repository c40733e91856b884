"""Adoption during a period of care: the decision, the placement order, the match with adopters and the placement."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases import services as la
from cases.rules.looked_after import Placement

from .base import JourneyBase, Kid
from .placements import placement_on


class Adoption(JourneyBase):
    """The adoption milestones of a period of care, recorded as the day comes."""

    def adoption_step(self, k: Kid, record: Any, step: str, day: date, chain: list[tuple[date, str, Placement]]) -> Any:
        rng = k.rng
        if step == "decision":
            record = la.adoption_decision_record(actor=k.actor, person=k.person, decided_on=day)
        elif record is None:
            return None
        elif step == "order":
            record = la.adoption_milestone_record(actor=k.actor, adoption=record, milestone="placement_order", on=day)
        elif step == "match":
            record = la.adoption_milestone_record(actor=k.actor, adoption=record, milestone="matched", on=day)
            two = rng.random() < 0.8
            sex = rng.choice(("MF", "MF", "MF", "FF", "MM")) if two else rng.choice(("F1", "F1", "M1"))
            record = la.adoption_adopters_record(
                actor=k.actor,
                adoption=record,
                foster_care=placement_on(chain, day).type == "U5",
                number_of_adopters=2 if two else 1,
                sex_of_adopters=sex,
                legal_status_of_adopters=("L11" if sex == "MF" else "L12") if two else "L0",
            )
        elif step == "placed":
            record = la.adoption_milestone_record(actor=k.actor, adoption=record, milestone="placed", on=day)
        self.log(k, "adoption " + step, day)
        return record
