"""`casework returns ...`: writing the returns, and clear errors for the arguments and situations that stop them.
(A year with no data: test_year_boundaries, whose tests have no children made for them.)"""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from returns.ssda903 import FILE_NAMES, PREVIOUS_FOLDER, TABLES
from returns.validate import Issue, ValidationReport
from returns.validate import report as validation_report

from .journeys import YEAR

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("returns", *args, stdout=out)
    return out.getvalue()


def test_cin_writes_the_file(world, tmp_path):
    target = tmp_path / "cin.xml"
    output = run("cin", "--year", str(YEAR), "--out", str(target))
    assert f"CIN census 2025-26: 4 children written to {target}" in output
    assert target.read_bytes().startswith(b"<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["cin.xml"]  # no temporary file left behind


def test_ssda903_writes_the_folder_with_previous_year(world, tmp_path):
    target = tmp_path / "new" / "903"
    output = run("ssda903", "--year", str(YEAR), "--out", str(target), "--with-previous")
    assert f"SSDA903 2025-26 written to {target}: Header 6, Episodes 8" in output
    assert "Previous year (2024-25)" in output
    assert {p.name for p in target.glob("*.csv")} == {FILE_NAMES[t] for t in TABLES}
    assert {p.name for p in (target / PREVIOUS_FOLDER).glob("*.csv")} == {FILE_NAMES[t] for t in TABLES}


def test_years_that_cannot_be_reported(db, tmp_path):
    with pytest.raises(CommandError, match="has not started yet"):
        run("cin", "--year", "2099", "--out", str(tmp_path / "cin.xml"))
    with pytest.raises(CommandError, match="from the 2024-25 collection year"):
        run("ssda903", "--year", "2020", "--out", str(tmp_path))


def test_output_that_cannot_be_written(db, tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="does not exist: create it first"):
        run("cin", "--year", "2026", "--out", str(tmp_path / "missing" / "cin.xml"))
    with pytest.raises(CommandError, match="is a folder: give a file name"):
        run("cin", "--year", "2026", "--out", str(tmp_path))
    (tmp_path / "a-file").write_text("")
    with pytest.raises(CommandError, match="is a file: --out for the SSDA903 is a folder"):
        run("ssda903", "--year", "2026", "--out", str(tmp_path / "a-file"))
    monkeypatch.setattr(os, "access", lambda *a, **k: False)  # tests run as root, who may write anywhere
    with pytest.raises(CommandError, match=r"Cannot write to the folder .*: permission denied"):
        run("cin", "--year", "2026", "--out", str(tmp_path / "cin.xml"))
    with pytest.raises(CommandError, match=r"Cannot write to the folder .*: permission denied"):
        run("ssda903", "--year", "2026", "--out", str(tmp_path / "903"))


def test_validators_not_installed(db, tmp_path, settings):
    (tmp_path / "cin.xml").write_text("<Message/>")
    (tmp_path / "903").mkdir()
    (tmp_path / "903" / "header.csv").write_text(",".join(TABLES["Header"]) + "\r\n")
    settings.CASEWORK_VALIDATORS_DIR = tmp_path / "validators"  # as $CASEWORK_VALIDATORS_DIR does
    venv = tmp_path / "validators" / "venv"
    with pytest.raises(CommandError, match=rf"not installed in {venv}: run scripts/install-validators.sh"):
        run("validate", "cin", str(tmp_path / "cin.xml"), "--year", "2026")
    with pytest.raises(CommandError, match=r"run scripts/install-validators.sh"):
        run("validate", "ssda903", str(tmp_path / "903"), "--year", "2026")


def test_validate_needs_the_return(db, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run("validate", "cin", str(tmp_path / "nothing.xml"), "--year", "2026")
    with pytest.raises(CommandError, match="There is no folder"):
        run("validate", "ssda903", str(tmp_path / "nothing"), "--year", "2026")
    with pytest.raises(CommandError, match="holds no SSDA903 tables"):
        run("validate", "ssda903", str(tmp_path), "--year", "2026")
    with pytest.raises(CommandError, match="has not started yet"):
        run("validate", "cin", str(tmp_path / "nothing.xml"), "--year", "2099")


def test_bad_arguments(db):
    with pytest.raises(CommandError):
        run("cin", "--year", "twenty", "--out", "x.xml")
    with pytest.raises(CommandError):
        run("ssda903", "--year", "2026")  # no --out
    with pytest.raises(CommandError):
        run("validate", "annex-a", "x", "--year", "2026")


def test_validator_output_becomes_issues_linked_to_children():
    report = validation_report(
        {
            "validator": "csc-validator-be-903",
            "version": "0.1.17",
            "ruleset": "lac2025_26",
            "rules": 316,
            "la": "E08000035",
            "la_inferred": False,
            "issues": [
                {
                    "rule": "442",
                    "message": "Unique Pupil Number (UPN) field is not completed.",
                    "severity": "error",
                    "child_id": "42",
                    "table": "Header",
                    "fields": ["UPN"],
                    "row": 0,
                },
                {"rule": "8770Q", "message": "Check", "severity": "query", "child_id": "43", "table": "", "fields": []},
            ],
            "return_issues": [{"rule": "2887Q", "message": "Few disability codes", "severity": "query"}],
            "failed_to_run": [{"rule": "231", "error": "KeyError: 'UASC_STATUS'"}],
        }
    )
    assert isinstance(report, ValidationReport)
    assert report.errors == [
        Issue(rule="442", message="Unique Pupil Number (UPN) field is not completed.", child_id="42", table="Header", fields=("UPN",), row=0)
    ]  # fmt: skip
    assert report.errors[0].person_id == 42
    assert [i.rule for i in report.queries] == ["8770Q", "2887Q"]
    assert [i.rule for i in report.return_issues] == ["2887Q"] and report.return_issues[0].person_id is None
    assert report.failed_to_run == {"231": "KeyError: 'UASC_STATUS'"}
    assert (
        str(report.errors[0]) == "442 (error) child 42 [Header: UPN]: Unique Pupil Number (UPN) field is not completed."
    )
    assert list(report.by_rule()) == ["2887Q", "442", "8770Q"]
