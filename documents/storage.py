"""Where documents' bytes live: Django's storage API, the storage named "documents" (settings.STORAGES).

By default the local filesystem under $CASEWORK_DATA_DIR/documents; in production an S3-compatible store with object
lock (casework/settings/production.py, docs/evidence/system-description.md). Originals are stored by their SHA-256
(`originals/ab/ab12...`), so the same bytes are stored once and a name never holds other bytes: a file already there
is never written again. Renditions are stored under `renditions/<version id>/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

CHUNK = 1024 * 1024


def documents_storage() -> Storage:
    return storages["documents"]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_name(sha256: str) -> str:
    return f"originals/{sha256[:2]}/{sha256}"


def store_original(data: bytes, sha256: str, *, probably_new: bool = False) -> str:
    """Keep these bytes (whose SHA-256 is `sha256`) and return their storage name. Bytes already stored are left as
    they are. Raises OSError if the storage cannot keep them, or if it keeps them under another name.

    `probably_new`: the caller knows no version names these bytes (a bulk import asks the database once for a chunk
    of files), so the storage is not asked first whether it holds them: the save itself finds a file left there by a
    transaction that rolled back, and the copy it then made under another name is removed."""
    storage = documents_storage()
    name = original_name(sha256)
    if not probably_new and storage.exists(name):
        return name
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        if probably_new and storage.exists(name):
            storage.delete(saved)  # our own second copy, named by the storage, never by a row
            return name
        raise OSError(f"The documents storage kept the file as {saved}, not {name}")
    return name


def store_rendition(name: str, data: bytes) -> str:
    """Keep a rendition under `name` (renditions/<version id>/...). One already there is left as it is: a rendition is
    made again only under a new name."""
    storage = documents_storage()
    if storage.exists(name):
        return name
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        raise OSError(f"The documents storage kept the file as {saved}, not {name}")
    return name


def open_stored(name: str) -> IO[bytes]:
    """The stored file, opened for reading. Raises FileNotFoundError (or the storage's error) when it is missing."""
    return documents_storage().open(name, "rb")


def read_stored(name: str) -> bytes:
    with open_stored(name) as f:
        return f.read()


def chunks(name: str) -> Iterator[bytes]:
    with open_stored(name) as f:
        while block := f.read(CHUNK):
            yield block


def hash_stored(name: str) -> tuple[str, int] | None:
    """The SHA-256 and size of a stored file, read afresh; None when it is missing."""
    storage = documents_storage()
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    size = 0
    try:
        for block in chunks(name):
            digest.update(block)
            size += len(block)
    except FileNotFoundError:
        return None
    return digest.hexdigest(), size
