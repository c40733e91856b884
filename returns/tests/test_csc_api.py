"""DfE's children's social care API: every field of the payloads from known children, the cohort's boundaries, the
delta rule (send what changed, skip what did not, purge a child who left once), posting to a local stand-in for DfE
(token, headers, batches, failures) and the `casework returns csc-api` command.

The children are returns/tests/journeys.py's, each also given the referral that covers their time in care, so
every block of the payload has something in it. Runs are made "on" TODAY, whose window starts on 1 April 2024."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as cin
from cases import services as lac
from cases.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CINEpisode,
    LookedAfterEpisode,
    Section47Enquiry,
)
from core.testing import assert_query_count
from people.models import Person
from people.services import AddressInput, address_add, identifier_add, person_update
from people.tests.factories import person
from returns import csc_api
from returns.common import ReturnError
from returns.csc_api import ChildPayload, CscApiRun, Window, build_csc_api, csc_api_record_sent, write_csc_api
from returns.csc_api_client import ENV, CscApiConfig, CscApiError, CscApiNotConfigured, post_csc_api
from returns.models import CscApiChildState

from .journeys import FOSTER, LA, World, assess, build_world, start_care, upn

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)
WINDOW_START = date(2024, 4, 1)
COHORT = ("nadia", "callum", "priya", "leo", "maya", "oscar", "jade", "kaya", "samir")
LEGACY_ID = "SC-0001234"


@pytest.fixture(scope="module")
def csc_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The returns' children, with a referral covering each looked-after child's care (Casework records care against
    the child, DfE inside a social care episode), and Callum's address, former UPN and previous system ID."""
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        for child, referred, source in (
            (w.maya, date(2023, 5, 1), "1A"),
            (w.oscar, date(2024, 1, 15), "3B"),
            (w.jade, date(2021, 10, 1), "2A"),
            (w.kaya, date(2020, 8, 1), "1A"),
            (w.samir, date(2025, 8, 1), "9"),
        ):
            cin.referral_create(
                actor=w.manager, person=child, referral_date=referred, source=source, primary_need="N1", team=w.team
            )
        address_add(
            actor=None,
            person=w.callum,
            address=AddressInput("1 Chapeltown Road", "LS7 3QB", lived_from=date(2024, 1, 2)),
        )
        identifier_add(actor=None, person=w.callum, type="former_upn", value=upn(8))
        identifier_add(actor=None, person=w.callum, type="legacy", value=LEGACY_ID)
        yield w
        transaction.set_rollback(True)


def build(**kwargs: Any) -> CscApiRun:
    kwargs.setdefault("la_code", LA)
    kwargs.setdefault("today", TODAY)
    return build_csc_api(**kwargs)


def sent(run: CscApiRun) -> dict[int, ChildPayload]:
    return {p.person_id: p for p in run.to_send}


def child_of(run: CscApiRun, who: Person) -> dict[str, Any]:
    return sent(run)[who.pk].child


def ids(model: Any, **filters: Any) -> list[str]:
    return [str(pk) for pk in model.objects.filter(**filters).order_by("id").values_list("id", flat=True)]


def no_items() -> dict[str, list[Any]]:
    return {
        "care_worker_details": [],
        "child_and_family_assessments": [],
        "child_in_need_plans": [],
        "section_47_assessments": [],
        "child_protection_plans": [],
        "child_looked_after_placements": [],
    }


# --- the payload --------------------------------------------------------------------------------------------------


def test_window_starts_on_the_1_april_of_the_financial_year_24_months_back():
    assert Window.for_run(date(2026, 11, 22)) == Window(start=date(2024, 4, 1), end=date(2026, 11, 22))
    assert Window.for_run(date(2026, 4, 1)).start == date(2024, 4, 1)
    assert Window.for_run(date(2026, 3, 31)).start == date(2023, 4, 1)
    assert Window.for_run(date(2027, 1, 5)).start == date(2024, 4, 1)


def test_the_cohort_and_the_envelope(csc_world: World):
    run = build()
    w = csc_world
    assert sorted(sent(run)) == sorted(getattr(w, name).pk for name in COHORT)  # Ruby, a baby, has no activity
    assert run.summary == "9 changed, 0 unchanged skipped, 0 purges"
    assert {p.kind for p in run.to_send} == {"new"}
    assert run.problems == []
    payload = sent(run)[w.callum.pk]
    assert set(payload.payload) == {"la_code", "Children"} and payload.payload["la_code"] == 383
    # Canonical JSON: sorted keys, no spaces, UTF-8; its SHA-256 is the hash the delta rule compares.
    assert payload.body == json.dumps(payload.payload, sort_keys=True, separators=(",", ":")).encode()
    assert payload.sha256 == hashlib.sha256(payload.body).hexdigest()


