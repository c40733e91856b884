"""Printing to PDF/A-2b (core.printing): what a court, a conference or a family would read, and the check that can
tell a PDF/A-2b print from a plain PDF."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime

import pikepdf
import pytest

from core.printing import (
    PrintedAnswer,
    pdf_text,
    pdfa_problems,
    print_stylesheet,
    printed_answer,
    render_html,
    render_pdf,
)

SHA256 = hashlib.sha256(b"a submitted form").hexdigest()
LONG_WORD = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 3
SECTIONS = [
    (
        "Y plentyn: the child",
        [
            ("Child's name", "Gwenllïan Llŵyd-Ŷnys"),
            ("What the child said", "I like school.\nI don't like it when Dad shouts.\n\nMy brother Siôn is kind."),
            ("Where the family lived", LONG_WORD),
            ("Anything else", None),
            ("Who was seen", ["The child, alone", "Mother", "Maternal grandmother"]),
            (
                "Household members",
                [
                    {"Name": "Siân Jones", "Relationship": "Mother", "Date of birth": "4 May 1988"},
                    {"Name": "Émile Zoë Müller", "Relationship": "Lodger"},
                ],
            ),
        ],
    ),
    (
        "Plan",
        [
            (
                "Actions",
                [
                    {
                        "Action": "Attend school every day\nwith the mentor's support",
                        "Who": "Mother",
                        "By when": "1 March",
                    }
                    | {"Progress": "Good", "Notes": "<script>alert(1)</script>"},
                ],
            ),
        ],
    ),
]
KWARGS = {
    "title": "Child and family assessment",
    "authority_name": "Northshire County Council",
    "subject_line": "Gwenllïan Llŵyd-Ŷnys, born 3 March 2015, record number 000123",
    "sections": SECTIONS,
    "version_label": "Child and family assessment, version 3",
    "sha256": SHA256,
    "generated_at": datetime(2026, 1, 14, 15, 30, tzinfo=UTC),  # GMT in London
}


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(**KWARGS)


@pytest.fixture(scope="module")
def text(pdf: bytes) -> str:
    return pdf_text(pdf)


def test_a_print_is_pdfa_2b_and_carries_the_hash(pdf):
    assert pdf.startswith(b"%PDF-")
    assert pdfa_problems(pdf, sha256=SHA256) == []


def test_the_footer_has_page_numbers_the_version_and_the_hash_and_the_header_the_authority_and_child(pdf, text):
    pages = text.split("\f")
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        count = len(opened.pages)
    for number, page in enumerate(pages[:count], start=1):
        assert f"Page {number} of {count}" in page
        assert "Child and family assessment, version 3" in page
        assert SHA256 in re.sub(r"\s+", "", page)
        assert "Northshire County Council" in page
        assert "Gwenllïan Llŵyd-Ŷnys, born 3 March 2015, record number 000123" in page


def test_welsh_accented_and_long_words_print_whole_and_line_breaks_are_kept(text):
    for words in ("Gwenllïan Llŵyd-Ŷnys", "Siân Jones", "Émile Zoë Müller", "My brother Siôn is kind.", "Y plentyn"):
        assert words in text
    assert LONG_WORD in re.sub(r"\s+", "", text)  # wrapped across lines, nothing lost
    assert "I like school.\nI don't like it when Dad shouts." in text
    assert "Attend school every day\nwith the mentor's support" in text


def test_answers_print_as_written_and_an_empty_one_says_so(text):
    assert "Not answered" in text
    assert "• Maternal grandmother" in text
    assert "<script>alert(1)</script>" in text  # printed as text, never run or parsed
    assert "Printed\n\n14 January 2026, 15:30" in text  # as pages write a moment, in the authority's time zone


def test_the_metadata_names_the_document_the_authority_and_when_it_was_made(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        meta = opened.open_metadata()
        assert meta["dc:title"].startswith("Child and family assessment: Gwenllïan")
        assert "Northshire County Council" in str(meta["dc:creator"])
        assert meta["xmp:CreateDate"].startswith("2026-01-14T15:30:00")
        assert meta.pdfa_status == "2B"
        assert opened.docinfo["/Author"] == "Northshire County Council"


def test_a_plain_weasyprint_pdf_is_not_pdfa():
    from weasyprint import CSS, HTML

    plain = HTML(string=render_html(**KWARGS)).write_pdf(stylesheets=[CSS(string=print_stylesheet())])
    problems = pdfa_problems(plain, sha256=SHA256)
    assert problems == [
        "The PDF has no XMP metadata, so it does not say it is PDF/A-2b.",
        "The PDF has no output intent (PDF/A needs one with an ICC profile).",
        "The PDF has no document identifier (/ID in the trailer).",
    ]  # the fonts are embedded and the hash is there: only what makes it PDF/A is missing


def _changed(pdf: bytes, change) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        change(opened)
        out = io.BytesIO()
        opened.save(out, **getattr(change, "save", {}))
        return out.getvalue()


def test_the_check_finds_javascript_an_unembedded_font_encryption_and_a_missing_hash(pdf):
    def add_javascript(opened):
        opened.Root.OpenAction = opened.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )

    assert "The PDF carries JavaScript." in pdfa_problems(_changed(pdf, add_javascript))

    def unembed_fonts(opened):
        for page in opened.pages:
            for font in page.Resources.Font.values():
                for descendant in font.get("/DescendantFonts", []):
                    if "/FontFile2" in descendant.FontDescriptor:
                        del descendant.FontDescriptor["/FontFile2"]

    assert any(p.endswith("is not embedded.") for p in pdfa_problems(_changed(pdf, unembed_fonts)))

    def nothing(opened):
        pass

    nothing.save = {"encryption": pikepdf.Encryption(owner="owner", user="", R=6)}  # type: ignore[attr-defined]
    assert "The PDF is encrypted (PDF/A forbids encryption)." in pdfa_problems(_changed(pdf, nothing))

    def retitle(opened):
        opened.docinfo["/Title"] = "Another child's assessment"

    assert pdfa_problems(_changed(pdf, retitle)) == [
        "The document information's Title is not the XMP metadata's (dc:title)."
    ]

    other = hashlib.sha256(b"another form").hexdigest()
    assert pdfa_problems(pdf, sha256=other) == [f"The SHA-256 {other} is not in the document's text."]
    assert pdfa_problems(b"not a pdf")[0].startswith("Not a readable PDF")


def test_a_repeating_group_prints_as_a_table_while_short_and_as_entries_when_long():
    short = printed_answer([{"Name": "Siân", "Relationship": "Mother"}, {"Name": "Dai", "Age": "7"}])
    assert short == PrintedAnswer(
        kind="table", columns=("Name", "Relationship", "Age"), rows=(("Siân", "Mother", ""), ("Dai", "", "7"))
    )
    long = printed_answer([{"Action": "x" * 200, "Who": "Mother"}])
    assert long.kind == "entries"
    assert long.entries == ((("Action", "x" * 200), ("Who", "Mother")),)
    assert printed_answer([]).kind == printed_answer("  ").kind == printed_answer(None).kind == "none"
    assert printed_answer(["Yes", "No"]).items == ("Yes", "No")
    assert printed_answer(7) == PrintedAnswer(kind="text", text="7")


def test_a_moment_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        render_html(**KWARGS | {"generated_at": datetime(2026, 1, 14, 15, 30)})
