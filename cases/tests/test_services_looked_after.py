"""The looked-after part of the journey: periods of care and their episode chain, reviews, statutory visits, missing
periods, adoption, UASC, previous permanence, annual health outcomes and care leavers."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as svc
from cases.models import LookedAfterEpisode, Task, TaskKind
from cases.models_looked_after import AdoptionRecord, CareLeaverContact, HealthRecord, MissingEpisode
from cases.rules import timescales
from cases.rules.looked_after import Placement
from cases.services.looked_after.episodes_read import next_statutory_visit_due
from core.errors import RuleError
from people.tests.factories import person
from recording.models import ChronologyEntry, EntryType

pytestmark = pytest.mark.django_db

FOSTER = {"placement_type": "U6", "placement_provider": "PR1", "placement_postcode": "LS6 2AA", "urn": "SC123456"}
HOME = "LS1 4AP"


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


def start(actor, who, day=date(2025, 12, 24), **kw):
    args = {"legal_status": "C1", "category_of_need": "N1", "home_postcode": HOME, **FOSTER, **kw}
    return svc.looked_after_start(actor=actor, person=who, started_on=day, **args)


def open_tasks(who, kind):
    return Task.objects.filter(person=who, kind=kind, completed_on__isnull=True, cancelled_on__isnull=True)


def chain(who):
    return list(LookedAfterEpisode.objects.filter(person=who).order_by("started_on", "id"))


# --- starting a period of care ----------------------------------------------------------------------------------


def test_start_over_christmas_makes_review_and_visit_tasks(child, manager):
    episode = start(manager, child, date(2025, 12, 24))
    assert episode.reason_new_episode == "S" and episode.placement_postcode == "LS6 2AA"
    # 20 working days from Wednesday 24 December 2025, counted by hand: 25 and 26 December and 1 January are bank
    # holidays; 29, 30, 31 December, 2 January, 5-9, 12-16, 19-23 January make 19; Monday 26 January is the 20th.
    assert open_tasks(child, TaskKind.LAC_REVIEW).get().due_on == date(2026, 1, 26)
    # The first statutory visit: within one (calendar) week of the placement starting.
    assert open_tasks(child, TaskKind.LAC_VISIT).get().due_on == date(2025, 12, 31)
    assert open_tasks(child, TaskKind.LAC_HEALTH_ASSESSMENT).get().due_on == date(2026, 1, 26)  # 20 working days
    entry = ChronologyEntry.objects.get(person=child, entry_type=EntryType.LOOKED_AFTER)
    assert entry.title == "Became looked after (C1)" and entry.significant
    event = AuditEvent.objects.get(object_type="lookedafterepisode", action="create")
    assert event.person_id == child.pk and event.changes["new"]["reason_new_episode"] == "S"


def test_health_assessment_timescale_is_twenty_working_days(child):
    assert timescales.initial_health_assessment_due(date(2025, 12, 24)) == date(2026, 1, 26)


def test_only_a_manager_starts_or_ends_a_period_of_care(child, alice, manager):
    with pytest.raises(RuleError, match="Only a team manager"):
        start(alice, child)
    start(manager, child)
    with pytest.raises(RuleError, match="Only a team manager"):
        svc.looked_after_end(actor=alice, person=child, ended_on=date(2026, 1, 5), reason_ceased="E4A")
    assert LookedAfterEpisode.objects.get(person=child).ended_on is None


def test_start_refuses_bad_codes_and_postcodes(child, manager):
    with pytest.raises(RuleError) as e:
        start(
            manager,
            child,
            legal_status="C9",
            category_of_need="N9",
            placement_type="Z1",  # retired in 2025-26
            placement_postcode="LS6",
            home_postcode="nowhere",
        )
    assert set(e.value.errors) == {
        "legal_status",
        "category_of_need",
        "placement_type",
        "placement_postcode",
        "home_postcode",
    }
    with pytest.raises(RuleError) as e:
        start(manager, child, placement_provider="PR9")
    assert set(e.value.errors) == {"placement_provider"}
    assert not LookedAfterEpisode.objects.exists()


def test_start_refuses_future_dates_and_dates_before_birth_or_after_eighteen(child, manager):
    with pytest.raises(RuleError) as e:
        start(manager, child, timezone.localdate() + timedelta(days=1))
    assert "today or in the past" in e.value.errors["started_on"]
    with pytest.raises(RuleError) as e:
        start(manager, child, date(2015, 3, 26))
    assert "before Amelia Hughes was born" in e.value.errors["started_on"]
    adult = person("Sam", "Okafor", date(2007, 1, 10))
    with pytest.raises(RuleError, match="was 18 by then"):
        start(manager, adult, date(2025, 1, 10))


def test_start_refused_while_looked_after_and_new_period_after_last(child, manager):
    start(manager, child, date(2025, 6, 2))
    with pytest.raises(RuleError, match="already looked after"):
        start(manager, child, date(2025, 7, 1))
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 8, 1), reason_ceased="E4A")
    with pytest.raises(RuleError, match="after the last one ended"):
        start(manager, child, date(2025, 8, 1))  # rule 431: an S episode cannot start the day the last ended
    assert start(manager, child, date(2025, 8, 2)).reason_new_episode == "S"


@pytest.mark.parametrize(
    ("placement", "field", "message"),
    [
        ({"placement_type": "T3"}, "placement_type", "cannot start in a temporary placement"),
        ({"placement_provider": "PR0"}, "placement_provider", "only for a placement with parents"),
        ({"placement_type": "P1", "placement_provider": "PR1", "urn": ""}, "placement_provider", "cannot provide"),
        ({"placement_type": "Z12", "urn": ""}, "placement_provider", "Leave the placement provider empty"),
        ({"urn": ""}, "urn", "Enter the Ofsted unique reference number"),
        ({"urn": "12-AB"}, "urn", "as Ofsted shows it"),
        ({"placement_type": "K1", "placement_provider": "PR1", "urn": "XXXXXXX"}, "urn", "regional adoption agency"),
        ({"placement_type": "P1", "placement_provider": "PR0", "urn": "SC123456"}, "urn", "Leave the URN empty"),
        ({"placement_type": "K3", "placement_provider": "PR4"}, "placement_type", "16 or over"),
        ({"legal_status": "D1"}, "legal_status", "Freeing orders"),
        ({"placement_postcode": HOME}, "home_postcode", "only be the same when placed with parents"),
    ],
)
def test_start_refuses_what_the_ssda903_rules_refuse(child, manager, placement, field, message):
    with pytest.raises(RuleError) as e:
        start(manager, child, **placement)
    assert message in e.value.errors[field]


def test_start_allows_what_the_rules_allow(manager):
    at_home = person("Leo", "Price", date(2012, 5, 1))
    episode = start(
        manager,
        at_home,
        placement_type="P1",
        placement_provider="PR0",
        placement_postcode=HOME,
        urn="",
        legal_status="C2",
    )
    assert episode.placement_postcode == episode.home_postcode  # placed with parents
    in_scotland = person("Isla", "Reid", date(2010, 2, 2))
    episode = start(
        manager, in_scotland, placement_type="K2", placement_provider="PR4", placement_postcode="eh11yz", urn=""
    )
    assert episode.placement_postcode == "EH1 1YZ" and episode.urn == ""  # no Ofsted URN outside England
    older = person("Kai", "Evans", date(2009, 1, 1))
    assert start(manager, older, placement_type="K3", placement_provider="PR4", urn="2123456").placement_type == "K3"


# --- the episode chain ------------------------------------------------------------------------------------------


def test_legal_status_change_then_temporary_placement_then_back(child, manager, alice):
    first = start(manager, child, date(2025, 12, 24))
    second = svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 20), legal_status="C2")
    holiday = Placement(type="T3", provider="", postcode="BD1 1HY")
    third = svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 2, 9), placement=holiday)
    usual = Placement(type="U6", provider="PR1", postcode="LS6 2AA", urn="SC123456")
    fourth = svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 2, 16), placement=usual)
    episodes = chain(child)
    assert [e.pk for e in episodes] == [first.pk, second.pk, third.pk, fourth.pk]
    assert [e.reason_new_episode for e in episodes] == ["S", "L", "P", "P"]  # rules 380, 383: into and back with P
    for before, after in pairwise(episodes):
        assert before.reason_ceased == "X1" and before.ended_on == after.started_on
    assert episodes[-1].ended_on is None and episodes[-1].reason_ceased == ""
    assert [e.legal_status for e in episodes] == ["C1", "C2", "C2", "C2"]
    assert all(e.reason_place_change == "" for e in episodes)  # rule 226: none into or out of a temporary placement
    assert episodes[2].placement_provider == "" and episodes[3].urn == "SC123456"
    assert AuditEvent.objects.filter(object_type="lookedafterepisode", action="update").count() == 3
    titles = list(ChronologyEntry.objects.filter(person=child).order_by("occurred_at").values_list("title", flat=True))
    assert titles[1:] == [
        "Looked after: legal status changed",
        "Looked after: temporary placement",
        "Looked after: back to usual placement",
    ]


def test_placement_changes_give_p_t_u_and_b(child, manager, alice):
    start(manager, child, date(2025, 10, 1))
    new_carers = Placement(type="U6", provider="PR4", postcode="M1 1AE", urn="SC654321")
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 11, 3), placement=new_carers, reason_place_change="CREQO"
    )
    made_long_term = Placement(type="U4", provider="PR4", postcode="M1 1AE", urn="SC654321")
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 12, 1), placement=made_long_term, reason_place_change="CARPL",
        same_carers=True,
    )  # fmt: skip
    svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 12, 2))
    carers_adopt = Placement(type="A5", provider="PR4", postcode="M1 1AE", urn="SC654321")
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2026, 1, 5), legal_status="E1", placement=carers_adopt,
        reason_place_change="CARPL", same_carers=True,
    )  # fmt: skip
    residential = Placement(type="K2", provider="PR4", postcode="BD1 1HY", urn="SC111222")
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2026, 2, 2), legal_status="C2", placement=residential,
        reason_place_change="ALLEG",
    )  # fmt: skip
    episodes = chain(child)
    assert [e.reason_new_episode for e in episodes] == ["S", "P", "T", "U", "B"]
    # The reason for a placement change goes on the episode that ends (rules 225, 233).
    assert [e.reason_place_change for e in episodes] == ["CREQO", "CARPL", "CARPL", "ALLEG", ""]
    assert [e.legal_status for e in episodes] == ["C1", "C1", "C1", "E1", "C2"]
    assert {e.category_of_need for e in episodes} == {"N1"} and {e.home_postcode for e in episodes} == {HOME}


def test_change_refusals(child, manager, alice):
    with pytest.raises(RuleError, match="not looked after"):
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 5), legal_status="C2")
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError, match="Nothing has changed"):
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 5), legal_status="C1")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2025, 12, 23), legal_status="C2")
    assert "before the current episode started" in e.value.errors["changed_on"]
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=timezone.localdate() + timedelta(days=1), legal_status="C2"
        )
    assert "today or in the past" in e.value.errors["changed_on"]
    move = Placement(type="U4", provider="PR1", postcode="M1 1AE", urn="SC123456")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 5), placement=move)
    assert "reason the placement changed" in e.value.errors["reason_place_change"]
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), legal_status="C2", reason_place_change="CARPL"
        )
    assert "only give a reason" in e.value.errors["reason_place_change"].lower()
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 5), legal_status="V3")
    assert "rule 366" in e.value.errors["legal_status"]
    back_home = Placement(type="K2", provider="PR4", postcode=HOME, urn="SC111222")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), placement=back_home, reason_place_change="OTHER"
        )
    assert "rule 392d" in e.value.errors["placement_postcode"]
    hospital = Placement(type="T1", provider="", postcode="LS9 7TF")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), placement=hospital, reason_place_change="OTHER"
        )
    assert "Leave the reason" in e.value.errors["reason_place_change"]
    svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 5), placement=hospital)
    elsewhere = Placement(type="K2", provider="PR4", postcode="BD1 1HY", urn="SC111222")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 9), placement=elsewhere)
    assert "returns to their usual placement" in e.value.errors["placement_type"]
    assert len(chain(child)) == 2


def test_adoption_placements_need_a_decision_and_the_right_legal_status(child, manager, alice):
    start(manager, child, date(2025, 10, 1))
    adopters = Placement(type="A6", provider="PR1", postcode="M1 1AE", urn="SC123456")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), placement=adopters, reason_place_change="CARPL"
        )
    assert "rule 551" in e.value.errors["placement_type"]
    svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 11, 3))
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), placement=adopters, reason_place_change="CARPL"
        )
    assert "must be E1" in e.value.errors["legal_status"]
    with_foster_carers = Placement(type="A5", provider="PR1", postcode="LS6 2AA", urn="SC123456")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice,
            person=child,
            changed_on=date(2026, 1, 5),
            legal_status="E1",
            placement=with_foster_carers,
            reason_place_change="CARPL",
        )
    assert "current foster carers" in e.value.errors["same_carers"]


def test_contiguous_episodes_share_a_date_but_overlaps_are_refused_by_the_database(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    svc.looked_after_change(actor=alice, person=child, changed_on=date(2026, 1, 20), legal_status="C2")
    old, new = chain(child)
    assert old.ended_on == new.started_on == date(2026, 1, 20)  # '[)' ranges: sharing the day is no overlap
    fields = {"reason_new_episode": "S", "legal_status": "C2", "category_of_need": "N1", "placement_type": "U6"}
    with pytest.raises(IntegrityError), transaction.atomic():  # a bug in a service cannot make a second open episode
        LookedAfterEpisode.objects.create(person=child, started_on=date(2026, 2, 1), placement_provider="PR1", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():  # nor one overlapping a closed episode
        LookedAfterEpisode.objects.create(
            person=child, started_on=date(2026, 1, 10), ended_on=date(2026, 1, 19), placement_provider="PR1", **fields
        )
    other = person("Noah", "Patel", date(2016, 4, 4))
    LookedAfterEpisode.objects.create(
        person=other, started_on=date(2026, 1, 1), ended_on=date(2026, 1, 20), placement_provider="PR1", **fields
    )
    LookedAfterEpisode.objects.create(person=other, started_on=date(2026, 1, 20), placement_provider="PR1", **fields)
    assert LookedAfterEpisode.objects.filter(person=other).count() == 2


# --- ending a period of care ------------------------------------------------------------------------------------


def test_end_cancels_tasks_and_refuses_x1_and_bad_codes(child, manager):
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="X1")
    assert "record the change instead" in e.value.errors["reason_ceased"]
    with pytest.raises(RuleError) as e:
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E99")
    assert set(e.value.errors) == {"reason_ceased"}
    with pytest.raises(RuleError) as e:
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 12, 1), reason_ceased="E4A")
    assert "before the current episode started" in e.value.errors["ended_on"]
    with pytest.raises(RuleError, match="rule 387"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E6")
    episode = svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E4A")
    assert episode.ended_on == date(2026, 1, 9) and episode.reason_ceased == "E4A"
    assert not open_tasks(child, TaskKind.LAC_REVIEW).exists() and not open_tasks(child, TaskKind.LAC_VISIT).exists()
    assert Task.objects.filter(person=child, cancelled_on=date(2026, 1, 9)).count() == 3
    assert ChronologyEntry.objects.filter(person=child, title="Stopped being looked after (E4A)").exists()
    assert AuditEvent.objects.filter(object_type="lookedafterepisode", action="update", person_id=child.pk).exists()
    with pytest.raises(RuleError, match="not looked after"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 10), reason_ceased="E4A")


def test_child_missing_can_only_leave_care_with_e8(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    missing = svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 5))
    with pytest.raises(RuleError, match="rules 577, 580"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E4A")
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E8")
    assert MissingEpisode.objects.get(pk=missing.pk).ended_on == date(2026, 1, 9)


# --- reviews ----------------------------------------------------------------------------------------------------


def test_reviews_second_within_three_months_then_six(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    assert Task.objects.get(kind=TaskKind.LAC_REVIEW, due_on=date(2026, 1, 26)).completed_on == date(2026, 1, 21)
    assert open_tasks(child, TaskKind.LAC_REVIEW).get().due_on == date(2026, 4, 21)
    svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 4, 14), participation="PN5")
    assert open_tasks(child, TaskKind.LAC_REVIEW).get().due_on == date(2026, 10, 14)
    assert ChronologyEntry.objects.filter(person=child, title="Looked-after review (first)").exists()
    assert AuditEvent.objects.filter(object_type="lookedafterreview", action="create").count() == 2


def test_review_refusals(child, manager, alice):
    with pytest.raises(RuleError) as e:
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    assert "was not looked after" in e.value.errors["held_on"]
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN9")
    assert set(e.value.errors) == {"participation"}
    with pytest.raises(RuleError, match="PN0 is only for a child under 4"):
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN0")
    svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    with pytest.raises(RuleError, match="recorded in order"):
        svc.lac_review_record(actor=alice, person=child, held_on=date(2026, 1, 21), participation="PN1")
    baby = person("Ava", "Khan", date(2024, 6, 1))
    start(manager, baby, date(2025, 12, 24))
    with pytest.raises(RuleError, match="participation code is PN0"):
        svc.lac_review_record(actor=alice, person=baby, held_on=date(2026, 1, 21), participation="PN1")
    assert svc.lac_review_record(actor=alice, person=baby, held_on=date(2026, 1, 21), participation="PN0")


def test_no_reviews_for_short_breaks(manager, alice):
    respite = person("Ella", "Moss", date(2014, 2, 2))
    start(manager, respite, date(2026, 1, 2), legal_status="V3")
    with pytest.raises(RuleError, match="rule 399"):
        svc.lac_review_record(actor=alice, person=respite, held_on=date(2026, 1, 3), participation="PN1")


# --- statutory visits -------------------------------------------------------------------------------------------


def test_visits_every_six_weeks_in_the_first_year(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    task = svc.statutory_visit_recorded(actor=alice, person=child, visited_on=date(2025, 12, 30))
    assert Task.objects.get(kind=TaskKind.LAC_VISIT, due_on=date(2025, 12, 31)).completed_on == date(2025, 12, 30)
    assert task.due_on == date(2026, 2, 10) and open_tasks(child, TaskKind.LAC_VISIT).get() == task
    assert AuditEvent.objects.filter(object_type="task", action="create", person_id=child.pk).exists()


def test_after_a_year_long_term_placements_are_visited_every_three_months(manager, alice):
    long_term = person("Mia", "Shah", date(2012, 9, 9))
    start(manager, long_term, date(2024, 1, 10), placement_type="U4")
    assert next_statutory_visit_due(long_term, date(2024, 12, 1)) == date(2025, 1, 12)  # first year: 6 weeks
    assert next_statutory_visit_due(long_term, date(2025, 3, 1)) == date(2025, 6, 1)  # then 3 months
    short_term = person("Jack", "Wood", date(2012, 9, 9))
    start(manager, short_term, date(2024, 1, 10), placement_type="U6")
    assert next_statutory_visit_due(short_term, date(2025, 3, 1)) == date(2025, 4, 12)  # otherwise 6 weeks
    assert next_statutory_visit_due(short_term, date(2023, 3, 1)) is None  # not looked after then


def test_a_new_placement_starts_the_visiting_clock_again_but_same_carers_do_not(manager, alice):
    young = person("Finn", "Hale", date(2013, 3, 3))
    start(manager, young, date(2024, 1, 10), placement_type="U6")
    made_long_term = Placement(type="U4", provider="PR1", postcode="LS6 2AA", urn="SC123456")
    svc.looked_after_change(
        actor=alice, person=young, changed_on=date(2025, 2, 3), placement=made_long_term, reason_place_change="CARPL",
        same_carers=True,
    )  # fmt: skip
    assert open_tasks(young, TaskKind.LAC_VISIT).get().due_on == date(2024, 1, 17)  # unchanged: same carers
    assert next_statutory_visit_due(young, date(2025, 3, 1)) == date(2025, 6, 1)  # placement began in 2024
    moved = Placement(type="U4", provider="PR4", postcode="M1 1AE", urn="SC654321")
    svc.looked_after_change(
        actor=alice, person=young, changed_on=date(2025, 4, 7), placement=moved, reason_place_change="CREQB"
    )
    assert open_tasks(young, TaskKind.LAC_VISIT).get().due_on == date(2025, 4, 14)  # within a week of the new one
    assert next_statutory_visit_due(young, date(2025, 5, 1)) == date(2025, 6, 12)  # its first year: 6 weeks


def test_statutory_visit_refused_when_not_looked_after(child, alice, manager):
    with pytest.raises(RuleError) as e:
        svc.statutory_visit_recorded(actor=alice, person=child, visited_on=date(2026, 1, 2))
    assert "no visit was due then" in e.value.errors["visited_on"]
    start(manager, child, date(2025, 12, 24))
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E4A")
    assert svc.statutory_visit_recorded(actor=alice, person=child, visited_on=date(2026, 1, 8)) is None


# --- missing and away -------------------------------------------------------------------------------------------


def test_missing_episode_and_return_interview(child, manager, alice):
    with pytest.raises(RuleError, match="was not looked after"):
        svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 5))
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.missing_episode_record(actor=alice, person=child, kind="X", started_on=date(2026, 1, 5))
    assert set(e.value.errors) == {"kind"}
    missing = svc.missing_episode_record(actor=alice, person=child, kind="A", started_on=date(2026, 1, 5))
    with pytest.raises(RuleError, match="already recorded as missing"):
        svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 6))
    with pytest.raises(RuleError) as e:
        svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 6), return_interview_offered=None)
    assert set(e.value.errors) == {"return_interview_offered"}
    with pytest.raises(RuleError) as e:
        svc.missing_episode_end(
            actor=alice, episode=missing, ended_on=date(2026, 1, 6), return_interview_offered=False,
            return_interview_accepted=True,
        )  # fmt: skip
    assert "not offered" in e.value.errors["return_interview_accepted"]
    with pytest.raises(RuleError, match="rule 567"):
        svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 4), return_interview_offered=False)
    ended = svc.missing_episode_end(
        actor=alice, episode=missing, ended_on=date(2026, 1, 7), return_interview_offered=True,
        return_interview_accepted=True,
    )  # fmt: skip
    assert ended.return_interview_accepted and ended.ended_on == date(2026, 1, 7)
    with pytest.raises(RuleError, match="overlaps"):
        svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 6))
    again = svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 7))
    assert again.kind == "M"
    assert ChronologyEntry.objects.filter(person=child, title="Returned after being away from placement").exists()
    assert AuditEvent.objects.filter(object_type="missingepisode", action="update").exists()


def test_database_refuses_inconsistent_missing_episodes(child, manager):
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(IntegrityError), transaction.atomic():
        MissingEpisode.objects.create(
            person=child, kind="M", started_on=date(2026, 1, 5), ended_on=date(2026, 1, 6),
            return_interview_offered=False, return_interview_accepted=True,
        )  # fmt: skip
    MissingEpisode.objects.create(person=child, kind="M", started_on=date(2026, 1, 5), ended_on=date(2026, 1, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        MissingEpisode.objects.create(person=child, kind="A", started_on=date(2026, 1, 8))


# --- UASC and previous permanence -------------------------------------------------------------------------------


def test_uasc_status_ceases_by_the_eighteenth_birthday(manager, alice):
    young = person("Amir", "Haidari", date(2007, 6, 1))
    with pytest.raises(RuleError, match="rule 304"):
        svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6), ceased_on=date(2025, 6, 2))
    with pytest.raises(RuleError, match="cannot cease before it began"):
        svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6), ceased_on=date(2025, 1, 5))
    row = svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6))
    assert row.ceased_on is None
    # Home postcode may be unknown for an unaccompanied asylum-seeking child.
    start(manager, young, date(2025, 1, 6), home_postcode="")
    row = svc.uasc_record(actor=alice, person=young, became_uasc_on=date(2025, 1, 6), ceased_on=date(2025, 6, 1))
    assert row.ceased_on == date(2025, 6, 1)
    assert AuditEvent.objects.filter(object_type="unaccompaniedasylumseekingchild", action="update").exists()


def test_previous_permanence(child, manager, alice):
    with pytest.raises(RuleError, match="start that first"):
        svc.previous_permanence_record(actor=alice, person=child, arrangement="Z1")
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.previous_permanence_record(actor=alice, person=child, arrangement="P9")
    assert set(e.value.errors) == {"arrangement"}
    with pytest.raises(RuleError, match="Z1 means there was no previous"):
        svc.previous_permanence_record(actor=alice, person=child, arrangement="Z1", la_code="383")
    with pytest.raises(RuleError) as e:
        svc.previous_permanence_record(actor=alice, person=child, arrangement="P2", la_code="LEEDS")
    assert set(e.value.errors) == {"la_code", "order_date"}
    with pytest.raises(RuleError, match="rule 632"):
        svc.previous_permanence_record(
            actor=alice, person=child, arrangement="P2", la_code="383", order_date=date(2025, 12, 24)
        )
    row = svc.previous_permanence_record(
        actor=alice, person=child, arrangement="P2", la_code="383", order_date=date(2019, 5, 1)
    )
    assert row.episode.reason_new_episode == "S"
    with pytest.raises(RuleError, match="already recorded"):
        svc.previous_permanence_record(actor=alice, person=child, arrangement="Z1")


# --- adoption ---------------------------------------------------------------------------------------------------


def test_adoption_from_decision_to_order(child, manager, alice):
    start(manager, child, date(2025, 6, 2))
    with pytest.raises(RuleError, match="rule 1003"):
        svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 6, 1))
    adoption = svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 1))
    with pytest.raises(RuleError, match="already open"):
        svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 2))
    with pytest.raises(RuleError, match="cannot be before the decision"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placement_order", on=date(2025, 6, 30))
    with pytest.raises(RuleError, match="match with the adopters before the placement"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placed", on=date(2025, 9, 1))
    svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placement_order", on=date(2025, 8, 4))
    with pytest.raises(RuleError, match="cannot be before the placement order"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 8, 1))
    svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 9, 1))
    with pytest.raises(RuleError, match="already recorded"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 9, 2))
    adopters = Placement(type="A6", provider="PR1", postcode="M1 1AE", urn="SC123456")
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 9, 15), legal_status="E1", placement=adopters,
        reason_place_change="CARPL",
    )  # fmt: skip
    svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="placed", on=date(2025, 9, 15))
    with pytest.raises(RuleError, match="rule 601"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 3, 2), reason_ceased="E11")
    with pytest.raises(RuleError, match="rule 511"):
        svc.adoption_adopters_record(
            actor=alice, adoption=adoption, foster_care=False, number_of_adopters=1, sex_of_adopters="MF",
            legal_status_of_adopters="L11",
        )  # fmt: skip
    with pytest.raises(RuleError, match="must be MF"):
        svc.adoption_adopters_record(
            actor=alice, adoption=adoption, foster_care=False, number_of_adopters=2, sex_of_adopters="MM",
            legal_status_of_adopters="L3",
        )  # fmt: skip
    svc.adoption_adopters_record(
        actor=alice, adoption=adoption, foster_care=False, number_of_adopters=2, sex_of_adopters="FF",
        legal_status_of_adopters="L12",
    )  # fmt: skip
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 3, 2), reason_ceased="E11")
    adoption = AdoptionRecord.objects.get(pk=adoption.pk)
    assert adoption.adopted_on == date(2026, 3, 2) and adoption.placed_on == date(2025, 9, 15)
    with pytest.raises(RuleError, match="rule 558"):
        svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2026, 3, 3), reason="RD4")
    assert AuditEvent.objects.filter(object_type="adoptionrecord", action="update").count() >= 4


def test_adoption_decision_reversed(child, manager, alice):
    start(manager, child, date(2025, 6, 2))
    adoption = svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 1))
    with pytest.raises(RuleError, match="rule 557"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 8, 1), reason_ceased="E4A")
    with pytest.raises(RuleError) as e:
        svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 8, 1), reason="RD9")
    assert set(e.value.errors) == {"reason_placed_ceased"}
    with pytest.raises(RuleError, match="rule 522"):
        svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 6, 30), reason="RD2")
    svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 8, 1), reason="RD2")
    with pytest.raises(RuleError, match="plan has ended"):
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="matched", on=date(2025, 8, 2))
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 8, 4), reason_ceased="E4A")


def test_database_keeps_adoption_milestones_in_order(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptionRecord.objects.create(
            person=child, date_should_be_placed=date(2025, 7, 1), date_matched=date(2025, 6, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        AdoptionRecord.objects.create(person=child, date_should_be_placed=date(2025, 7, 1), placed_on=date(2025, 8, 1))


# --- health and outcomes (OC2) ----------------------------------------------------------------------------------

HEALTHY = {"immunisations": True, "teeth_check": True, "health_assessment": True, "substance_misuse": False}


def test_health_record_for_a_child_of_eleven(child, manager, alice):
    year = date(2026, 3, 31)
    start(manager, child, date(2025, 4, 2))
    with pytest.raises(RuleError, match="rule 190"):  # looked after from 2 April: not the whole year
        svc.health_record_for_year(
            actor=alice, person=child, year_ending=year, sdq_score=12, convicted=False, **HEALTHY
        )
    LookedAfterEpisode.objects.filter(person=child).update(started_on=date(2025, 4, 1))
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(actor=alice, person=child, year_ending=year)
    assert set(e.value.errors) == {"sdq_score", "convicted", *HEALTHY}
    for bad, field in [
        ({"sdq_score": 41}, "sdq_score"),
        ({"sdq_score": 12, "sdq_reason": "SDQ2"}, "sdq_reason"),
        ({"sdq_reason": "SDQ1"}, "sdq_reason"),
        ({"sdq_score": 12, "health_check": True}, "health_check"),
    ]:
        with pytest.raises(RuleError) as e:
            svc.health_record_for_year(actor=alice, person=child, year_ending=year, convicted=False, **HEALTHY, **bad)
        assert set(e.value.errors) == {field}
    misuse = {**HEALTHY, "substance_misuse": True}
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(
            actor=alice, person=child, year_ending=year, sdq_score=12, convicted=False, intervention_received=False,
            **misuse,
        )  # fmt: skip
    assert "rule 159" in e.value.errors["intervention_offered"]
    row = svc.health_record_for_year(
        actor=alice, person=child, year_ending=year, sdq_score=12, convicted=False, intervention_received=False,
        intervention_offered=True, **misuse,
    )  # fmt: skip
    assert row.sdq_score == 12 and row.intervention_offered is True
    again = svc.health_record_for_year(
        actor=alice, person=child, year_ending=year, sdq_reason="SDQ2", convicted=False, **HEALTHY
    )
    assert again.pk == row.pk and again.sdq_score is None and again.intervention_offered is None
    assert AuditEvent.objects.filter(object_type="healthrecord", action="update").exists()
    with pytest.raises(RuleError, match="31 March"):
        svc.health_record_for_year(actor=alice, person=child, year_ending=date(2026, 4, 1), **HEALTHY)


def test_health_record_for_a_child_of_three_has_no_sdq_or_convictions(manager, alice):
    toddler = person("Zara", "Ali", date(2022, 6, 1))
    start(manager, toddler, date(2025, 3, 3))
    year = date(2026, 3, 31)
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(
            actor=alice, person=toddler, year_ending=year, sdq_score=3, convicted=False, **HEALTHY
        )
    assert set(e.value.errors) == {"sdq_score", "convicted", "health_check"}
    assert "only for children aged 4 to 17" in e.value.errors["sdq_score"]
    row = svc.health_record_for_year(actor=alice, person=toddler, year_ending=year, health_check=True, **HEALTHY)
    assert row.health_check is True and row.convicted is None


def test_a_child_who_turned_17_in_the_year_still_has_an_sdq_and_one_aged_18_has_none(manager, alice):
    seventeen = person("Kai", "Brennan", date(2008, 9, 1))  # 17 on 1 September 2025
    start(manager, seventeen, date(2024, 3, 1))
    year = date(2026, 3, 31)
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(actor=alice, person=seventeen, year_ending=year, convicted=False, **HEALTHY)
    assert "rules 186 and 197B" in e.value.errors["sdq_score"]
    row = svc.health_record_for_year(
        actor=alice, person=seventeen, year_ending=year, sdq_reason="SDQ1", convicted=False, **HEALTHY
    )  # over 16 at the year's end: SDQ1 is allowed (rule 157)
    assert row.sdq_reason == "SDQ1"
    older = person("Lena", "Brennan", date(2007, 9, 1))  # 18 in September 2025
    start(manager, older, date(2024, 3, 1))
    with pytest.raises(RuleError) as e:
        svc.health_record_for_year(
            actor=alice, person=older, year_ending=year, sdq_score=20, convicted=False, **HEALTHY
        )
    assert "rules 188 and 189" in e.value.errors["sdq_score"]


def test_database_keeps_sdq_scores_in_range(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthRecord.objects.create(person=child, year_ending=date(2026, 3, 31), sdq_score=41)
    with pytest.raises(IntegrityError), transaction.atomic():
        HealthRecord.objects.create(person=child, year_ending=date(2026, 3, 30))


# --- care leavers (OC3) -----------------------------------------------------------------------------------------


@pytest.fixture
def care_leaver(manager):
    young = person("Ruby", "Stone", date(2008, 5, 10))
    start(manager, young, date(2022, 1, 4))
    svc.looked_after_end(actor=manager, person=young, ended_on=date(2025, 6, 1), reason_ceased="E5")
    return young


def test_care_leaver_contact_around_the_seventeenth_birthday(care_leaver, alice):
    with pytest.raises(RuleError, match="still looked after"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 5, 20), in_touch="YES", activity="F2",
            accommodation="D1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="rule 3001"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="F2",
            accommodation="Z1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="rule 347"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="F2",
            accommodation="T1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="rule 345"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="0",
            accommodation="D1",
        )  # fmt: skip
    with pytest.raises(RuleError, match="rule 344"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="RHOM", activity="F2",
            accommodation="B1",
        )  # fmt: skip
    with pytest.raises(RuleError) as e:
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="MAYBE", activity="F9",
            accommodation="S1",  # S is only ever S2
        )  # fmt: skip
    assert set(e.value.errors) == {"in_touch", "activity", "accommodation"}
    contact = svc.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=date(2025, 6, 5), in_touch="YES", activity="F2",
        accommodation="D1",
    )  # fmt: skip
    assert contact.birthday == 17
    later = svc.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=date(2025, 11, 1), in_touch="NO", activity="G5", accommodation="R2"
    )
    assert later.birthday is None  # outside every birthday window
    assert CareLeaverContact.objects.filter(person=care_leaver).count() == 2
    assert ChronologyEntry.objects.filter(
        person=care_leaver, title="Care leaver contact around the 17th birthday"
    ).exists()
    assert AuditEvent.objects.filter(object_type="careleavercontact", action="create").count() == 2


def test_care_leaver_contact_refused_under_sixteen_over_twenty_five_or_never_looked_after(manager, alice):
    young = person("Tom", "Bell", date(2012, 1, 1))
    start(manager, young, date(2024, 1, 2))
    svc.looked_after_end(actor=manager, person=young, ended_on=date(2024, 6, 3), reason_ceased="E4A")
    with pytest.raises(RuleError) as e:
        svc.care_leaver_contact_record(
            actor=alice, person=young, contact_on=date(2026, 1, 5), in_touch="YES", activity="F2", accommodation="B1"
        )
    assert "was 14: care leaver contacts are for young people aged 16 to 25" in e.value.errors["contact_on"]
    older = person("Dan", "Shaw", date(1999, 1, 1))
    with pytest.raises(RuleError) as e:
        svc.care_leaver_contact_record(
            actor=alice, person=older, contact_on=date(2025, 6, 2), in_touch="YES", activity="F5", accommodation="U1"
        )
    assert "was 26: leaving care support ends at 25" in e.value.errors["contact_on"]
    never = person("Eve", "Lane", date(2007, 3, 3))
    with pytest.raises(RuleError, match="not a care leaver"):
        svc.care_leaver_contact_record(
            actor=alice, person=never, contact_on=date(2025, 3, 3), in_touch="YES", activity="F5", accommodation="U1"
        )


# --- the remaining refusals -------------------------------------------------------------------------------------


def test_carers_rules_for_temporary_and_adoption_placements(child, manager, alice):
    start(manager, child, date(2025, 10, 1))
    hospital = Placement(type="T1", provider="", postcode="LS9 7TF")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2025, 11, 3), placement=hospital, same_carers=True
        )
    assert "always with other carers" in e.value.errors["same_carers"]
    svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 10, 6))
    new_adopters = Placement(type="A4", provider="PR1", postcode="M1 1AE", urn="SC123456")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2025, 11, 3), placement=new_adopters,
            reason_place_change="CARPL", same_carers=True,
        )  # fmt: skip
    assert "placements with new carers" in e.value.errors["same_carers"]
    episode = svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 11, 3), placement=new_adopters, reason_place_change="CARPL"
    )
    assert episode.reason_new_episode == "P"


def test_missing_return_recorded_once(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    missing = svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 5))
    svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 6), return_interview_offered=False)
    with pytest.raises(RuleError, match="already recorded"):
        svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 7), return_interview_offered=False)
    assert MissingEpisode.objects.get(pk=missing.pk).return_interview_accepted is None


def test_uasc_only_for_children(alice):
    adult = person("Omid", "Rahimi", date(2006, 1, 1))
    with pytest.raises(RuleError, match="only children are UASC"):
        svc.uasc_record(actor=alice, person=adult, became_uasc_on=date(2025, 2, 3))


def test_adoption_milestone_names_and_ended_plans(child, manager, alice):
    start(manager, child, date(2025, 6, 2))
    adoption = svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 7, 1))
    with pytest.raises(RuleError) as e:
        svc.adoption_milestone_record(actor=alice, adoption=adoption, milestone="adopted", on=date(2025, 8, 1))
    assert set(e.value.errors) == {"milestone"}
    svc.adoption_decision_reversed(actor=alice, adoption=adoption, ceased_on=date(2025, 8, 1), reason="RD3")
    with pytest.raises(RuleError, match="adopters can no longer be changed"):
        svc.adoption_adopters_record(
            actor=alice, adoption=adoption, foster_care=True, number_of_adopters=1, sex_of_adopters="F1",
            legal_status_of_adopters="L0",
        )  # fmt: skip
    assert svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 8, 1)).pk != adoption.pk


def test_health_year_must_have_ended(child, manager, alice):
    start(manager, child, date(2024, 1, 2))
    next_year = date(timezone.localdate().year + 1, 3, 31)
    with pytest.raises(RuleError, match="can be recorded from 31 March"):
        svc.health_record_for_year(actor=alice, person=child, year_ending=next_year, **HEALTHY)


def test_no_contact_after_a_care_leaver_has_died(care_leaver, alice):
    svc.care_leaver_contact_record(
        actor=alice, person=care_leaver, contact_on=date(2025, 7, 1), in_touch="DIED", activity="0", accommodation="0"
    )
    with pytest.raises(RuleError, match="rule 348"):
        svc.care_leaver_contact_record(
            actor=alice, person=care_leaver, contact_on=date(2025, 8, 1), in_touch="NO", activity="G5",
            accommodation="R2",
        )  # fmt: skip
