"""Files as workers send them, made in the test (no binary fixtures): a letter as a PDF with text, a scanned page
(a picture of text), a photograph, and the files that must be refused."""

from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def scanned_png(lines: tuple[str, ...] = ("Letter from Northshire Hospital", "Paediatric review of Amelia")) -> bytes:
    """A page of typed text as a scanner sees it (150 dpi, grey): Tesseract can read it."""
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for n, line in enumerate(lines):
        draw.text((100, 200 + 80 * n), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()


def photo_jpeg() -> bytes:
    image = Image.new("RGB", (640, 480), (90, 140, 200))
    ImageDraw.Draw(image).ellipse((200, 120, 440, 360), fill=(240, 200, 60))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A scanned letter: a PDF holding only a picture of its text."""
    import img2pdf

    return img2pdf.convert(scanned_png())


def text_pdf(text: str = "Minutes of the core group meeting") -> bytes:
    """A born-digital PDF with real text (WeasyPrint)."""
    from weasyprint import HTML

    pdf = HTML(string=f"<html><body><h1>{text}</h1><p>Attended by the family.</p></body></html>").write_pdf()
    assert pdf is not None
    return pdf


def encrypted_pdf() -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(text_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    return out.getvalue()


def javascript_pdf() -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(text_pdf())) as pdf:
        action = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
        pdf.Root.OpenAction = action
        pdf.save(out)
    return out.getvalue()


def windows_program() -> bytes:
    """The start of a Windows executable (the MZ header and a PE signature), as libmagic knows it."""
    header = bytearray(512)
    header[0:2] = b"MZ"
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")
    header[0x80:0x84] = b"PE\0\0"
    header[0x84:0x86] = (0x14C).to_bytes(2, "little")
    return bytes(header)


def macro_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    return out.getvalue()


def svg_with_script() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>'


def email() -> bytes:
    return (
        b"From: school@example.test\nTo: duty@example.test\nSubject: Attendance\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n"
        b"\nAmelia was absent on Friday.\n"
    )
