"""`casework returns`: make the statutory returns from the record and check them with DfE's validators.

    casework returns cin --year 2026 --out cin-2026.xml
    casework returns ssda903 --year 2026 --out ssda903-2026/ [--with-previous]
    casework returns validate cin cin-2026.xml --year 2026
    casework returns validate ssda903 ssda903-2026/ --year 2026 [--la E08000035]
    casework returns csc-api --out csc-api-2026-11-22/ [--la 383] [--all] [--post]

`--year` is the year the collection ends: 2026 for 1 April 2025 to 31 March 2026. Validation needs the validators'
own virtual environment (scripts/install-validators.sh); it exits with an error when the return has errors.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.replica import reads_from_replica
from returns.cin_census import build_cin_census
from returns.common import CollectionYear, ReturnError
from returns.csc_api import build_csc_api, check_folder, check_la_code, write_csc_api
from returns.csc_api_client import CscApiConfig, post_csc_api
from returns.false_positives import explain as explain_false_positives
from returns.ssda903 import build_ssda903
from returns.validate import Issue, ValidationReport, validate_cin, validate_ssda903

MAX_LISTED = 20


def _writable_file(path: Path) -> Path:
    if path.is_dir():
        raise CommandError(f"{path} is a folder: give a file name for the return, like {path / 'cin.xml'}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CommandError(f"The folder {folder} does not exist: create it first, or choose another --out")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"Cannot write to the folder {folder}: permission denied")
    return path


def _writable_folder(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise CommandError(f"{path} is a file: --out for the SSDA903 is a folder, one CSV file per table")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not os.access(existing, os.W_OK):
        raise CommandError(f"Cannot write to the folder {existing}: permission denied")
    return path


class Command(BaseCommand):
    help = "Make the CIN census and SSDA903 returns from the record, and check them with DfE's validators."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cin = sub.add_parser("cin", help="Write the CIN census XML")
        cin.add_argument("--year", type=int, required=True, help="Year the collection ends (2026 for 2025-26)")
        cin.add_argument("--out", type=Path, required=True, help="The XML file to write")

        lac = sub.add_parser("ssda903", help="Write the SSDA903 tables as CSV files")
        lac.add_argument("--year", type=int, required=True, help="Year the collection ends (2026 for 2025-26)")
        lac.add_argument("--out", type=Path, required=True, help="The folder to write the CSV files into")
        lac.add_argument(
            "--with-previous",
            action="store_true",
            help="Also write the previous year's tables into OUT/previous (the validator then checks more rules)",
        )

        check = sub.add_parser("validate", help="Check a return with DfE's validators")
        check.add_argument("kind", choices=["cin", "ssda903"])
        check.add_argument("path", type=Path, help="The CIN census XML file, or the SSDA903 folder")
        check.add_argument("--year", type=int, required=True, help="Year the collection ends (2026 for 2025-26)")
        check.add_argument("--la", default=None, help="SSDA903: the authority's ONS code, like E08000035")

        csc = sub.add_parser("csc-api", help="Write (and post) the DfE children's social care API payloads")
        csc.add_argument("--out", type=Path, required=True, help="A new or empty folder: one JSON file per child")
        csc.add_argument("--la", default=None, help="The authority's 3-digit DfE code (default CASEWORK_LA_CODE)")
        csc.add_argument(
            "--all", action="store_true", help="Every child in the cohort, ignoring what was sent before (no purges)"
        )
        csc.add_argument(
            "--post", action="store_true", help="Post what was written to DfE (CASEWORK_CSC_API_* settings)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "cin":
                self._cin(opts["year"], opts["out"])
            elif opts["action"] == "ssda903":
                self._ssda903(opts["year"], opts["out"], opts["with_previous"])
            elif opts["action"] == "csc-api":
                self._csc_api(opts["out"], opts["la"], opts["all"], opts["post"])
            else:
                self._validate(opts["kind"], opts["path"], opts["year"], opts["la"])
        except ReturnError as e:
            raise CommandError(str(e)) from e

    def _cin(self, year: int, out: Path) -> None:
        out = _writable_file(out)
        with reads_from_replica():
            xml = build_cin_census(year)
        with tempfile.NamedTemporaryFile(dir=out.parent or ".", prefix=f".{out.name}.", delete=False) as tmp:
            tmp.write(xml)
        os.replace(tmp.name, out)
        children = xml.count(b"<Child>")
        self.stdout.write(
            self.style.SUCCESS(f"CIN census {CollectionYear(year).label}: {children:,} children written to {out}")
        )

    def _ssda903(self, year: int, out: Path, with_previous: bool) -> None:
        with reads_from_replica():
            result = build_ssda903(year, _writable_folder(out), previous=with_previous)
        counts = ", ".join(f"{name} {n:,}" for name, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"SSDA903 {CollectionYear(year).label} written to {result.directory}: {counts}")
        )
        if result.previous is not None:
            counts = ", ".join(f"{name} {n:,}" for name, n in result.previous.counts.items())
            self.stdout.write(
                f"Previous year ({CollectionYear(result.previous.year).label}) in {result.previous.directory}: {counts}"
            )

    def _csc_api(self, out: Path, la: str | None, send_all: bool, post: bool) -> None:
        # Read the posting settings first: a post that cannot happen should stop before anything is written.
        config = CscApiConfig.from_environment() if post else None
        check_la_code(la)
        check_folder(out)
        run = build_csc_api(la_code=la, ignore_state=send_all)
        written = write_csc_api(run, out)
        window = f"{run.window.start:%d/%m/%Y} to {run.window.end:%d/%m/%Y}"
        for problem in run.problems:
            self.stdout.write(self.style.WARNING(str(problem)) if problem.blocking else str(problem))
        if run.blocked:
            self.stdout.write(
                self.style.WARNING(f"{len(run.blocked):,} children cannot be sent until their records are corrected")
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"CSC API for LA {run.la_code} (activity {window}): {run.summary}; {len(written):,} files in {out}"
            )
        )
        if config is not None:
            result = post_csc_api(run, config=config)
            self.stdout.write(
                self.style.SUCCESS(f"Posted {result.records:,} records in {result.batches:,} batches to {result.url}")
            )

    def _validate(self, kind: str, path: Path, year: int, la: str | None) -> None:
        report = validate_cin(path, year) if kind == "cin" else validate_ssda903(path, year, la_code=la)
        explained = explain_false_positives(kind, year, report.errors)
        self._print_report(report, explained)
        errors = [i for i in report.errors if i not in explained]
        if errors:
            children = len({i.child_id for i in errors if i.child_id})
            raise CommandError(
                f"The return has {len(errors):,} error{'s' if len(errors) != 1 else ''} "
                f"({children:,} {'child' if children == 1 else 'children'}): correct the records and make it again"
            )

    def _print_report(self, report: ValidationReport, explained: dict[Issue, str] | None = None) -> None:
        out = self.stdout
        explained = explained or {}
        out.write(f"{report.validator} {report.version}, rules {report.ruleset} ({report.rules} rules)")
        if report.previous_year_files:
            out.write(f"With last year's tables ({report.previous_year_files} files): more rules can run")
        if report.la_code:
            out.write(
                f"Authority {report.la_code}" + (" (inferred from home postcodes)" if report.la_code_inferred else "")
            )
        for rule, issues in report.by_rule().items():
            first = issues[0]
            children = sorted({i.child_id for i in issues if i.child_id}, key=lambda c: (len(c), c))
            who = f"{len(children):,} children" if children else "the return"
            listed = ", ".join(children[:MAX_LISTED]) + (" …" if len(children) > MAX_LISTED else "")
            verified = sum(1 for i in issues if i in explained)
            note = ""
            if verified:
                note = (
                    " — all verified against the record as false positives of the local tool"
                    if verified == len(issues)
                    else f" — {verified:,} verified against the record as false positives of the local tool"
                )
            out.write(f"  {rule} ({first.severity}, {who}): {first.message}{note}")
            if children:
                out.write(f"      children: {listed}")
            for issue in issues[:3]:
                if issue in explained:
                    out.write(f"      e.g. child {issue.child_id}: {explained[issue]}")
                    break
        if report.failed_to_run:
            out.write(
                f"{len(report.failed_to_run)} rules could not run on this data (not errors in it): "
                + ", ".join(sorted(report.failed_to_run))
            )
        to_fix = len(report.errors) - len(explained)
        if explained:
            summary = (
                f"{len(report.errors):,} errors ({len(explained):,} verified false positives of the local tool, "
                f"{to_fix:,} to fix), {len(report.queries):,} queries"
            )
            out.write(self.style.SUCCESS(summary) if not to_fix else self.style.WARNING(summary))
            return
        summary = f"{len(report.errors):,} errors, {len(report.queries):,} queries"
        out.write(self.style.SUCCESS(summary) if not report.errors else self.style.WARNING(summary))
