"""Runs DfE's validators (Data to Insight's implementation of the DfE rules) on a return and prints one JSON object.

This file is executed by the python of the validators' own virtual environment (scripts/install-validators.sh), never
imported by Casework: the validators need pandas<2 and numpy<2. It imports nothing from Casework and must run on
Python 3.9 to 3.11.

    python validator_runner.py cin FILE.xml --year 2026
    python validator_runner.py ssda903 DIR --year 2026 [--la E08000035]

For SSDA903, the CSV files directly in DIR are this year's; those in DIR/previous (if any) are last year's. --la is
the authority's ONS code (E06..., E08..., E09..., E10...), which the validator needs to tell placements inside the
authority from those outside; without it, the most common authority of the children's home postcodes is used.

Output: {"validator", "version", "ruleset", "rules", "issues": [...], "return_issues": [...], "failed_to_run": [...]}
Each issue: rule, message, severity (error or query), child_id, table, fields, row. The validators print and log as
they go: all of that is captured and kept out of stdout, which carries only the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import re
import sys
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Any

PREVIOUS_FOLDER = "previous"
CIN_RULE_FAILED = re.compile(r"^Error with rule (\S+): (.*)$")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return None if text in ("", "nan", "NaN", "<NA>", "None") else text


def _row(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def run_cin(path: Path, year: int) -> dict[str, Any]:
    from cin_validator import cin_validator
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    registry = get_year_ruleset(str(year))
    # A return Casework wrote, or one a member of staff names on the command line; the DfE validator parses it too.
    root = ET.parse(path).getroot()  # noqa: S314  # nosec B314
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        data = cin_validator.process_data(cin_validator.convert_data(root))
        validator = cin_validator.CinValidator(data, registry)
    failed = []
    for line in captured.getvalue().splitlines():
        match = CIN_RULE_FAILED.match(line.strip())
        if match:
            failed.append({"rule": match.group(1), "error": match.group(2)})

    severity = {str(rule.code): rule.rule_type.name.lower() for rule in registry.values()}
    grouped: dict[tuple, dict[str, Any]] = {}
    for rec in validator.full_issue_df.to_dict("records"):
        rule = str(rec.get("rule_code"))
        key = (rule, _text(rec.get("child_id")), _text(rec.get("tables_affected")), _row(rec.get("row_id")))
        issue = grouped.setdefault(
            key,
            {
                "rule": rule,
                "message": _text(rec.get("rule_description")) or "",
                "severity": severity.get(rule, "error"),
                "child_id": key[1],
                "table": key[2] or "",
                "fields": [],
                "row": key[3],
            },
        )
        column = _text(rec.get("columns_affected"))
        if column and column not in issue["fields"]:
            issue["fields"].append(column)

    return_issues = []
    seen = set()
    for rec in validator.multichild_issues.to_dict("records"):
        rule = str(rec.get("rule_code"))
        if rule in seen:
            continue
        seen.add(rule)
        return_issues.append(
            {"rule": rule, "message": _text(rec.get("rule_description")) or "", "severity": severity.get(rule, "error")}
        )
    return {
        "validator": "csc-validator-be-cin",
        "version": version("csc-validator-be-cin"),
        "ruleset": f"cin{year - 1}_{str(year)[2:]}",
        "rules": len(registry),
        "issues": list(grouped.values()),
        "return_issues": return_issues,
        "failed_to_run": failed,
    }


class _FailureLog(logging.Handler):
    """Keeps the exception of each rule that failed to run (lac_validator logs it with logger.exception)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        match = re.match(r"Rule code (\S+) failed to run", record.getMessage())
        if match and record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.errors[match.group(1)] = f"{type(exc).__name__}: {exc}"


def _infer_la(episode_files: list[Path]) -> str | None:
    """The upper-tier authority most of the children's home postcodes are in."""
    import pandas as pd
    from lac_validator.datastore import la_df, merge_postcodes

    frames = [pd.read_csv(p, dtype=str) for p in episode_files]
    frames = [f for f in frames if "HOME_POST" in f.columns and len(f)]
    if not frames:
        return None
    episodes = pd.concat(frames, ignore_index=True)
    episodes = episodes[episodes["HOME_POST"].notna()].copy()
    if not len(episodes):
        return None
    details = merge_postcodes(episodes, "HOME_POST").merge(la_df, how="left", left_on="laua", right_on="LTLA21CD")
    counts = Counter(code for code in details["UTLA21CD"].dropna().tolist())
    return counts.most_common(1)[0][0] if counts else None


def run_ssda903(directory: Path, year: int, la: str | None) -> dict[str, Any]:
    this_year = sorted(str(p) for p in directory.glob("*.csv"))
    prev_dir = directory / PREVIOUS_FOLDER
    prev_year = sorted(str(p) for p in prev_dir.glob("*.csv")) if prev_dir.is_dir() else []
    if not this_year:
        raise SystemExit(f"No CSV files in {directory}")

    failures = _FailureLog()
    logging.getLogger().addHandler(failures)
    logging.getLogger().setLevel(logging.ERROR)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        from lac_validator import lac_validator
        from lac_validator.config import column_names
        from lac_validator.rules.ruleset_utils import get_year_ruleset
        from lac_validator.utils import process_uploaded_files

        logging.getLogger().setLevel(logging.ERROR)  # lac_validator calls basicConfig(level=INFO) on import
        la_inferred = False
        if not la:
            import pandas as pd

            episode_files = [
                Path(p) for p in this_year if set(pd.read_csv(p, nrows=0).columns) == set(column_names["Episodes"])
            ]
            la = _infer_la(episode_files)
            la_inferred = True
        registry = get_year_ruleset(str(year))
        files = {"This year": this_year}
        if prev_year:
            files["Prev year"] = prev_year
        validator = lac_validator.LacValidator(
            metadata={"collectionYear": str(year), "localAuthority": la or ""},
            files=process_uploaded_files(files),
            registry=registry,
            selected_rules=None,
        )

    issues = []
    for table, df in validator.ds_results.items():
        if table == "metadata":
            continue
        error_columns = [c for c in df.columns if str(c).startswith("ERR_")]
        for column in error_columns:
            rule = str(column)[4:]
            definition = registry.get(rule)
            flagged = df.index[df[column] == True].tolist()  # noqa: E712  (NaN for rows the rule passed)
            for row in flagged:
                issues.append(
                    {
                        "rule": rule,
                        "message": (definition.message if definition else "") or "",
                        "severity": "error",
                        "child_id": _text(df.at[row, "CHILD"]) if "CHILD" in df.columns else None,
                        "table": table,
                        "fields": list((definition.affected_fields if definition else None) or []),
                        "row": _row(row),
                    }
                )
    failed = [{"rule": str(code), "error": failures.errors.get(str(code), "")} for code in validator.fails]
    return {
        "validator": "csc-validator-be-903",
        "version": version("csc-validator-be-903"),
        "ruleset": f"lac{year - 1}_{str(year)[2:]}",
        "rules": len(registry),
        "la": la,
        "la_inferred": la_inferred,
        "previous_year_files": len(prev_year),
        "issues": issues,
        "return_issues": [],
        "failed_to_run": failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["cin", "ssda903"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--la", default=None)
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        result = run_cin(args.path, args.year) if args.kind == "cin" else run_ssda903(args.path, args.year, args.la)
    except SystemExit as e:
        out.write(json.dumps({"fatal": str(e)}) + "\n")
        return 2
    except Exception as e:
        out.write(json.dumps({"fatal": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}) + "\n")
        return 2
    out.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
