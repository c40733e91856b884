"""The `casework` command as a user types it: help that lists Casework's own commands and needs no database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASEWORK = Path(sys.executable).parent / "casework"


def casework(*args: str, data_dir: Path, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["CASEWORK_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([str(CASEWORK), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("args", [(), ("--help",), ("help",)])
def test_help_lists_the_commands_without_starting_a_database(tmp_path, args):
    run = casework(*args, data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    for command in (
        "serve",
        "worker [--batch]",
        "seed",
        "people search",
        "audit verify",
        "returns validate",
        "tokens issue",
        "manage",
    ):
        assert f"  {command}" in run.stdout
    assert not (tmp_path / "postgres").exists()


@pytest.mark.parametrize("args", [("worker", "--help"), ("help", "worker")])
def test_worker_help_is_about_casework_worker(tmp_path, args):
    run = casework(*args, data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: casework worker ")
    assert "--batch" in run.stdout
    assert not (tmp_path / "postgres").exists()


def test_a_command_help_starts_no_database(tmp_path):
    run = casework("audit", "verify", "--help", data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "names the first broken event" in " ".join(run.stdout.split())
    assert not (tmp_path / "postgres").exists()
