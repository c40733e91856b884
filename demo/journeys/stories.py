"""Children whose case notes (written by demo.generator) tell a story: the journey the notes describe, on the
notes' dates and, in the demo, by the worker who wrote them."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cases import services as cs
from cases.models import ChildProtectionPlan
from core.dates import add_working_days, birthday

from ..texts import looked_after_route
from .base import Kid, pick
from .candidates import Story
from .looked_after import LookedAfter
from .protection import Protection
from .vocabulary import ABUSE, AGENCIES, PLAN_END_REASONS, STORY_NEEDS


class Stories(Protection, LookedAfter):
    """Histories that follow the case notes already on a child's record."""

    def from_story(self, k: Kid) -> None:
        """A child whose case notes tell a story: the journey follows the notes' dates."""
        s = k.cand.story
        assert s is not None
        rng = k.rng
        contact_on = s.contact_on  # perhaps before the child was born: a pre-birth referral
        end = s.closed_on
        if s.level == "assessment":
            need = STORY_NEEDS.get(s.concern_key) or self.need(k, contact_on)
            ep = self.refer(k, contact_on, need)
            self.allocate_story(k, contact_on, until_closed=end is not None)
            start = min(contact_on + timedelta(days=1), s.outcome_on)
            if end is None:
                self.assess(k, ep, start, "early_help", need, submit=s.outcome_on, authorise=None)
                return
            self.assess(k, ep, start, "early_help", need, submit=s.outcome_on, authorise=s.outcome_on)
            self.close(k, ep, max(end, s.outcome_on), "RC9")
        elif s.level == "cin":
            need = STORY_NEEDS.get(s.concern_key) or self.need(k, contact_on)
            ep = self.refer(k, contact_on, need)
            self.allocate_story(k, contact_on, until_closed=end is not None)
            start = min(contact_on + timedelta(days=1), s.outcome_on)
            self.assess(k, ep, start, "cin_plan", need, submit=s.outcome_on, authorise=s.outcome_on)
            if end is None:
                self.cin_plan(k, ep, s.outcome_on, None)
            else:
                end = max(end, s.outcome_on)
                self.cin_plan(k, ep, s.outcome_on, end)
                self.close(k, ep, end, "RC7")
        elif s.level == "cp":
            self.story_protection(k, contact_on, s, end)
        else:
            if not looked_after_route(s.level, k.cand.dob, s.outcome_on):
                self.story_protection(k, contact_on, s, end)
                return
            eighteen = birthday(k.born, 18)
            if self.today >= eighteen and (end is None or end > eighteen):
                end = eighteen
            # A special guardianship order to former foster carers: relatives (E45) when the child lives with family.
            sgo = "E45" if s.placement == "kinship" else "E46"
            reason = "E17" if end == eighteen else rng.choice(("E4A", sgo, "E41", "E47"))
            self.story_care(k, contact_on, s, end, reason)
            if end == eighteen:
                self.care_leaver_contacts(k, eighteen)

    def allocate_story(self, k: Kid, on: date, *, until_closed: bool = False) -> None:
        """Allocate to the worker who wrote the notes when the demo is following them, else as any other child;
        `until_closed`: the case closes later, so the allocation ends then (see allocate_until_closed)."""
        if until_closed:
            self.allocate_until_closed(k, on)
            return
        author = None
        if self.follow_authors and k.cand.story is not None:
            author = next((w for w in k.crew.workers if w.pk == k.cand.story.author_id), None)
        if author is None:
            self.allocate_for_good(k, on, self.yesterday)
            return
        k.crew.load[author.pk] += 1
        self.allocate(k, on, author, "Allocated for the child and family assessment")

    def story_protection(self, k: Kid, contact_on: date, s: Story, end: date | None) -> None:
        rng = k.rng
        ep = self.refer(k, contact_on, "N1", "Significant harm suspected: strategy discussion today.")
        self.allocate_story(k, contact_on, until_closed=end is not None)
        strategy = s.strategy_on or contact_on + timedelta(days=1)
        strategy = max(strategy, contact_on)
        cs.strategy_discussion_record(
            actor=k.actor, episode=ep, held_on=strategy, agencies=rng.choice(AGENCIES), start_section_47=True
        )
        self.log(k, "strategy discussion", strategy)
        enquiry = ep.section47_enquiries.get()
        icpc = self.working_day(max(s.outcome_on, strategy + timedelta(days=1)), floor=strategy + timedelta(days=1))
        cs.section47_complete(
            actor=k.actor, enquiry=enquiry, completed_on=min(add_working_days(strategy, 8), icpc), outcome="icpc"
        )
        self.log(k, "section 47", icpc)
        category = s.category or pick(rng, ABUSE)  # the category the notes name
        cs.initial_conference_record(actor=k.actor, enquiry=enquiry, held_on=icpc, plan_needed=True, category=category)
        self.log(k, "initial conference", icpc, category)
        plan = ChildProtectionPlan.objects.get(initial_conference__enquiry=enquiry)
        if end is None:
            self.name_reviewing_officer(k, icpc)
        start = min(contact_on + timedelta(days=1), icpc)
        self.assess(k, ep, start, "strategy", "N1", submit=icpc, authorise=icpc)
        last_day = end or self.yesterday
        core = add_working_days(icpc, rng.randint(6, 10))
        if core < last_day:
            cs.core_group_record(actor=k.actor, plan=plan, held_on=core)
            self.log(k, "core group", core)
        review = icpc + relativedelta(months=3) - timedelta(days=rng.randint(0, 14))
        last = icpc
        while review < last_day:
            cs.review_conference_record(actor=k.actor, plan=plan, held_on=review, plan_continues=True)
            self.log(k, "review conference", review)
            last = review
            review = review + relativedelta(months=6) - timedelta(days=rng.randint(0, 21))
        if end is not None:
            ended = max(end, last + timedelta(days=1))
            cs.review_conference_record(
                actor=k.actor, plan=plan, held_on=ended, plan_continues=False, end_reason=rng.choice(PLAN_END_REASONS)
            )
            self.log(k, "plan ended", ended)
            self.close(k, ep, ended, "RC7")

    def story_care(self, k: Kid, contact_on: date, s: Story, end: date | None, reason: str) -> None:
        rng = k.rng
        ep = self.refer(k, contact_on, "N1", "Child at risk: strategy discussion and legal planning needed.")
        # A care leaver keeps their worker when the case closes at 18.
        self.allocate_story(k, contact_on, until_closed=end is not None and end != birthday(k.born, 18))
        strategy = max(s.strategy_on or contact_on, contact_on)
        cs.strategy_discussion_record(
            actor=k.actor, episode=ep, held_on=strategy, agencies=rng.choice(AGENCIES), start_section_47=False
        )
        self.log(k, "strategy discussion", strategy)
        start = min(contact_on + timedelta(days=1), s.outcome_on)
        self.assess(k, ep, start, "looked_after", "N1", submit=s.outcome_on, authorise=s.outcome_on)
        home = k.person.current_postcode or self.placements.postcode(rng)
        route = "s20" if s.level == "lac" else "proceedings"
        ended = self.looked_after(
            k, s.outcome_on, end=end, end_reason=reason, route=route, home=home, placement=s.placement
        )
        if ended is not None:
            self.close(k, ep, ended, "RC4" if reason in ("E45", "E47") else ("RC3" if reason == "E41" else "RC7"))
