"""Putting a bundle's pages together as one PDF/A-2b file (docs/decisions/0027-court-bundles-pdfa.md).

No database here: the caller gives the exhibits as PDF/A bytes and a function that lays out the front matter (the
cover, index, manifest and certificate) for given page numbers and page hashes. Steps:

1. Every exhibit page is placed, unchanged, as a form XObject on a new A4 page (portrait or landscape, by its shape),
   scaled down only if it does not fit above the bottom margin (`MARGIN_BOTTOM`), so the stamp never covers
   evidence. Annotations are flattened into the page first (what a reader saw stays visible; links are dropped).
2. The front matter is laid out until its page count is stable (the index names the first page of each exhibit,
   which depends on the front matter's length), with placeholder hashes of the same width as the real ones.
3. Every page gets a strip in its bottom margin, "Exhibit A1" and "Page N of M", laid out by WeasyPrint (fonts
   embedded) and drawn over the page as a form XObject.
4. Each exhibit's pages are hashed (`pages_digest`), the front matter is laid out again with the real hashes (its
   page count must not change), stamped, and the exhibits appended to it. WeasyPrint's front matter carries the
   PDF/A-2b identification, the sRGB output intent and the metadata, so the whole file is PDF/A-2b; the caller
   checks it with core.printing.pdfa_problems.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

A4 = (595.2756, 841.8898)  # points
MM = 72 / 25.4
MARGIN = 10 * MM
MARGIN_BOTTOM = 18 * MM
STRIP_HEIGHT = 10 * MM
PLACEHOLDER_HASH = "0" * 64


@dataclass
class ExhibitPdf:
    """One exhibit: its number ("A1") and its PDF/A bytes."""

    number: str
    pdf: bytes
    first_page: int = 0  # in the bundle, once placed
    last_page: int = 0
    pages_sha256: str = ""


@dataclass
class Assembled:
    pdf: bytes
    front_pages: int
    total_pages: int
    exhibits: list[ExhibitPdf] = field(default_factory=list)


# (exhibits with their page numbers and hashes, total pages) -> the front matter's PDF/A-2b bytes
FrontMatter = Callable[[Sequence[ExhibitPdf], int], bytes]
# (labels of each page, total pages) -> one PDF page per label, the strip drawn in each page's bottom margin
Strips = Callable[[Sequence[str], int], bytes]


def _open(data: bytes) -> Any:
    import pikepdf

    return pikepdf.open(io.BytesIO(data))


def page_count(data: bytes) -> int:
    with _open(data) as pdf:
        return len(pdf.pages)


def _placed(exhibits: Sequence[ExhibitPdf]) -> tuple[Any, list[int]]:
    """A new PDF of A4 pages, each exhibit page drawn on one; and each exhibit's page count."""
    import pikepdf

    out = pikepdf.new()
    counts = []
    for exhibit in exhibits:
        source = _open(exhibit.pdf)
        source.flatten_annotations("print")
        counts.append(len(source.pages))
        for page in source.pages:
            box = page.trimbox if "/TrimBox" in page.obj else page.cropbox
            width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
            if int(page.obj.get("/Rotate", 0)) % 180:
                width, height = height, width
            size = (A4[1], A4[0]) if width > height else A4
            target = out.add_blank_page(page_size=size)
            form = out.copy_foreign(page.as_form_xobject())
            rect = pikepdf.Rectangle(MARGIN, MARGIN_BOTTOM, size[0] - MARGIN, size[1] - MARGIN)
            # pikepdf's stub lacks shrink/expand, which add_overlay takes (pikepdf/_methods.py).
            target.add_overlay(form, rect, shrink=True, expand=False)  # type: ignore[call-arg]
        source.close()
    return out, counts


