"""Redaction before disclosure: areas marked (found in the text, entered, drawn), checked, burned in; the redacted
copy has no redacted words in its text and black pixels under every area; the original and the archival copy are
untouched; every step audited; a redaction is superseded, never edited; disclosure_copy gives the redacted copy."""

from __future__ import annotations

import io
from datetime import date

import pytest

from audit.models import AuditAction, AuditEvent
from core.errors import RuleError
from core.printing import pdf_text, pdfa_problems
from documents import redaction, redaction_services, renditions, selectors, services, storage
from documents.models import Redaction, RedactionArea, RedactionStatus, Rendition, RenditionKind
from documents.services import Upload
from documents.tests import samples
from people.tests.factories import person

pytestmark = pytest.mark.usefixtures("team_a_holds")

NAME = "Jonathan Smithers"


LINES = (
    "Letter from Northshire School",
    "Amelia was upset on Monday.",
    f"{NAME} told the school",
    "about shouting next door.",
    "The family saw the nurse.",
    f"{NAME} asked not to be named.",
)


def letter_pdf() -> bytes:
    """A scanned letter naming a neighbour twice (its text is what Tesseract reads)."""
    import img2pdf

    return img2pdf.convert(samples.scanned_png(LINES))


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


@pytest.fixture
def version(alice, child):
    [doc] = services.documents_add(
        actor=alice,
        person=child,
        uploads=[Upload("school-letter.pdf", letter_pdf())],
        document_type="school",
        document_date=date(2026, 11, 30),
        sensitivity="third_party",
    )
    v = doc.versions.get()
    assert renditions.make(v.pk) == "done"
    v.refresh_from_db()
    return v


def hashes(version):
    archival = Rendition.objects.get(version=version, kind=RenditionKind.ARCHIVAL)
    return (
        storage.sha256_bytes(storage.read_stored(version.storage_name)),
        storage.sha256_bytes(storage.read_stored(archival.storage_name)),
        version.sha256,
        archival.sha256,
    )


def test_the_name_found_in_the_text_is_burned_in_and_the_original_is_untouched(alice, version) -> None:
    from PIL import Image

    before = hashes(version)
    assert NAME in version.text
    draft = redaction_services.redaction_create(actor=alice, version=version)
    found = redaction_services.redaction_text_find(
        actor=alice, redaction_row=draft, words="jonathan  smithers", reason="third_party"
    )
    assert len(found) == 4 and {a.page for a in found} == {1}  # each word of each of the two places
    entered = redaction_services.redaction_area_add(
        actor=alice,
        redaction_row=draft,
        page=1,
        x=0.1,
        y=0.5,
        width=0.3,
        height=0.05,
        reason="other",
        reason_other="The nurse's mobile number",
    )
    redaction_services.redaction_apply(actor=alice, redaction_row=draft)
    assert redaction_services.make_redacted_copy(draft.pk) == RedactionStatus.DONE
    draft.refresh_from_db()
    assert draft.status == RedactionStatus.DONE

    copy = Rendition.objects.get(redaction=draft, kind=RenditionKind.REDACTED)
    pdf = storage.read_stored(copy.storage_name)
    assert storage.sha256_bytes(pdf) == copy.sha256
    assert pdfa_problems(pdf) == []
    text = pdf_text(pdf)
    assert "Smithers" not in text and "Jonathan" not in text
    assert "Northshire School" in text  # the rest was read again by Tesseract
    # No text of the archival copy came across: no fonts, only the OCR layer (Tesseract's GlyphLessFont).
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as p:
        fonts = {str(f.get("/BaseFont")) for page in p.pages for f in (page.Resources.get("/Font") or {}).values()}
    assert all("GlyphLess" in f for f in fonts), fonts

    # Under every area the redacted copy's page is black.
    page = Rendition.objects.get(redaction=draft, kind=RenditionKind.REDACTED_PAGE, page=1)
    image = Image.open(io.BytesIO(storage.read_stored(page.storage_name))).convert("L")
    w, h = image.size
    for area in [*found, entered]:
        box = (
            int(area.x * w) + 1,
            int(area.y * h) + 1,
            int((area.x + area.width) * w) - 1,
            int((area.y + area.height) * h) - 1,
        )
        assert image.crop(box).getextrema()[1] < 40, f"not black under {box}"
    # ...and not elsewhere.
    assert image.crop((0, int(0.9 * h), w, h)).getextrema()[1] > 200

    assert hashes(version) == before
    assert selectors.disclosure_copy(version) == copy


