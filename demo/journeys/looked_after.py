"""Periods of care: the first placement and legal status, changes of placement and legal status, reviews,
statutory visits, missing episodes, health assessments and outcomes, and the end; unaccompanied asylum-seeking
children."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from cases import services as la
from cases.models import LookedAfterEpisode
from cases.rules import codes, timescales
from cases.rules.codes import AGENCY_URN
from cases.rules.looked_after import Placement
from core.dates import add_working_days, age_on, birthday
from people.models import Sex
from people.services import person_update
from recording.models import VisitType

from ..texts import placement_kind
from .adoption import Adoption
from .assessment import Assessments
from .base import Kid, between, pick
from .care_leavers import CareLeavers
from .placements import placement_on
from .visits import Visits
from .vocabulary import HEALTH_ASSESSORS, PARTICIPATION, PLACE_CHANGE

Chain = list[tuple[date, str, Placement]]  # a period of care's (from, legal status, placement), in date order
Event = tuple[date, int, str, Any]  # (day, order within the day, what, argument)


class LookedAfter(Assessments, Visits, Adoption, CareLeavers):
    """Periods of care, start to end."""

    def looked_after(
        self,
        k: Kid,
        start: date,
        *,
        end: date | None,
        end_reason: str,
        route: str,
        home: str,
        placement: str = "",
    ) -> date | None:
        """A period of care from `start`: the first placement and legal status, moves, changes of legal status, reviews,
        statutory visits, missing episodes, health outcomes and, for the youngest, adoption; ended on `end` with
        `end_reason` (or still going). `placement` ("foster", "kinship", "residential"), when the child's case
        notes say where they live: the child lives there throughout (moves only to another placement of the kind).
        Returns the date it ended."""
        last_day = min(end or self.yesterday, self.yesterday)
        status, place = self._start_care(k, start, route, home, placement)
        if end is None:
            self.name_reviewing_officer(k, start)
        chain, changes, adoption = self._plan_care(k, start, last_day, status, place, route, home, placement)
        events: list[Event] = [(d, 0, "change", c) for d, c in changes]
        events += [(when, 1 if step == "placed" else -1, "adoption", step) for step, when in adoption.items()]
        events += self._care_events(k, start, last_day, chain)
        events.sort(key=lambda e: (e[0], e[1]))
        record = self._live_through(k, events, chain)
        if end is None:
            return None
        self._end_care(k, end, end_reason, record, adopted="placed" in adoption)
        return end

    def _start_care(self, k: Kid, start: date, route: str, home: str, placement: str = "") -> tuple[str, Placement]:
        """The first placement and legal status, and the previous permanence arrangement (SSDA903 PREV_PERM)."""
        rng = k.rng
        born = k.born
        status, place = self._first_placement(k, start, route, home, placement)
        if k.person.sex not in (Sex.MALE, Sex.FEMALE):
            # The worker records the child's sex before the period of care (the SSDA903 refuses "not known").
            k.person = person_update(actor=k.actor, person=k.person, sex=rng.choice((Sex.MALE, Sex.FEMALE)))
            self.log(k, "sex recorded", start)
        la.looked_after_start(
            actor=k.crew.manager,
            person=k.person,
            started_on=start,
            legal_status=status,
            category_of_need={"s20": rng.choice(("N1", "N4", "N5", "N8", "N2")), "uasc": "N8"}.get(route, "N1"),
            placement_type=place.type,
            placement_provider=place.provider,
            placement_postcode=place.postcode,
            home_postcode=home,
            urn=place.urn,
        )
        self.log(k, "looked after", start, f"{status} {place.type}")
        prev, order_date = "Z1", None
        if rng.random() < 0.08 and (start - born).days > 800:
            prev = rng.choice(("P2", "P2", "P3", "P1"))
            order_date = between(rng, born + timedelta(days=365), start - timedelta(days=60))
        la.previous_permanence_record(
            actor=k.crew.manager,
            person=k.person,
            arrangement=prev,
            la_code=self.la_code if prev != "Z1" else "",
            order_date=order_date,
        )
        self.log(k, "previous permanence", start, prev)
        return status, place

    def _care_events(self, k: Kid, start: date, last_day: date, chain: Chain) -> list[Event]:
        """Reviews, statutory visits, missing episodes, health assessments and yearly health outcomes of a period of
        care, unsorted: (day, order within the day, what, argument)."""
        rng = k.rng
        born = k.born
        events: list[Event] = []
        # Reviews: the first within 20 working days, the second within 3 months, then every 6 months.
        review = add_working_days(start, rng.randint(14, 20) if rng.random() < 0.9 else rng.randint(21, 30))
        first = True
        while review < last_day:
            events.append((review, 2, "review", None))
            review = review + relativedelta(months=3 if first else 6) - timedelta(days=rng.randint(0, 20))
            first = False
        events += [(d, 3, "visit", None) for d in self._visit_days(rng, chain, start, last_day)]
        # Missing and away from placement, for children of 11 and over.
        eleven = birthday(born, 11)
        if last_day > eleven + timedelta(days=30):
            for _ in range(rng.choices((0, 1, 2, 3), (60, 20, 12, 8))[0]):
                gone = between(rng, max(start, eleven) + timedelta(days=10), last_day - timedelta(days=6))
                if gone < last_day - timedelta(days=5) and placement_on(chain, gone).type != "T3":
                    events.append((gone, 4, "missing", rng.randint(0, 3)))
        # Statutory health assessments: the initial one within 20 working days (late for one child in five), then
        # reviews every 6 months under 5 and every year from 5, a few weeks either side.
        assessed = add_working_days(start, rng.randint(8, 20) if rng.random() < 0.8 else rng.randint(21, 45))
        while assessed < last_day:
            events.append((assessed, 2, "health assessment", None))
            months = 6 if age_on(born, assessed) < 5 else 12
            assessed = assessed + relativedelta(months=months) + timedelta(days=rng.randint(-20, 25))
        # Health outcomes for each year to 31 March looked after throughout.
        year = date(start.year + (1 if (start.month, start.day) > (3, 31) else 0), 3, 31)
        while year <= last_day:
            if year - relativedelta(years=1) + timedelta(days=1) >= start:
                events.append((year, 5, "health", None))
            year = date(year.year + 1, 3, 31)
        return events

    def _live_through(self, k: Kid, events: list[Event], chain: Chain) -> Any:
        """Record the period of care's events in date order, through the services. Returns the adoption record, if
        any."""
        rng = k.rng
        missing_until = date.min
        record = None
        for day, _, what, arg in events:
            if what == "change":
                new_status, new_place, reason, same = arg
                la.looked_after_change(
                    actor=k.actor,
                    person=k.person,
                    changed_on=day,
                    legal_status=new_status,
                    placement=new_place,
                    reason_place_change=reason,
                    same_carers=same,
                )
                self.log(k, "looked after change", day, f"{new_status} {new_place.type if new_place else ''}")
            elif what == "adoption":
                record = self.adoption_step(k, record, arg, day, chain)
            elif what == "review":
                participation = "PN0" if age_on(k.born, day) < 4 else pick(rng, PARTICIPATION)
                la.lac_review_record(actor=k.actor, person=k.person, held_on=day, participation=participation)
                self.log(k, "looked after review", day, participation)
            elif what == "visit":
                if day > missing_until:
                    self.visit(
                        k,
                        day,
                        VisitType.STATUTORY if rng.random() < 0.7 else VisitType.PLACEMENT,
                        lac=True,
                        placement=placement_kind(placement_on(chain, day).type),
                    )
            elif what == "missing":
                if day <= missing_until:
                    continue
                missing_until = self._missing(k, day, arg)
            elif what == "health":
                self.health(k, day)
            elif what == "health assessment":
                la.health_assessment_record(
                    actor=k.actor, person=k.person, assessed_on=day, assessed_by=rng.choice(HEALTH_ASSESSORS)
                )
                self.log(k, "health assessment", day)
        return record

    def _missing(self, k: Kid, day: date, days_away: int) -> date:
        """Missing (or away) from `day` for `days_away` days; returns the day the child came back."""
        rng = k.rng
        back = day + timedelta(days=days_away)
        m = la.missing_episode_record(
            actor=k.actor, person=k.person, kind="M" if rng.random() < 0.7 else "A", started_on=day
        )
        offered = rng.random() < 0.9
        la.missing_episode_end(
            actor=k.actor,
            episode=m,
            ended_on=back,
            return_interview_offered=offered,
            return_interview_accepted=(rng.random() < 0.6) if offered else None,
        )
        self.log(k, "missing", day, str(days_away))
        return back

    def _end_care(self, k: Kid, end: date, end_reason: str, record: Any, *, adopted: bool) -> None:
        """End the period of care on `end`: adopted (when placed for adoption), the adoption decision reversed (when
        not), or `end_reason` where the child's age and placement allow it, else home to parents (E4A)."""
        rng = k.rng
        reason = end_reason
        if record is not None and adopted:
            reason = rng.choice(("E12", "E12", "E11"))
        elif record is not None:
            la.adoption_decision_reversed(
                actor=k.actor, adoption=record, ceased_on=end, reason=rng.choice(("RD1", "RD3", "RD4"))
            )
            self.log(k, "adoption reversed", end)
        if reason in ("E11", "E12") and not adopted:
            reason = "E4A"
        if reason in ("E5", "E6") and age_on(k.born, end) < 16:
            reason = "E4A"
        if reason in codes.STAYING_PUT:
            last = LookedAfterEpisode.objects.filter(person=k.person).order_by("-started_on", "-id").first()
            if last is None or last.placement_type not in codes.FOSTER_PLACEMENTS:
                reason = "E4A"  # not with foster carers, so not staying put: home to parents
        la.looked_after_end(actor=k.crew.manager, person=k.person, ended_on=end, reason_ceased=reason)
        self.log(k, "looked after ended", end, reason)

    def _first_placement(
        self, k: Kid, start: date, route: str, home: str, placement: str = ""
    ) -> tuple[str, Placement]:
        rng = k.rng
        if route == "emergency":
            status = rng.choice(("L1", "L2", "L2"))
        elif route == "adoption":
            status = "C1"
        elif route in ("s20", "uasc"):
            status = "V2"
        else:
            status = rng.choice(("C1", "C1", "V2"))
        if placement == "residential":
            return status, self.placements.home(rng, home)
        if placement in ("foster", "kinship"):
            return status, self.placements.foster(rng, "U3" if placement == "kinship" else "U6", home)
        if route == "uasc" and age_on(k.born, start) >= 16:
            return status, self.placements.supported_accommodation(rng, home)
        if age_on(k.born, start) >= 13 and rng.random() < 0.45:
            return status, self.placements.home(rng, home)
        kind = "U3" if rng.random() < 0.2 else ("U5" if route == "adoption" and rng.random() < 0.25 else "U6")
        return status, self.placements.foster(rng, kind, home)

    @staticmethod
    def _early_statuses(
        rng: random.Random, start: date, status: str, route: str, plan: list[tuple[date, str, Any]]
    ) -> tuple[date, str]:
        """The changes of legal status soon after coming into care, added to `plan`: from police protection or an
        emergency protection order, or from section 20 to an interim care order. Returns the day of the last one (or
        `start`) and the legal status from then on."""
        if status == "L1":
            # Police protection lasts at most 72 hours (Children Act 1989 s.46(6); DfE rule 361 fails an L1 stretch
            # whose last day is more than 3 days after its first): within 1 to 3 days an emergency protection order
            # (L2, then an interim care order within 3 to 8 days) or an interim care order straight away (C1).
            day = start + timedelta(days=rng.randint(1, 3))
            if rng.random() < 0.5:
                plan.append((day, "status", "L2"))
                day += timedelta(days=rng.randint(3, 8))
            plan.append((day, "status", "C1"))
            return day, "C1"
        if status == "L2":
            day = start + timedelta(days=rng.randint(3, 8))
            plan.append((day, "status", "C1"))
            return day, "C1"
        if status == "V2" and route not in ("s20", "uasc") and rng.random() < 0.6:
            day = start + timedelta(days=rng.randint(30, 150))
            plan.append((day, "status", "C1"))
            return day, "C1"
        return start, status

    def _plan_care(
        self,
        k: Kid,
        start: date,
        last_day: date,
        status: str,
        place: Placement,
        route: str,
        home: str,
        placement: str = "",
    ) -> tuple[list[tuple[date, str, Placement]], list[tuple[date, tuple[Any, ...]]], dict[str, date]]:
        """The changes of legal status and placement of a period of care, in date order, each made from the state
        the child is in that day. Returns the chain of (from, legal status, placement), the changes
        (day, (legal status or None, placement or None, reason for the move, same carers)) and adoption dates."""
        rng = k.rng
        born = k.born
        plan: list[tuple[date, str, Any]] = []  # (day, kind, argument)
        day, status_next = self._early_statuses(rng, start, status, route, plan)
        adoption: dict[str, date] = {}
        if status_next == "C1":
            order = day + timedelta(days=rng.randint(180, 300))
            if route == "adoption":
                adoption["decision"] = day + timedelta(days=rng.randint(100, 170))
                adoption["order"] = order
                plan.append((order, "status", "E1"))
                adoption["match"] = order + timedelta(days=rng.randint(40, 120))
                adoption["placed"] = adoption["match"] + timedelta(days=rng.randint(14, 40))
                plan.append((adoption["placed"], "adopt", None))
            else:
                plan.append((order, "status", "C2"))
                if rng.random() < 0.5:
                    plan.append((order + timedelta(days=rng.randint(30, 120)), "long_term", None))
        if route != "adoption":
            for _ in range(rng.choices((0, 1, 2, 3), (55, 25, 13, 7))[0]):
                plan.append((between(rng, start + timedelta(days=20), last_day - timedelta(days=5)), "move", None))
        adoption = {step: d for step, d in adoption.items() if d < last_day}
        plan.sort(key=lambda p: p[0])
        chain: list[tuple[date, str, Placement]] = [(start, status, place)]
        changes: list[tuple[date, tuple[Any, ...]]] = []
        for day, kind, arg in plan:
            cur_from, cur_status, cur = chain[-1]
            if day >= last_day or day <= cur_from:
                if kind == "adopt":
                    adoption.pop("placed", None)
                continue
            if kind == "status":
                if arg == cur_status:
                    continue
                change: tuple[Any, ...] = (arg, None, "", False)
                new_status, new_place = arg, cur
            elif kind == "long_term":
                if cur.type not in ("U3", "U6"):
                    continue
                new_place = Placement("U1" if cur.type == "U3" else "U4", cur.provider, cur.postcode, cur.urn)
                new_status = cur_status
                change = (None, new_place, "PLACE", True)
            elif kind == "adopt":
                if cur_status != "E1":
                    adoption.pop("placed", None)
                    continue
                same = cur.type == "U5"
                new_place = Placement(
                    "A5" if same else "A6",
                    cur.provider if same else "PR1",
                    cur.postcode if same else self.placements.postcode(rng, home),
                    AGENCY_URN,
                )
                new_status = cur_status
                change = (None, new_place, "CARPL", same)
            elif placement == "kinship":
                continue  # the child stays with the relative the notes name
            elif placement == "residential":
                new_place = self.placements.home(rng, home)
                new_status = cur_status
                change = (None, new_place, pick(rng, PLACE_CHANGE), False)
                if new_place == cur:
                    continue
            elif placement == "foster":
                new_place = self.placements.foster(rng, "U6", home)
                new_status = cur_status
                change = (None, new_place, pick(rng, PLACE_CHANGE), False)
                if new_place == cur:
                    continue
            else:
                a = age_on(born, day)
                if a >= 16 and rng.random() < 0.5:
                    new_place = self.placements.supported_accommodation(rng, home)
                elif a >= 12 and rng.random() < 0.4:
                    new_place = self.placements.home(rng, home)
                else:
                    new_place = self.placements.foster(rng, "U6", home)
                if new_place == cur:
                    continue
                new_status = cur_status
                change = (None, new_place, pick(rng, PLACE_CHANGE), False)
            chain.append((day, new_status, new_place))
            changes.append((day, change))
        # A week or two away while the foster carers are on holiday, then back (rule 383).
        for i, (frm, st, pl) in enumerate(chain):
            to = chain[i + 1][0] if i + 1 < len(chain) else last_day
            if pl.type in ("U3", "U4", "U6", "U1") and (to - frm).days > 150 and rng.random() < 0.2:
                away = frm + timedelta(days=rng.randint(40, (to - frm).days - 40))
                back = away + timedelta(days=rng.randint(5, 14))
                temporary = Placement("T3", "", self.placements.postcode(rng, home), "")
                changes += [(away, (None, temporary, "", False)), (back, (None, pl, "", False))]
                chain += [(away, st, temporary), (back, st, pl)]
                break
        changes.sort(key=lambda c: c[0])
        chain.sort(key=lambda c: c[0])
        return chain, changes, adoption

    def _visit_days(
        self, rng: random.Random, chain: list[tuple[date, str, Placement]], start: date, last_day: date
    ) -> list[date]:
        """Statutory visits: within a week of each new placement, then within 6 weeks in its first year, then within 3
        months in long-term foster care (else 6 weeks). None during a temporary placement. Only the last months are
        kept when the profile says so."""
        # New placements with new carers restart the clock (not a temporary break or the return from one).
        starts = []
        for i in range(1, len(chain)):
            before, after = chain[i - 1][2], chain[i][2]
            if after.type != "T3" and before.type != "T3" and after.postcode != before.postcode:
                starts.append(chain[i][0])
        days = []
        day = start + timedelta(days=rng.randint(1, 6))
        placement_from = start
        while day < last_day:
            placement = placement_on(chain, day)
            if placement.type != "T3":
                days.append(day)
            if day < placement_from + relativedelta(years=1):
                nxt = day + timedelta(days=rng.randint(28, 42) if rng.random() < 0.9 else rng.randint(43, 60))
            elif placement.type in ("U1", "U4"):
                nxt = day + timedelta(days=rng.randint(60, 88))
            else:
                nxt = day + timedelta(days=rng.randint(28, 42))
            newer = [s for s in starts if day < s <= nxt]
            if newer:
                placement_from = newer[0]
                nxt = newer[0] + timedelta(days=rng.randint(1, 6))
            day = nxt
        months = self.profile.lac_visit_months
        if months is not None:
            keep_from = last_day - relativedelta(months=months)
            days = [d for d in days if d >= keep_from]
        return days

    def health(self, k: Kid, year_ending: date) -> None:
        rng = k.rng
        age = age_on(k.born, year_ending)
        sdq: int | None = None
        sdq_reason = ""
        if timescales.SDQ_MIN_AGE <= age <= timescales.SDQ_MAX_AGE:
            if rng.random() < 0.85:
                sdq = max(0, min(40, round(rng.gauss(15, 7))))
            else:
                sdq_reason = rng.choice(("SDQ2", "SDQ4", "SDQ5"))
        misuse = age >= 11 and rng.random() < 0.08
        received = (rng.random() < 0.6) if misuse else None
        la.health_record_for_year(
            actor=k.actor,
            person=k.person,
            year_ending=year_ending,
            sdq_score=sdq,
            sdq_reason=sdq_reason,
            convicted=(rng.random() < 0.05) if age >= 10 else None,
            health_check=(rng.random() < 0.9) if age < 5 else None,
            immunisations=rng.random() < 0.88,
            teeth_check=rng.random() < 0.82,
            health_assessment=rng.random() < 0.9,
            substance_misuse=misuse,
            intervention_received=received,
            intervention_offered=(rng.random() < 0.7) if misuse and not received else None,
        )
        self.log(k, "health outcomes", year_ending)

    def uasc(self, k: Kid) -> None:
        """An unaccompanied asylum-seeking child: arrives, is referred the same day, accommodated under section 20
        and assessed; at 18, if that has come, leaves care (the status ceasing on the birthday) and is a care
        leaver."""
        rng = k.rng
        born = k.born
        eighteen = birthday(born, 18)
        leaver = eighteen <= self.yesterday
        if leaver:
            arrival = born + timedelta(days=round(rng.uniform(15.5, 17.4) * 365.25))
        else:
            arrival = max(
                born + timedelta(days=round(14.5 * 365.25)), self.today - timedelta(days=rng.randint(20, 700))
            )
        arrival = min(arrival, self.yesterday - timedelta(days=5))
        la.uasc_record(actor=k.actor, person=k.person, became_uasc_on=arrival)
        self.log(k, "uasc", arrival)
        ep = self.refer(
            k, arrival, "N8", "Unaccompanied asylum-seeking child: accommodation needed today.", earlier_contact=False
        )
        self.allocate_for_good(k, arrival, eighteen if leaver else self.yesterday)
        a_start, a_sub, a_auth = self.timely_assessment(k, arrival)
        self.assess(k, ep, a_start, "looked_after", "N8", submit=a_sub, authorise=a_auth, factors=["9A"])
        reason = rng.choice(("E5", "E5", "E17", "E6"))
        self.looked_after(k, arrival, end=eighteen if leaver else None, end_reason=reason, route="uasc", home="")
        if leaver:
            la.uasc_record(actor=k.actor, person=k.person, became_uasc_on=arrival, ceased_on=eighteen)
            self.log(k, "uasc ceased", eighteen)
            self.close(k, ep, eighteen, "RC7")
            self.care_leaver_contacts(k, eighteen)
