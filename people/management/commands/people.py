"""`casework people search ...`, `casework people import ...`, `casework people fit-match-weights`,
`casework people refresh-name-frequencies`, and the duplicates: `casework people duplicates [--json]`,
`casework people sweep [--dry-run]`, `casework people merge --keep ID --merge ID --user EMAIL [--json]`,
`casework people unmerge MERGE_ID --user EMAIL`."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import AuditAction
from audit.services import audit_record
from people.importer import ImportFileError, import_people
from people.match_fit import DEFAULT_SAMPLE, MIN_PEOPLE, FitError, fit_match_weights
from people.match_store import name_frequencies_refresh
from people.search import SearchError, search_people

MAX_ERRORS_SHOWN = 200


def _date(text: str | None, where: str) -> date | None:
    if text in (None, ""):
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError as e:
        raise CommandError(f"{where}: date of birth '{text}' must be YYYY-MM-DD") from e


class Command(BaseCommand):
    help = "Search the person index or import people from CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        s = sub.add_parser("search", help="Ranked matches for a name, allowing for misspellings")
        s.add_argument("name", nargs="?", default=None)
        s.add_argument("--dob", help="Date of birth, YYYY-MM-DD")
        s.add_argument("--postcode", default="")
        s.add_argument("--limit", type=int, default=10)
        s.add_argument("--json", action="store_true", help="Print JSON (one list; one list per line with --queries)")
        s.add_argument("--queries", help='File of JSON lines {"name": ..., "dob": ...} for bulk tracing')
        i = sub.add_parser("import", help="Load people from a CSV file")
        i.add_argument("file")
        i.add_argument("--dry-run", action="store_true", help="Check the file and report; load nothing")
        f = sub.add_parser(
            "fit-match-weights",
            help="Fit the search's match weights on a sample of the authority's people (splink) and store them",
        )
        f.add_argument("--sample", type=int, default=DEFAULT_SAMPLE, help="People to fit on (default %(default)s)")
        f.add_argument("--seed", type=int, default=1, help="Random seed of the sample and of the pairs")
        f.add_argument("--json", action="store_true", help="Print the stored model as JSON")
        sub.add_parser(
            "refresh-name-frequencies", help="Count every surname and given name again (the search's name weights)"
        )
        d = sub.add_parser("duplicates", help="The possible duplicates waiting for review, most likely first")
        d.add_argument("--json", action="store_true", help="Print JSON (one list of pairs)")
        d.add_argument("--limit", type=int, default=200)
        w = sub.add_parser("sweep", help="Look over the whole index for possible duplicates the add-time check missed")
        w.add_argument("--dry-run", action="store_true", help="Count what would be proposed; propose nothing")
        m = sub.add_parser("merge", help="Merge one record into another (can be undone)")
        m.add_argument("--keep", type=int, required=True, help="The record number that stays")
        m.add_argument("--merge", type=int, required=True, help="The record number merged into it")
        m.add_argument("--user", required=True, help="Email of the user doing the merge (business support or admin)")
        m.add_argument(
            "--take",
            action="append",
            default=[],
            metavar="FIELD",
            help="Keep the merged record's value of FIELD (name, date_of_birth, current_address, upn, ...); repeat",
        )
        m.add_argument("--confirm", action="store_true", help="A manager confirms what the rules ask (see the message)")
        m.add_argument("--json", action="store_true")
        u = sub.add_parser("unmerge", help="Undo a merge exactly")
        u.add_argument("merge_id", type=int)
        u.add_argument("--user", required=True, help="Email of the user undoing the merge")
        u.add_argument(
            "--assign",
            action="append",
            default=[],
            metavar="ITEM=WHOSE",
            help="Work recorded since the merge: ITEM (as listed) = survivor or merged; repeat",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "search":
            self._search(opts)
        elif opts["action"] == "fit-match-weights":
            self._fit(opts)
        elif opts["action"] == "refresh-name-frequencies":
            counts = name_frequencies_refresh()
            self.stdout.write(
                f"Counted {counts['surname']:,} different surnames and {counts['given_name']:,} given names."
            )
        elif opts["action"] == "import":
            self._import(opts)
        else:
            from people import merge_commands

            getattr(merge_commands, opts["action"])(self, opts)

    def _fit(self, opts: dict[str, Any]) -> None:
        if opts["sample"] < MIN_PEOPLE:
            raise CommandError(f"--sample must be at least {MIN_PEOPLE:,} people")
        try:
            fit = fit_match_weights(sample=opts["sample"], seed=opts["seed"])
        except FitError as e:
            raise CommandError(str(e)) from e
        model = fit.model
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "version": model.version,
                        "method": model.method,
                        "fitted_at": model.fitted_at.isoformat(),
                        "people": model.people,
                        "sample": model.sample,
                        "weights": model.weights,
                        "details": model.details,
                    }
                )
            )
            return
        self.stdout.write(
            f"Stored match weights version {model.version}, fitted on {model.sample:,} of {model.people:,} people "
            f"in {fit.seconds:,.1f} s ({model.method})."
        )
        check = model.details["check"]
        found = (
            f"the right person in the top five for {check['fitted']:.1%} of {check['queries']} test searches, "
            f"{check['defaults']:.1%} with the default weights"
        )
        if model.details["used"]:
            self.stdout.write(f"Search uses them within five minutes: {found}.")
        else:
            self.stdout.write(f"Search does not use them (they find people less well than the defaults): {found}.")
        for comparison, levels in fit.weights.levels.items():
            shown = ", ".join(f"{level} {fit.weights.weight(comparison, level):+.1f}" for level in levels)
            self.stdout.write(f"  {comparison.replace('_', ' ')} (bits): {shown}")

    def _search(self, opts: dict[str, Any]) -> None:
        if opts["limit"] < 1 or opts["limit"] > 1000:
            raise CommandError("--limit must be between 1 and 1000")
        if opts["queries"]:
            if opts["name"]:
                raise CommandError("Give either a NAME or --queries FILE, not both")
            self._bulk(Path(opts["queries"]), opts)
            return
        if not (opts["name"] or "").strip():
            raise CommandError('Enter a name to search for, like: casework people search "Amelia Hughes"')
        try:
            matches = search_people(
                user=None,
                name=opts["name"],
                date_of_birth=_date(opts["dob"], "--dob"),
                postcode=opts["postcode"],
                limit=opts["limit"],
            )
        except SearchError as e:
            raise CommandError(str(e)) from e
        audit_record(
            actor=None,
            action=AuditAction.SEARCH,
            object_type="person_search",
            context={"channel": "command line", "query": opts["name"], "results": len(matches)},
        )
        if opts["json"]:
            self.stdout.write(json.dumps([m.as_json() for m in matches]))
            return
        if not matches:
            self.stdout.write("Nobody matched.")
        for m in matches:
            dob = m.date_of_birth.isoformat() if m.date_of_birth else "dob not known"
            self.stdout.write(
                f"{m.score:5.2f}  #{m.id:<8} {m.given_name} {m.family_name}  ({dob}) {m.postcode}  {', '.join(m.reasons)}"
            )

    def _bulk(self, path: Path, opts: dict[str, Any]) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise CommandError(f"Cannot read {path}: {e.strerror}") from e
        count = 0
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                name = q["name"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise CommandError(
                    f'{path}, line {n}: expected a JSON object like {{"name": "...", "dob": "..."}}'
                ) from e
            try:
                matches = search_people(
                    user=None,
                    name=name,
                    date_of_birth=_date(q.get("dob"), f"{path}, line {n}"),
                    postcode=q.get("postcode") or "",
                    limit=opts["limit"],
                )
            except SearchError as e:
                raise CommandError(f"{path}, line {n}: {e}") from e
            self.stdout.write(json.dumps([m.as_json() for m in matches]))
            count += 1
        audit_record(
            actor=None,
            action=AuditAction.SEARCH,
            object_type="person_search",
            context={"channel": "command line", "bulk_file": path.name, "queries": count},
        )

    def _import(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        started = time.monotonic()
        tty = sys.stderr.isatty()

        last = [0]

        def progress(rows: int) -> None:
            # On a terminal, one line redrawn per batch; in a log, a line every 50,000 rows.
            if not tty and rows - last[0] < 50_000:
                return
            last[0] = rows
            rate = rows / max(time.monotonic() - started, 0.001)
            msg = f"{rows:,} rows read ({rate:,.0f} rows/s)"
            self.stderr.write(("\r" + msg) if tty else msg, ending="" if tty else "\n")

        try:
            result = import_people(path, dry_run=opts["dry_run"], progress=progress)
        except ImportFileError as e:
            raise CommandError(str(e)) from e
        if tty:
            self.stderr.write("")
        for err in result.errors[:MAX_ERRORS_SHOWN]:
            sid = f" (source_id {err.source_id})" if err.source_id else ""
            self.stderr.write(f"Line {err.line}{sid}: {err.reason}")
        if len(result.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"…and {len(result.errors) - MAX_ERRORS_SHOWN:,} more rejected rows")
        verb = "Would load" if result.dry_run else "Loaded"
        self.stdout.write(
            f"{'DRY RUN: nothing was changed. ' if result.dry_run else ''}"
            f"Rows read: {result.rows:,}. {verb}: {result.loaded:,}. Already loaded: {result.already_loaded:,}. "
            f"Matched to an existing person by NHS number: {result.matched_by_nhs_number:,}. "
            f"Flagged as possible duplicates: {result.possible_duplicates:,}. Rejected: {len(result.errors):,}. "
            f"({time.monotonic() - started:.1f} s)"
        )
