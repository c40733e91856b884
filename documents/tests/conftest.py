"""Every documents test stores files in a folder of its own (the "documents" storage moved under tmp_path) and
scans with a scanner that finds the EICAR test signature (no ClamAV is needed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from documents import scanning

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeScanner:
    name = "test scanner"

    def scan(self, data: bytes) -> scanning.Verdict:
        if EICAR in data:
            return scanning.Verdict(clean=False, scanner=self.name, found="Eicar-Signature")
        return scanning.Verdict(clean=True, scanner=self.name)


@pytest.fixture(autouse=True)
def documents_storage(tmp_path: Path, settings: Any) -> Iterator[Path]:
    folder = tmp_path / "documents"
    stores = {**settings.STORAGES}
    stores["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None},
    }
    with override_settings(STORAGES=stores):
        scanning.scanner_override = FakeScanner()
        try:
            yield folder
        finally:
            scanning.scanner_override = None
