"""Child protection: strategy discussion, section 47 enquiry, initial conference, the plan with its core groups,
visits and review conferences, and its end."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cases import services as cs
from cases.models import (
    ChildProtectionPlan,
    CINEpisode,
)
from core.dates import add_working_days
from recording.models import VisitType

from .base import Kid, pick
from .child_in_need import ChildInNeed
from .visits import Visits
from .vocabulary import ABUSE, AGENCIES, PLAN_END_REASONS


class Protection(ChildInNeed, Visits):
    """Child protection plans from referral to end (and, if asked, the step down and closure)."""

    def protection(
        self,
        k: Kid,
        referral: date,
        *,
        end: date | None,
        close: bool = True,
        allocate: bool = False,
        end_reason: str = "",
    ) -> tuple[CINEpisode, ChildProtectionPlan, date | None]:
        """Referral, strategy discussion, section 47 enquiry, initial conference, a plan with its core groups, reviews
        and visits; the plan ends at a review conference on `end` (or is still open). With `close`, a plan that ends
        steps down to a child in need plan or not, and the case closes; otherwise the caller carries on. Returns the
        episode, the plan and the day the plan (or, when closed, the case) ended."""
        rng = k.rng
        need = "N1"
        ep = self.refer(k, referral, need, "Significant harm suspected: strategy discussion today.")
        last_day = end or self.yesterday
        if allocate:
            self.allocate_for_good(k, referral, last_day)
        strategy = referral + timedelta(days=rng.choice((0, 0, 1, 1, 2)))
        cs.strategy_discussion_record(
            actor=k.actor,
            episode=ep,
            held_on=strategy,
            agencies=rng.choice(AGENCIES),
            start_section_47=True,
            notes="Agreed: joint section 47 enquiries; the child to be seen today.",
        )
        self.log(k, "strategy discussion", strategy)
        enquiry = ep.section47_enquiries.get()
        s47_done = add_working_days(strategy, rng.randint(5, 11))
        cs.section47_complete(actor=k.actor, enquiry=enquiry, completed_on=s47_done, outcome="icpc")
        self.log(k, "section 47", s47_done)
        icpc = add_working_days(strategy, rng.randint(12, 15) if rng.random() < 0.85 else rng.randint(16, 24))
        icpc = self.working_day(max(icpc, s47_done), floor=s47_done)
        category = pick(rng, ABUSE)
        cs.initial_conference_record(actor=k.actor, enquiry=enquiry, held_on=icpc, plan_needed=True, category=category)
        self.log(k, "initial conference", icpc, category)
        plan = ChildProtectionPlan.objects.get(initial_conference__enquiry=enquiry)
        if end is None:
            self.name_reviewing_officer(k, icpc)
        start, submit, authorise = self.timely_assessment(k, referral)
        self.assess(k, ep, start, "strategy", need, submit=submit, authorise=authorise)
        # Core groups: the first within 10 working days, then about every six weeks (the later ones recorded for the
        # last months of the plan only, like visits).
        recent = last_day - relativedelta(months=self.profile.cp_visit_months + 1)
        day = add_working_days(icpc, rng.randint(6, 10) if rng.random() < 0.9 else rng.randint(11, 16))
        first = True
        while day < last_day:
            if first or (end is None and day >= recent):
                cs.core_group_record(actor=k.actor, plan=plan, held_on=day, notes="Core group: plan reviewed.")
                self.log(k, "core group", day)
                first = False
            day += timedelta(days=rng.randint(35, 49))
        # Visits, recorded for the last months of a plan that is still open.
        if k.cand.dob is not None and end is None:
            visit = max(
                icpc + timedelta(days=rng.randint(1, 5)),
                last_day - relativedelta(months=self.profile.cp_visit_months),
            )
            while visit < last_day:
                if visit >= k.born:
                    self.visit(k, visit, VisitType.HOME, lac=False)
                visit = add_working_days(visit, rng.randint(7, 10) if rng.random() < 0.85 else rng.randint(11, 16))
        # Review conferences: the first within 3 months, then within 6 months.
        review = icpc + relativedelta(months=3) - timedelta(days=rng.randint(0, 14))
        last = icpc
        while review < last_day:
            if end is None and review > self.today - timedelta(days=10) and rng.random() < 0.5:
                break  # due in the last few days and not yet held: shows as overdue
            cs.review_conference_record(actor=k.actor, plan=plan, held_on=review, plan_continues=True)
            self.log(k, "review conference", review)
            last = review
            review = review + relativedelta(months=6) - timedelta(days=rng.randint(0, 21))
        ended = None
        if end is not None:
            ended = min(max(end, last + timedelta(days=1)), self.yesterday)
            reason = end_reason or rng.choice(PLAN_END_REASONS)
            cs.review_conference_record(
                actor=k.actor, plan=plan, held_on=ended, plan_continues=False, end_reason=reason
            )
            self.log(k, "plan ended", ended)
            if close:
                if "step down" in reason:
                    ended = self.step_down(k, ep, ended, end=True) or ended
                self.close(k, ep, ended, "RC5" if "another local authority" in reason else "RC7")
        return ep, plan, ended
