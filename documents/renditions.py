"""Renditions of a document version: a PDF/A-2b archival copy, its text for search, a thumbnail and page images.

- A PDF goes through ocrmypdf: pages without text are read by Tesseract (English), pages with text are kept
  (`mode="skip"`), and the result is PDF/A-2b made by ocrmypdf's own backend (`pdfa_backend="internal"`: pikepdf
  adds the declarations and validates), never Ghostscript (docs/decisions/0023-pdfa-renditions-without-ghostscript.md). The copy
  must then pass core.printing.pdfa_problems, or the rendition fails with the reasons.
- A picture (JPEG kept as it is; PNG, TIFF with all its pages, GIF through Pillow, losslessly) becomes a PDF with
  img2pdf and then goes through ocrmypdf the same way.
- A text file or an email is laid out by WeasyPrint as PDF/A-2b, its text kept as it is.
- Anything else (Word, Excel, OpenDocument, web pages, SVG, HEIC pictures) has no archival copy yet: the original is
  kept and downloadable, and the version says why ("not possible for this kind of file").
The text for search is the archival copy's (pdftotext): the OCR layer and any text the PDF had. Page images (PNG,
`PAGE_WIDTH` pixels wide, at most `MAX_PAGE_IMAGES`) and the thumbnail are drawn from the archival copy by pdfium.
"""

from __future__ import annotations

import io
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from core.printing import pdf_text, pdfa_problems

from . import services, storage
from .models import DocumentVersion, RenditionKind, RenditionStatus

logger = logging.getLogger(__name__)

PAGE_WIDTH = 1000
THUMBNAIL_WIDTH = 200
MAX_PAGE_IMAGES = 200
IMAGES = {"image/jpeg", "image/png", "image/tiff", "image/gif"}
TEXTS = {"text/plain", "message/rfc822"}


class NotPossible(Exception):
    """This kind of file has no archival copy (the message says so, in words)."""


class RenditionFailed(Exception):
    """The archival copy could not be made, or did not pass the PDF/A check."""


@dataclass(frozen=True)
class Archival:
    pdf: bytes
    text: str
    method: str


def _ocr(pdf: bytes, *, title: str) -> tuple[bytes, str]:
    import ocrmypdf

    with tempfile.TemporaryDirectory(prefix="casework-ocr-") as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        source.write_bytes(pdf)
        try:
            ocrmypdf.ocr(
                source,
                target,
                language=["eng"],
                output_type="pdfa-2",
                pdfa_backend="internal",
                mode="skip",
                invalidate_digital_signatures=True,
                progress_bar=False,
                jobs=1,
                title=title,
                skip_big=60,
                tesseract_timeout=180,
            )
        except ocrmypdf.exceptions.ExitCodeException as e:
            raise RenditionFailed(f"ocrmypdf could not make the archival copy: {type(e).__name__}: {e}") from e
        return target.read_bytes(), ocrmypdf.__version__


def ocr_pdfa(pdf: bytes, *, title: str) -> tuple[bytes, str]:
    """A PDF read by Tesseract where a page has no text, as PDF/A-2b without Ghostscript; and ocrmypdf's version.
    Raises RenditionFailed. (Also how documents.redaction rebuilds a redacted copy.)"""
    return _ocr(pdf, title=title)


def _image_pdf(data: bytes, media_type: str) -> bytes:
    import img2pdf
    from PIL import Image, ImageOps

    if media_type == "image/jpeg":
        try:
            return img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid)
        except Exception:  # an unusual JPEG (CMYK, odd EXIF) goes through Pillow instead
            logger.info("img2pdf refused a JPEG as it is; converting it through Pillow")
    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = ImageOps.exif_transpose(image.copy()) or image.copy()
            if frame.mode not in ("1", "L", "RGB"):
                frame = (
                    frame.convert("RGBA").convert("RGB")
                    if "A" in frame.mode or frame.mode == "P"
                    else frame.convert("RGB")
                )
            out = io.BytesIO()
            dpi = image.info.get("dpi")
            frame.save(out, format="PNG", dpi=dpi if dpi else (150, 150))
            frames.append(out.getvalue())
    return img2pdf.convert(frames)


def _text_pdf(text: str, *, title: str) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string("documents/printing/text.html", {"title": title, "text": text})
    # The styles are a file of their own (a template, as core.printing's), never inline in the page.
    style = CSS(string=render_to_string("documents/printing/text.css"))
    pdf = HTML(string=html, base_url=None).write_pdf(stylesheets=[style], pdf_variant="pdf/a-2b")
    if pdf is None:
        raise RenditionFailed("WeasyPrint returned no PDF")
    return pdf


