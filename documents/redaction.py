"""Redaction's work without the database: where words are on a version's pages, whether an area is on its page, and
the burning in (docs/decisions/0028-redaction-rasterises-every-page.md).

Areas are rectangles in fractions of the page as it is shown (the page images, rotation applied): `x` and `y` from
the top left corner, `width` and `height`, each between 0 and 1.

Burning in draws every page of the archival copy as a picture (pdfium, `DPI` dots per inch), paints each area solid
black, builds a PDF of the pictures (img2pdf) and reads it again with Tesseract (ocrmypdf, PDF/A-2b by pikepdf, as
documents.renditions does). Nothing of the archival copy's own content survives: no text layer, no fonts, no
annotations, no metadata but the title; the only text is what Tesseract reads from the blackened pictures. Every page
is redrawn, not only the pages with areas, so no hidden text (a text layer under an image, white text, text under a
drawn box) can come across from any page.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.printing import pdf_text, pdfa_problems

from . import renditions

DPI = 200
# Words found in the text layer are covered with this margin around their boxes (points), so the edges of letters
# (and their anti-aliasing) are black too.
FOUND_MARGIN_PT = 1.5
# A page drawn at DPI must be smaller than this many pixels (a poster-sized page is drawn smaller).
MAX_PIXELS = 60_000_000
# Areas smaller than this fraction of the page's side are refused: a slip of the mouse, not a redaction.
MIN_SIDE = 0.002


class BurnFailed(Exception):
    """The redacted copy could not be made, or did not pass its checks (the message says which, in words)."""


@dataclass(frozen=True)
class Box:
    page: int
    x: float
    y: float
    width: float
    height: float


def area_problems(*, page: int | None, x: float | None, y: float | None, width: float | None, height: float | None,
                  pages: int) -> dict[str, str]:  # fmt: skip
    """What is wrong with an area (as fractions of the page), by field, in words; empty when nothing is. The messages
    speak in percentages, as the page's form does."""
    errors: dict[str, str] = {}
    if page is None:
        errors["page"] = "Enter the page number"
    elif page < 1 or page > pages:
        errors["page"] = (
            f"Page must be between 1 and {pages}: this document has {pages} page{'s' if pages != 1 else ''}"
        )
    for name, value, words in (("x", x, "from the left"), ("y", y, "from the top")):
        if value is None:
            errors[name] = f"Enter how far {words} of the page the area starts, as a percentage"
        elif value < 0 or value >= 1:
            errors[name] = f"How far {words} the area starts must be from 0 to 99.9%"
    for name, value, words in (("width", width, "width"), ("height", height, "height")):
        if value is None:
            errors[name] = f"Enter the area's {words}, as a percentage of the page's {words}"
        elif value < MIN_SIDE:
            errors[name] = f"The area's {words} must be more than 0.2% of the page's {words}"
        elif value > 1:
            errors[name] = f"The area's {words} must be 100% or less"
    if "x" not in errors and "width" not in errors and x is not None and width is not None and x + width > 1.0001:
        errors["width"] = "The area goes off the right edge of the page: make it narrower or start it further left"
    if "y" not in errors and "height" not in errors and y is not None and height is not None and y + height > 1.0001:
        errors["height"] = "The area goes off the bottom of the page: make it shorter or start it higher up"
    return errors


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


# How far a found word's box is stretched above and below its text-layer box, as parts of that box's height.
FOUND_ABOVE = 0.7
FOUND_BELOW = 0.25


