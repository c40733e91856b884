"""Renditions (PDF/A-2b archival copies with OCR text, page images) and fixity (an altered and a missing file)."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from core.printing import pdfa_problems
from documents import fixity, renditions, services, storage
from documents.models import FixityFinding, Rendition, RenditionKind, RenditionStatus
from documents.services import Upload
from documents.tests import samples
from people.tests.factories import person

pytestmark = pytest.mark.usefixtures("team_a_holds")


@pytest.fixture
def child(db):
    return person("Amelia", "Hughes", date(2015, 3, 27))


def add(actor, who, name, data, **kw):
    [doc] = services.documents_add(
        actor=actor,
        person=who,
        uploads=[Upload(name, data)],
        document_type="letter",
        document_date=date(2026, 11, 30),
        **kw,
    )
    return doc


def test_a_scanned_letter_gets_a_pdfa_copy_with_its_text_read_and_page_images(alice, child) -> None:
    scan = samples.scanned_pdf()
    doc = add(alice, child, "scan.pdf", scan)
    version = doc.versions.get()
    assert renditions.make(version.pk) == RenditionStatus.DONE
    version.refresh_from_db()
    archival = Rendition.objects.get(version=version, kind=RenditionKind.ARCHIVAL)
    pdf = storage.read_stored(archival.storage_name)
    assert pdfa_problems(pdf) == []
    assert "Northshire Hospital" in version.text and version.pages == 1
    assert "ocrmypdf" in archival.method and "pikepdf" in archival.method
    page = Rendition.objects.get(version=version, kind=RenditionKind.PAGE, page=1)
    assert storage.read_stored(page.storage_name)[:8] == b"\x89PNG\r\n\x1a\n"
    assert Rendition.objects.filter(version=version, kind=RenditionKind.THUMBNAIL).exists()
    # The original is untouched, byte for byte.
    assert storage.read_stored(version.storage_name) == scan
    assert renditions.make(version.pk) == "not waiting"


def test_a_photograph_and_an_email_get_archival_copies(alice, child) -> None:
    for name, data in (("IMG_1.jpg", samples.photo_jpeg()), ("school.eml", samples.email())):
        version = add(alice, child, name, data).versions.get()
        assert renditions.make(version.pk) == RenditionStatus.DONE
        archival = Rendition.objects.get(version=version, kind=RenditionKind.ARCHIVAL)
        assert pdfa_problems(storage.read_stored(archival.storage_name)) == []
    version.refresh_from_db()
    assert "Amelia was absent on Friday" in version.text


def test_a_word_document_has_no_archival_copy_and_says_why(alice, child) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    version = add(alice, child, "plan.docx", out.getvalue()).versions.get()
    assert renditions.make(version.pk) == RenditionStatus.NOT_POSSIBLE
    version.refresh_from_db()
    assert "cannot make an archival copy of this kind of file yet" in version.rendition_message


def test_fixity_finds_an_altered_and_a_missing_file_by_document(alice, child, documents_storage, capsys) -> None:
    kept = add(alice, child, "a.txt", b"Called the school.\n")
    altered = add(alice, child, "b.txt", b"Called the GP.\n")
    missing = add(alice, child, "c.txt", b"Called the police.\n")
    for doc in (kept, altered, missing):
        renditions.make(doc.versions.get().pk)
    ok = fixity.fixity_check_run(actor=None)
    assert ok.ok and ok.files_checked == 3 * 4  # original, archival copy, thumbnail, one page each

    altered_path = documents_storage / altered.versions.get().storage_name
    os.chmod(altered_path, 0o640)
    altered_path.write_bytes(b"Called the GP. Nothing to add.\n")
    (documents_storage / Rendition.objects.get(version__document=missing, kind="archival").storage_name).unlink()

    with pytest.raises(SystemExit) as exit_:
        call_command("documents", "fixity", "--json")
    assert exit_.value.code == 1
    found = json.loads(capsys.readouterr().out)
    assert (found["missing"], found["altered"]) == (1, 1)
    assert {(f["document"], f["file"], f["outcome"]) for f in found["findings"]} == {
        (altered.pk, "original", "altered"),
        (missing.pk, "archival", "missing"),
    }
    event = AuditEvent.objects.filter(object_type="fixity_check").order_by("-id").first()
    assert event is not None and event.changes["altered"] == 1 and event.changes["missing"] == 1
    assert FixityFinding.objects.filter(document=altered).exists()


def test_fixity_in_words_exits_0_when_all_is_well(alice, child, capsys) -> None:
    add(alice, child, "a.txt", b"Called the school.\n")
    call_command("documents", "fixity", "--sample", "5")
    assert "Checked 1 files (a sample of 5 versions): 0 missing, 0 altered." in capsys.readouterr().out
