"""Child and family assessments, and the episodes that end at one: no further action or early help."""

from __future__ import annotations

from datetime import date, timedelta

from cases import services as cs
from cases.models import (
    Assessment,
    CINEpisode,
)
from core.dates import add_working_days

from .base import Kid, pick
from .front_door import FrontDoor
from .vocabulary import FACTORS

_SUMMARIES = {
    "nfa": "No further action: the family are managing and agencies will continue to offer universal support.",
    "early_help": "Needs can be met by early help: the family agreed to work with the early help team.",
    "cin_plan": "The child is in need under section 17: a child in need plan will set out the support.",
    "strategy": "Significant harm suspected: strategy discussion held and section 47 enquiries completed.",
    "looked_after": "The child cannot safely remain at home: the child is to become looked after.",
}


class Assessments(FrontDoor):
    """Assessments started, recorded, submitted and authorised; episodes closed after one or before any."""

    def assess(
        self,
        k: Kid,
        episode: CINEpisode,
        start: date,
        outcome: str,
        need: str,
        *,
        submit: date | None,
        authorise: date | None,
        record: bool = True,
        factors: list[str] | None = None,
    ) -> Assessment:
        rng = k.rng
        a = cs.assessment_start(actor=k.actor, episode=episode, started_on=start)
        self.log(k, "assessment started", start)
        if record:
            if factors is None:
                factors = sorted(
                    {pick(rng, FACTORS.get(need, FACTORS["N1"])) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))}
                )
                if "21" in factors:
                    factors = ["21"]
            cs.assessment_record(
                actor=k.actor,
                assessment=a,
                factors=factors,
                summary=_SUMMARIES[outcome],
                outcome=outcome,
            )
            self.log(k, "assessment recorded", start, ",".join(factors) + outcome)
        if submit is not None:
            cs.assessment_submit(actor=k.actor, assessment=a, submitted_on=submit)
            self.log(k, "assessment submitted", submit)
        if authorise is not None:
            cs.assessment_authorise(actor=k.crew.manager, assessment=a, authorised_on=authorise)
            self.log(k, "assessment authorised", authorise)
        return a

    def timely_assessment(self, k: Kid, referral: date) -> tuple[date, date, date]:
        """Start, submission and authorisation dates: most within 45 working days of the referral, some late."""
        rng = k.rng
        start = referral + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5)))
        days = rng.randint(10, 40) if rng.random() < 0.85 else rng.randint(44, 70)
        submit = min(max(start, add_working_days(referral, days)), self.yesterday)
        authorise = min(add_working_days(submit, rng.choice((0, 1, 1, 2, 3, 5))), self.yesterday)
        return min(start, submit), submit, authorise

    def episode_nfa(self, k: Kid, referral: date, latest: date | None = None) -> date:
        """Referral, assessment, no further action (or early help), closure by `latest`. Returns the closure date."""
        need = self.need(k, referral)
        ep = self.refer(k, referral, need)
        start, submit, authorise = self.timely_assessment(k, referral)
        if latest is not None:
            submit, authorise = min(submit, latest), min(authorise, latest)
            start = min(start, submit)
        outcome = "nfa" if k.rng.random() < 0.6 else "early_help"
        self.assess(k, ep, start, outcome, need, submit=submit, authorise=authorise)
        closed = min(authorise + timedelta(days=k.rng.randint(0, 7)), latest or self.yesterday, self.yesterday)
        self.close(k, ep, closed, "RC8" if outcome == "nfa" else "RC9")
        return closed

    def referral_closed(self, k: Kid, referral: date) -> date:
        """A referral closed with no further action before any assessment (CIN census ReferralNFA)."""
        need = self.need(k, referral)
        ep = self.refer(k, referral, need, "Accepted as a referral for checks with partner agencies.")
        closed = min(referral + timedelta(days=k.rng.randint(1, 10)), self.yesterday)
        self.close(k, ep, closed, "RC8")
        return closed