def test_referral_with_no_further_action(csc_world: World):
    w = csc_world
    (episode,) = ids(CINEpisode, person=w.nadia)
    assert child_of(build(), w.nadia) == {
        "la_child_id": str(w.nadia.pk),
        "purge": False,
        "child_details": {
            "unique_pupil_number_unknown_reason": "UN7",  # no UPN, and every referral ended with no further action
            "first_name": "Nadia",
            "surname": "Ahmed",
            "date_of_birth": "2016-05-12",
            "sex": "F",
            "ethnicity": "APKN",
            "uasc_flag": False,
            "purge": False,
        },
        "social_care_episodes": [
            {
                "social_care_episode_id": episode,
                "referral_date": "2025-06-02",
                "referral_source": "2A",
                "referral_no_further_action_flag": True,
                "closure_date": "2025-06-03",
                "closure_reason": "RC8",
                "purge": False,
                **no_items(),
            }
        ],
    }


def test_assessment_and_child_in_need_plan_with_identifiers_and_address(csc_world: World):
    w = csc_world
    (episode,) = ids(CINEpisode, person=w.callum)
    (assessment,) = ids(Assessment, episode__person=w.callum)
    (plan,) = ids(ChildInNeedPlan, person=w.callum)
    assert child_of(build(), w.callum) == {
        "la_child_id": str(w.callum.pk),
        "mis_child_id": LEGACY_ID,
        "purge": False,
        "child_details": {
            "unique_pupil_number": upn(1),
            "former_unique_pupil_number": upn(8),
            "first_name": "Callum",
            "surname": "Doyle",
            "date_of_birth": "2012-09-01",
            "sex": "M",
            "ethnicity": "WIRI",
            "postcode": "LS7 3QB",
            "uasc_flag": False,
            "purge": False,
        },
        "social_care_episodes": [
            {
                "social_care_episode_id": episode,
                "referral_date": "2025-04-14",
                "referral_source": "3A",
                "referral_no_further_action_flag": False,
                "closure_date": "2026-01-16",
                "closure_reason": "RC7",
                "purge": False,
                **no_items(),
                "child_and_family_assessments": [
                    {
                        "child_and_family_assessment_id": assessment,
                        "start_date": "2025-04-15",
                        "authorisation_date": "2025-05-22",
                        "factors": ["4B", "6B"],
                        "purge": False,
                    }
                ],
                "child_in_need_plans": [
                    {
                        "child_in_need_plan_id": plan,
                        "start_date": "2025-05-23",
                        "end_date": "2026-01-16",
                        "purge": False,
                    }
                ],
            }
        ],
    }


def test_section_47_and_child_protection_plan(csc_world: World):
    w = csc_world
    episodes = ids(CINEpisode, person=w.priya)
    assessments = ids(Assessment, episode__person=w.priya)
    enquiries = ids(Section47Enquiry, episode__person=w.priya)
    plans = ids(ChildProtectionPlan, person=w.priya)
    # The 2023 episode closed before the window: only the 2025 one is sent.
    assert child_of(build(), w.priya)["social_care_episodes"] == [
        {
            "social_care_episode_id": episodes[1],
            "referral_date": "2025-09-01",
            "referral_source": "6",
            "referral_no_further_action_flag": False,
            "purge": False,
            **no_items(),
            "child_and_family_assessments": [
                {
                    "child_and_family_assessment_id": assessments[-1],
                    "start_date": "2025-09-02",
                    "authorisation_date": "2025-09-05",
                    "factors": ["16A", "3A"],
                    "purge": False,
                }
            ],
            "section_47_assessments": [
                {
                    "section_47_assessment_id": enquiries[1],
                    "start_date": "2025-09-03",
                    "icpc_required_flag": True,
                    "icpc_date": "2025-09-19",
                    "end_date": "2025-09-19",
                    "purge": False,
                }
            ],
            "child_protection_plans": [
                {
                    "child_protection_plan_id": plans[1],
                    "start_date": "2025-09-19",
                    "end_date": "2026-04-17",
                    "purge": False,
                }
            ],
        }
    ]


