"""What a file must be to be kept on the record: read from its bytes, never from its name.

`examine(name, data)` identifies the format from the content (libmagic, through python-magic) and refuses, with a
reason a worker can act on:
- a file over the size limit (core.limits.DOCUMENT_BYTES), or empty;
- a program (Windows, Linux or Mac executables, installers, scripts), whatever it is called;
- a file that is not what its name says ("letter.pdf" that is a picture, "photo.jpg" that is a program);
- a kind of file Casework does not keep (archives, databases...);
- an encrypted or password-protected PDF (it could not be read in 75 years, nor made into an archival copy);
- active content: a PDF with JavaScript, a launch action, actions run on opening or attached files; an Office
  document with macros; HTML or SVG with script.
Virus scanning is separate (documents.scanning). Nothing here touches the database.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from core import limits

# What Casework keeps, by the format read from the content: a name for people, and the file name endings that may
# carry it. Anything else is refused as a kind of file Casework does not keep.
ACCEPTED: dict[str, tuple[str, frozenset[str]]] = {
    "application/pdf": ("a PDF", frozenset({".pdf"})),
    "image/jpeg": ("a JPEG picture", frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})),
    "image/png": ("a PNG picture", frozenset({".png"})),
    "image/tiff": ("a TIFF picture", frozenset({".tif", ".tiff"})),
    "image/gif": ("a GIF picture", frozenset({".gif"})),
    "image/heic": ("a HEIC picture", frozenset({".heic", ".heif"})),
    "image/svg+xml": ("an SVG picture", frozenset({".svg"})),
    "text/plain": ("a text file", frozenset({".txt", ".text", ".csv", ".log", ".eml", ""})),
    "text/html": ("a web page", frozenset({".html", ".htm"})),
    "message/rfc822": ("an email", frozenset({".eml", ".msg", ".txt"})),
    "application/vnd.ms-outlook": ("an Outlook email", frozenset({".msg"})),
    "application/msword": ("a Word document", frozenset({".doc"})),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "a Word document",
        frozenset({".docx"}),
    ),
    "application/vnd.ms-excel": ("an Excel spreadsheet", frozenset({".xls"})),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "an Excel spreadsheet",
        frozenset({".xlsx"}),
    ),
    "application/vnd.oasis.opendocument.text": ("an OpenDocument text", frozenset({".odt"})),
    "application/rtf": ("a rich text document", frozenset({".rtf"})),
    "text/rtf": ("a rich text document", frozenset({".rtf"})),
}
# Office Open XML and OpenDocument files are ZIP archives: libmagic sometimes says only that.
ZIP_OFFICE = {".docx", ".xlsx", ".odt"}
# Programs, whatever they are called.
PROGRAMS = {
    "application/x-dosexec": "a Windows program",
    "application/x-msdownload": "a Windows program",
    "application/x-ms-installer": "a Windows installer",
    "application/x-msi": "a Windows installer",
    "application/x-executable": "a Linux program",
    "application/x-pie-executable": "a Linux program",
    "application/x-sharedlib": "a Linux program",
    "application/x-mach-binary": "a Mac program",
    "application/x-elf": "a Linux program",
    "text/x-shellscript": "a script",
    "text/x-msdos-batch": "a Windows script",
    "application/java-archive": "a Java program",
    "application/x-java-applet": "a Java program",
    "application/vnd.microsoft.portable-executable": "a Windows program",
}
# Endings that name a program: refused whatever the content, so a "letter.pdf.exe" never reaches anyone.
PROGRAM_ENDINGS = {".exe", ".com", ".bat", ".cmd", ".scr", ".msi", ".dll", ".ps1", ".vbs", ".js", ".jar", ".sh"}
SCRIPT_IN_MARKUP = re.compile(rb"<\s*script|\bon[a-z]+\s*=|javascript\s*:|<\s*(iframe|object|embed)\b", re.I)
OLE_MACROS = ("_VBA_PROJECT".encode("utf-16-le"), b"_VBA_PROJECT", "Macros".encode("utf-16-le"))


class Refused(Exception):
    """A file Casework will not keep; the message says why, in words for the person who chose it."""


@dataclass(frozen=True)
class Examined:
    media_type: str
    description: str  # libmagic's own description ("PDF document, version 1.7")
    kind: str  # in words: "a PDF"


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def identify(data: bytes) -> tuple[str, str]:
    """The media type and libmagic's description of these bytes."""
    import magic

    head = data[: 2 * 1024 * 1024]
    return magic.from_buffer(head, mime=True), magic.from_buffer(head)


