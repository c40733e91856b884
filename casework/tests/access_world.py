"""The world the access matrix runs in: one ordinary child held by Team A and allocated to Alice, and one restricted
child, held by Team A and allocated to Alice too, related to the first, with a contact, a case note recorded for both,
a review coming due, an overdue task and a data quality issue, whose record only Gina (by an explicit grant) may
open. Made once per test module (test_access_matrix's `world` fixture)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, Role, Team, User
from accounts.services import membership_add
from accounts.tokens import token_issue
from cases import services as cs
from cases.models import Contact, Task, TaskKind
from conftest import client_for, make_user
from documents.models import ImportReview
from documents.renditions import make as make_renditions
from documents.services import Upload, documents_add
from forms.definition import Form
from forms.services import definition_load, definitions_load, draft_save, response_return, response_submit
from people import access_services
from people.merging import person_merge
from people.models import (
    BreakGlassReason,
    DeclaredConflict,
    DuplicateCandidate,
    Person,
    PersonAddress,
    PersonIdentifier,
    RestrictedAccessGrant,
)
from people.services import AddressInput, person_create, relationship_create
from people.tests.factories import grant
from recording import services as rec
from recording.models import ChronologyEntry
from retention.models import DisposalReview, LegalHold, ReviewOutcome, ReviewStatus
from returns.models import DataQualityIssue, ReturnFile, ReturnKind, ReturnRun, RunStatus, ValidationOutcome
from returns.views import default_year

RESTRICTED_NAME = "Zephyrine Quillfeather"
REVIEWED_FORM = {
    "format": 1,
    "name": "matrix-review",
    "version": 1,
    "title": "Visit record",
    "subject": "child",
    "authorisation": True,
    "pages": [{"id": "visit", "title": "Visit", "questions": [{"id": "seen", "type": "yes_no", "label": "Seen"}]}],
}
RESTRICTED_ID = 48611


def nhs_number(stem: str) -> str:
    """A valid NHS number starting with the 9 digits of `stem` (modulus 11 check digit); stems that give 10 are
    skipped by the caller."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(stem))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10:
        raise ValueError(stem)
    return stem + str(check)


@dataclass
class Target:
    """A person in a URL, with the ids of their records that other URLs name."""

    person: Person
    identifier_id: int
    address_id: int
    entry_id: int
    note_id: int
    contact_id: int
    response_id: int  # a submitted form about the person, waiting for the manager
    draft_id: int = 0  # a form in progress (forms.FormResponse draft) about the person
    document_id: int = 0  # a document on the person's record, with its renditions (documents)
    redaction_id: int = 0  # an applied redaction of that document, with its redacted copy (documents)
    bundle_id: int = 0  # a court bundle made from the person's record (bundles)

    def kwargs(self) -> dict[str, int]:
        return {
            "pk": self.person.pk,
            "person_id": self.person.pk,
            "identifier_id": self.identifier_id,
            "address_id": self.address_id,
            "entry_id": self.entry_id,
            "note_id": self.note_id,
            "contact_id": self.contact_id,
            "response_id": self.response_id,
            "draft_id": self.draft_id,
            "document_id": self.document_id,
            "redaction_id": self.redaction_id,
            "bundle_id": self.bundle_id,
        }


@dataclass
class World:
    users: dict[str, User]
    clients: dict[str, Client]
    child: Target
    restricted: Target
    team_a: Team
    fixed: dict[str, Any] = field(default_factory=dict)  # the other ids URLs name


def _target(manager: User, worker: User, team: Team, given: str, family: str, born: date, nhs: str, **kw: Any) -> Any:
    today = timezone.localdate()
    now = timezone.now()
    p = person_create(
        actor=None,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        nhs_number=nhs,
        address=AddressInput(line1="1 High Street", town="Anytown", postcode="AN1 1AA"),
        **kw,
    )
    cs.referral_create(
        actor=manager, person=p, referral_date=today - timedelta(days=20), source="2A", primary_need="N1", team=team
    )
    cs.allocate(actor=manager, person=p, worker=worker, started_on=today - timedelta(days=19), reason="New")
    note = rec.case_note_create(
        actor=worker, person=p, occurred_at=now - timedelta(days=1), subject="Home visit", body=f"Saw {given}."
    )
    contact = cs.contact_record(
        actor=worker, person=p, received_at=now - timedelta(hours=2), source="2A", concern=f"Worried about {given}"
    )
    for n, (kind, due) in enumerate(
        [(TaskKind.LAC_REVIEW, today + timedelta(days=7)), (TaskKind.CP_REVIEW, today - timedelta(days=3))]
    ):
        Task.objects.create(person=p, team=team, kind=kind, due_on=due, source_type="matrix", source_id=p.pk * 10 + n)
    entry = ChronologyEntry.objects.get(source_type="case_note", source_id=note.pk)
    return p, note, entry, contact