def test_looked_after_placements_workers_and_disabilities(csc_world: World):
    w = csc_world
    (episode,) = ids(CINEpisode, person=w.leo)
    first, _legal_status_change, children_home = ids(LookedAfterEpisode, person=w.leo)
    child = child_of(build(), w.leo)
    assert child["child_details"]["disabilities"] == ["AUT", "COMM"]
    assert child["child_details"]["unique_pupil_number"] == upn(3)
    (sent_episode,) = child["social_care_episodes"]
    assert sent_episode["social_care_episode_id"] == episode
    assert sent_episode["care_worker_details"] == [
        {"worker_id": f"XX{w.worker.pk:04d}", "start_date": "2025-07-01", "end_date": "2025-11-09"},
        {"worker_id": f"XX{w.other_worker.pk:04d}", "start_date": "2025-11-10"},
    ]
    # The interim care order in August changed the legal status only: still the first placement.
    assert sent_episode["child_looked_after_placements"] == [
        {
            "child_looked_after_placement_id": first,
            "start_date": "2025-07-10",
            "start_reason": "S",
            "placement_type": "U6",
            "postcode": "LS8 2QP",
            "end_date": "2025-11-03",
            "end_reason": "X1",
            "change_reason": "CARPL",
            "purge": False,
        },
        {
            "child_looked_after_placement_id": children_home,
            "start_date": "2025-11-03",
            "start_reason": "P",
            "placement_type": "K2",
            "postcode": "LS11 5DR",
            "purge": False,
        },
    ]
    assert "adoption" not in sent_episode and "care_leavers" not in sent_episode


def test_adoption(csc_world: World):
    w = csc_world
    (episode,) = ids(CINEpisode, person=w.oscar)
    foster, _placement_order, adopters = ids(LookedAfterEpisode, person=w.oscar)
    child = child_of(build(), w.oscar)
    assert child["child_details"]["unique_pupil_number_unknown_reason"] == "UN1"  # aged 4, no UPN
    (sent_episode,) = child["social_care_episodes"]
    assert sent_episode["social_care_episode_id"] == episode
    assert sent_episode["adoption"] == {
        "initial_decision_date": "2024-06-03",
        "matched_date": "2025-05-01",
        "placed_date": "2025-05-12",
        "purge": False,
    }
    assert [
        (
            p["child_looked_after_placement_id"],
            p["start_reason"],
            p["placement_type"],
            p.get("end_date"),
            p.get("end_reason"),
        )
        for p in sent_episode["child_looked_after_placements"]
    ] == [(foster, "S", "U6", "2025-05-12", "X1"), (adopters, "P", "A6", "2025-11-20", "E11")]


def test_care_leavers(csc_world: World):
    w = csc_world
    run = build()
    jade = child_of(run, w.jade)["social_care_episodes"][0]
    assert jade["care_leavers"] == {
        "contact_date": "2025-10-28",
        "activity": "F2",
        "accommodation": "D",
        "purge": False,
    }
    assert [(p["start_date"], p["end_date"], p["end_reason"]) for p in jade["child_looked_after_placements"]] == [
        ("2021-11-01", "2025-10-15", "E6")
    ]
    # Kaya left care in June 2024, inside the window, and aged 19 is still in the cohort.
    kaya = child_of(run, w.kaya)["social_care_episodes"][0]
    assert kaya["care_leavers"] == {
        "contact_date": "2025-06-25",
        "activity": "P5",
        "accommodation": "B",
        "purge": False,
    }
    assert [(p["start_date"], p["end_date"]) for p in kaya["child_looked_after_placements"]] == [
        ("2020-09-01", "2024-06-20")
    ]


def test_unaccompanied_asylum_seeking_child(csc_world: World):
    w = csc_world
    run = build()
    details = child_of(run, w.samir)["child_details"]
    assert details["uasc_flag"] is True and "uasc_end_date" not in details
    assert child_of(run, w.leo)["child_details"]["uasc_flag"] is False
    lac.uasc_record(actor=w.worker, person=w.samir, became_uasc_on=date(2025, 8, 1), ceased_on=date(2026, 5, 5))
    details = child_of(build(), w.samir)["child_details"]
    assert (details["uasc_flag"], details["uasc_end_date"]) == (True, "2026-05-05")