def test_disclosure_copy_is_the_archival_copy_until_a_redaction_is_made_then_the_latest(alice, version) -> None:
    archival = Rendition.objects.get(version=version, kind=RenditionKind.ARCHIVAL)
    assert selectors.disclosure_copy(version) == archival
    first = redaction_services.redaction_create(actor=alice, version=version)
    redaction_services.redaction_text_find(actor=alice, redaction_row=first, words=NAME, reason="third_party")
    assert selectors.disclosure_copy(version) == archival  # a draft is not a copy
    redaction_services.redaction_apply(actor=alice, redaction_row=first)
    assert selectors.disclosure_copy(version) == archival  # nor is one being made
    redaction_services.make_redacted_copy(first.pk)
    one = selectors.disclosure_copy(version)
    assert one is not None and one.kind == RenditionKind.REDACTED and one.redaction_id == first.pk

    # Superseded by a new one (its areas copied, the first never edited): once made, it is the copy to disclose.
    second = redaction_services.redaction_create(actor=alice, version=version, supersedes=first)
    assert redaction_services.redaction_create(actor=alice, version=version, supersedes=first) == second
    assert second.areas.count() == first.areas.count() == 4
    redaction_services.redaction_text_find(actor=alice, redaction_row=second, words="the nurse", reason="third_party")
    assert selectors.disclosure_copy(version) == one
    redaction_services.redaction_apply(actor=alice, redaction_row=second)
    redaction_services.make_redacted_copy(second.pk)
    latest = selectors.disclosure_copy(version)
    assert latest is not None and latest.redaction_id == second.pk
    assert "nurse" not in pdf_text(storage.read_stored(latest.storage_name)).lower()

    # An applied redaction never changes.
    with pytest.raises(RuleError) as refused:
        redaction_services.redaction_area_add(
            actor=alice, redaction_row=first, page=1, x=0, y=0, width=0.1, height=0.1, reason="third_party"
        )
    assert "cannot change" in str(refused.value.errors)
    assert first.areas.count() == 4


@pytest.mark.parametrize(
    ("area", "field", "message"),
    [
        ({"page": 2}, "page", "Page must be between 1 and 1: this document has 1 page"),
        ({"page": None}, "page", "Enter the page number"),
        ({"x": 0.9, "width": 0.2}, "width", "off the right edge"),
        ({"y": 0.95, "height": 0.1}, "height", "off the bottom"),
        ({"width": 0}, "width", "must be more than"),
        ({"x": -0.1}, "x", "from 0 to 99.9%"),
        ({"reason": ""}, "reason", "Select why"),
        ({"reason": "other"}, "reason_other", "Enter why"),
    ],
)
def test_a_bad_area_is_refused_in_words_and_writes_nothing(alice, version, area, field, message) -> None:
    draft = redaction_services.redaction_create(actor=alice, version=version)
    events = AuditEvent.objects.count()
    values = {"page": 1, "x": 0.1, "y": 0.1, "width": 0.2, "height": 0.1, "reason": "third_party", **area}
    with pytest.raises(RuleError) as refused:
        redaction_services.redaction_area_add(actor=alice, redaction_row=draft, **values)
    assert message in refused.value.errors[field]
    assert not RedactionArea.objects.exists() and AuditEvent.objects.count() == events


def test_words_not_in_the_text_and_an_empty_redaction_are_refused(alice, version) -> None:
    draft = redaction_services.redaction_create(actor=alice, version=version)
    with pytest.raises(RuleError) as refused:
        redaction_services.redaction_text_find(actor=alice, redaction_row=draft, words="Zebedee", reason="third_party")
    assert "\u201cZebedee\u201d was not found" in refused.value.errors["words"]
    with pytest.raises(RuleError) as refused:
        redaction_services.redaction_apply(actor=alice, redaction_row=draft)
    assert "Mark at least one area" in refused.value.errors["__all__"]
    assert Redaction.objects.get().status == RedactionStatus.DRAFT


def test_every_step_is_audited_and_a_removed_area_is_kept(alice, version) -> None:
    draft = redaction_services.redaction_create(actor=alice, version=version)
    [_a, b, *_] = redaction_services.redaction_text_find(
        actor=alice, redaction_row=draft, words=NAME, reason="third_party"
    )
    redaction_services.redaction_area_remove(actor=alice, redaction_row=draft, area_id=b.pk)
    assert RedactionArea.objects.filter(pk=b.pk, removed_at__isnull=False).exists()
    redaction_services.redaction_apply(actor=alice, redaction_row=draft)
    # One of two places was kept visible on purpose: the check for the found words does not stop the copy.
    assert redaction_services.make_redacted_copy(draft.pk) == RedactionStatus.DONE
    events = list(AuditEvent.objects.filter(object_type="redaction").order_by("id"))
    assert [(e.action, e.actor_id) for e in events] == [
        (AuditAction.CREATE, alice.pk),
        (AuditAction.UPDATE, alice.pk),  # found
        (AuditAction.UPDATE, alice.pk),  # removed
        (AuditAction.UPDATE, alice.pk),  # applied
        (AuditAction.CREATE, None),  # the copy made, with its hash
    ]
    copy = Rendition.objects.get(redaction=draft, kind=RenditionKind.REDACTED)
    assert events[-1].changes["sha256"] == copy.sha256
    assert events[1].changes["found"] == NAME and len(events[1].changes["added"]) == 4
    assert all(e.changes["document"] == version.document_id for e in events)


