"""Virus scanning of uploads, through a pluggable scanner (settings.CASEWORK_VIRUS_SCANNER).

- "clamd": ClamAV's daemon over its Unix socket (settings.CASEWORK_CLAMD_SOCKET), with the INSTREAM command;
- "clamscan": ClamAV's command-line scanner, the file on standard input (slower: it loads the signatures each time);
- "none": no scanning; each upload logs a warning (the demo, or a machine without ClamAV);
- "auto" (the default): clamd if its socket is there, else clamscan if installed, else none.

A scanner that finds something refuses the file with the signature's name. A scanner that is configured but cannot
be reached refuses the upload too ("try again"): files are never kept unscanned where scanning was asked for.
Tests and other deployments may set `scanner_override` to any object with `name` and `scan(data) -> Verdict`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Verdict:
    clean: bool
    scanner: str  # what scanned it, for the evidence page ("ClamAV (clamd)", "not scanned")
    found: str = ""  # the signature's name when not clean


class ScannerUnavailable(Exception):
    """The configured scanner could not be asked."""


class Scanner(Protocol):
    name: str

    def scan(self, data: bytes) -> Verdict: ...


class NoScanner:
    name = "not scanned (no virus scanner is installed)"
    # At most one warning a minute per process: a bureau's import of 100,000 files would otherwise log 100,000.
    WARN_EVERY = 60.0
    warned_at: float | None = None

    def scan(self, data: bytes) -> Verdict:
        now = time.monotonic()
        if NoScanner.warned_at is None or now - NoScanner.warned_at >= self.WARN_EVERY:
            NoScanner.warned_at = now
            logger.warning(
                "Uploads are not scanned for viruses: no virus scanner is installed (CASEWORK_VIRUS_SCANNER; "
                "install ClamAV's clamav-daemon)"
            )
        return Verdict(clean=True, scanner=self.name)


class ClamdScanner:
    name = "ClamAV (clamd)"

    def __init__(self, path: str) -> None:
        self.path = path

    def scan(self, data: bytes) -> Verdict:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(60)
                s.connect(self.path)
                s.sendall(b"zINSTREAM\0")
                for i in range(0, len(data), CHUNK):
                    block = data[i : i + CHUNK]
                    s.sendall(struct.pack("!L", len(block)) + block)
                s.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    got = s.recv(4096)
                    if not got:
                        break
                    reply += got
        except OSError as e:
            raise ScannerUnavailable(f"ClamAV's clamd did not answer at {self.path}: {e}") from e
        text = reply.rstrip(b"\0").decode(errors="replace")
        if text.endswith("OK"):
            return Verdict(clean=True, scanner=self.name)
        if text.endswith("FOUND"):
            return Verdict(clean=False, scanner=self.name, found=text.split(":", 1)[-1].removesuffix("FOUND").strip())
        raise ScannerUnavailable(f"ClamAV's clamd answered: {text}")


class ClamscanScanner:
    name = "ClamAV (clamscan)"

    def __init__(self, command: str) -> None:
        self.command = command

    def scan(self, data: bytes) -> Verdict:
        done = subprocess.run(  # noqa: S603 - a fixed command, no shell, the file on standard input
            [self.command, "--no-summary", "--stdout", "-"], input=data, capture_output=True, check=False, timeout=300
        )
        if done.returncode == 0:
            return Verdict(clean=True, scanner=self.name)
        if done.returncode == 1:
            line = done.stdout.decode(errors="replace").strip().splitlines()[-1:] or [""]
            return Verdict(
                clean=False, scanner=self.name, found=line[0].split(":", 1)[-1].removesuffix("FOUND").strip()
            )
        raise ScannerUnavailable(f"clamscan failed: {done.stderr.decode(errors='replace').strip()[:300]}")


scanner_override: Scanner | None = None


def scanner() -> Scanner:
    """The scanner settings ask for (see the module's docstring)."""
    if scanner_override is not None:
        return scanner_override
    choice = getattr(settings, "CASEWORK_VIRUS_SCANNER", "auto")
    socket_path = getattr(settings, "CASEWORK_CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")
    if choice == "clamd" or (choice == "auto" and os.path.exists(socket_path)):
        return ClamdScanner(socket_path)
    clamscan = shutil.which("clamscan")
    if choice == "clamscan" or (choice == "auto" and clamscan):
        if not clamscan:
            raise ScannerUnavailable("clamscan is not installed (Debian's clamav)")
        return ClamscanScanner(clamscan)
    return NoScanner()