def test_strengths_and_difficulties_scores(csc_world: World):
    w = csc_world
    run = build()
    assert child_of(run, w.maya)["health_and_wellbeing"] == {
        "sdq_assessments": [{"date": "2026-03-31", "score": 14}],
        "purge": False,
    }
    assert "health_and_wellbeing" not in child_of(run, w.leo)  # no score recorded: the block is left out


def test_unborn_child(csc_world: World):
    w = csc_world
    today = timezone.localdate()
    expected = today + timedelta(days=60)
    baby = person("Baby", "Okafor", None, expected_date_of_birth=expected)
    cin.referral_create(actor=w.manager, person=baby, referral_date=today, source="3B", primary_need="N1", team=w.team)
    details = child_of(build(today=today), baby)["child_details"]
    assert details == {
        "unique_pupil_number_unknown_reason": "UN6",
        "first_name": "Baby",
        "surname": "Okafor",
        "expected_date_of_birth": expected.isoformat(),
        "sex": "U",
        "ethnicity": "NOBT",
        "uasc_flag": False,
        "purge": False,
    }


def test_care_without_a_referral_is_reported_and_the_child_still_sent(csc_world: World):
    w = csc_world
    child = person("Tia", "Noref", date(2013, 2, 2))
    start_care(w.manager, child, date(2025, 2, 3), "V2", FOSTER)
    run = build()
    assert child_of(run, child)["social_care_episodes"] == []
    assert [(p.person_id, p.blocking, p.message) for p in run.problems] == [
        (
            child.pk,
            False,
            "The placement from 03/02/2025 is not sent: no children-in-need episode was open at the time. Record the "
            "referral that covers it.",
        )
    ]


def test_a_previous_system_id_dfe_would_refuse_is_left_out_and_reported(csc_world: World):
    w = csc_world
    identifier_add(actor=None, person=w.leo, type="legacy", value="Old ref 7/2019")
    run = build()
    assert "mis_child_id" not in child_of(run, w.leo)
    assert [(p.person_id, p.blocking) for p in run.problems] == [(w.leo.pk, False)]
    assert "previous system ID 'Old ref 7/2019' is not in DfE's format" in run.problems[0].message


def test_child_with_no_date_of_birth_is_reported_not_sent(csc_world: World):
    w = csc_world
    person_update(actor=None, person=w.nadia, date_of_birth=None)
    run = build()
    assert w.nadia.pk not in sent(run) and w.nadia.pk not in {p.person_id for p in run.unchanged}
    assert [(p.person_id, p.blocking) for p in run.problems] == [(w.nadia.pk, True)]
    assert "No date of birth or expected date of birth is recorded" in run.problems[0].message


def test_bad_la_code(db):
    for code in ("38", "3833", "abc", " "):
        with pytest.raises(ReturnError, match="3-digit DfE code"):
            build_csc_api(la_code=code, today=TODAY)


# --- the cohort's boundaries --------------------------------------------------------------------------------------


def refer(w: World, who: Person, on: date, closed: date | None = None) -> None:
    episode = cin.referral_create(
        actor=w.manager, person=who, referral_date=on, source="1A", primary_need="N4", team=w.team
    )
    if closed is not None:
        cin.episode_close(actor=w.manager, episode=episode, closure_date=closed, reason="RC8")


def test_aged_25_or_under_on_some_day_of_the_window(csc_world: World):
    w = csc_world
    # 26th birthday the day after the window starts: 25 on its first day. On it: 26 all window.
    still_25 = person("Ash", "Older", date(1998, 4, 2))
    turned_26 = person("Bea", "Oldest", date(1998, 4, 1))
    just_25 = person("Cal", "Young", date(2000, 11, 22))  # 25th birthday in the window: still in
    for who in (still_25, turned_26, just_25):
        refer(w, who, date(2016, 1, 4))  # referred as children (an adult cannot be referred); still open
    in_cohort = set(sent(build()))
    assert still_25.pk in in_cohort and just_25.pk in in_cohort
    assert turned_26.pk not in in_cohort


