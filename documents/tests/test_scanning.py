"""The virus scanner: chosen by settings, ClamAV's clamd spoken to over its socket, no scanner logging a warning."""

from __future__ import annotations

import logging
import socket
import struct
import threading
from pathlib import Path

import pytest

from documents import scanning


def fake_clamd(path: Path, answer: bytes) -> threading.Thread:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            assert conn.recv(10) == b"zINSTREAM\0"
            received = b""
            while True:
                (size,) = struct.unpack("!L", conn.recv(4))
                if size == 0:
                    break
                while size:
                    block = conn.recv(size)
                    received += block
                    size -= len(block)
            conn.sendall(answer)
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("answer", "clean", "found"),
    [(b"stream: OK\0", True, ""), (b"stream: Eicar-Signature FOUND\0", False, "Eicar-Signature")],
)
def test_clamd_over_its_socket(tmp_path, answer, clean, found) -> None:
    path = tmp_path / "clamd.sock"
    thread = fake_clamd(path, answer)
    verdict = scanning.ClamdScanner(str(path)).scan(b"x" * 100_000)
    thread.join(5)
    assert (verdict.clean, verdict.found, verdict.scanner) == (clean, found, "ClamAV (clamd)")


def test_clamd_that_does_not_answer_is_unavailable(tmp_path) -> None:
    with pytest.raises(scanning.ScannerUnavailable, match="did not answer"):
        scanning.ClamdScanner(str(tmp_path / "none.sock")).scan(b"x")


def test_without_clamav_uploads_are_not_scanned_and_the_log_says_so(settings, tmp_path, caplog, monkeypatch) -> None:
    monkeypatch.setattr(scanning, "scanner_override", None)
    monkeypatch.setattr(scanning.NoScanner, "warned_at", None)
    settings.CASEWORK_VIRUS_SCANNER = "auto"
    settings.CASEWORK_CLAMD_SOCKET = str(tmp_path / "no-socket")
    monkeypatch.setattr(scanning.shutil, "which", lambda name: None)
    chosen = scanning.scanner()
    assert isinstance(chosen, scanning.NoScanner)
    with caplog.at_level(logging.WARNING):
        verdict = chosen.scan(b"x")
    assert verdict.clean and verdict.scanner.startswith("not scanned")
    assert "not scanned for viruses" in caplog.text
    caplog.clear()
    chosen.scan(b"y")
    assert "not scanned" not in caplog.text  # once a minute, not once a file
