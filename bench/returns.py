"""How long the statutory returns take to build on a seeded authority, against the bare SQL that reads the same rows.

    .venv/bin/python bench/returns.py --data-dir var/large [--year 2026] [--runs 3] [--validate] [--label large]

For each return (CIN census; SSDA903 with and without the previous year's tables) it records every SQL statement the
builder sends, then times the whole build (`runs` times) and, separately, the same statements sent straight through a
database cursor with every row fetched: the "bare SQL" floor. The ratio says how much the return costs beyond reading
its rows (Python objects, grouping, the XML or CSV). Issue 4's aims on the large authority: CIN census under 60 s,
SSDA903 under 30 s.

With --validate it also runs DfE's validators on what it built and counts errors, queries and the local tools' false
positives verified against the record (returns/false_positives.py). Results go to bench/results/returns-<label>.json.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import setup_django, write_result


class Recorder:
    """Keeps every statement (with its parameters) the builder runs."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def bare_sql_seconds(statements: list[tuple[str, Any]]) -> tuple[float, int]:
    """Send the statements through a cursor and fetch every row; the time and the number of rows."""
    from django.db import connection

    rows = 0
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                rows += len(cursor.fetchall())
    return time.perf_counter() - start, rows


def measure(name: str, build: Callable[[], Any], runs: int) -> dict[str, Any]:
    from django.db import connection

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        build()  # warms the caches and records the statements
    builds = []
    for _ in range(runs):
        start = time.perf_counter()
        build()
        builds.append(time.perf_counter() - start)
    bare = []
    rows = 0
    for _ in range(runs):
        seconds, rows = bare_sql_seconds(recorder.statements)
        bare.append(seconds)
    build_s, bare_s = statistics.median(builds), statistics.median(bare)
    result = {
        "build_seconds": [round(b, 2) for b in builds],
        "build_median_s": round(build_s, 2),
        "bare_sql_median_s": round(bare_s, 2),
        "ratio_to_bare_sql": round(build_s / bare_s, 1) if bare_s else None,
        "statements": len(recorder.statements),
        "rows_read": rows,
    }
    print(
        f"{name:<26} build median {build_s:7.1f} s (runs {', '.join(f'{b:.1f}' for b in builds)}); bare SQL "
        f"{bare_s:6.1f} s for {rows:,} rows in {len(recorder.statements)} statements; ratio {result['ratio_to_bare_sql']}"
    )
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/large")
    ap.add_argument("--year", type=int, default=None, help="Collection year (default: the latest that has ended)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--validate", action="store_true", help="Also run DfE's validators on the built returns")
    ap.add_argument("--label", default=None, help="Name of the results file (default: the data folder's name)")
    args = ap.parse_args()
    setup_django(args.data_dir)

    from returns.cin_census import build_cin_census
    from returns.common import current_collection_year
    from returns.ssda903 import build_ssda903

    year = args.year or current_collection_year() - 1  # the latest year that has ended
    label = args.label or Path(args.data_dir).name
    out = Path(tempfile.mkdtemp(prefix="bench-returns-"))
    cin_path = out / "cin.xml"
    result: dict[str, Any] = {"year": year, "data_dir": args.data_dir, "runs": args.runs}
    print(f"Returns for the collection year ending 31 March {year}, {args.data_dir}, {args.runs} runs each")

    def cin() -> None:
        cin_path.write_bytes(build_cin_census(year))

    def ssda903() -> None:
        build_ssda903(year, out / "903")

    def ssda903_previous() -> None:
        build_ssda903(year, out / "903-previous", previous=True)

    result["cin_census"] = measure("CIN census", cin, args.runs)
    result["cin_census"]["bytes"] = cin_path.stat().st_size
    result["cin_census"]["children"] = cin_path.read_bytes().count(b"<Child>")
    result["ssda903"] = measure("SSDA903", ssda903, args.runs)
    result["ssda903"]["rows"] = {
        p.stem: max(0, len(p.read_text().splitlines()) - 1) for p in sorted((out / "903").glob("*.csv"))
    }
    result["ssda903_with_previous"] = measure("SSDA903 with previous year", ssda903_previous, args.runs)
    print("SSDA903 rows:", ", ".join(f"{k} {v:,}" for k, v in result["ssda903"]["rows"].items()))

    if args.validate:
        from returns.false_positives import explain
        from returns.validate import validate_cin, validate_ssda903

        for name, run in (
            ("cin_census", lambda: validate_cin(cin_path, year)),
            ("ssda903", lambda: validate_ssda903(out / "903-previous", year)),
        ):
            start = time.perf_counter()
            report = run()
            seconds = time.perf_counter() - start
            explained = explain("cin" if name == "cin_census" else "ssda903", year, report.errors)
            unexplained = [i for i in report.errors if i not in explained]
            by_rule: dict[str, int] = {}
            for issue in report.issues:
                by_rule[f"{issue.rule} ({issue.severity})"] = by_rule.get(f"{issue.rule} ({issue.severity})", 0) + 1
            result[name]["validation"] = {
                "seconds": round(seconds, 1),
                "errors": len(report.errors),
                "false_positives_verified": len(explained),
                "unexplained_errors": len(unexplained),
                "queries": len(report.queries),
                "by_rule": dict(sorted(by_rule.items())),
                "failed_to_run": sorted(report.failed_to_run),
            }
            print(
                f"{name} validation ({seconds:.0f} s): {len(report.errors)} errors, {len(explained)} verified false "
                f"positives of the local tool, {len(unexplained)} unexplained; {len(report.queries)} queries"
            )
            for rule, n in sorted(by_rule.items()):
                print(f"    {rule}: {n}")
    write_result(f"returns-{label}", result)


if __name__ == "__main__":
    main()