def test_activity_on_the_first_day_of_the_window_counts_the_day_before_does_not(csc_world: World):
    w = csc_world
    before = WINDOW_START - timedelta(days=1)
    closed_on_start = person("Dee", "Closed", date(2015, 1, 1))
    closed_before = person("Eli", "Closed", date(2015, 1, 1))
    refer(w, closed_on_start, date(2024, 1, 8), closed=WINDOW_START)
    refer(w, closed_before, date(2024, 1, 8), closed=before)
    care_ended_on_start = person("Fay", "Care", date(2012, 1, 1))
    care_ended_before = person("Gus", "Care", date(2012, 1, 1))
    for who, ended in ((care_ended_on_start, WINDOW_START), (care_ended_before, before)):
        start_care(w.manager, who, date(2023, 5, 2), "V2", FOSTER)
        lac.looked_after_end(actor=w.manager, person=who, ended_on=ended, reason_ceased="E13")
    contact_on_start = person("Hal", "Leaver", date(2005, 1, 1))
    contact_before = person("Ivy", "Leaver", date(2005, 1, 1))
    for who, contact in ((contact_on_start, WINDOW_START), (contact_before, before)):
        start_care(w.manager, who, date(2021, 1, 4), "V2", FOSTER)
        lac.looked_after_end(actor=w.manager, person=who, ended_on=date(2023, 1, 1), reason_ceased="E6")
        lac.care_leaver_contact_record(
            actor=w.worker, person=who, contact_on=contact, in_touch="YES", activity="F2", accommodation="D1"
        )
    in_cohort = set(sent(build()))
    assert {closed_on_start.pk, care_ended_on_start.pk, contact_on_start.pk} <= in_cohort
    assert not {closed_before.pk, care_ended_before.pk, contact_before.pk} & in_cohort


# --- the delta rule -----------------------------------------------------------------------------------------------


def test_second_run_sends_nothing_and_a_change_sends_exactly_that_child(csc_world: World):
    w = csc_world
    first = build()
    csc_api_record_sent(actor=None, sent=first.to_send)
    again = build()
    assert again.to_send == []
    assert again.summary == "0 changed, 9 unchanged skipped, 0 purges"
    # A looked-after review is not in the payload: recording one changes nothing DfE holds.
    lac.lac_review_record(actor=w.worker, person=w.leo, held_on=date(2026, 2, 2), participation="PN1")
    assert build().to_send == []
    identifier_add(actor=w.worker, person=w.nadia, type="upn", value=upn(9))
    changed = build()
    assert [(p.person_id, p.kind) for p in changed.to_send] == [(w.nadia.pk, "changed")]
    details = changed.to_send[0].child["child_details"]
    assert details["unique_pupil_number"] == upn(9) and "unique_pupil_number_unknown_reason" not in details
    assert changed.summary == "1 changed, 8 unchanged skipped, 0 purges"


def test_recording_what_was_sent_is_audited(csc_world: World):
    w = csc_world
    run = build()
    before = AuditEvent.objects.count()
    csc_api_record_sent(actor=None, sent=run.to_send, endpoint="https://dfe.example/csc")
    state = CscApiChildState.objects.get(person=w.callum)
    assert (state.la_child_id, state.payload_sha256, state.purged) == (
        str(w.callum.pk),
        sent(run)[w.callum.pk].sha256,
        False,
    )
    assert AuditEvent.objects.count() == before + 9
    event = AuditEvent.objects.get(action="export", person_id=w.callum.pk)
    assert (event.action, event.object_type, event.object_id) == ("export", "csc_api_child", str(w.callum.pk))
    assert event.changes["payload_sha256"] == {"old": None, "new": state.payload_sha256}
    assert event.context["endpoint"] == "https://dfe.example/csc"


def test_a_child_who_leaves_the_cohort_is_purged_once(csc_world: World):
    w = csc_world
    csc_api_record_sent(actor=None, sent=build().to_send)
    identifier_add(actor=None, person=w.nadia, type="legacy", value="MIS-42")
    person_update(actor=None, person=w.nadia, date_of_birth=date(1990, 5, 12))  # corrected: she is 36
    run = build()
    (purge,) = run.to_send
    assert purge.kind == "purge" and purge.file_name == f"purge-{w.nadia.pk}.json"
    assert purge.payload == {
        "la_code": 383,
        "Children": {"la_child_id": str(w.nadia.pk), "mis_child_id": "MIS-42", "purge": True},
    }
    assert run.summary == "0 changed, 8 unchanged skipped, 1 purges"
    csc_api_record_sent(actor=None, sent=run.to_send)
    assert CscApiChildState.objects.get(person=w.nadia).purged
    assert build().to_send == []  # once
    person_update(actor=None, person=w.nadia, date_of_birth=date(2016, 5, 12))
    (back,) = build().to_send
    assert (back.person_id, back.kind, back.child["purge"]) == (w.nadia.pk, "changed", False)


