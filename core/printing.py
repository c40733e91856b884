"""Printing a record to PDF/A-2b (for conferences, court and families), and checking that a PDF is one.

Any app can print through here; core knows nothing of forms or people. The caller gives the text already worded:

    pdf = render_pdf(
        title="Child and family assessment",
        authority_name="Northshire County Council",
        subject_line="Jane Smith, born 3 March 2015, record number 000123",
        sections=[("About the child", [("Who lives at home?", "Mum and two brothers\\nGran at weekends")])],
        version_label="Child and family assessment, version 3",
        sha256=response_hash,
        generated_at=timezone.now(),
    )
    assert pdfa_problems(pdf, sha256=response_hash) == []

An answer is text (line breaks kept, long words wrapped), None or "" ("Not answered"), a list of texts (a bulleted
list: the choices of a multiple choice question) or a list of mappings (the entries of a repeating group, each a
mapping of question to answer text: a table when the entries are short and have few columns, else one block per
entry). WeasyPrint lays it out on A4 with the authority and the person in a running header, "Page N of M", the
form's version and the SHA-256 in the footer, and writes PDF/A-2b: the fonts embedded (Liberation Sans, metric-
compatible with Arial, and DejaVu Sans for any character it lacks: Debian's fonts-liberation and fonts-dejavu-core,
installed by scripts/system-packages.sh), the sRGB output intent, XMP metadata with the title, the authority as author
and the creation date. Nothing is fetched: the document has no external resources and the fetcher refuses any URL.

`pdfa_problems` is this project's check of the PDF/A-2b rules that a print of ours could break, with pikepdf and
pdftotext. veraPDF, the reference validator, is not used: it is neither in Debian nor on PyPI (the PyPI wrappers
download its installer at run time, which cannot be done here).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

Answer = str | Sequence[str] | Sequence[Mapping[str, str]] | None
Section = tuple[str, Sequence[tuple[str, Answer]]]

TEMPLATE = "printing/document.html"
# The print styles, given to WeasyPrint as a stylesheet (a page template has no inline style: the CSP forbids it).
STYLESHEET = "printing/document.css"
NOT_ANSWERED = "Not answered"
# A repeating group prints as a table while it has at most this many columns and no answer longer than this.
TABLE_MAX_COLUMNS = 4
TABLE_MAX_CELL = 160


@dataclass(frozen=True)
class PrintedAnswer:
    """One answer, shaped for the template: kind is "text", "none", "list", "table" or "entries"."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    entries: tuple[tuple[tuple[str, str], ...], ...] = ()


