"""The generated demo authority: what a user (or the search benchmark) would notice if it were wrong."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone
from rapidfuzz.distance import Levenshtein

from demo.generator import SeedResult, generate
from demo.planner import Planner, plan_digest, plan_people
from people.matching import is_nickname_pair, name_keys, normalise
from people.models import (
    RECIPROCAL,
    IdentifierType,
    Person,
    PersonAddress,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipType,
    Warning,
)
from people.services import PERSON_FIELDS, person_create, relationship_create, validate_person_fields
from people.validators import nhs_number_error, upn_error
from recording.models import CaseNote, ChronologyEntry, Visit
from recording.services import summarise

SMALL = {"people": 400, "seed": 7, "known_child_rate": 0.3, "queries": 40}


@pytest.fixture
def authority(db: Any, tmp_path: Path) -> SeedResult:
    return generate(
        **SMALL, truth_path=tmp_path / "truth.jsonl", queries_path=tmp_path / "queries.jsonl", label="test-seed7"
    )


def test_same_seed_gives_the_same_people_and_another_seed_does_not() -> None:
    today = date(2026, 3, 2)
    first = plan_digest(people=300, seed=7, today=today)
    assert plan_digest(people=300, seed=7, today=today) == first
    assert plan_digest(people=300, seed=8, today=today) != first


def test_a_bigger_plan_keeps_every_rule() -> None:
    """Rare cases (a death, a step-parent moving in, an unborn baby) checked over a few thousand people, no database."""
    today = timezone.localdate()
    planner = Planner(seed=11, today=today, people=8000, known_child_rate=0.09, long_histories=1)
    people: dict[int, Any] = {}
    rels = []
    for chunk in plan_people(planner):
        people.update((p.key, p) for p in chunk.people)
        rels.extend(chunk.relationships)
    for p in people.values():
        data = {
            "given_name": p.given,
            "family_name": p.family,
            "middle_names": p.middle,
            "date_of_birth": p.dob,
            "expected_date_of_birth": p.edd,
            "date_of_death": p.dod,
            "sex": p.sex,
        }
        assert validate_person_fields(data) == {}, data
        assert p.edd is None or today < p.edd <= today + timedelta(days=183)
        assert len([a for a in p.addresses if a.lived_to is None]) == 1
        for a in p.addresses:
            assert a.lived_from is None or a.lived_from <= today
            assert a.lived_to is None or a.lived_from is None or a.lived_from <= a.lived_to
        assert all(n.used_to is None or n.used_to <= today for n in p.names)
        assert all(w.ended_on is not None or w.review_on > today for w in p.warnings)
    for r in rels:
        assert r.a != r.b and (r.started_on is None or r.started_on <= today)
        if r.type == RelationshipType.PARENT:
            parent, child = people[r.a], people[r.b]
            gap = ((child.dob or child.edd) - parent.dob).days / 365.25
            assert 18 <= gap <= 45
    assert any(p.restricted and any(n.kind == "birth" for n in p.names) for p in people.values())
    assert any(p.dod for p in people.values()) and any(p.edd for p in people.values())
    assert {p.variation for p in people.values() if p.duplicate_of is not None} >= {"typo", "swapped", "missing_dob"}


def test_the_load_matches_the_plan(authority: SeedResult) -> None:
    options = {k: v for k, v in SMALL.items() if k not in ("people", "seed")}
    planned = plan_digest(people=SMALL["people"], seed=SMALL["seed"], today=timezone.localdate(), **options)
    assert authority.digest == planned
    assert 350 <= Person.objects.count() <= 450
    assert authority.counts["people"] == Person.objects.count()


def test_nhs_numbers_and_upns_are_valid_and_unique(authority: SeedResult) -> None:
    nhs = list(PersonIdentifier.objects.filter(type=IdentifierType.NHS).values_list("value", flat=True))
    upns = list(PersonIdentifier.objects.filter(type=IdentifierType.UPN).values_list("value", flat=True))
    assert len(nhs) > 200 and len(upns) > 20
    assert all(nhs_number_error(v) is None and v.startswith("999") for v in nhs)
    assert all(upn_error(v) is None for v in upns)
    assert len(set(nhs)) == len(nhs) and len(set(upns)) == len(upns)
    # Only school-age children have a UPN.
    today = timezone.localdate()
    for p in Person.objects.filter(identifiers__type=IdentifierType.UPN):
        assert p.date_of_birth is not None and 4 <= (today - p.date_of_birth).days / 365.25 < 19


def test_every_person_passes_the_services_rules(authority: SeedResult) -> None:
    for p in Person.objects.all():
        data = {f: getattr(p, f) for f in PERSON_FIELDS}
        assert validate_person_fields(data) == {}, (p.pk, data)
        current = [a for a in p.addresses.all() if a.lived_to is None]
        assert len(current) == 1 and current[0].postcode == p.current_postcode
    assert not PersonAddress.objects.exclude(lived_to__isnull=True).filter(lived_to__lt=F("lived_from")).exists()


def test_every_person_has_one_current_name_with_its_search_keys(authority: SeedResult) -> None:
    names = {n.person_id: n for n in PersonName.objects.filter(kind=PersonName.Kind.CURRENT)}
    assert set(names) == set(Person.objects.values_list("pk", flat=True))
    for p in Person.objects.all():
        n = names[p.pk]
        k = name_keys(p.given_name, p.family_name)
        assert (n.given_name, n.family_name) == (p.given_name, p.family_name)
        assert (n.given_norm, n.family_norm, n.given_key, n.family_key, n.full_norm) == (
            k.given_norm,
            k.family_norm,
            k.given_key,
            k.family_key,
            k.full_norm,
        )
    for n in PersonName.objects.exclude(kind=PersonName.Kind.CURRENT):
        assert n.given_key == name_keys(n.given_name, n.family_name).given_key
    assert PersonName.objects.filter(kind=PersonName.Kind.PREVIOUS).exists()


def _service_orientation() -> tuple[bool, bool]:
    """How people.services.relationship_create stores "mum is parent of kid": (is the row of type `parent` on the
    kid's record?, which side carries parental responsibility: True if the `parent` row does)."""
    mum = person_create(actor=None, given_name="Orient", family_name="Mum", date_of_birth=date(1980, 1, 1))
    kid = person_create(actor=None, given_name="Orient", family_name="Kid", date_of_birth=date(2010, 1, 1))
    relationship_create(actor=None, person=mum, other=kid, type=RelationshipType.PARENT, parental_responsibility=True)
    row = Relationship.objects.get(type=RelationshipType.PARENT, person__in=[mum, kid])
    return row.person_id == kid.pk, row.parental_responsibility


def test_relationships_come_in_reciprocal_pairs_like_the_service_writes_them(authority: SeedResult) -> None:
    on_kids_record, pr_on_parent_row = _service_orientation()
    rows = list(Relationship.objects.all())
    assert len(rows) > 300 and len(rows) % 2 == 0
    index = {(r.person_id, r.other_id, r.type) for r in rows}
    for r in rows:
        assert (r.other_id, r.person_id, RECIPROCAL[RelationshipType(r.type)].value) in index, r
    types = {r.type for r in rows}
    assert {"parent", "child", "sibling", "partner", "grandparent", "grandchild"} <= types
    assert any(r.lives_with for r in rows) and any(not r.lives_with for r in rows)
    # Parental responsibility sits on the same side as the service puts it.
    pr_rows = [r for r in rows if r.parental_responsibility]
    assert pr_rows
    for r in pr_rows:
        assert r.type in ("parent", "step_parent", "grandparent") if pr_on_parent_row else r.type in ("child",)
    # Children are younger than their parents: 18 to 45 years between them (expected date for the unborn).
    people = {p.pk: p for p in Person.objects.all()}
    checked = 0
    for r in rows:
        if r.type != "parent":
            continue
        parent, child = (
            (people[r.other_id], people[r.person_id]) if on_kids_record else (people[r.person_id], people[r.other_id])
        )
        assert parent.date_of_birth is not None
        child_born = child.date_of_birth or child.expected_date_of_birth
        assert child_born is not None
        gap = (child_born - parent.date_of_birth).days / 365.25
        assert 18 <= gap <= 45, (parent.pk, child.pk, gap)
        checked += 1
    assert checked > 50


def test_duplicates_point_at_a_real_original_and_differ_only_by_their_variation(
    authority: SeedResult, tmp_path: Path
) -> None:
    truth = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert truth == authority.truth
    assert 4 <= len(truth) <= 30  # about 3%
    for t in truth:
        dup = Person.objects.get(pk=t["duplicate_id"])
        orig = Person.objects.get(pk=t["original_id"])
        q = t["query"]
        assert q == {
            "name": f"{dup.given_name} {dup.family_name}",
            "dob": dup.date_of_birth.isoformat() if dup.date_of_birth else None,
            "postcode": dup.current_postcode,
        }
        assert not dup.identifiers.exists() and not dup.relationships.exists()
        assert orig.identifiers.exists() or orig.date_of_birth is not None
        assert (dup.sex, dup.ethnicity, dup.middle_names) == (orig.sex, orig.ethnicity, orig.middle_names)
        v = t["variation"]
        same_names = (dup.given_name, dup.family_name) == (orig.given_name, orig.family_name)
        same_dob = dup.date_of_birth == orig.date_of_birth
        same_postcode = dup.current_postcode == orig.current_postcode
        if v == "typo":
            assert same_dob and same_postcode and not same_names
            assert (dup.given_name == orig.given_name) != (dup.family_name == orig.family_name)
            changed = (
                (dup.given_name, orig.given_name)
                if dup.family_name == orig.family_name
                else (dup.family_name, orig.family_name)
            )
            assert Levenshtein.distance(*changed) <= 2
        elif v == "swapped":
            assert (dup.given_name, dup.family_name) == (orig.family_name, orig.given_name)
            assert same_dob and same_postcode
        elif v == "nickname":
            assert dup.family_name == orig.family_name and same_dob and same_postcode
            assert is_nickname_pair(normalise(dup.given_name), normalise(orig.given_name))
        elif v == "missing_dob":
            assert dup.date_of_birth is None and same_names and same_postcode
        elif v == "dob_swapped":
            assert orig.date_of_birth is not None and dup.date_of_birth is not None
            assert (dup.date_of_birth.day, dup.date_of_birth.month) == (
                orig.date_of_birth.month,
                orig.date_of_birth.day,
            )
            assert dup.date_of_birth.year == orig.date_of_birth.year and same_names and same_postcode
        elif v == "old_address":
            assert same_names and same_dob and not same_postcode
            old = set(orig.addresses.filter(lived_to__isnull=False).values_list("postcode", flat=True))
            assert dup.current_postcode in old
        elif v == "previous_surname":
            assert dup.given_name == orig.given_name and same_dob and same_postcode
            former = orig.names.exclude(kind=PersonName.Kind.CURRENT).values_list("family_name", flat=True)
            assert dup.family_name in set(former) and dup.family_name != orig.family_name
        else:
            pytest.fail(f"unknown variation {v}")


def test_hard_queries_are_about_true_people(authority: SeedResult, tmp_path: Path) -> None:
    queries = [json.loads(line) for line in (tmp_path / "queries.jsonl").read_text().splitlines()]
    assert 20 <= len(queries) <= 70
    duplicated = {t["original_id"] for t in authority.truth} | {t["duplicate_id"] for t in authority.truth}
    kinds = set()
    for q in queries:
        p = Person.objects.get(pk=q["person_id"])
        assert p.pk not in duplicated and not p.is_restricted
        assert q["dob"] == p.date_of_birth.isoformat()
        kinds.add(q["kind"])
        if q["kind"] == "swapped":
            assert q["name"] == f"{p.family_name} {p.given_name}"
        elif q["kind"] == "nickname":
            assert q["name"].endswith(f" {p.family_name}")
            nick = q["name"][: -len(p.family_name) - 1]
            assert is_nickname_pair(normalise(nick), normalise(p.given_name))
        else:
            full = f"{p.given_name} {p.family_name}"
            assert q["name"] != full and Levenshtein.distance(q["name"], full) <= 4
    assert {"misspelt", "swapped"} <= kinds


def test_every_case_note_and_visit_has_its_chronology_entry(authority: SeedResult) -> None:
    notes = list(CaseNote.objects.select_related("person"))
    visits = list(Visit.objects.select_related("person"))
    assert len(notes) > 100 and len(visits) > 20
    entries = {(e.source_type, e.source_id): e for e in ChronologyEntry.objects.all()}
    assert len(entries) == len(notes) + len(visits) == ChronologyEntry.objects.count()
    now = timezone.now()
    for n in notes:
        e = entries[("case_note", n.pk)]
        assert (e.person_id, e.occurred_at, e.entry_type, e.title) == (
            n.person_id,
            n.occurred_at,
            n.note_type,
            n.subject,
        )
        assert e.summary == summarise(n.body) and not e.significant
        _assert_when_ok(n.person, n.occurred_at, now)
    for v in visits:
        e = entries[("visit", v.pk)]
        seen = "seen alone" if v.seen_alone else ("seen, not alone" if v.child_seen else "not seen")
        assert e.title == f"{v.get_visit_type_display()}: child {seen}"
        assert e.summary == summarise(v.notes) and e.significant == (not v.child_seen)
        assert v.child_seen or (not v.seen_alone and v.not_seen_reason)
        assert not v.child_seen or not v.not_seen_reason
        _assert_when_ok(v.person, v.occurred_at, now)
    assert any(v.child_seen for v in visits) and any(not v.child_seen for v in visits)


def _assert_when_ok(person: Person, when: Any, now: Any) -> None:
    assert when <= now
    local = timezone.localtime(when).date()
    if person.date_of_birth:
        assert local >= person.date_of_birth
        assert local <= person.date_of_birth + timedelta(days=int(18 * 365.25))
    else:
        assert person.expected_date_of_birth is not None
        assert local >= person.expected_date_of_birth - timedelta(days=270)


def test_warnings_and_restricted_records(authority: SeedResult) -> None:
    today = timezone.localdate()
    warnings = list(Warning.objects.all())
    assert warnings
    assert all(w.review_on > today for w in warnings if w.ended_on is None)
    assert all(w.end_reason for w in warnings if w.ended_on is not None)


def test_no_demo_relationship_is_one_the_plausibility_rules_refuse(authority: SeedResult) -> None:
    from people import rules

    people = {p.pk: p for p in Person.objects.all()}

    def someone(p: Person) -> rules.Someone:
        return rules.Someone(p.full_name, p.date_of_birth, p.expected_date_of_birth)

    refused = []
    for r in Relationship.objects.all():  # "other is `type` of person", as the record reads it
        found = rules.relationship_plausibility(
            first=someone(people[r.other_id]),
            type=r.type,
            second=someone(people[r.person_id]),
            today=timezone.localdate(),
        )
        if found.refusals:
            refused.append((r.pk, found.refusals))
    assert refused == []