def test_ignoring_the_state_sends_everyone_and_purges_nobody(csc_world: World):
    w = csc_world
    csc_api_record_sent(actor=None, sent=build().to_send)
    person_update(actor=None, person=w.nadia, date_of_birth=date(1990, 5, 12))
    run = build(ignore_state=True)
    assert run.summary == "8 changed, 0 unchanged skipped, 0 purges"
    assert w.nadia.pk not in sent(run) and {p.kind for p in run.to_send} == {"new"}


def test_a_fixed_number_of_queries_whatever_the_number_of_children(csc_world: World):
    w = csc_world
    with assert_query_count(16):
        assert len(build().to_send) == 9
    for n in range(4):
        child = person(f"Extra{n}", "Child", date(2012, 3, n + 1))
        episode = cin.referral_create(
            actor=w.manager, person=child, referral_date=date(2025, 3, 3), source="2A", primary_need="N2", team=w.team
        )
        cin.allocate(actor=w.manager, person=child, worker=w.worker, started_on=date(2025, 3, 3), reason="New")
        assess(w.worker, w.manager, episode, date(2025, 3, 4), date(2025, 3, 28), ["1A"], "cin_plan")
        cin.cin_plan_start(actor=w.worker, episode=episode, started_on=date(2025, 4, 2))
        start_care(w.manager, child, date(2025, 6, 2), "V2", FOSTER)
        lac.looked_after_change(actor=w.worker, person=child, changed_on=date(2025, 7, 1), legal_status="C1")
    with assert_query_count(16):
        assert len(build().to_send) == 13


# --- posting to DfE (a local stand-in) ----------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeDfE:
    """DfE's token service and receiver, answering as the real ones do, and keeping what they were sent."""

    base: str = ""
    requests: list[Received] = field(default_factory=list)
    refuse_batches: set[int] = field(default_factory=set)
    token_status: int = 200
    short_acknowledgement: bool = False

    @property
    def posts(self) -> list[Received]:
        return [r for r in self.requests if r.path != "/oauth/token"]


@pytest.fixture
def dfe(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDfE]:
    fake = FakeDfE()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fake.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if self.path == "/oauth/token":
                status = fake.token_status
                answer: Any = {"access_token": "token-123", "token_type": "Bearer", "expires_in": 3600}
                if status != 200:
                    answer = {"error": "invalid_client"}
            elif len(fake.posts) in fake.refuse_batches:
                status, answer = 400, {"errors": ["[0] child_details: required"]}
            else:
                records = json.loads(body)
                count = len(records) - 1 if fake.short_acknowledgement else len(records)
                status, answer = 200, [f"2026-11-22_10:00:00.000_{n:08d}.json" for n in range(count)]
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base = f"http://127.0.0.1:{server.server_port}"
    for name, value in {
        "CASEWORK_CSC_API_ENDPOINT": f"{fake.base}/csc/1",
        "CASEWORK_CSC_API_TOKEN_URL": f"{fake.base}/oauth/token",
        "CASEWORK_CSC_API_CLIENT_ID": "casework-client",
        "CASEWORK_CSC_API_CLIENT_SECRET": "s3cret value",
        "CASEWORK_CSC_API_SCOPE": "api://csc/.default",
        "CASEWORK_CSC_API_SUPPLIER_KEY": "supplier-key-9",
        "CASEWORK_CSC_API_BATCH_SIZE": "4",
    }.items():
        monkeypatch.setenv(name, value)
    yield fake
    server.shutdown()
    server.server_close()
    thread.join()


def test_post_takes_a_token_and_sends_batches_with_the_supplier_key(csc_world: World, dfe: FakeDfE):
    run = build()
    result = post_csc_api(run)
    assert (result.batches, result.records) == (3, 9)
    token, *_ = dfe.requests
    assert token.path == "/oauth/token" and token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token.body.decode()) == {
        "client_id": ["casework-client"],
        "client_secret": ["s3cret value"],
        "scope": ["api://csc/.default"],
        "grant_type": ["client_credentials"],
    }
    assert [r.path for r in dfe.posts] == ["/csc/1/children_social_care_data/383/children"] * 3
    for post in dfe.posts:
        assert post.headers["authorization"] == "Bearer token-123"
        assert post.headers["supplierkey"] == "supplier-key-9"
        assert post.headers["content-type"] == "application/json"
    batches = [json.loads(p.body) for p in dfe.posts]
    assert [len(b) for b in batches] == [4, 4, 1]
    assert [c for batch in batches for c in batch] == [p.child for p in run.to_send]
    states = {s.person_id: s.payload_sha256 for s in CscApiChildState.objects.all()}
    assert states == {p.person_id: p.sha256 for p in run.to_send}
    assert build().to_send == []


