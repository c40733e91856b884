"""Whole histories, one per kind of child the orchestrator assigns (open assessment, enquiry, plans, looked
after, care leaver, closed, contacts only, awaiting a decision), composed from the stage modules' steps."""

from __future__ import annotations

from datetime import date, timedelta

from cases import services as cs
from cases.models import LookedAfterEpisode
from core.dates import add_working_days, age_on, birthday

from .base import Kid, between
from .looked_after import LookedAfter
from .protection import Protection
from .vocabulary import AGENCIES, PLAN_END_REASONS


class Histories(Protection, LookedAfter):
    """One method per kind of history; each calls the steps in date order."""

    def earlier_episode(self, k: Kid, before: date) -> None:
        """Sometimes an earlier, closed episode: about half within the 12 months before (a re-referral)."""
        rng = k.rng
        if rng.random() >= self.profile.earlier_episode_rate:
            return
        if rng.random() < 0.85:
            referral = before - timedelta(days=rng.randint(60, 330))
            if referral <= k.born + timedelta(days=30):
                return
            if rng.random() < 0.4:
                self.referral_closed(k, referral)
            else:
                self.episode_nfa(k, referral, latest=before - timedelta(days=rng.randint(5, 40)))
        else:
            referral = before - timedelta(days=rng.randint(420, 1800))
            if referral <= k.born + timedelta(days=30):
                return
            if rng.random() < 0.7:
                self.episode_cin(k, referral, referral + timedelta(days=rng.randint(150, 330)))
            else:
                self.episode_nfa(k, referral, latest=before - timedelta(days=30))

    def open_assessment(self, k: Kid) -> None:
        rng = k.rng
        referral = add_working_days(self.today, -rng.randint(1, 62))
        referral = max(referral, k.born + timedelta(days=1)) if k.cand.dob else max(referral, self.pre_birth_limit(k))
        self.earlier_episode(k, referral)
        need = self.need(k, referral)
        ep = self.refer(k, referral, need)
        self.allocate_for_good(k, referral + timedelta(days=rng.choice((0, 0, 1))), self.yesterday)
        elapsed = (self.yesterday - referral).days
        start = min(referral + timedelta(days=rng.choice((0, 1, 2))), self.yesterday)
        if elapsed < 3 and rng.random() < 0.5:
            return  # not started yet
        outcome = rng.choice(("nfa", "early_help", "cin_plan", "cin_plan", "cin_plan"))
        submitted = None
        if elapsed > 12 and rng.random() < 0.3:
            submitted = between(rng, max(start, self.today - timedelta(days=10)), self.yesterday)
        self.assess(
            k, ep, start, outcome, need, submit=submitted, authorise=None, record=rng.random() < 0.7 or bool(submitted)
        )

    def open_enquiry(self, k: Kid) -> None:
        rng = k.rng
        referral = add_working_days(self.today, -rng.randint(2, 24))
        self.earlier_episode(k, referral)
        ep = self.refer(k, referral, "N1", "Significant harm suspected: strategy discussion today.")
        self.allocate_for_good(k, referral, self.yesterday)
        strategy = min(referral + timedelta(days=rng.choice((0, 0, 1))), self.yesterday)
        s47 = rng.random() < 0.85
        cs.strategy_discussion_record(
            actor=k.actor,
            episode=ep,
            held_on=strategy,
            agencies=rng.choice(AGENCIES),
            start_section_47=s47,
            notes="Information shared by police, health and school.",
        )
        self.log(k, "strategy discussion", strategy, str(s47))
        start = min(strategy + timedelta(days=rng.randint(0, 2)), self.yesterday)
        self.assess(k, ep, start, "strategy", "N1", submit=None, authorise=None, record=rng.random() < 0.6)
        if s47 and rng.random() < 0.55:
            done = add_working_days(strategy, rng.randint(4, 10))
            if done < self.today:
                outcome = rng.choice(("icpc", "icpc", "no_icpc", "nfa"))
                enquiry = ep.section47_enquiries.get()
                cs.section47_complete(actor=k.actor, enquiry=enquiry, completed_on=done, outcome=outcome)
                self.log(k, "section 47", done, outcome)

    def open_cin_plan(self, k: Kid) -> None:
        rng = k.rng
        if rng.random() < 0.15:
            # Stepped down from a child protection plan.
            icpc_back = rng.randint(240, 520)
            referral = self.today - timedelta(days=icpc_back)
            if k.cand.dob and referral <= k.born - timedelta(days=100):
                referral = k.born - timedelta(days=rng.randint(30, 100))
            self.earlier_episode(k, referral)
            end = max(self.today - timedelta(days=rng.randint(30, 150)), referral + timedelta(days=150))
            ep, _, ended = self.protection(
                k, referral, end=end, close=False, allocate=True, end_reason=PLAN_END_REASONS[0]
            )
            assert ended is not None
            self.step_down(k, ep, ended, end=False)
            return
        back = int(rng.triangular(60, 420, 120))
        referral = self.today - timedelta(days=back)
        if k.cand.dob and referral <= k.born + timedelta(days=10):
            # A baby: referred before birth.
            referral = k.born - timedelta(days=rng.randint(40, 120))
        self.earlier_episode(k, referral)
        self.episode_cin(k, referral, None, allocate=True)

    def open_cp_plan(self, k: Kid) -> None:
        rng = k.rng
        back = int(rng.triangular(25, 560, 150))
        referral = self.today - timedelta(days=back)
        if k.cand.dob is None:
            referral = max(min(referral, self.yesterday - timedelta(days=25)), self.pre_birth_limit(k))
        elif referral <= k.born - timedelta(days=100):
            referral = k.born - timedelta(days=rng.randint(30, 100))
        self.earlier_episode(k, referral)
        self.protection(k, referral, end=None, allocate=True)

    def open_looked_after(self, k: Kid) -> None:
        rng = k.rng
        born = k.born
        age_now = (self.today - born).days / 365.25
        # How long ago they came into care: from a few weeks to most of their life.
        years = min(age_now - 0.05, rng.triangular(0.05, min(age_now, 8.0), 0.6))
        start = self.today - timedelta(days=max(20, round(years * 365.25)))
        start = max(start, born + timedelta(days=3))
        self.into_care(k, start, end=None, end_reason="")

    def into_care(
        self,
        k: Kid,
        start: date,
        *,
        end: date | None,
        end_reason: str,
        close_reason: str = "",
        allocate: bool = True,
        adoption: bool = False,
    ) -> None:
        """The referral that led to care, and the period of care itself; then, if it ended, closure. With `allocate`
        the child is allocated for good (counted in today's caseloads); otherwise to a worker until the closure.
        With `adoption`, a baby's care plan is adoption from the start."""
        rng = k.rng
        age = age_on(k.born, start)
        home = k.person.current_postcode or self.placements.postcode(rng)
        via = rng.random()
        if via < 0.3 and (start - k.born).days > 200:
            # A child protection plan first, ended the day the child came into care.
            referral = start - timedelta(days=rng.randint(120, 420))
            referral = max(referral, k.born + timedelta(days=10))
            if (start - referral).days < 60:
                referral = start - timedelta(days=60)
            self.earlier_episode(k, referral)
            ep, _, _ = self.protection(
                k, referral, end=start, close=False, allocate=allocate, end_reason="Child became looked after"
            )
            route = "adoption" if adoption or (age < 2 and rng.random() < 0.6) else "proceedings"
        else:
            emergency = via < 0.45
            referral = start - timedelta(days=rng.randint(0, 2) if emergency else rng.randint(25, 70))
            referral = max(referral, k.born)
            self.earlier_episode(k, referral)
            need = "N1" if rng.random() < 0.7 else self.need(k, referral)
            ep = self.refer(k, referral, need, "Child at risk: assessment and legal planning needed.")
            if allocate:
                self.allocate_for_good(k, referral, end or self.yesterday)
            a_start, a_sub, a_auth = self.timely_assessment(k, referral)
            if not emergency:
                a_sub = min(a_sub, start)
                a_auth = min(max(a_sub, add_working_days(a_sub, 1)), start)
                a_start = min(a_start, a_sub)
            self.assess(k, ep, a_start, "looked_after", need, submit=a_sub, authorise=a_auth)
            if adoption:
                route = "adoption"
            elif emergency:
                route = "emergency"
            elif age < 2 and rng.random() < 0.5:
                route = "adoption"
            elif age >= 12 and rng.random() < 0.6:
                route = "s20"
            else:
                route = rng.choice(("proceedings", "s20"))
        if not allocate:
            self.allocate_until_closed(k, referral)
        ended = self.looked_after(k, start, end=end, end_reason=end_reason, route=route, home=home)
        if ended is not None:
            last = LookedAfterEpisode.objects.filter(person=k.person).order_by("-started_on", "-id").first()
            assert last is not None
            reason = close_reason or {
                "E11": "RC1",
                "E12": "RC1",
                "E41": "RC3",
                "E45": "RC4",
                "E47": "RC4",
                "E3": "RC5",
            }.get(last.reason_ceased, "RC7")
            self.close(k, ep, ended, reason)

    def care_leaver(self, k: Kid) -> None:
        rng = k.rng
        born = k.born
        eighteen = birthday(born, 18)
        entered = rng.triangular(13.0, 17.3, 16.0)
        start = born + timedelta(days=round(entered * 365.25))
        reason = rng.choice(("E5", "E5", "E5", "E17", "E17", "E6", "E13", "E8"))
        self.into_care(k, start, end=eighteen, end_reason=reason, close_reason="RC7")
        self.care_leaver_contacts(k, eighteen)

    def closed_history(self, k: Kid) -> None:
        """Children whose every episode is closed: one or two, over the last six years."""
        rng = k.rng
        earliest = max(self.today - timedelta(days=6 * 365), k.born + timedelta(days=20))
        latest = self.today - timedelta(days=120)
        if earliest >= latest:
            return
        referral = between(rng, earliest, latest)
        kind = rng.choices(("nfa", "cin", "cp", "lac"), (58, 27, 10, 5))[0]
        if 3 <= age_on(k.born, self.today) <= 8 and rng.random() < 0.15:
            # Adopted: referred as a baby, placed for adoption within about 15 months, adopted within two years.
            referral = between(rng, max(earliest, k.born + timedelta(days=20)), k.born + timedelta(days=330))
            kind = "adopted" if (latest - referral).days >= 950 else kind
        if kind == "cp" and (latest - referral).days < 650:
            kind = "nfa"
        if kind == "lac" and ((latest - referral).days < 300 or age_on(k.born, referral) >= 14):
            kind = "cin"
        if kind == "nfa":
            ended = self.episode_nfa(k, referral)
        elif kind == "cin":
            ended = (
                self.episode_cin(k, referral, min(referral + timedelta(days=rng.randint(150, 400)), latest)) or referral
            )
        elif kind == "cp":
            _, _, e = self.protection(k, referral, end=referral + timedelta(days=rng.randint(200, 400)))
            ended = e or referral
        elif kind == "adopted":
            # Placed for adoption within about 15 months; the adoption order 6 to 12 months later.
            start = referral + timedelta(days=rng.randint(20, 50))
            ended = start + timedelta(days=rng.randint(640, 840))
            self.into_care(k, start, end=ended, end_reason="E12", allocate=False, adoption=True)
        else:
            end = referral + timedelta(days=rng.randint(60, min(900, (latest - referral).days)))
            reason = rng.choice(("E4A", "E4A", "E41", "E45", "E47", "E13"))
            self.into_care(
                k, referral + timedelta(days=rng.randint(20, 50)), end=end, end_reason=reason, allocate=False
            )
            ended = end
        # A re-referral within 12 months, closed again.
        if rng.random() < 0.3:
            again = ended + timedelta(days=rng.randint(30, 200))
            if again < latest:
                self.episode_nfa(k, again)

    def contacts_only(self, k: Kid) -> None:
        rng = k.rng
        earliest = max(self.today - timedelta(days=4 * 365), k.born + timedelta(days=1))
        for _ in range(rng.choices((1, 2, 3), (75, 20, 5))[0]):
            on = between(rng, earliest, self.today - timedelta(days=3))
            self.contact(k, on, self.need(k, on), "nfa" if rng.random() < 0.7 else "early_help")

    def awaiting_contact(self, k: Kid) -> None:
        rng = k.rng
        on = add_working_days(self.today, -rng.choice((1, 1, 1, 2, 2, 3)))
        on = max(on, k.born + timedelta(days=1)) if k.cand.dob else on
        self.contact(k, on, self.need(k, on), None)
