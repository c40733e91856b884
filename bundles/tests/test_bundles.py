"""A bundle as a court would read it: its pages and page count, the index listing every exhibit with its first page,
continuous page numbers stamped on every page, the manifest's hashes matching the sources and the pages, PDF/A-2b by
core.printing.pdfa_problems, the certificate naming the officer; restricted documents only with a grant; sensitive
third-party information flagged; bad input refused with nothing written; kept, listed and audited."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pikepdf
import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, transaction

from audit.models import AuditAction, AuditEvent
from bundles import assembly, building, services
from bundles.models import Bundle, BundleStatus, Exhibit
from core.errors import RuleError
from core.printing import pdfa_problems
from documents import storage
from people.tests.factories import person

from . import helpers

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


def ask(actor, child, **changes):
    fields = {
        "purpose": "court",
        "title": "Care proceedings: evidence of the local authority",
        "period_from": date(2026, 1, 1),
        "period_to": date(2026, 11, 30),
        "entry_types": [],
        "form_response_ids": [],
        "document_ids": [],
        "officer_name": actor.display_name,
        "officer_role": "Social worker",
        "officer_organisation": "Northshire County Council",
        "second_factor": True,
        "queue": False,
    }
    fields.update(changes)
    return services.bundle_request(actor=actor, person=child, **fields)


def made(actor, child, **changes) -> tuple[Bundle, bytes]:
    bundle = building.bundle_build(ask(actor, child, **changes).pk)
    assert bundle.status == BundleStatus.DONE, bundle.error_message
    return bundle, storage.read_stored(bundle.storage_name)


@pytest.fixture
def full(alice, child):
    helpers.chronology(child, alice)
    response = helpers.form_response(child, alice)
    letter = helpers.document(child, alice, "Letter from the GP")
    neighbour = helpers.document(child, alice, "Neighbour's statement", sensitivity="third_party")
    bundle, pdf = made(
        alice, child, form_response_ids=[response.pk], document_ids=[letter.pk, neighbour.pk], entry_types=[]
    )
    return bundle, pdf, response, letter, neighbour


def test_the_bundle_is_one_pdfa_file_with_every_page_numbered_continuously(full) -> None:
    bundle, pdf, *_ = full
    assert pdfa_problems(pdf) == []
    pages = helpers.page_texts(pdf)
    assert len(pages) == bundle.pages == helpers.page_count(pdf)
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {bundle.pages}" in text
    assert hashlib.sha256(pdf).hexdigest() == bundle.sha256
    # Every page is A4, portrait or landscape.
    with pikepdf.open(io.BytesIO(pdf)) as p:
        for page in p.pages:
            size = sorted(round(float(v)) for v in page.mediabox[2:])
            assert size == [595, 842]


def test_the_index_lists_every_exhibit_with_its_first_page_and_each_page_its_exhibit(full) -> None:
    bundle, pdf, _response, _letter, _neighbour = full
    exhibits = list(bundle.exhibits.order_by("position"))
    assert [e.number for e in exhibits] == ["A1", "B1", "C1", "C2"]
    assert exhibits[0].first_page == bundle.front_pages + 1
    pages = helpers.page_texts(pdf)
    front = " ".join(pages[: bundle.front_pages])
    for e in exhibits:
        assert f"{e.number} {e.title}" in front
        for n in range(e.first_page, e.last_page + 1):
            assert f"Exhibit {e.number}" in pages[n - 1]
    assert exhibits[1].last_page + 1 == exhibits[2].first_page and exhibits[-1].last_page == bundle.pages
    assert "Letter from the GP" in " ".join(pages[exhibits[2].first_page - 1 : exhibits[2].last_page])
    # The chronology exhibit holds the period's entries, oldest first, and not those before it.
    chronology = " ".join(pages[exhibits[0].first_page - 1 : exhibits[0].last_page])
    assert chronology.index("Phone call with mum") < chronology.index("Core group meeting")
    assert "Before the period" not in chronology


def test_the_manifest_hashes_match_the_sources_and_the_pages_in_the_bundle(full) -> None:
    bundle, pdf, response, letter, _neighbour = full
    pages = helpers.page_texts(pdf)
    front = "".join(pages[: bundle.front_pages]).replace(" ", "")
    with pikepdf.open(io.BytesIO(pdf)) as p:
        for e in bundle.exhibits.all():
            assert e.pages_sha256 == assembly.pages_digest(p.pages[e.first_page - 1 : e.last_page])
            assert e.source_sha256 in front and e.pages_sha256 in front
    c1 = bundle.exhibits.get(number="C1")
    version = letter.versions.get()
    copy = version.renditions.get(kind="archival")
    assert c1.source_sha256 == copy.sha256 == hashlib.sha256(storage.read_stored(copy.storage_name)).hexdigest()
    assert c1.record_sha256 == version.sha256
    assert bundle.exhibits.get(number="B1").record_sha256 == response.sha256


def test_the_certificate_names_the_officer_and_the_act(full, alice) -> None:
    bundle, pdf, *_ = full
    front = " ".join(helpers.page_texts(pdf)[: bundle.front_pages])
    assert "Civil Evidence Act 1995, section 9" in front
    assert f"I, {alice.display_name}, Social worker, am an officer of Northshire County Council" in front
    assert "Statement of truth: I believe that the facts stated in this certificate are true" in front
    assert "a password and a second factor" in front
    assert f"Signed {alice.display_name} (signed electronically)" in front


def test_sensitive_third_party_information_is_flagged_in_the_index(full) -> None:
    bundle, pdf, *_ = full
    assert bundle.flagged == 1 and bundle.exhibits.get(number="C2").third_party
    front = " ".join(helpers.page_texts(pdf)[: bundle.front_pages])
    assert (
        "Neighbour's statement (letter, version 1) (sensitive third-party information: review before disclosure)"
        in front
    )


def test_the_bundle_is_kept_and_audited(full, alice) -> None:
    bundle, pdf, *_ = full
    made_event = AuditEvent.objects.get(object_type="bundle_file", object_id=str(bundle.pk))
    assert made_event.changes["sha256"] == bundle.sha256 and made_event.person_id == bundle.person_id
    assert AuditEvent.objects.filter(object_type="bundle", action=AuditAction.CREATE, object_id=str(bundle.pk)).exists()
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        Bundle.objects.filter(pk=bundle.pk).update(sha256="0" * 64)
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)), transaction.atomic():
        Exhibit.objects.filter(bundle=bundle).delete()
    # A second bundle is a new bundle, never the first one overwritten.
    again, _ = made(alice, bundle.person)
    assert again.pk != bundle.pk and storage.read_stored(bundle.storage_name) == pdf


def test_a_restricted_document_needs_a_grant(alice, manager, child) -> None:
    secret = helpers.document(child, alice, "Placement order", sensitivity="restricted")
    with pytest.raises(RuleError) as refused:
        ask(manager, child, document_ids=[secret.pk])
    assert "that you may see" in refused.value.errors["document_ids"]
    assert not Bundle.objects.exists()
    from bundles import selectors

    assert [c.may_see for c in selectors.document_choices(manager, child)] == [False]
    bundle, _ = made(alice, child, document_ids=[secret.pk])  # the uploader holds a grant
    assert selectors.may_download(alice, child, bundle) and not selectors.may_download(manager, child, bundle)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"period_from": date(2026, 6, 1), "period_to": date(2026, 5, 1)}, "period_to", "same as or after its start"),
        ({"title": "  "}, "title", "Enter a title for the bundle"),
        ({"purpose": "party"}, "purpose", "Select what the bundle is for"),
        ({"entry_types": ["gossip"]}, "entry_types", "There is no chronology entry type gossip"),
        ({"form_response_ids": [999999]}, "form_response_ids", "Choose only submitted forms"),
        ({"document_ids": [999999]}, "document_ids", "Choose only documents on this record"),
        ({"officer_role": ""}, "officer_role", "Enter your role"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(alice, child, changes, field, message) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(RuleError) as refused:
        ask(alice, child, **changes)
    assert message in refused.value.errors[field]
    assert not Bundle.objects.exists() and AuditEvent.objects.count() == events


def test_a_document_without_an_archival_copy_cannot_go_in(alice, child) -> None:
    from documents.services import Upload, documents_add

    [waiting] = documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("a.txt", b"Waiting\n")],
        document_type="letter",
        document_date=date(2026, 5, 1),
        title="Not yet copied",
    )
    with pytest.raises(RuleError) as refused:
        ask(alice, child, document_ids=[waiting.pk])
    assert "has no archival copy yet" in refused.value.errors["document_ids"]


def test_a_role_that_may_not_make_bundles_is_refused(support, child) -> None:
    with pytest.raises(RuleError):
        ask(support, child)
    assert not Bundle.objects.exists()


def test_an_altered_archival_copy_fails_the_bundle_with_the_reason(alice, child) -> None:
    letter = helpers.document(child, alice, "Letter")
    copy = letter.versions.get().renditions.get(kind="archival")
    path = storage.documents_storage().path(copy.storage_name)
    with open(path, "ab") as f:
        f.write(b"altered")
    bundle = building.bundle_build(ask(alice, child, document_ids=[letter.pk]).pk)
    assert bundle.status == BundleStatus.FAILED and "its SHA-256 differs" in bundle.error_message
    assert not bundle.storage_name and not bundle.exhibits.exists()