def test_a_refused_batch_records_nothing_of_it(csc_world: World, dfe: FakeDfE):
    dfe.refuse_batches = {2}
    run = build()
    with pytest.raises(CscApiError) as refused:
        post_csc_api(run)
    message = str(refused.value)
    assert "DfE refused batch 2 of 3 (4 records): HTTP 400, DfE could not read the records" in message
    assert "[0] child_details: required" in message
    assert "4 records sent before it were accepted and recorded" in message
    assert len(dfe.posts) == 2  # stopped at the failure
    assert set(CscApiChildState.objects.values_list("person_id", flat=True)) == {p.person_id for p in run.to_send[:4]}
    assert len(build().to_send) == 5  # what was not recorded is sent next time


def test_an_incomplete_acknowledgement_is_a_failure(csc_world: World, dfe: FakeDfE):
    dfe.short_acknowledgement = True
    with pytest.raises(CscApiError, match="DfE acknowledged 3 of the 4 records in batch 1 of 3"):
        post_csc_api(build())
    assert not CscApiChildState.objects.exists()


def test_a_refused_token_stops_before_anything_is_sent(csc_world: World, dfe: FakeDfE):
    dfe.token_status = 401
    with pytest.raises(CscApiError, match=r"token service at .* refused the request \(HTTP 401\)"):
        post_csc_api(build())
    assert dfe.posts == [] and not CscApiChildState.objects.exists()


def test_nothing_to_send_posts_nothing(csc_world: World, dfe: FakeDfE):
    csc_api_record_sent(actor=None, sent=build().to_send)
    result = post_csc_api(build())
    assert (result.batches, result.records) == (0, 0) and dfe.requests == []


def test_configuration_is_read_from_the_environment():
    with pytest.raises(CscApiNotConfigured) as missing:
        CscApiConfig.from_environment({"CASEWORK_CSC_API_ENDPOINT": "https://api.example"})
    for name in (
        "CASEWORK_CSC_API_TOKEN_URL",
        "CASEWORK_CSC_API_CLIENT_ID",
        "CASEWORK_CSC_API_CLIENT_SECRET",
        "CASEWORK_CSC_API_SCOPE",
        "CASEWORK_CSC_API_SUPPLIER_KEY",
    ):
        assert name in str(missing.value)
    assert "CASEWORK_CSC_API_ENDPOINT" not in str(missing.value)
    complete = {
        "CASEWORK_CSC_API_ENDPOINT": "https://api.example/csc/1/",
        "CASEWORK_CSC_API_TOKEN_URL": "https://login.example/token",
        "CASEWORK_CSC_API_CLIENT_ID": "id",
        "CASEWORK_CSC_API_CLIENT_SECRET": "secret",
        "CASEWORK_CSC_API_SCOPE": "scope",
        "CASEWORK_CSC_API_SUPPLIER_KEY": "key",
    }
    config = CscApiConfig.from_environment(complete)
    assert (config.batch_size, config.timeout) == (100, 60)
    assert config.children_url("383") == "https://api.example/csc/1/children_social_care_data/383/children"
    with pytest.raises(CscApiNotConfigured, match="CASEWORK_CSC_API_ENDPOINT must be an https:// address"):
        CscApiConfig.from_environment({**complete, "CASEWORK_CSC_API_ENDPOINT": "http://api.example/csc"})
    with pytest.raises(CscApiNotConfigured, match="CASEWORK_CSC_API_TOKEN_URL must be an https:// address"):
        CscApiConfig.from_environment({**complete, "CASEWORK_CSC_API_TOKEN_URL": "file:///etc/passwd"})
    with pytest.raises(CscApiNotConfigured, match="CASEWORK_CSC_API_BATCH_SIZE must be a whole number of 1 or more"):
        CscApiConfig.from_environment({**complete, "CASEWORK_CSC_API_BATCH_SIZE": "0"})