def printed_answer(answer: Any) -> PrintedAnswer:
    """How an answer prints (see the module's docstring)."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return PrintedAnswer(kind="none", text=NOT_ANSWERED)
    if isinstance(answer, str):
        return PrintedAnswer(kind="text", text=answer.strip("\n"))
    if isinstance(answer, Sequence) and not answer:
        return PrintedAnswer(kind="none", text=NOT_ANSWERED)
    if isinstance(answer, Sequence) and all(isinstance(item, Mapping) for item in answer):
        columns: list[str] = []
        for entry in answer:
            columns.extend(str(key) for key in entry if str(key) not in columns)
        cells = [[_cell(entry.get(column)) for column in columns] for entry in answer]
        if len(columns) <= TABLE_MAX_COLUMNS and all(
            len(c) <= TABLE_MAX_CELL and "\n" not in c for r in cells for c in r
        ):
            return PrintedAnswer(kind="table", columns=tuple(columns), rows=tuple(tuple(r) for r in cells))
        return PrintedAnswer(
            kind="entries",
            entries=tuple(tuple((c, v or NOT_ANSWERED) for c, v in zip(columns, row, strict=True)) for row in cells),
        )
    if isinstance(answer, Sequence):
        return PrintedAnswer(kind="list", items=tuple(str(item) for item in answer))
    return PrintedAnswer(kind="text", text=str(answer))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip("\n")
    if isinstance(value, Sequence):
        return ", ".join(str(v) for v in value)
    return str(value)


def render_html(
    *,
    title: str,
    authority_name: str,
    subject_line: str,
    sections: Sequence[Section],
    version_label: str,
    sha256: str,
    generated_at: datetime,
) -> str:
    """The HTML that `render_pdf` prints (for a preview, or a test of the wording), without its print styles:
    `print_stylesheet()` gives them."""
    if timezone.is_naive(generated_at):
        raise ValueError("generated_at must say its time zone (an aware datetime, such as timezone.now())")
    context = {
        "title": title,
        "authority_name": authority_name,
        "subject_line": subject_line,
        "sections": [
            {"heading": heading, "questions": [(q, printed_answer(a)) for q, a in questions]}
            for heading, questions in sections
        ],
        "version_label": version_label,
        "sha256": sha256,
        "generated_at": generated_at,
        "created_iso": generated_at.isoformat(timespec="seconds"),
    }
    return render_to_string(TEMPLATE, context)


def print_stylesheet() -> str:
    """The CSS `render_pdf` prints with (A4, the running header and footer, GOV.UK's type): a template, so a
    deployment may override it."""
    return render_to_string(STYLESHEET)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"Printing fetches nothing: {url}")


def render_pdf(
    *,
    title: str,
    authority_name: str,
    subject_line: str,
    sections: Sequence[Section],
    version_label: str,
    sha256: str,
    generated_at: datetime,
) -> bytes:
    """The document as PDF/A-2b bytes (see the module's docstring)."""
    from weasyprint import CSS, HTML

    html = render_html(
        title=title,
        authority_name=authority_name,
        subject_line=subject_line,
        sections=sections,
        version_label=version_label,
        sha256=sha256,
        generated_at=generated_at,
    )
    # The identifier is the hash's first 16 bytes, so two prints of one response share it (PDF's /ID).
    identifier = bytes.fromhex(sha256[:32]) if re.fullmatch(r"[0-9a-fA-F]{32,}", sha256) else None
    document = HTML(string=html, url_fetcher=_refuse_fetch, base_url=None)
    pdf = document.write_pdf(
        stylesheets=[CSS(string=print_stylesheet(), url_fetcher=_refuse_fetch)],
        pdf_variant="pdf/a-2b",
        pdf_identifier=identifier,
        pdf_tags=True,
    )
    if pdf is None:  # write_pdf returns the bytes when given no target
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf


# --- Checking -------------------------------------------------------------------------------------------------------

# Actions PDF/A-2 forbids (ISO 19005-2, 6.6.1), and the keys that carry script or actions run on events.
FORBIDDEN_ACTIONS = frozenset(
    {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide", "/SetOCGState", "/Rendition"}
)
FORBIDDEN_ACTIONS |= {"/Trans", "/GoTo3DView"}


def pdf_text(pdf_bytes: bytes) -> str:
    """The PDF's text, as poppler's pdftotext reads it (Debian's poppler-utils, installed by
    scripts/system-packages.sh). Raises RuntimeError when pdftotext is missing."""
    command = shutil.which("pdftotext")
    if command is None:
        raise RuntimeError("pdftotext is not installed (Debian's poppler-utils: run scripts/system-packages.sh)")
    done = subprocess.run(  # noqa: S603 - a fixed command, no shell, the PDF on standard input
        [command, "-enc", "UTF-8", "-", "-"], input=pdf_bytes, capture_output=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"pdftotext could not read the PDF: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8")


def pdfa_problems(pdf_bytes: bytes, *, sha256: str | None = None) -> list[str]:
    """What stops these bytes being a PDF/A-2b print of ours, in words; empty when nothing does.

    Checks: it opens as a PDF, unencrypted; the XMP metadata says PDF/A part 2, conformance B, and agrees with the
    document information (title, author, producer); an output intent
    (GTS_PDFA1) with an ICC profile; a document identifier; every font on every page (and in forms and patterns
    within them) embedded; no JavaScript, no forbidden action, no additional actions; annotations set to print; and,
    given `sha256`, that hash in the text of the document (the footer)."""
    import pikepdf

    problems: list[str] = []
    try:
        pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    except pikepdf.PasswordError:
        return ["The PDF is encrypted (PDF/A forbids encryption)."]
    except pikepdf.PdfError as error:
        return [f"Not a readable PDF: {error}"]
    with pdf:
        if pdf.is_encrypted:
            problems.append("The PDF is encrypted (PDF/A forbids encryption).")
        problems.extend(_identification_problems(pdf))
        problems.extend(_output_intent_problems(pdf))
        if "/ID" not in pdf.trailer:
            problems.append("The PDF has no document identifier (/ID in the trailer).")
        problems.extend(_font_problems(pdf))
        problems.extend(_action_problems(pdf))
    if sha256 is not None:
        try:
            text = pdf_text(pdf_bytes)
        except RuntimeError as error:
            problems.append(f"Could not check the text for the SHA-256: {error}")
        else:
            if sha256 not in re.sub(r"\s+", "", text):
                problems.append(f"The SHA-256 {sha256} is not in the document's text.")
    return problems


def _identification_problems(pdf: Any) -> list[str]:
    if "/Metadata" not in pdf.Root:
        return ["The PDF has no XMP metadata, so it does not say it is PDF/A-2b."]
    try:
        meta = pdf.open_metadata()
        part = meta.get("pdfaid:part")
        conformance = meta.get("pdfaid:conformance")
    except Exception as error:  # any XMP the parser refuses is a problem to report, not to raise
        return [f"The PDF's XMP metadata cannot be read: {error}"]
    problems = []
    # PDF/A: what the document information dictionary says, the XMP metadata must say the same.
    for key, xmp_key in (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Producer", "pdf:Producer")):
        if key in pdf.docinfo:
            said = meta.get(xmp_key)
            said = ", ".join(said) if isinstance(said, list) else said
            if str(pdf.docinfo[key]) != said:
                problems.append(f"The document information's {key[1:]} is not the XMP metadata's ({xmp_key}).")
    if part != "2":
        problems.append(f"The XMP metadata says PDF/A part {part or 'nothing'}, not 2 (pdfaid:part).")
    if conformance != "B":
        problems.append(f"The XMP metadata says conformance {conformance or 'nothing'}, not B (pdfaid:conformance).")
    return problems


def _output_intent_problems(pdf: Any) -> list[str]:
    import pikepdf

    intents = pdf.Root.get("/OutputIntents")
    if not intents:
        return ["The PDF has no output intent (PDF/A needs one with an ICC profile)."]
    for intent in intents:
        if intent.get("/S") == "/GTS_PDFA1":
            profile = intent.get("/DestOutputProfile")
            if profile is None or not isinstance(profile, pikepdf.Stream):
                return ["The PDF/A output intent has no ICC profile (/DestOutputProfile)."]
            if len(profile.read_bytes()) < 128:
                return ["The PDF/A output intent's ICC profile is too short to be one."]
            return []
    return ["The PDF has no PDF/A output intent (/S /GTS_PDFA1)."]


def _font_problems(pdf: Any) -> list[str]:
    import pikepdf

    missing: set[str] = set()
    seen: set[tuple[int, int]] = set()

    def font_embedded(font: Any) -> bool:
        subtype = font.get("/Subtype")
        if subtype == "/Type3":
            return True  # drawn by the PDF's own glyph procedures
        if subtype == "/Type0":
            return all(font_embedded(descendant) for descendant in font.get("/DescendantFonts", []))
        descriptor = font.get("/FontDescriptor")
        return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def walk(resources: Any) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        key = resources.objgen
        if key != (0, 0):
            if key in seen:
                return
            seen.add(key)
        for font in (resources.get("/Font") or {}).values():
            if not font_embedded(font):
                missing.add(str(font.get("/BaseFont", "an unnamed font")).lstrip("/"))
            if font.get("/Subtype") == "/Type3":
                walk(font.get("/Resources"))
        for name in ("/XObject", "/Pattern"):
            for inner in (resources.get(name) or {}).values():
                walk(inner.get("/Resources"))

    for page in pdf.pages:
        walk(page.obj.get("/Resources"))
    return [f"The font {name} is not embedded." for name in sorted(missing)]


def _action_problems(pdf: Any) -> list[str]:
    import pikepdf

    problems: set[str] = set()
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        problems.add("The PDF carries JavaScript (/Names /JavaScript).")
    if "/AA" in pdf.Root:
        problems.add("The PDF runs actions on document events (/AA in the catalog).")
    if "/OpenAction" in pdf.Root:
        action = pdf.Root.OpenAction
        if isinstance(action, pikepdf.Dictionary) and action.get("/S") in FORBIDDEN_ACTIONS:
            problems.add(f"The PDF runs a {str(action.S).lstrip('/')} action when opened.")
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        if "/JS" in obj or obj.get("/S") == "/JavaScript":
            problems.add("The PDF carries JavaScript.")
        elif obj.get("/S") in FORBIDDEN_ACTIONS and obj.get("/Type", pikepdf.Name("/Action")) == "/Action":
            problems.add(f"The PDF has a {str(obj.S).lstrip('/')} action (PDF/A forbids it).")
        if "/AA" in obj:
            problems.add("The PDF runs actions on events (/AA).")
        if obj.get("/Type") == "/Annot" and obj.get("/Subtype") != "/Popup":
            flags = int(obj.get("/F", 0))
            if not flags & 4 or flags & (1 | 2 | 32):
                problems.add("An annotation is not set to print (PDF/A needs the Print flag, not Hidden).")
    return sorted(problems)
