"""What a file must be to be kept: read from its bytes, never its name; refused files say why."""

from __future__ import annotations

import pytest

from documents import intake
from documents.tests import samples


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("letter.pdf", samples.text_pdf, "application/pdf"),
        ("scan.png", samples.scanned_png, "image/png"),
        ("IMG_0042.JPG", samples.photo_jpeg, "image/jpeg"),
        ("photo.png", samples.photo_jpeg, "image/jpeg"),  # a picture called by another picture's name
        ("attendance.eml", samples.email, "message/rfc822"),
        ("notes.txt", lambda: b"Called mum at 10:00. She will bring Amelia on Monday.\n", "text/plain"),
    ],
)
def test_accepted_files_are_identified_from_their_content(name, data, media_type) -> None:
    assert intake.examine(name, data()).media_type == media_type


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("letter.pdf", samples.windows_program, "letter.pdf is called a PDF file but it is a Windows program"),
        ("setup.exe", samples.windows_program, "setup.exe is a Windows program: programs are not kept"),
        ("report.pdf", samples.photo_jpeg, "report.pdf is called a PDF file but it is a JPEG picture"),
        ("court-order.pdf", samples.encrypted_pdf, "court-order.pdf is protected by a password"),
        ("minutes.pdf", samples.javascript_pdf, "minutes.pdf contains JavaScript"),
        ("plan.docx", samples.macro_docx, "plan.docx contains macros"),
        ("drawing.svg", samples.svg_with_script, "drawing.svg contains script"),
        ("empty.pdf", lambda: b"", "empty.pdf is empty"),
        ("run.sh.pdf", lambda: b"#!/bin/sh\nrm -rf /\n", "is a script"),
    ],
)
def test_refused_files_say_why(name, data, reason) -> None:
    with pytest.raises(intake.Refused) as refused:
        intake.examine(name, data())
    assert reason in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_with_both_sizes() -> None:
    with pytest.raises(intake.Refused) as refused:
        intake.examine("big.pdf", samples.text_pdf() + b"\0" * (2 * 1024 * 1024), max_bytes=1024 * 1024)
    assert "big.pdf is 2 MB" in str(refused.value) and "the largest file Casework keeps is 1 MB" in str(refused.value)