def examine(name: str, data: bytes, *, max_bytes: int | None = None) -> Examined:
    """What the file is, or Refused with the reason (see the module's docstring). `max_bytes`: the size limit,
    core.limits.DOCUMENT_BYTES unless given."""
    max_bytes = max_bytes or limits.DOCUMENT_BYTES
    shown = PurePath(name).name or "The file"
    if not data:
        raise Refused(f"{shown} is empty")
    if len(data) > max_bytes:
        raise Refused(f"{shown} is {size_text(len(data))}: the largest file Casework keeps is {size_text(max_bytes)}")
    ending = PurePath(name.lower()).suffix
    media_type, description = identify(data)
    if media_type in PROGRAMS or data[:2] == b"MZ":
        what = PROGRAMS.get(media_type, "a Windows program")
        if ending and ending not in PROGRAM_ENDINGS:
            raise Refused(f"{shown} is called a {ending[1:].upper()} file but it is {what}: programs are not kept")
        raise Refused(f"{shown} is {what}: programs are not kept on the record")
    if ending in PROGRAM_ENDINGS:
        raise Refused(f"{shown} has the name of a program ({ending}): programs are not kept on the record")
    if media_type in ("application/zip", "application/octet-stream") and ending in ZIP_OFFICE:
        media_type = _office_zip_type(data, ending) or media_type
    accepted = ACCEPTED.get(media_type)
    if accepted is None:
        raise Refused(
            f"{shown} is {_describe(description)}, which Casework does not keep. Upload a PDF, a picture, an email, "
            "a text file or an Office document"
        )
    kind, endings = accepted
    if ending and ending not in endings and not _same_kind(ending, media_type):
        raise Refused(f"{shown} is called a {ending[1:].upper()} file but it is {kind}. Check it is the right file")
    if media_type == "application/pdf":
        _check_pdf(shown, data)
    elif media_type in ("text/html", "image/svg+xml"):
        if SCRIPT_IN_MARKUP.search(data):
            raise Refused(f"{shown} contains script (active content that could run when it is opened)")
    elif media_type in ("application/msword", "application/vnd.ms-excel"):
        if any(marker in data for marker in OLE_MACROS):
            raise Refused(f"{shown} contains macros (programs inside the document). Save it without macros")
    elif media_type.startswith("application/vnd.openxmlformats") or media_type.startswith("application/vnd.oasis"):
        _check_office_zip(shown, data)
    return Examined(media_type=media_type, description=description[:300], kind=kind)


IMAGE_ENDINGS = frozenset(e for media, (_, endings) in ACCEPTED.items() if media.startswith("image/") for e in endings)


def _same_kind(ending: str, media_type: str) -> bool:
    """A picture called by another picture's name (a PNG called .jpg) is still the picture it claims to be."""
    return media_type.startswith("image/") and media_type != "image/svg+xml" and ending in IMAGE_ENDINGS


def _describe(description: str) -> str:
    first = description.split(",")[0].strip() or "data"
    return f"a {first[0].lower()}{first[1:]} file" if not first.lower().startswith(("a ", "an ")) else first


def _office_zip_type(data: bytes, ending: str) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if "xl/workbook.xml" in names:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if "content.xml" in names and ending == ".odt":
        return "application/vnd.oasis.opendocument.text"
    return None


def _check_office_zip(shown: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = [n.lower() for n in z.namelist()]
    except zipfile.BadZipFile as e:
        raise Refused(f"{shown} is damaged and cannot be opened") from e
    if any(n.endswith("vbaproject.bin") or n.startswith("basic/") or "/macros" in n for n in names):
        raise Refused(f"{shown} contains macros (programs inside the document). Save it without macros")
    if any(n.endswith((".exe", ".dll", ".bin")) and "embeddings" in n for n in names):
        raise Refused(f"{shown} has a program embedded in it")


PDF_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "a launch action (it can start a program)"}


def _check_pdf(shown: str, data: bytes) -> None:
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as e:
        raise Refused(
            f"{shown} is protected by a password. Ask the sender for a copy without a password, or print it to PDF"
        ) from e
    except pikepdf.PdfError as e:
        raise Refused(f"{shown} is damaged and cannot be read as a PDF") from e
    with pdf:
        if pdf.is_encrypted:
            raise Refused(f"{shown} is encrypted. Ask the sender for a copy that is not encrypted, or print it to PDF")
        found = _pdf_active_content(pdf)
    if found:
        raise Refused(f"{shown} contains {found}: active content that could run when it is opened")


def _pdf_active_content(pdf: object) -> str:
    import pikepdf

    root = pdf.Root  # type: ignore[attr-defined]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names:
        return "JavaScript"
    if names is not None and "/EmbeddedFiles" in names:
        return "attached files"
    if "/AA" in root:
        return "actions that run when it is opened"
    for obj in pdf.objects:  # type: ignore[attr-defined]
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        if "/JS" in obj:
            return "JavaScript"
        action = obj.get("/S")
        if action is not None and str(action) in PDF_ACTIONS:
            return PDF_ACTIONS[str(action)]
        if obj.get("/Type") == "/Filespec" and "/EF" in obj:
            return "attached files"
    return ""