def test_an_unreachable_dfe_is_a_clear_error(csc_world: World, monkeypatch: pytest.MonkeyPatch):
    config = CscApiConfig(
        endpoint="http://127.0.0.1:9/csc",
        token_url="http://127.0.0.1:9/token",
        client_id="id",
        client_secret="secret",
        scope="scope",
        supplier_key="key",
        timeout=5,
    )
    with pytest.raises(CscApiError, match=r"Could not reach http://127.0.0.1:9/token"):
        post_csc_api(build(), config=config)


# --- the command --------------------------------------------------------------------------------------------------


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("returns", "csc-api", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def on_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csc_api, "_today", lambda: TODAY)


def test_command_writes_one_file_per_child_and_records_nothing(csc_world: World, on_today: None, tmp_path: Path):
    w = csc_world
    output = run_command("--out", str(tmp_path / "run1"), "--la", LA)
    assert f"CSC API for LA 383 (activity 01/04/2024 to 22/11/2026): 9 changed, 0 unchanged skipped, 0 purges; 9 files in {tmp_path / 'run1'}" in output  # fmt: skip
    files = sorted((tmp_path / "run1").iterdir())
    assert [f.name for f in files] == sorted(f"child-{getattr(w, name).pk}.json" for name in COHORT)
    callum = json.loads((tmp_path / "run1" / f"child-{w.callum.pk}.json").read_bytes())
    assert callum["la_code"] == 383 and callum["Children"]["mis_child_id"] == LEGACY_ID
    assert not CscApiChildState.objects.exists()  # writing files sends nothing
    assert "9 changed" in run_command("--out", str(tmp_path / "run2"), "--la", LA)


def test_command_posts_and_the_next_run_skips_the_unchanged(
    csc_world: World, on_today: None, tmp_path: Path, dfe: FakeDfE
):
    output = run_command("--out", str(tmp_path / "run1"), "--la", LA, "--post")
    assert f"Posted 9 records in 3 batches to {dfe.base}/csc/1/children_social_care_data/383/children" in output
    output = run_command("--out", str(tmp_path / "run2"), "--la", LA)
    assert "0 changed, 9 unchanged skipped, 0 purges; 0 files" in output
    assert list((tmp_path / "run2").iterdir()) == []
    output = run_command("--out", str(tmp_path / "run3"), "--la", LA, "--all")
    assert "9 changed, 0 unchanged skipped, 0 purges; 9 files" in output


def test_command_reports_children_it_cannot_send(csc_world: World, on_today: None, tmp_path: Path):
    w = csc_world
    person_update(actor=None, person=w.nadia, date_of_birth=None)
    output = run_command("--out", str(tmp_path), "--la", LA)
    assert f"child {w.nadia.pk}: No date of birth or expected date of birth is recorded" in output
    assert "1 children cannot be sent until their records are corrected" in output
    assert "8 changed" in output


def test_command_refuses_to_post_without_configuration(
    csc_world: World, on_today: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for name in ENV.values():
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommandError, match="not configured: set CASEWORK_CSC_API_ENDPOINT, CASEWORK_CSC_API_TOKEN_URL"):
        run_command("--out", str(tmp_path / "out"), "--la", LA, "--post")
    assert not (tmp_path / "out").exists()


def test_command_errors(csc_world: World, on_today: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(CommandError, match="--la must be the authority's 3-digit DfE code, like 383 for Leeds: 'E08000035' is not"):  # fmt: skip
        run_command("--out", str(tmp_path / "a"), "--la", "E08000035")
    assert not (tmp_path / "a").exists()
    (tmp_path / "a-file").write_text("")
    with pytest.raises(CommandError, match="is a file: --out for the CSC API is a folder"):
        run_command("--out", str(tmp_path / "a-file"), "--la", LA)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "child-1.json").write_text("{}")
    with pytest.raises(CommandError, match="already holds 1 JSON files from an earlier run: choose a new or empty"):
        run_command("--out", str(tmp_path / "used"), "--la", LA)
    with pytest.raises(CommandError):
        run_command("--la", LA)  # no --out
    monkeypatch.setattr(csc_api.os, "access", lambda *a, **k: False)  # tests run as root, who may write anywhere
    with pytest.raises(CommandError, match=r"Cannot write to the folder .*: permission denied"):
        run_command("--out", str(tmp_path / "b"), "--la", LA)


def test_write_refuses_a_used_folder(csc_world: World, tmp_path: Path):
    run = build()
    assert len(write_csc_api(run, tmp_path / "x")) == 9
    with pytest.raises(ReturnError, match="already holds 9 JSON files"):
        write_csc_api(run, tmp_path / "x")
