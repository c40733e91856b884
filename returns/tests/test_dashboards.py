"""The performance dashboard: each measure's numbers for children with known timeliness, made through the services.

The authority (collection year 2025-26, 1 April 2025 to 31 March 2026), two teams, North and South:
- amy (North): referred 7 April 2025, assessment authorised 20 May (due 13 June: on time); case closed 3 November.
- ben (North, then South): referred 7 April, assessment authorised 1 August (late); reallocated to the South team's
  worker from 1 September.
- cara (South): referred 2 June, assessment authorised 30 June (on time); strategy discussion 3 June, initial
  conference 20 June (due 24 June: on time) with a plan; visits seen 1 July (due 4 July: on time) and 20 July (due
  15 July: late), then none (due 1 August: late); review conferences 15 September 2025 (due 20 September: on time)
  and 27 March 2026 (due 15 March: late).
- dan (South): referred 2 September 2024, closed 1 October 2024; referred again 1 July 2025 (a re-referral);
  strategy discussion 2 July, initial conference 1 August (due 23 July: late), no plan; assessment in progress.
- eve (North): looked after from 1 May 2025; reviews 28 May (due 2 June: on time) and 10 September (due 28 August:
  late), then none (due 10 March 2026: late); statutory visits 7 May (due 8 May: on time) and 25 June (due 18 June:
  late), then none (due 6 August: late).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role, Team, TeamKind, User
from cases import services as cin
from cases import services as lac
from cases.models import CINEpisode, Task, TaskKind
from cases.services import visit_record
from casework.tests.browser import assert_accessible, fill_date, sign_in
from conftest import client_for, make_user
from core.errors import RuleError
from core.testing import assert_query_count, assert_same_query_count, count_queries
from people.models import Person
from people.tests.factories import person
from recording.models import VisitType
from returns.dashboards import selectors
from returns.tests.journeys import FOSTER, assess, start_care

LONDON = ZoneInfo("Europe/London")
YEAR = {"start_0": "1", "start_1": "4", "start_2": "2025", "end_0": "31", "end_1": "3", "end_2": "2026"}
START, END = date(2025, 4, 1), date(2026, 3, 31)


@dataclass
class Authority:
    north: Team
    south: Team
    worker_n: User
    worker_s: User
    manager: User
    performance: User
    iro: User
    amy: Person
    ben: Person
    cara: Person
    dan: Person
    eve: Person


def seen(worker: User, child: Person, day: date) -> None:
    visit_record(
        actor=worker,
        person=child,
        occurred_at=datetime.combine(day, time(11), tzinfo=LONDON),
        visit_type=VisitType.HOME,
        child_seen=True,
        seen_alone=True,
        notes="Seen at home",
    )


def protection_plan(worker: User, episode: CINEpisode, strategy: date, done: date, icpc: date, plan: bool) -> Any:
    cin.strategy_discussion_record(
        actor=worker, episode=episode, held_on=strategy, agencies="Police, school", start_section_47=True
    )
    enquiry = episode.section47_enquiries.get()
    cin.section47_complete(actor=worker, enquiry=enquiry, completed_on=done, outcome="icpc")
    cin.initial_conference_record(
        actor=worker, enquiry=enquiry, held_on=icpc, plan_needed=plan, category="NEG" if plan else ""
    )
    return episode.cp_plans.first()


def build() -> Authority:
    north, south = Team.objects.create(name="North team"), Team.objects.create(name="South team")
    service = Team.objects.create(name="Performance and Intelligence", kind=TeamKind.PERFORMANCE)
    worker_n = make_user("nina.north@example.test", north, Role.SOCIAL_WORKER)
    worker_s = make_user("sol.south@example.test", south, Role.SOCIAL_WORKER)
    manager = make_user("mags.manager@example.test", north, Role.TEAM_MANAGER)
    performance = make_user("pat.performance@example.test", service, Role.PERFORMANCE)
    iro = make_user("iris.iro@example.test", service, Role.INDEPENDENT_REVIEWING_OFFICER)

    def refer(child: Person, on: date, team: Team) -> CINEpisode:
        return cin.referral_create(
            actor=manager, person=child, referral_date=on, source="3A", primary_need="N1", team=team
        )

    def allocate(child: Person, worker: User, on: date, change: str = "") -> None:
        cin.allocate(actor=manager, person=child, worker=worker, started_on=on, reason="New", change_reason=change)

    amy = person("Amy", "Ashworth", date(2015, 1, 10))
    episode = refer(amy, date(2025, 4, 7), north)
    allocate(amy, worker_n, date(2025, 4, 7))
    assess(worker_n, manager, episode, date(2025, 4, 8), date(2025, 5, 20), ["3A"], "nfa")
    cin.episode_close(actor=manager, episode=episode, closure_date=date(2025, 11, 3), reason="RC8")

    ben = person("Ben", "Bradley", date(2013, 6, 2))
    episode = refer(ben, date(2025, 4, 7), north)
    allocate(ben, worker_n, date(2025, 4, 7))
    assess(worker_n, manager, episode, date(2025, 4, 8), date(2025, 8, 1), ["3A"], "cin_plan")
    allocate(ben, worker_s, date(2025, 9, 1), change="MANAGE")

    cara = person("Cara", "Collins", date(2016, 9, 9))
    episode = refer(cara, date(2025, 6, 2), south)
    allocate(cara, worker_s, date(2025, 6, 2))
    plan = protection_plan(worker_s, episode, date(2025, 6, 3), date(2025, 6, 18), date(2025, 6, 20), True)
    assess(worker_s, manager, episode, date(2025, 6, 3), date(2025, 6, 30), ["3A"], "strategy")
    seen(worker_s, cara, date(2025, 7, 1))
    seen(worker_s, cara, date(2025, 7, 20))
    cin.review_conference_record(actor=worker_s, plan=plan, held_on=date(2025, 9, 15), plan_continues=True)
    cin.review_conference_record(actor=worker_s, plan=plan, held_on=date(2026, 3, 27), plan_continues=True)

    dan = person("Dan", "Dawson", date(2012, 2, 14))
    old = refer(dan, date(2024, 9, 2), south)
    cin.episode_close(actor=manager, episode=old, closure_date=date(2024, 10, 1), reason="RC8")
    episode = refer(dan, date(2025, 7, 1), south)
    allocate(dan, worker_s, date(2025, 7, 1))
    protection_plan(worker_s, episode, date(2025, 7, 2), date(2025, 7, 25), date(2025, 8, 1), False)
    cin.assessment_start(actor=worker_s, episode=episode, started_on=date(2025, 7, 2))

    eve = person("Eve", "Evans", date(2015, 3, 27))
    allocate(eve, worker_n, date(2025, 4, 28))
    start_care(manager, eve, date(2025, 5, 1), "C2", FOSTER)
    seen(worker_n, eve, date(2025, 5, 7))
    lac.lac_review_record(actor=worker_n, person=eve, held_on=date(2025, 5, 28), participation="PN1")
    seen(worker_n, eve, date(2025, 6, 25))
    lac.lac_review_record(actor=worker_n, person=eve, held_on=date(2025, 9, 10), participation="PN1")

    return Authority(north, south, worker_n, worker_s, manager, performance, iro, amy, ben, cara, dan, eve)


def more_children(a: Authority, n: int) -> None:
    """More children of each kind, with late and timely work, to show the query count does not grow."""
    for i in range(n):
        child = person("Extra", f"Child{chr(65 + i)}", date(2014, 1, 1 + i))
        episode = cin.referral_create(
            actor=a.manager, person=child, referral_date=date(2025, 5, 1), source="3A", primary_need="N1", team=a.south
        )
        cin.allocate(actor=a.manager, person=child, worker=a.worker_s, started_on=date(2025, 5, 1), reason="New")
        protection_plan(a.worker_s, episode, date(2025, 5, 2), date(2025, 5, 9), date(2025, 5, 16), True)
        assess(a.worker_s, a.manager, episode, date(2025, 5, 2), date(2025, 7, 31), ["3A"], "strategy")
        seen(a.worker_s, child, date(2025, 5, 20))
        looked_after = person("Extra", f"Cared{chr(65 + i)}", date(2013, 1, 1 + i))
        cin.allocate(actor=a.manager, person=looked_after, worker=a.worker_n, started_on=date(2025, 6, 2), reason="New")
        start_care(a.manager, looked_after, date(2025, 6, 2), "C2", FOSTER)
        seen(a.worker_n, looked_after, date(2025, 6, 5))
        lac.lac_review_record(actor=a.worker_n, person=looked_after, held_on=date(2025, 7, 30), participation="PN1")


@pytest.fixture(scope="class")
def a(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The authority, built once for the class inside a transaction rolled back at its end (each test runs in a
    savepoint within it), so the browser test below, which needs committed data, starts from an empty database."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


class TestDashboard:
    """The measures and pages, over one authority built once for the class."""

    @pytest.fixture(autouse=True)
    def _db(self, db: Any) -> None:
        return None

    # --- the measures --------------------------------------------------------------------------------------------

    @staticmethod
    def figures(shares: selectors.Shares) -> dict[str, tuple[int, int, str]]:
        rows = {r.team: (r.count, r.total, str(r.percent)) for r in shares.rows}
        t = shares.total
        return {**rows, "All teams": (t.count, t.total, str(t.percent))}

    def test_the_facts_behind_the_numbers(self, a: Authority) -> None:
        # The due dates the story above relies on, as the journey recorded them.
        cara_visits = Task.objects.filter(person=a.cara, kind=TaskKind.CP_VISIT).order_by("due_on")
        assert [(t.due_on, t.completed_on) for t in cara_visits] == [
            (date(2025, 7, 4), date(2025, 7, 1)),
            (date(2025, 7, 15), date(2025, 7, 20)),
            (date(2025, 8, 1), None),
        ]
        eve_reviews = Task.objects.filter(person=a.eve, kind=TaskKind.LAC_REVIEW).order_by("due_on")
        assert [(t.due_on, t.completed_on) for t in eve_reviews] == [
            (date(2025, 6, 2), date(2025, 5, 28)),
            (date(2025, 8, 28), date(2025, 9, 10)),
            (date(2026, 3, 10), None),
        ]
        assert CINEpisode.objects.get(person=a.dan, closure_date__isnull=True).is_re_referral

    def test_assessments_within_45_working_days(self, a: Authority) -> None:
        assert self.figures(selectors.assessments_on_time(START, END)) == {
            "North team": (1, 2, "50.0"),
            "South team": (1, 1, "100.0"),
            "All teams": (2, 3, "66.7"),
        }
        # Authorised in the period decides: ben's (1 August) falls outside April to June; dan's is not authorised.
        assert self.figures(selectors.assessments_on_time(START, date(2025, 6, 30))) == {
            "North team": (1, 1, "100.0"),
            "South team": (1, 1, "100.0"),
            "All teams": (2, 2, "100.0"),
        }

    def test_initial_conferences_within_15_working_days(self, a: Authority) -> None:
        assert self.figures(selectors.initial_conferences_on_time(START, END)) == {
            "South team": (1, 2, "50.0"),
            "All teams": (1, 2, "50.0"),
        }
        assert self.figures(selectors.initial_conferences_on_time(START, END, a.north)) == {"All teams": (0, 0, "None")}

    def test_reviews_on_time_by_the_due_date_in_force(self, a: Authority) -> None:
        assert self.figures(selectors.protection_reviews_on_time(START, END)) == {
            "South team": (1, 2, "50.0"),
            "All teams": (1, 2, "50.0"),
        }
        # The third review, due 10 March 2026 and not held, is late.
        assert self.figures(selectors.looked_after_reviews_on_time(START, END)) == {
            "North team": (1, 3, "33.3"),
            "All teams": (1, 3, "33.3"),
        }
        # A review not yet due by "today" is not counted yet: on 9 March 2026 the third was still in time.
        early = selectors.looked_after_reviews_on_time(START, END, today=date(2026, 3, 10))
        assert (early.total.count, early.total.total) == (1, 2)

    def test_visits_on_time(self, a: Authority) -> None:
        assert self.figures(selectors.protection_visits_on_time(START, END)) == {
            "South team": (1, 3, "33.3"),
            "All teams": (1, 3, "33.3"),
        }
        assert self.figures(selectors.looked_after_visits_on_time(START, END)) == {
            "North team": (1, 3, "33.3"),
            "All teams": (1, 3, "33.3"),
        }
        # Due in the period decides: only the first of each was due by 10 July 2025.
        assert selectors.protection_visits_on_time(START, date(2025, 7, 10)).total.total == 1
        assert selectors.looked_after_visits_on_time(START, date(2025, 7, 10)).total.total == 2

    def test_re_referrals(self, a: Authority) -> None:
        assert self.figures(selectors.re_referrals(START, END)) == {
            "North team": (0, 2, "0.0"),
            "South team": (1, 2, "50.0"),
            "All teams": (1, 4, "25.0"),
        }
        # Dan's first referral (2024) is in the year before.
        assert self.figures(selectors.re_referrals(date(2024, 4, 1), date(2025, 3, 31))) == {
            "South team": (0, 1, "0.0"),
            "All teams": (0, 1, "0.0"),
        }

    def test_team_filter(self, a: Authority) -> None:
        assert self.figures(selectors.assessments_on_time(START, END, a.north)) == {
            "North team": (1, 2, "50.0"),
            "All teams": (1, 2, "50.0"),
        }
        assert selectors.protection_visits_on_time(START, END, a.north).rows == []
        assert self.figures(selectors.looked_after_visits_on_time(START, END, a.south)) == {"All teams": (0, 0, "None")}
        assert self.figures(selectors.re_referrals(START, END, a.south)) == {
            "South team": (1, 2, "50.0"),
            "All teams": (1, 2, "50.0"),
        }

    @staticmethod
    def children(on: date, team: Team | None = None) -> dict[str, tuple[int, int, int]]:
        c = selectors.children_at_date(on, team)
        rows = {r.team: (r.in_need, r.protection_plan, r.looked_after) for r in [*c.rows, c.total]}
        return rows

    def test_children_on_a_date_before_and_after_a_plan_starts(self, a: Authority) -> None:
        # Cara's plan starts on 20 June 2025: not on the 19th, counted from the 20th.
        assert self.children(date(2025, 6, 19)) == {
            "North team": (2, 0, 1),
            "South team": (1, 0, 0),
            "All teams": (3, 0, 1),
        }
        assert self.children(date(2025, 6, 20)) == {
            "North team": (2, 0, 1),
            "South team": (1, 1, 0),
            "All teams": (3, 1, 1),
        }

    def test_children_follow_their_worker_and_stop_counting_on_closure(self, a: Authority) -> None:
        # Ben moved to the South team's worker on 1 September; dan was referred again on 1 July.
        assert self.children(date(2025, 10, 1)) == {
            "North team": (1, 0, 1),
            "South team": (3, 1, 0),
            "All teams": (4, 1, 1),
        }
        # Amy's case closed on 3 November: in need until the day before.
        assert self.children(date(2025, 11, 2))["North team"] == (1, 0, 1)
        assert self.children(date(2025, 11, 3))["North team"] == (0, 0, 1)
        assert self.children(date(2025, 10, 1), a.south) == {"South team": (3, 1, 0), "All teams": (3, 1, 0)}
        assert self.children(date(2024, 1, 1)) == {"All teams": (0, 0, 0)}

    def test_unallocated_children_are_shown_apart(self, a: Authority) -> None:
        child = person("Fay", "Unallocated", date(2017, 4, 4))
        cin.referral_create(
            actor=a.manager, person=child, referral_date=date(2025, 6, 2), source="3A", primary_need="N1", team=a.north
        )
        on = self.children(date(2025, 6, 20))
        assert on["Not allocated"] == (1, 0, 0) and on["All teams"] == (4, 1, 1)
        assert "Not allocated" not in self.children(date(2025, 6, 20), a.north)

    def test_caseloads_by_worker_and_team_on_a_date(self, a: Authority) -> None:
        before = selectors.caseloads(date(2025, 8, 1))
        assert [(w.worker, w.team, w.children) for w in before.workers] == [
            ("Nina Tester", "North team", 3),
            ("Sol Tester", "South team", 2),
        ]
        after = selectors.caseloads(date(2025, 10, 1))
        assert [(w.worker, w.children) for w in after.workers] == [("Nina Tester", 2), ("Sol Tester", 3)]
        assert [(t.team, t.workers, t.children, str(t.average)) for t in after.teams] == [
            ("North team", 1, 2, "2.0"),
            ("South team", 1, 3, "3.0"),
        ]
        assert (after.total.workers, after.total.children) == (2, 5)
        # Ben's allocation to Nina ended on 31 August, the day before his new one.
        assert [(w.worker, w.children) for w in selectors.caseloads(date(2025, 8, 31)).workers] == [
            ("Nina Tester", 3),
            ("Sol Tester", 2),
        ]
        assert [(w.worker, w.children) for w in selectors.caseloads(date(2025, 10, 1), a.north).workers] == [
            ("Nina Tester", 2)
        ]

    def test_the_overview_takes_nine_queries_however_many_children(self, a: Authority) -> None:
        with assert_query_count(9):
            o = selectors.overview(START, END, date(2025, 10, 1))
        more_children(a, 3)
        with assert_query_count(9):
            bigger = selectors.overview(START, END, date(2025, 10, 1))
        # The new children really are counted: three more plans, visits and reviews.
        assert bigger.initial_conferences.total.total == o.initial_conferences.total.total + 3
        assert bigger.protection_visits.total.total > o.protection_visits.total.total
        assert bigger.looked_after_reviews.total.total > o.looked_after_reviews.total.total
        assert bigger.caseloads.total.children == o.caseloads.total.children + 6

    # --- the page ----------------------------------------------------------------------------------------------

    @staticmethod
    def section(html: str, slug: str) -> str:
        match = re.search(rf'<section[^>]*aria-labelledby="{slug}".*?</section>', html, re.S)
        assert match, f"no section {slug}"
        return match.group(0)

    @staticmethod
    def table(section: str) -> list[list[str]]:
        rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", section, re.S)
        return [
            [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows
        ]

    def test_page_shows_each_measure_as_numbers_percentages_and_a_chart(self, a: Authority) -> None:
        params = {**YEAR, "team": "", "on_0": "1", "on_1": "10", "on_2": "2025"}
        response = client_for(a.performance).get("/performance/", params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 April 2025 to 31 March 2026, all teams" in html
        assessments = self.section(html, "assessments")
        assert "2 of 3 within 45 working days (66.7%)" in assessments
        assert self.table(assessments) == [
            ["Team", "Authorised", "Within 45 working days", "Late", "% within 45 working days"],
            ["North team", "2", "1", "1", "50.0%"],
            ["South team", "1", "1", "0", "100.0%"],
            ["All teams", "3", "2", "1", "66.7%"],
        ]
        # The chart: hidden from assistive technology, bars in proportion (520 is 100%), the table right after.
        svg = re.search(r"<svg[^>]*>.*?</svg>", assessments, re.S)
        assert svg and 'aria-hidden="true"' in svg.group(0)
        assert re.findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)" height="20.0" fill="#1d70b8"', svg.group(0)) == [
            "260.0",
            "520.0",
        ]
        assert assessments.index("</svg>") < assessments.index("<table")
        assert "1 of 2 within 15 working days (50.0%)" in self.section(html, "initial-conferences")
        assert "1 of 2 held on time (50.0%)" in self.section(html, "protection-reviews")
        assert "1 of 3 held on time (33.3%)" in self.section(html, "looked-after-reviews")
        assert "1 of 3 made on time (33.3%)" in self.section(html, "protection-visits")
        assert "1 of 3 made on time (33.3%)" in self.section(html, "looked-after-visits")
        assert "1 of 4 referrals were re-referrals (25.0%)" in self.section(html, "re-referrals")
        children = self.section(html, "children")
        assert "Children on 1 October 2025" in children
        assert self.table(children)[1:] == [
            ["North team", "1", "0", "1"],
            ["South team", "3", "1", "0"],
            ["All teams", "4", "1", "1"],
        ]
        assert self.table(self.section(html, "caseloads-by-worker"))[1:] == [
            ["Nina Tester", "North team", "2"],
            ["Sol Tester", "South team", "3"],
        ]

    def test_page_for_one_team(self, a: Authority) -> None:
        params = {**YEAR, "team": str(a.north.pk), "on_0": "1", "on_1": "10", "on_2": "2025"}
        html = client_for(a.manager).get("/performance/", params).content.decode()
        assert "1 April 2025 to 31 March 2026, North team" in html
        assert "1 of 2 within 45 working days (50.0%)" in self.section(html, "assessments")
        assert "None in this period for North team." in self.section(html, "initial-conferences")
        assert "South team" not in self.section(html, "caseloads-by-worker")
        assert f'<option value="{a.north.pk}" selected>North team</option>' in html

    def test_only_teams_that_hold_cases_are_offered_and_receive_referrals(self, a: Authority) -> None:
        html = client_for(a.performance).get("/performance/", YEAR).content.decode()
        assert "North team</option>" in html and "South team</option>" in html
        assert "Performance and Intelligence</option>" not in html
        service = Team.objects.get(name="Performance and Intelligence")
        with pytest.raises(RuleError, match="does not hold cases"):
            cin.referral_create(
                actor=a.manager, person=person("Zoe", "Zed", date(2016, 1, 1)), referral_date=date(2025, 6, 2),
                source="3A", primary_need="N1", team=service,
            )  # fmt: skip
        assert "Performance and Intelligence" not in self.figures(selectors.re_referrals(START, END))

    def test_page_defaults_to_the_financial_year_to_date(self, a: Authority) -> None:
        today = timezone.localdate()
        first = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
        response = client_for(a.iro).get("/performance/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f"{first:%-d %B %Y} to {today:%-d %B %Y}, all teams" in html
        assert f'name="start_2" type="text" inputmode="numeric"\n             value="{first.year}"' in html
        assert f"Children on {today:%-d %B %Y}" in html

    def test_csv_download_has_the_tables_rows(self, a: Authority) -> None:
        client = client_for(a.performance)
        response = client.get("/performance/assessments.csv", {**YEAR, "team": ""})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="assessments-2025-04-01-to-2026-03-31.csv"'
        assert list(csv.reader(io.StringIO(response.content.decode()))) == [
            ["Team", "Authorised", "Within 45 working days", "Late", "% within 45 working days"],
            ["North team", "2", "1", "1", "50.0"],
            ["South team", "1", "1", "0", "100.0"],
            ["All teams", "3", "2", "1", "66.7"],
        ]
        at = {**YEAR, "team": str(a.south.pk), "on_0": "1", "on_1": "10", "on_2": "2025"}
        response = client.get("/performance/caseloads-by-worker.csv", at)
        assert response["Content-Disposition"] == (
            'attachment; filename="caseloads-by-worker-south-team-at-2025-10-01.csv"'
        )
        assert list(csv.reader(io.StringIO(response.content.decode()))) == [
            ["Worker", "Team", "Children"],
            ["Sol Tester", "South team", "3"],
        ]
        response = client.get("/performance/children.csv", {**at, "team": ""})
        assert list(csv.reader(io.StringIO(response.content.decode())))[-1] == ["All teams", "4", "1", "1"]

    def test_page_links_to_each_download_with_the_same_filters(self, a: Authority) -> None:
        params = {**YEAR, "team": str(a.south.pk), "on_0": "1", "on_1": "10", "on_2": "2025"}
        html = client_for(a.performance).get("/performance/", params).content.decode()
        link = re.search(r'href="(/performance/re-referrals\.csv\?[^"]+)"', html)
        assert link is not None
        response = client_for(a.performance).get(link.group(1).replace("&amp;", "&"))
        assert list(csv.reader(io.StringIO(response.content.decode()))) == [
            ["Team", "Referrals", "Re-referrals", "Not re-referrals", "% re-referrals"],
            ["South team", "2", "1", "1", "50.0"],
            ["All teams", "2", "1", "1", "50.0"],
        ]
        assert client_for(a.performance).get("/performance/nonsense.csv", params).status_code == 404

    def test_page_query_count_does_not_grow_with_children(self, a: Authority) -> None:
        client = client_for(a.performance)
        params = {**YEAR, "team": "", "on_0": "1", "on_1": "10", "on_2": "2025"}
        client.get("/performance/", params)
        with count_queries() as before:
            assert client.get("/performance/", params).status_code == 200
        more_children(a, 4)
        with count_queries() as after:
            html = client.get("/performance/", params).content.decode()
        assert_same_query_count(before, after)
        assert "5 of 6 within 15 working days (83.3%)" in html  # the four new conferences were on time

    # --- access and bad filters ----------------------------------------------------------------------------------

    def test_who_may_see_the_dashboard(self, a: Authority) -> None:
        for user in (a.performance, a.iro, a.manager):
            assert client_for(user).get("/performance/").status_code == 200, user
            assert client_for(user).get("/performance/assessments.csv").status_code == 200, user
        outsider = make_user("olly.outsider@example.test", None, None)
        support = make_user("bea.support@example.test", a.north, Role.BUSINESS_SUPPORT)
        for user in (a.worker_n, support, outsider):
            assert client_for(user).get("/performance/").status_code == 403, user
            assert client_for(user).get("/performance/assessments.csv").status_code == 403, user
        response = Client().get("/performance/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"team": "999999"}, "Select a team from the list, or all teams"),
            ({"team": "north"}, "Select a team from the list, or all teams"),
            ({**YEAR, "start_2": "2027"}, "The start of the period must be on or before the end of the period"),
            ({"end_0": "1", "end_1": "1", "end_2": "2099"}, "The end of the period must be today or in the past"),
            ({"on_0": "1", "on_1": "1", "on_2": "2099"}, "The date to count children and caseloads on must be today"),
            ({"start_0": "31", "start_1": "2", "start_2": "2025"}, "Start of the period must be a real date"),
            ({"start_0": "", "start_1": "4", "start_2": "2025"}, "Start of the period must include a day"),
            ({"start_0": "1", "start_1": "4", "start_2": "25"}, "Year must include 4 numbers"),
            ({**YEAR, "start_2": "2015"}, "The period can be at most 5 years long"),
            (
                {"start_0": "1", "start_1": "1", "start_2": "1066"},
                "Start of the period must be 1 January 1990 or later",
            ),
        ],
    )
    def test_bad_filters_say_what_is_wrong(self, a: Authority, params: dict[str, str], message: str) -> None:
        client = client_for(a.performance)
        response = client.get("/performance/", params)
        assert response.status_code == 200
        html = response.content.decode()
        summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
        assert summary and message in summary.group(0)
        assert html.count(message) == 2  # in the summary and on the field
        assert "<title>Error: Performance" in html
        assert "Download this table" not in html and 'id="assessments"' not in html
        csv_response = client.get("/performance/assessments.csv", params)
        assert csv_response.status_code == 400 and message in csv_response.content.decode()


# --- in a browser -------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dashboard_in_a_browser(allow_audit_flush: Any, live_server: Any, browser_page: Any) -> None:
    north = Team.objects.create(name="North team")
    worker = make_user("nina.north@example.test", north, Role.SOCIAL_WORKER)
    manager = make_user("mags.manager@example.test", north, Role.TEAM_MANAGER)
    analyst = make_user("pat.performance@example.test", north, Role.PERFORMANCE)
    for given, done in (("Amy", date(2025, 5, 20)), ("Ben", date(2025, 8, 1))):
        child = person(given, "Browser", date(2015, 1, 10))
        episode = cin.referral_create(
            actor=manager, person=child, referral_date=date(2025, 4, 7), source="3A", primary_need="N1", team=north
        )
        cin.allocate(actor=manager, person=child, worker=worker, started_on=date(2025, 4, 7), reason="New")
        assess(worker, manager, episode, date(2025, 4, 8), done, ["3A"], "nfa")
    page, base = browser_page, live_server.url

    sign_in(page, base, analyst.email)
    page.goto(f"{base}/performance/")
    assert_accessible(page)
    assert page.get_by_role("heading", name="Performance", level=1).is_visible()

    fill_date(page, "Period from", date(2025, 4, 1))
    fill_date(page, "Period to", timezone.localdate() + timedelta(days=40))
    page.get_by_role("button", name="Show figures").click()
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "The end of the period must be today or in the past" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    fill_date(page, "Period to", date(2026, 3, 31))
    page.get_by_label("Team").select_option(label="North team")
    fill_date(page, "Children and caseloads on", date(2025, 6, 1))
    page.get_by_role("button", name="Show figures").click()
    page.get_by_role("heading", name="Assessments completed within 45 working days").wait_for()
    assert (
        "1 of 2 within 45 working days (50.0%)"
        in page.locator("section", has=page.locator("#assessments-table")).inner_text()
    )
    table = page.get_by_role("table", name="Assessments completed within 45 working days, by team")
    assert table.get_by_role("row", name="North team 2 1 1 50.0%").is_visible()
    assert page.locator("svg[aria-hidden='true']").count() >= 2
    assert_accessible(page)

    with page.expect_download() as download:
        # Chromium reads the visually hidden part of the link as a block: "file : Assessments".
        link = re.compile(r"^Download this table as a CSV file\W+Assessments completed within 45 working days$")
        page.get_by_role("link", name=link).click()
    assert download.value.suggested_filename == "assessments-north-team-2025-04-01-to-2026-03-31.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[-1] == ["All teams", "2", "1", "1", "50.0"]