def archival_copy(data: bytes, media_type: str, *, title: str) -> Archival:
    """The PDF/A-2b archival copy of a file (see the module's docstring). Raises NotPossible or RenditionFailed."""
    if media_type == "application/pdf":
        pdf, version = _ocr(data, title=title)
        method = f"ocrmypdf {version}: Tesseract OCR (English) where a page had no text, PDF/A-2b by pikepdf"
    elif media_type in IMAGES:
        pdf, version = _ocr(_image_pdf(data, media_type), title=title)
        method = f"img2pdf (the picture kept losslessly), then ocrmypdf {version}: Tesseract OCR (English), PDF/A-2b by pikepdf"
    elif media_type in TEXTS:
        pdf = _text_pdf(data.decode("utf-8", errors="replace"), title=title)
        method = "WeasyPrint: the text laid out as PDF/A-2b"
    else:
        raise NotPossible("Casework cannot make an archival copy of this kind of file yet: the original is kept")
    problems = pdfa_problems(pdf)
    if problems:
        raise RenditionFailed("The archival copy is not PDF/A-2b: " + " ".join(problems))
    try:
        text = pdf_text(pdf)
    except RuntimeError as e:
        logger.warning("No text for search: %s", e)
        text = ""
    return Archival(pdf=pdf, text=text, method=method)


def page_images(pdf: bytes) -> tuple[int, list[tuple[int, bytes]], bytes]:
    """(pages, [(page number, PNG)], thumbnail PNG) drawn from a PDF with pdfium."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document)
        images = []
        thumbnail = b""
        for index in range(min(count, MAX_PAGE_IMAGES)):
            page = document[index]
            width = page.get_width() or 595
            bitmap = page.render(scale=PAGE_WIDTH / width)
            image = bitmap.to_pil()
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            images.append((index + 1, out.getvalue()))
            if index == 0:
                small = image.copy()
                small.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2))
                out = io.BytesIO()
                small.save(out, format="PNG", optimize=True)
                thumbnail = out.getvalue()
            page.close()
        return count, images, thumbnail
    finally:
        document.close()


def make(version_id: int) -> str:
    """Make a waiting version's renditions and record them (services.rendition_finish); returns the status."""
    version = services.rendition_start(version_id=version_id)
    if version is None:
        return "not waiting"
    version = DocumentVersion.objects.select_related("document").get(pk=version.pk)
    folder = f"renditions/{version.pk}"
    try:
        data = storage.read_stored(version.storage_name)
        if storage.sha256_bytes(data) != version.sha256:
            raise RenditionFailed("The stored original does not match its SHA-256: it was not used")
        try:
            archival = archival_copy(data, version.media_type, title=version.document.title)
        except NotPossible as e:
            services.rendition_finish(
                version=version, files=[], text="", pages=None, status=RenditionStatus.NOT_POSSIBLE, message=str(e)
            )
            return RenditionStatus.NOT_POSSIBLE
        pages, images, thumbnail = page_images(archival.pdf)
        files = [
            services.MadeFile(
                RenditionKind.ARCHIVAL, 0, f"{folder}/archival.pdf", archival.pdf, "application/pdf", archival.method
            ),
            services.MadeFile(RenditionKind.THUMBNAIL, 0, f"{folder}/thumbnail.png", thumbnail, "image/png", "pdfium"),
            *(
                services.MadeFile(RenditionKind.PAGE, n, f"{folder}/page-{n}.png", png, "image/png", "pdfium")
                for n, png in images
            ),
        ]
        message = "" if pages <= MAX_PAGE_IMAGES else f"Only the first {MAX_PAGE_IMAGES} pages are shown as pictures"
        services.rendition_finish(
            version=version, files=files, text=archival.text, pages=pages, status=RenditionStatus.DONE, message=message
        )
        return RenditionStatus.DONE
    except (RenditionFailed, OSError) as e:
        services.rendition_fail(version=version, message=str(e))
        return RenditionStatus.FAILED
    except Exception as e:
        logger.exception("Renditions of document version %s failed", version.pk)
        services.rendition_fail(
            version=version,
            message=f"The archival copy could not be made because of a fault in Casework ({type(e).__name__}) at "
            f"{timezone.localtime():%H:%M}. The original is kept. The details are in the task worker's log.",
        )
        return RenditionStatus.FAILED
