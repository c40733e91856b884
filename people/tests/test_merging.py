"""Merging two records of one person and undoing it: the rules, the unique constraints, the sweep, "not the same
person", access to the pairs, and the commands."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Role
from conftest import make_user
from core.errors import ConfirmationNeeded, RuleError
from people import duplicates, merging
from people.models import DuplicateCandidate, Person, PersonIdentifier, PersonMerge
from people.search import search_people
from people.services import identifier_add
from people.tests.factories import person
from people.tests.merge_support import database_rows, differences
from people.validators import upn_check_letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

# Every foreign key to Person, as last reviewed: MOVE (a merge moves its rows to the survivor) or STAY (with the
# merged record, for the reason people.merging.stay_reason gives). A new foreign key to Person fails this test: look
# at what a merge must do with its rows (move them, the default; a unique constraint to handle in
# people.merging; a hook's refusal; register_stay or register_derived), then add it here.
REVIEWED = {
    "audit.AuditEvent.person": "STAY",
    "cases.AdoptionRecord.person": "MOVE",
    "cases.Allocation.person": "MOVE",
    "cases.CINEpisode.person": "MOVE",
    "cases.CareLeaverContact.person": "MOVE",
    "cases.ChildInNeedPlan.person": "MOVE",
    "cases.ChildInNeedPlanReview.person": "MOVE",
    "cases.ChildProtectionPlan.person": "MOVE",
    "cases.Contact.person": "MOVE",
    "cases.HealthAssessment.person": "MOVE",
    "cases.HealthRecord.person": "MOVE",
    "cases.LookedAfterEpisode.person": "MOVE",
    "cases.LookedAfterReview.person": "MOVE",
    "cases.MissingEpisode.person": "MOVE",
    "cases.PreviousPermanence.person": "MOVE",
    "cases.ReviewingOfficerAssignment.person": "MOVE",
    "cases.Task.person": "MOVE",
    "cases.UnaccompaniedAsylumSeekingChild.person": "MOVE",
    "documents.Document.person": "MOVE",
    "documents.Document_concerns.person": "MOVE",
    "forms.FormResponse.person": "MOVE",
    "people.BreakGlass.person": "MOVE",
    "people.DeclaredConflict.person": "MOVE",
    "people.DuplicateCandidate.person": "MOVE",
    "people.DuplicateCandidate.possible_match": "MOVE",
    "people.Involvement.person": "MOVE",
    "people.PersonAddress.person": "MOVE",
    "people.PersonEvent.pgh_obj": "STAY",
    "people.PersonIdentifier.person": "MOVE",
    "people.PersonMerge.merged": "STAY",
    "people.PersonMerge.survivor": "STAY",
    "people.PersonName.person": "MOVE",
    "people.Relationship.other": "MOVE",
    "people.Relationship.person": "MOVE",
    "people.RestrictedAccessGrant.person": "MOVE",
    "people.Warning.person": "MOVE",
    "recording.CaseNote.person": "MOVE",
    "recording.ChronologyEntry.person": "MOVE",
    "recording.Visit.person": "MOVE",
    "bundles.Bundle.person": "MOVE",
    "retention.DisposalCertificate.person": "STAY",
    "retention.DisposalReview.person": "MOVE",
    "retention.LegalHold.person": "MOVE",
    "retention.PersonRetention.person": "STAY",
    "returns.CscApiChildState.person": "MOVE",
    "returns.DataQualityIssue.person": "MOVE",
    "sync.Conflict.person": "MOVE",
}


def test_every_foreign_key_to_person_has_been_reviewed():
    found = {}
    for link in merging.person_links():
        history = any(f.name == "pgh_obj" for f in link.model._meta.concrete_fields)
        if history and link.field.name != "pgh_obj":
            assert merging.stay_reason(link), link.label  # row history stays
            continue
        found[link.label] = "STAY" if merging.stay_reason(link) else "MOVE"
    assert found == REVIEWED


@pytest.fixture
def admin(team_a):
    return make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)


def test_different_nhs_numbers_refuse_the_merge(admin):
    a = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    b = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="4010232137")
    with pytest.raises(RuleError, match="different NHS numbers"):
        merging.person_merge(actor=admin, keep=a, merge=b, confirmed=True)
    assert not PersonMerge.objects.exists()


def test_different_dates_of_birth_need_a_manager(admin):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hughes", date(2015, 7, 3))
    with pytest.raises(ConfirmationNeeded, match="a manager must confirm"):
        merging.person_merge(actor=admin, keep=a, merge=b)
    outcome = merging.person_merge(actor=admin, keep=a, merge=b, confirmed=True)
    assert outcome.merge.confirmed


def test_a_tombstone_cannot_be_merged_again_and_search_finds_the_survivor(admin):
    a = person("Bartholomew", "Quenby", date(2015, 3, 27))
    b = person("Bartolomew", "Quenby", date(2015, 3, 27))
    c = person("Amelia", "Hughes", date(2015, 3, 27))
    merging.person_merge(actor=admin, keep=a, merge=b)
    found = [m.id for m in search_people(user=None, name="Bartolomew Quenby", date_of_birth=date(2015, 3, 27))]
    assert a.pk in found and b.pk not in found
    with pytest.raises(RuleError, match=f"already merged into record {a.pk}"):
        merging.person_merge(actor=admin, keep=c, merge=b)


def test_two_upns_keep_the_chosen_one_and_end_the_other_until_undone(admin):
    first, second = (upn_check_letter(t) + t for t in ("383200115001", "383200115002"))
    a = person("Amelia", "Hughes", date(2015, 3, 27), upn=first)
    b = person("Amelia", "Hughes", date(2015, 3, 27))
    identifier_add(actor=None, person=b, type="upn", value=second)
    before = database_rows()
    outcome = merging.person_merge(actor=admin, keep=a, merge=b, choices={"upn": "merged"})
    current = PersonIdentifier.objects.filter(person=a, type="upn", ended_on__isnull=True).get()
    assert current.value == second
    merging.person_unmerge(actor=admin, merge=outcome.merge)
    assert differences(before, database_rows()) == []


def test_a_restricted_record_stays_restricted(admin):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hughes", date(2015, 3, 27), is_restricted=True)
    merging.person_merge(actor=admin, keep=a, merge=b)
    assert Person.objects.get(pk=a.pk).is_restricted


def test_sweep_finds_a_missed_pair_and_not_the_same_person_holds(admin):
    a = person("Katherine", "Oduya", date(2012, 4, 9), nhs_number="9434765919")
    b = person("Kathryn", "Oduyah", date(2012, 4, 9))
    person("Tom", "Oduya", date(2012, 4, 9))  # a twin: same surname and birthday, another name
    result = duplicates.duplicates_sweep(actor=admin)
    pairs = {(c.person_id, c.possible_match_id) for c in DuplicateCandidate.objects.all()}
    assert pairs == {(a.pk, b.pk)}, result
    cand = DuplicateCandidate.objects.get()
    assert cand.source == "sweep" and "same date of birth" in cand.reasons
    duplicates.duplicate_not_same(actor=admin, candidate=cand)
    assert duplicates.pairs_for_review(admin) == []
    assert duplicates.duplicates_sweep(actor=admin).proposed == 0
    with pytest.raises(RuleError, match="already been reviewed"):
        duplicates.duplicate_not_same(actor=admin, candidate=cand)


def test_a_restricted_record_is_never_in_a_pair_for_someone_without_a_grant(support, admin):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hughes", date(2015, 3, 27), is_restricted=True)
    c = person("Oliver", "Marsh", date(2016, 1, 1))
    d = person("Olly", "Marsh", date(2016, 1, 1))
    DuplicateCandidate.objects.create(person=a, possible_match=b, score=0.99, source="import")
    DuplicateCandidate.objects.create(person=c, possible_match=d, score=0.9, source="import")
    assert [(p.person_id, p.possible_match_id) for p in duplicates.pairs_for_review(support)] == [(c.pk, d.pk)]
    restricted = DuplicateCandidate.objects.get(possible_match=b)
    assert duplicates.pair_for(support, restricted.pk) is None


def test_commands_list_merge_and_unmerge(admin, capsys):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hewes", date(2015, 3, 27))
    DuplicateCandidate.objects.create(person=a, possible_match=b, score=0.93, source="import")
    call_command("people", "duplicates", "--json")
    pairs = json.loads(capsys.readouterr().out)
    assert [(p["first"], p["second"]) for p in pairs] == [(a.pk, b.pk)]
    with pytest.raises(CommandError, match="do not differ"):
        call_command("people", "merge", "--keep", a.pk, "--merge", b.pk, "--user", admin.email, "--take", "sex")
    call_command("people", "merge", "--keep", a.pk, "--merge", b.pk, "--user", admin.email, "--take", "name", "--json")
    merge_id = json.loads(capsys.readouterr().out)["merge"]
    assert Person.objects.get(pk=a.pk).family_name == "Hewes"
    call_command("people", "duplicates")
    assert "No possible duplicates" in capsys.readouterr().out
    call_command("people", "unmerge", str(merge_id), "--user", admin.email)
    assert "undone" in capsys.readouterr().out
    assert Person.objects.get(pk=a.pk).family_name == "Hughes"
    with pytest.raises(CommandError, match="already undone"):
        call_command("people", "unmerge", str(merge_id), "--user", admin.email)


def test_a_social_worker_may_not_merge_from_the_command_line(alice):
    a = person("Amelia", "Hughes", date(2015, 3, 27))
    b = person("Amelia", "Hewes", date(2015, 3, 27))
    with pytest.raises(CommandError, match="may not merge records"):
        call_command("people", "merge", "--keep", a.pk, "--merge", b.pk, "--user", alice.email)


def test_the_nightly_sweep_is_queued_once_and_queues_the_next(admin):
    from django_tasks_db.models import DBTaskResult

    from people import tasks

    a = person("Katherine", "Oduya", date(2012, 4, 9))
    b = person("Kathryn", "Oduyah", date(2012, 4, 9))
    assert tasks.sweep_schedule() is True
    assert tasks.sweep_schedule() is False  # a second worker starting queues no second sweep
    waiting = DBTaskResult.objects.filter(task_path=tasks.duplicates_sweep_nightly.module_path)
    queued = waiting.get()
    assert timezone.localtime(queued.run_after).hour == tasks.SWEEP_HOUR
    queued.delete()  # as the worker takes it
    assert tasks.duplicates_sweep_nightly.call() == 1
    assert DuplicateCandidate.objects.get().possible_match_id in (a.pk, b.pk)
    assert waiting.count() == 1