def redaction_for_matrix(version: Any) -> Any:
    """An applied redaction of `version` (one area), with its redacted copy made: the redaction pages' subject."""
    from documents import redaction_services as rs

    draft = rs.redaction_create(actor=None, version=version)
    rs.redaction_area_add(
        actor=None, redaction_row=draft, page=1, x=0.1, y=0.1, width=0.3, height=0.05, reason="third_party"
    )
    rs.redaction_apply(actor=None, redaction_row=draft)
    rs.make_redacted_copy(draft.pk)
    return draft


def build_world() -> World:
    team_a = Team.objects.create(name="Team A")
    team_b = Team.objects.create(name="Team B")
    admins = Team.objects.create(name="Administration")
    performance = Team.objects.create(name="Performance")
    users = {
        "alice": make_user("alice@example.test", team_a, Role.SOCIAL_WORKER),
        "bob": make_user("bob@example.test", team_b, Role.SOCIAL_WORKER),
        "charlie": make_user("charlie@example.test", None, None),
        "manager": make_user("mo.manager@example.test", team_a, Role.TEAM_MANAGER),
        "admin": make_user("ada.admin@example.test", admins, Role.ADMINISTRATOR),
        "pat": make_user("pat.performance@example.test", performance, Role.PERFORMANCE),
        "gina": make_user("gina.granted@example.test", team_b, Role.SOCIAL_WORKER),
    }
    dee = make_user("dee.other@example.test", team_b, Role.SOCIAL_WORKER)
    alice, manager = users["alice"], users["manager"]

    targets = {}
    for key, given, family, born, stem, kw in [
        ("child", "Amelia", "Hughes", date(2015, 3, 27), "943476591", {}),
        ("restricted", "Zephyrine", "Quillfeather", date(2016, 5, 2), "943476592", {"is_restricted": True}),
    ]:
        if key == "restricted":  # a record number that cannot be mistaken for another id on a page
            with connection.cursor() as cur:
                cur.execute("SELECT setval(pg_get_serial_sequence('people_person', 'id'), %s)", [RESTRICTED_ID - 1])
        p, note, entry, contact = _target(manager, alice, team_a, given, family, born, nhs_number(stem), **kw)
        targets[key] = (p, note, entry, contact)
    child, restricted = targets["child"][0], targets["restricted"][0]
    relationship_create(actor=None, person=restricted, other=child, type="sibling")
    # One note recorded for both: the child's entry says "also recorded for" the restricted child, to those who may.
    both = rec.case_note_create(
        actor=alice,
        person=child,
        occurred_at=timezone.now() - timedelta(hours=3),
        subject="Seen together",
        body="Both children seen at school.",
        also_for=[restricted],
    )
    grant(restricted, users["gina"])
    # A form Alice submitted for each child, waiting for her manager; and one the manager returned to her.
    definition = definition_load(actor=None, form=Form(REVIEWED_FORM)).definition
    responses = {
        key: response_submit(
            actor=alice, definition=definition, person=targets[key][0], answers={"seen": True}
        ).response
        for key in targets
    }
    back = response_submit(actor=alice, definition=definition, person=child, answers={"seen": False}).response
    response_return(actor=manager, response=back, reason="Say why the child was not seen")

    # A form in progress about each child (the example form, with one action to remove), for the forms' pages.
    (example,) = definitions_load(actor=None, paths=[Path("forms/tests/fixtures/example-visit-note.v1.json")])
    drafts = {
        key: draft_save(
            actor=alice, definition=example.definition, person=targets[key][0], answers={"actions": [{"what": "x"}]}
        )
        for key in targets
    }

    # A document on each record (alice added the child's; the system the restricted child's), with its archival
    # copy and page images, for the documents' pages.
    documents = {}
    redactions: dict[str, Any] = {}
    for key, uploader in (("child", alice), ("restricted", None)):
        (documents[key],) = documents_add(
            actor=uploader,
            person=targets[key][0],
            uploads=[Upload(f"{key}.txt", f"A letter about the {key}.\n".encode())],
            document_type="letter",
            document_date=date(2026, 11, 2),
        )
        make_renditions(documents[key].versions.get().pk)
        redactions[key] = redaction_for_matrix(documents[key].versions.get())

    # A court bundle made from each record (by the system: the chronology only), for the bundles' pages.
    from bundles.building import bundle_build
    from bundles.services import bundle_request

    bundles = {
        key: bundle_build(
            bundle_request(
                actor=None,
                person=targets[key][0],
                purpose="court",
                title="Matrix bundle",
                period_from=date(2026, 1, 1),
                period_to=timezone.localdate(),
                entry_types=[],
                form_response_ids=[],
                document_ids=[],
                officer_name="The operator",
                officer_role="Operator",
                officer_organisation="Matrix Council",
                second_factor=False,
                queue=False,
            ).pk
        )
        for key in targets
    }

    def target(key: str, note: Any = None) -> Target:
        p, own_note, entry, _ = targets[key]
        if note is not None:
            own_note = note
            entry = ChronologyEntry.objects.get(source_type="case_note", source_id=note.pk)
        return Target(
            person=p,
            identifier_id=PersonIdentifier.objects.get(person=p, type="nhs").pk,
            address_id=PersonAddress.objects.get(person=p).pk,
            entry_id=entry.pk,
            note_id=own_note.pk,
            contact_id=Contact.objects.get(person=p).pk,
            response_id=responses[key].pk,
            draft_id=drafts[key].pk,
            document_id=documents[key].pk,
            redaction_id=redactions[key].pk,
            bundle_id=bundles[key].pk,
        )

    # Dee broke the glass into the child's record (her team's managers are told), then declared that she knows the
    # family, which closed it to her: a break-glass to review, a notification and a conflict for the pages that list
    # them.
    glass = access_services.break_glass_open(
        actor=dee, person=child, reason=BreakGlassReason.DUTY, details="Out of hours call"
    )
    access_services.conflict_declare(actor=dee, person=child, connection="Neighbour")
    token, _ = token_issue(actor=None, user=dee, name="Matrix", scopes=["read"], days=30)
    membership = membership_add(actor=None, user=dee, team=admins, role=Role.BUSINESS_SUPPORT)
    # A possible duplicate of the child (the duplicates' pages), and two other records merged (the merge's pages).
    twin = person_create(actor=None, given_name="Amelia", family_name="Hewes", date_of_birth=date(2015, 3, 27))
    pair = DuplicateCandidate.objects.create(person=child, possible_match=twin, score=0.9, source="sweep")
    kept = person_create(actor=None, given_name="Merle", family_name="Oakes", date_of_birth=date(1980, 1, 2))
    gone = person_create(actor=None, given_name="Merle", family_name="Oaks", date_of_birth=date(1980, 1, 2))
    merge = person_merge(actor=None, keep=kept, merge=gone).merge
    # A scanning bureau's row whose identifiers point to the child and to no one (the review list's pages).
    review = ImportReview.objects.create(
        manifest="manifest.csv",
        row=2,
        file="box1/0001.txt",
        sha256="0" * 64,
        reason="no one has this legacy_id",
        row_data={"file": "box1/0001.txt", "person_id": str(child.pk), "legacy_id": "SW-NO-ONE", "title": "Letter"},
    )

    run = ReturnRun.objects.create(
        kind=ReturnKind.CIN_CENSUS,
        year=default_year(),
        status=RunStatus.DONE,
        validation=ValidationOutcome.CHECKED,
        finished_at=timezone.now(),
    )
    file = ReturnFile.objects.create(run=run, name="cin.xml", size=1, sha256="0" * 64)
    for p in (child, restricted):
        DataQualityIssue.objects.create(
            run=run, rule="8500", message="Child's UPN is missing", severity="error", child_id=str(p.pk), person=p
        )

    # Retention (retention app): a legal hold on the child, and a disposal of it waiting for a second approval.
    hold = LegalHold.objects.create(person=child, kind="litigation", reason="Claim", placed_at=timezone.now())
    disposal_review = DisposalReview.objects.create(
        person=child,
        retention_class="other",
        review_on=timezone.localdate(),
        outcome=ReviewOutcome.DISPOSE,
        status=ReviewStatus.AWAITING_SECOND,
        decided_at=timezone.now(),
        decided_by=dee,
        needs_second=True,
        why_second="Test",
    )

    return World(
        users=users,
        # Signed in once for the module (their sessions live in the module's transaction, not a test's savepoint).
        clients={"anonymous": Client(), **{who: client_for(user) for who, user in users.items()}},
        child=target("child", note=both),
        restricted=target("restricted"),
        team_a=team_a,
        fixed={
            "user_id": alice.pk,
            "dee_id": dee.pk,
            "team_id": team_a.pk,
            "glass_id": glass.pk,
            "grant_id": RestrictedAccessGrant.objects.get(person=restricted).pk,
            "conflict_id": DeclaredConflict.objects.get(user=dee).pk,
            "token_id": token.pk,
            "membership_id": membership.pk,
            "pair_id": pair.pk,
            "keep_id": child.pk,
            "gone_id": twin.pk,
            "merge_id": merge.pk,
            "review_id": review.pk,
            "run_id": run.pk,
            "file_id": file.pk,
            "hold_id": hold.pk,
            "disposal_review_id": disposal_review.pk,
            "retention_class": "other",
            "slug": "children",
            "step": "assessment-start",
            "name": "example-visit-note",
            "version": example.definition.version,
            "page_id": "actions",
            "group_id": "actions",
            "index": 0,
            "number": 1,
            "page": 1,
            "notification_pk": Notification.objects.filter(user=manager).values_list("pk", flat=True).first(),
        },
    )