def pages_digest(pages: Sequence[Any]) -> str:
    """The SHA-256 of pages as they are in a PDF: for each page in order, its content streams and (by name, sorted,
    recursively through forms) every image and form it draws, their bytes decoded where the filter allows (so a
    re-compression of the file does not change it). Anyone with pikepdf can recompute it from the bundle."""
    import pikepdf

    digest = hashlib.sha256()
    seen: set[tuple[int, int]] = set()

    def data(stream: Any) -> bytes:
        try:
            return bytes(stream.read_bytes())
        except pikepdf.PdfError:
            return bytes(stream.read_raw_bytes())

    def resources(res: Any) -> None:
        if not isinstance(res, pikepdf.Dictionary):
            return
        xobjects = res.get("/XObject")
        if not isinstance(xobjects, pikepdf.Dictionary):
            return
        for name in sorted(xobjects.keys()):
            xobject = xobjects[name]
            if xobject.objgen != (0, 0):
                if xobject.objgen in seen:
                    digest.update(b"seen")
                    continue
                seen.add(xobject.objgen)
            digest.update(name.encode())
            digest.update(data(xobject))
            resources(xobject.get("/Resources"))

    for page in pages:
        digest.update(b"page")
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            if stream is not None:
                digest.update(data(stream))
        resources(page.obj.get("/Resources"))
    return digest.hexdigest()


def _stamp(pdf: Any, strips: bytes) -> None:
    import pikepdf

    with _open(strips) as strip_pdf:
        if len(strip_pdf.pages) != len(pdf.pages):
            raise RuntimeError(f"{len(strip_pdf.pages)} stamps were laid out for {len(pdf.pages)} pages")
        for page, strip in zip(pdf.pages, strip_pdf.pages, strict=True):
            box = page.mediabox
            x0, y0, x1 = float(box[0]), float(box[1]), float(box[2])
            form = pdf.copy_foreign(strip.as_form_xobject())
            rect = pikepdf.Rectangle(
                x0 + MARGIN,
                y0 + (MARGIN_BOTTOM - STRIP_HEIGHT) / 2,
                x1 - MARGIN,
                y0 + (MARGIN_BOTTOM + STRIP_HEIGHT) / 2,
            )
            page.add_overlay(form, rect)


def assemble(
    exhibits: Sequence[ExhibitPdf], *, front_matter: FrontMatter, strips: Strips, front_label: str
) -> Assembled:
    """The bundle's bytes (see the module's docstring). `front_label` is what the front matter's pages are stamped
    with ("Index")."""
    body, counts = _placed(exhibits)
    body_pages = sum(counts)

    def number(front: int) -> int:
        first = front + 1
        for exhibit, count in zip(exhibits, counts, strict=True):
            exhibit.first_page, exhibit.last_page = first, first + count - 1
            first += count
        return front + body_pages

    # The front matter's length, with placeholder hashes, until it is stable.
    front = 1
    for _ in range(6):
        for exhibit in exhibits:
            exhibit.pages_sha256 = PLACEHOLDER_HASH
        laid = page_count(front_matter(exhibits, number(front)))
        if laid == front:
            break
        front = laid
    else:
        raise RuntimeError("The bundle's index would not settle on a number of pages")
    total = number(front)

    labels = [front_label] * front
    for exhibit, count in zip(exhibits, counts, strict=True):
        labels.extend([f"Exhibit {exhibit.number}"] * count)
    stamps = strips(labels, total)
    with _open(stamps) as all_strips:
        body_strips = pikepdf_subset(all_strips, front, total)
        front_strips = pikepdf_subset(all_strips, 0, front)
    _stamp(body, body_strips)
    # Hash each exhibit's pages as they will be in the bundle (saved and read back, as a reader would).
    buffer = io.BytesIO()
    body.save(buffer)
    body.close()
    body = _open(buffer.getvalue())
    offset = 0
    for exhibit, count in zip(exhibits, counts, strict=True):
        exhibit.pages_sha256 = pages_digest(body.pages[offset : offset + count])
        offset += count

    front_pdf = _open(front_matter(exhibits, total))
    if len(front_pdf.pages) != front:
        raise RuntimeError("The bundle's index changed length when its hashes were filled in")
    _stamp(front_pdf, front_strips)
    front_pdf.pages.extend(body.pages)
    out = io.BytesIO()
    front_pdf.save(out)
    front_pdf.close()
    body.close()
    return Assembled(pdf=out.getvalue(), front_pages=front, total_pages=total, exhibits=list(exhibits))


def pikepdf_subset(pdf: Any, start: int, stop: int) -> bytes:
    """Pages start..stop-1 of an open PDF, as a PDF of their own."""
    import pikepdf

    part = pikepdf.new()
    part.pages.extend(pdf.pages[start:stop])
    buffer = io.BytesIO()
    part.save(buffer)
    return buffer.getvalue()