def test_words_still_readable_after_burning_stop_the_copy() -> None:
    pdf = letter_pdf()
    # An area in the wrong place: the name is not covered, so the check refuses the copy.
    with pytest.raises(redaction.BurnFailed) as failed:
        redaction.burn(pdf, [redaction.Box(1, 0.0, 0.95, 0.1, 0.04)], title="t", found=[NAME])
    assert "can still be read" in str(failed.value)


def test_find_text_on_a_rotated_page_gives_the_place_as_shown() -> None:
    import pikepdf

    pdf = samples.text_pdf(f"Seen by {NAME}")
    [upright, *_] = redaction.find_text(pdf, NAME)
    with pikepdf.open(io.BytesIO(pdf)) as p:
        p.pages[0].Rotate = 90
        out = io.BytesIO()
        p.save(out)
    [turned, *_] = redaction.find_text(out.getvalue(), NAME)
    # Turned a quarter clockwise: the top edge is now on the right.
    assert turned.x == pytest.approx(1 - upright.y - upright.height, abs=0.01)
    assert turned.y == pytest.approx(upright.x, abs=0.01)


def test_the_database_refuses_to_change_an_applied_redaction_or_delete_one(alice, version) -> None:
    from django.db import DatabaseError, transaction

    draft = redaction_services.redaction_create(actor=alice, version=version)
    area = redaction_services.redaction_area_add(
        actor=alice, redaction_row=draft, page=1, x=0.1, y=0.1, width=0.2, height=0.1, reason="third_party"
    )
    redaction_services.redaction_apply(actor=alice, redaction_row=draft)
    for attempt in (
        lambda: RedactionArea.objects.filter(pk=area.pk).update(width=0.01),
        lambda: RedactionArea.objects.filter(pk=area.pk).update(removed_at="2026-12-06T12:00:00Z"),
        lambda: RedactionArea.objects.filter(pk=area.pk).delete(),
        lambda: Redaction.objects.filter(pk=draft.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert RedactionArea.objects.get(pk=area.pk).width == pytest.approx(0.2)


def test_every_letter_of_a_found_name_is_under_the_black(alice, version) -> None:
    """What a reader would see: the name's ink on the scan (found around each area, on the original) lies wholly
    inside black on the redacted page; no tops or tails of letters show. (The boxes once sat low: the tests that
    looked only inside them passed while the tops of the letters could be read.)"""
    from PIL import Image

    draft = redaction_services.redaction_create(actor=alice, version=version)
    found = redaction_services.redaction_text_find(actor=alice, redaction_row=draft, words=NAME, reason="third_party")
    redaction_services.redaction_apply(actor=alice, redaction_row=draft)
    assert redaction_services.make_redacted_copy(draft.pk) == RedactionStatus.DONE
    original = Image.open(io.BytesIO(samples.scanned_png(LINES))).convert("L")
    page = Rendition.objects.get(redaction=draft, kind=RenditionKind.REDACTED_PAGE, page=1)
    redacted = Image.open(io.BytesIO(storage.read_stored(page.storage_name))).convert("L")
    ow, oh = original.size
    rw, rh = redacted.size
    for area in found:
        middle = area.y + area.height / 2
        band = (int(area.x * ow), int((middle - 0.6 * area.height) * oh))
        band_end = (int((area.x + area.width) * ow), int((middle + 0.6 * area.height) * oh))
        ink = original.crop((*band, *band_end)).point(lambda v: 255 if v < 100 else 0).getbbox()
        assert ink is not None, "the name's letters were found on the scan"
        left, top, right, bottom = (band[0] + ink[0], band[1] + ink[1], band[0] + ink[2], band[1] + ink[3])
        # The same place on the redacted page (fractions of the page, as both are the whole A4 page).
        covered = redacted.crop((int(left / ow * rw), int(top / oh * rh), int(right / ow * rw), int(bottom / oh * rh)))
        assert covered.getextrema()[1] < 60, f"letters show outside the black near {area.x:.2f}, {area.y:.2f}"
