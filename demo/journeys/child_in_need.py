"""Child in need plans: started, reviewed about every three months, ended; and the step down to one after a
child protection plan."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cases import services as cs
from cases.models import CINEpisode
from core.dates import add_working_days

from ..texts import Situation, choose, years_on
from .assessment import Assessments
from .base import Kid
from .vocabulary import CIN_REVIEW_SUMMARIES


class ChildInNeed(Assessments):
    """Child in need plans and the episodes built on them."""

    def cin_plan(self, k: Kid, ep: CINEpisode, started: date, end: date | None) -> None:
        """A child in need plan from `started`, reviewed about every 3 months (a review now and then late), ended at
        `end` or still going."""
        rng = k.rng
        plan = cs.cin_plan_start(actor=k.actor, episode=ep, started_on=started)
        self.log(k, "cin plan", started)
        last_day = min(end or self.yesterday, self.yesterday)
        review = started + relativedelta(months=3) + timedelta(days=rng.randint(-21, 3 if rng.random() < 0.85 else 40))
        while review < last_day:
            cs.cin_plan_review_record(
                actor=k.actor,
                plan=plan,
                held_on=review,
                summary=choose(rng, CIN_REVIEW_SUMMARIES, Situation(years_on(k.born, review))),
            )
            self.log(k, "cin plan review", review)
            review += relativedelta(months=3) + timedelta(days=rng.randint(-21, 3 if rng.random() < 0.85 else 40))
        if end is not None:
            cs.cin_plan_end(actor=k.actor, plan=plan, ended_on=end)
            self.log(k, "cin plan ended", end)

    def step_down(self, k: Kid, ep: CINEpisode, plan_ended: date, *, end: bool) -> date | None:
        """After a child protection plan: a fresh assessment and a child in need plan (ended some months later)."""
        rng = k.rng
        a_start = min(plan_ended + timedelta(days=rng.randint(0, 3)), self.yesterday)
        a_sub = min(add_working_days(a_start, rng.randint(3, 12)), self.yesterday)
        a_auth = min(add_working_days(a_sub, rng.randint(0, 2)), self.yesterday)
        self.assess(k, ep, a_start, "cin_plan", "N1", submit=a_sub, authorise=a_auth)
        if not end:
            self.cin_plan(k, ep, a_auth, None)
            return None
        ended = min(a_auth + timedelta(days=rng.randint(90, 200)), self.yesterday)
        self.cin_plan(k, ep, a_auth, ended)
        return ended

    def episode_cin(self, k: Kid, referral: date, end: date | None, *, allocate: bool = False) -> date | None:
        """Referral, assessment, child in need plan; ended and closed at `end`, or still open."""
        rng = k.rng
        need = self.need(k, referral)
        ep = self.refer_or_transfer(k, referral, need) if allocate else self.refer(k, referral, need)
        if allocate:
            self.allocate_for_good(k, referral + timedelta(days=rng.randint(0, 3)), end or self.yesterday)
        start, submit, authorise = self.timely_assessment(k, referral)
        self.assess(k, ep, start, "cin_plan", need, submit=submit, authorise=authorise)
        plan_on = min(authorise + timedelta(days=rng.randint(0, 10)), self.yesterday)
        if end is None:
            self.cin_plan(k, ep, plan_on, None)
            return None
        end = min(max(end, plan_on + timedelta(days=30)), self.yesterday)
        self.cin_plan(k, ep, plan_on, end)
        self.close(k, ep, end, "RC7" if rng.random() < 0.92 else "RC5")
        return end