def find_text(pdf: bytes, words: str, *, max_pages: int | None = None) -> list[Box]:
    """Every place `words` appears in the PDF's text (its text layer: the OCR of a scan, or the text of a born-digital
    document), ignoring case, each line of a match one Box with a small margin. Empty when it appears nowhere."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    wanted = " ".join(words.split())
    if not wanted:
        return []
    boxes: list[Box] = []
    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document) if max_pages is None else min(len(document), max_pages)
        for index in range(count):
            page = document[index]
            width, height = page.get_size()  # as shown: rotation applied
            text_page = page.get_textpage()
            searcher = text_page.search(wanted, match_case=False)
            scale = 1_000_000
            while (match := searcher.get_next()) is not None:
                start, length = match
                for n in range(text_page.count_rects(start, length)):
                    left, bottom, right, top = text_page.get_rect(n)
                    # An OCR text layer's boxes come from its invisible font's metrics, which sit low against the
                    # scanned letters (their tops showed above the black). Over-redacting is safe and under-redacting
                    # is not: the box reaches well above and a little below the line, in the page's own upright.
                    tall = top - bottom
                    bottom, top = bottom - FOUND_BELOW * tall, top + FOUND_ABOVE * tall
                    corners = []
                    for px, py in ((left - FOUND_MARGIN_PT, bottom - FOUND_MARGIN_PT),
                                   (right + FOUND_MARGIN_PT, top + FOUND_MARGIN_PT)):  # fmt: skip
                        dx, dy = ctypes.c_int(), ctypes.c_int()
                        raw.FPDF_PageToDevice(
                            page.raw, 0, 0, scale, scale, 0, px, py, ctypes.byref(dx), ctypes.byref(dy)
                        )
                        corners.append((dx.value / scale, dy.value / scale))
                    (x1, y1), (x2, y2) = corners
                    x0, x3 = max(0.0, min(x1, x2)), min(1.0, max(x1, x2))
                    y0, y3 = max(0.0, min(y1, y2)), min(1.0, max(y1, y2))
                    if x3 - x0 > 0 and y3 - y0 > 0:
                        boxes.append(Box(index + 1, x0, y0, x3 - x0, y3 - y0))
            searcher.close()
            text_page.close()
            page.close()
            del width, height
    finally:
        document.close()
    return boxes


@dataclass(frozen=True)
class Burned:
    pdf: bytes
    text: str
    pages: int
    images: list[tuple[int, bytes]]
    method: str


def _paint(image: object, boxes: Sequence[Box]) -> object:
    from PIL import Image, ImageDraw

    assert isinstance(image, Image.Image)
    draw = ImageDraw.Draw(image)
    w, h = image.size
    for b in boxes:
        # Outwards to whole pixels: a pixel partly inside the area is black.
        left, top = int(b.x * w), int(b.y * h)
        right, bottom = -int(-(b.x + b.width) * w), -int(-(b.y + b.height) * h)
        draw.rectangle([left, top, min(right, w) - 1, min(bottom, h) - 1], fill=0)
    return image


def burn(pdf: bytes, boxes: Sequence[Box], *, title: str, found: Sequence[str] = ()) -> Burned:
    """The redacted copy of `pdf` (an archival copy): every page drawn as a picture, `boxes` painted black, rebuilt
    as PDF/A-2b with a fresh OCR text layer. Raises BurnFailed when it cannot be made, fails the PDF/A check, or
    when any of `found` (words redacted wherever they appeared) can still be read in its text."""
    import img2pdf
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    pictures: list[bytes] = []
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            scale = DPI / 72
            if width * height * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width * height)) ** 0.5
            image = page.render(scale=scale, grayscale=False).to_pil().convert("L")
            mine = [b for b in boxes if b.page == index + 1]
            _paint(image, mine)
            out = io.BytesIO()
            # The picture's resolution makes img2pdf's page the same size as the original page.
            image.save(out, format="PNG", optimize=True, dpi=(image.width * 72 / width, image.height * 72 / height))
            pictures.append(out.getvalue())
            page.close()
    finally:
        document.close()
    if not pictures:
        raise BurnFailed("The archival copy has no pages")
    missing = [b.page for b in boxes if b.page > len(pictures)]
    if missing:
        raise BurnFailed(f"The archival copy has no page {missing[0]}")
    try:
        drawn = img2pdf.convert(pictures)
        result, version = renditions.ocr_pdfa(drawn, title=title)
    except renditions.RenditionFailed as e:
        raise BurnFailed(str(e)) from e
    problems = pdfa_problems(result)
    if problems:
        raise BurnFailed("The redacted copy is not PDF/A-2b: " + " ".join(problems))
    try:
        text = pdf_text(result)
    except RuntimeError as e:
        raise BurnFailed(f"The redacted copy's text could not be read to check it: {e}") from e
    left = [w for w in found if w.strip() and _normal(w) in _normal(text)]
    if left:
        raise BurnFailed(
            f"\u201c{left[0]}\u201d can still be read in the redacted copy's text, so it was not kept. Mark where it "
            "still shows, then apply the redaction again"
        )
    pages, images, _thumbnail = renditions.page_images(result)
    method = (
        f"Every page drawn at {DPI} dots per inch by pdfium, the areas painted black, rebuilt by img2pdf and "
        f"ocrmypdf {version} (Tesseract OCR in English, PDF/A-2b by pikepdf)"
    )
    return Burned(pdf=result, text=text, pages=pages, images=images, method=method)


def safe_words(text: str) -> str:
    """The words to find, in one line (no control characters)."""
    return re.sub(r"\s+", " ", text).strip()


def preview_png(png: bytes, boxes: Sequence[Box]) -> bytes:
    """A page image with `boxes` painted black: how the page will look once the redaction is applied."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("RGB")
    _paint(image, boxes)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
