"""Periods of care: starting, the episode chain of changes, ending (cases.services.looked_after.episodes)."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as la
from cases import services as svc
from cases.models import LookedAfterEpisode, Task, TaskKind
from cases.models_looked_after import MissingEpisode
from cases.rules import timescales
from cases.rules.looked_after import Placement
from cases.tests.services.helpers import HOME, chain, open_tasks, start
from core.errors import RuleError
from people.tests.factories import person
from recording.models import ChronologyEntry, EntryType

pytestmark = pytest.mark.django_db


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
    assert entry.title == "Became looked after" and entry.significant
    event = AuditEvent.objects.get(object_type="lookedafterepisode", action="create")
    assert event.person_id == child.pk and event.changes["new"]["reason_new_episode"] == "S"


def test_health_assessment_timescale_is_twenty_working_days(child):
    assert timescales.initial_health_assessment_due(date(2025, 12, 24)) == date(2026, 1, 26)


def test_only_a_manager_starts_or_ends_a_period_of_care(child, alice, manager):
    with pytest.raises(PermissionDenied, match="Only a team manager"):
        start(alice, child)
    start(manager, child)
    with pytest.raises(PermissionDenied, match="Only a team manager"):
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
        ({"placement_provider": "PR0"}, "placement_provider", "only the provider of a placement with parents"),
        ({"placement_type": "P1", "placement_provider": "PR1", "urn": ""}, "placement_provider", "cannot provide"),
        ({"placement_type": "Z12", "urn": ""}, "placement_provider", "Leave the placement provider empty"),
        ({"urn": ""}, "urn", "Enter the Ofsted unique reference number"),
        ({"urn": "12-AB"}, "urn", "as Ofsted shows it"),
        ({"placement_type": "K1", "placement_provider": "PR1", "urn": "XXXXXXX"}, "urn", "regional adoption agency"),
        ({"placement_type": "P1", "placement_provider": "PR0", "urn": "SC123456"}, "urn", "Leave the URN empty"),
        ({"placement_type": "K3", "placement_provider": "PR4"}, "placement_type", "16 or over"),
        ({"legal_status": "D1"}, "legal_status", "Freeing orders"),
        ({"placement_postcode": HOME}, "home_postcode", "only be the same when the child is placed with their parents"),
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
    assert "Each short break is a period of care of its own" in e.value.errors["legal_status"]
    back_home = Placement(type="K2", provider="PR4", postcode=HOME, urn="SC111222")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), placement=back_home, reason_place_change="OTHER"
        )
    assert "only right when the child is placed with their parents" in e.value.errors["placement_postcode"]
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
    assert "Record the decision that the child should be placed for adoption" in e.value.errors["placement_type"]
    svc.adoption_decision_record(actor=alice, person=child, decided_on=date(2025, 11, 3))
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(
            actor=alice, person=child, changed_on=date(2026, 1, 5), placement=adopters, reason_place_change="CARPL"
        )
    assert "needs the legal status placement order granted" in e.value.errors["legal_status"]
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
    with pytest.raises(RuleError, match="under 14 cannot leave care to live independently"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E6")
    episode = svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E4A")
    assert episode.ended_on == date(2026, 1, 9) and episode.reason_ceased == "E4A"
    assert not open_tasks(child, TaskKind.LAC_REVIEW).exists() and not open_tasks(child, TaskKind.LAC_VISIT).exists()
    assert Task.objects.filter(person=child, cancelled_on=date(2026, 1, 9)).count() == 3
    assert ChronologyEntry.objects.filter(person=child, title="Stopped being looked after").exists()
    assert AuditEvent.objects.filter(object_type="lookedafterepisode", action="update", person_id=child.pk).exists()
    with pytest.raises(RuleError, match="not looked after"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 10), reason_ceased="E4A")


def test_child_missing_can_only_leave_care_with_e8(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    missing = svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 5))
    with pytest.raises(RuleError, match="stopped being looked after for any other reason"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E4A")
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2026, 1, 9), reason_ceased="E8")
    assert MissingEpisode.objects.get(pk=missing.pk).ended_on == date(2026, 1, 9)


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
    assert "placement for adoption is with new carers" in e.value.errors["same_carers"]
    episode = svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 11, 3), placement=new_adopters, reason_place_change="CARPL"
    )
    assert episode.reason_new_episode == "P"


def test_staying_put_needs_a_foster_placement(manager):
    young = person("Kai", "Brennan", date(2008, 1, 15))
    la.looked_after_start(
        actor=manager, person=young, started_on=date(2024, 1, 8), legal_status="V2", category_of_need="N1",
        home_postcode="LS1 4AP", placement_type="K2", placement_provider="PR4", placement_postcode="LS11 5DR",
        urn="SC654321",
    )  # fmt: skip
    with pytest.raises(RuleError) as e:
        la.looked_after_end(actor=manager, person=young, ended_on=date(2026, 1, 15), reason_ceased="E45")
    assert "needs a foster placement" in e.value.errors["reason_ceased"]
    ended = la.looked_after_end(actor=manager, person=young, ended_on=date(2026, 1, 15), reason_ceased="E5")
    assert ended.reason_ceased == "E5"


# --- police protection (Children Act 1989 s.46(6); SSDA903 rule 361) --------------------------------------------


def test_police_protection_must_change_within_72_hours(child, manager, alice):
    start(manager, child, date(2025, 12, 1), legal_status="L1")
    with pytest.raises(RuleError) as e:
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2025, 12, 5), legal_status="C2")
    assert "72 hours" in e.value.errors["changed_on"]
    assert chain(child)[-1].legal_status == "L1"  # nothing changed
    svc.looked_after_change(actor=alice, person=child, changed_on=date(2025, 12, 4), legal_status="C2")
    assert [ep.legal_status for ep in chain(child)] == ["L1", "C2"]


def test_police_protection_counts_every_l1_episode_in_a_row(child, manager, alice):
    start(manager, child, date(2025, 12, 1), legal_status="L1")
    # A move of placement on day 2 keeps police protection: the 72 hours run from the first day.
    svc.looked_after_change(
        actor=alice, person=child, changed_on=date(2025, 12, 2), reason_place_change="CARPL",
        placement=Placement("U3", "PR1", "LS7 3AB", "SC654321"),
    )  # fmt: skip
    with pytest.raises(RuleError, match="72 hours"):
        svc.looked_after_change(actor=alice, person=child, changed_on=date(2025, 12, 5), legal_status="C2")
    with pytest.raises(RuleError, match="72 hours"):
        svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 12, 6), reason_ceased="E13")
    svc.looked_after_end(actor=manager, person=child, ended_on=date(2025, 12, 3), reason_ceased="E13")
