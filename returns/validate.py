"""Checking a return with DfE's own validation rules, as implemented by Data to Insight (csc-validator-be-cin and
csc-validator-be-903). They need pandas<2 and numpy<2, so they live in their own virtual environment
(scripts/install-validators.sh) and run as a subprocess: returns/validator_runner.py, run by that environment's
python, prints the issues as JSON.

Each issue names the rule, its message, the child (LAchildID or CHILD: the person's record number, so
`issue.person_id` links to the child's record), the table and fields. Rules that crash on the data are not issues:
they are listed in `failed_to_run` (the SSDA903 validator 0.1.17 always fails to run rule 231).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from casework.db import data_dir

from .common import ReturnError, check_year
from .ssda903 import PREVIOUS_FOLDER

RUNNER = Path(__file__).resolve().parent / "validator_runner.py"
TIMEOUT_SECONDS = 1800
INSTALL_HINT = "run scripts/install-validators.sh"


class ValidatorsMissing(ReturnError):
    """The validators' virtual environment is not installed."""


@dataclass(frozen=True)
class Issue:
    """One failure of one DfE rule. `child_id` is None for a rule about the whole return."""

    rule: str
    message: str
    severity: str = "error"  # "error" or "query" (the CIN census has queries; the SSDA903 validator does not)
    child_id: str | None = None
    table: str = ""
    fields: tuple[str, ...] = ()
    row: int | None = None

    @property
    def person_id(self) -> int | None:
        """The record number of the child, to link to their record."""
        return int(self.child_id) if self.child_id and self.child_id.isdigit() else None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"child {self.child_id}" if self.child_id else "return"
        fields = f" [{self.table}: {', '.join(self.fields)}]" if self.table or self.fields else ""
        return f"{self.rule} ({self.severity}) {where}{fields}: {self.message}"


@dataclass
class ValidationReport:
    validator: str
    version: str
    ruleset: str
    rules: int
    issues: list[Issue] = field(default_factory=list)
    failed_to_run: dict[str, str] = field(default_factory=dict)
    la_code: str | None = None
    la_code_inferred: bool = False
    previous_year_files: int = 0

    @property
    def child_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.child_id is not None]

    @property
    def return_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.child_id is None]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def queries(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    def by_rule(self) -> dict[str, list[Issue]]:
        out: dict[str, list[Issue]] = {}
        for issue in self.issues:
            out.setdefault(issue.rule, []).append(issue)
        return dict(sorted(out.items()))


def validators_venv() -> Path:
    return data_dir() / "validators" / "venv"


def validators_python() -> Path:
    python = validators_venv() / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if not python.exists():
        raise ValidatorsMissing(f"The DfE validators are not installed in {validators_venv()}: {INSTALL_HINT}")
    return python


def la_ons_code() -> str | None:
    """The authority's ONS code (E06..., E08..., E09..., E10...), which the SSDA903 validator compares placements
    with: settings.CASEWORK_LA_ONS_CODE or the environment variable of that name, if set."""
    return getattr(settings, "CASEWORK_LA_ONS_CODE", None) or os.environ.get("CASEWORK_LA_ONS_CODE") or None


def _run(args: list[str]) -> dict[str, Any]:
    python = validators_python()
    try:
        done = subprocess.run(  # noqa: S603  (fixed program and arguments, no shell)
            [str(python), str(RUNNER), *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except subprocess.TimeoutExpired as e:
        raise ReturnError(f"The validator did not finish within {TIMEOUT_SECONDS // 60} minutes") from e
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReturnError(f"The validator stopped without a result ({detail}). Is the venv complete? {INSTALL_HINT}")
    result: dict[str, Any] = json.loads(lines[-1])
    if "fatal" in result:
        raise ReturnError(f"The validator could not read the return: {result['fatal']}")
    return result


def _report(result: dict[str, Any]) -> ValidationReport:
    issues = [
        Issue(
            rule=str(i["rule"]),
            message=i.get("message", ""),
            severity=i.get("severity", "error"),
            child_id=i.get("child_id"),
            table=i.get("table", ""),
            fields=tuple(i.get("fields", [])),
            row=i.get("row"),
        )
        for i in [*result.get("issues", []), *result.get("return_issues", [])]
    ]
    return ValidationReport(
        validator=result["validator"],
        version=result["version"],
        ruleset=result["ruleset"],
        rules=result["rules"],
        issues=issues,
        failed_to_run={str(f["rule"]): f.get("error", "") for f in result.get("failed_to_run", [])},
        la_code=result.get("la"),
        la_code_inferred=bool(result.get("la_inferred")),
        previous_year_files=int(result.get("previous_year_files", 0)),
    )


def validate_cin(path: Path, year: int) -> ValidationReport:
    """Check a CIN census XML file with DfE's rules for the collection year ending 31 March `year`."""
    check_year(year)
    path = Path(path)
    if not path.is_file():
        raise ReturnError(f"There is no file {path}")
    return _report(_run(["cin", str(path.resolve()), "--year", str(year)]))


def validate_ssda903(directory: Path, year: int, *, la_code: str | None = None) -> ValidationReport:
    """Check the SSDA903 CSV files in `directory` (and last year's, in `directory/previous`, if there) with DfE's
    rules for the collection year ending 31 March `year`. `la_code` is the authority's ONS code (see la_ons_code);
    without one the validator's runner infers it from the children's home postcodes."""
    check_year(year)
    directory = Path(directory)
    if not directory.is_dir():
        raise ReturnError(f"There is no folder {directory}")
    if not any(directory.glob("*.csv")):
        raise ReturnError(f"{directory} holds no SSDA903 tables: make them with `casework returns ssda903`")
    args = ["ssda903", str(directory.resolve()), "--year", str(year)]
    code = la_code or la_ons_code()
    if code:
        args += ["--la", code]
    return _report(_run(args))


__all__ = [
    "PREVIOUS_FOLDER",
    "Issue",
    "ValidationReport",
    "ValidatorsMissing",
    "la_ons_code",
    "validate_cin",
    "validate_ssda903",
    "validators_python",
]
