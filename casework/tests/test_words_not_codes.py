"""Messages and pages a person reads: no rule numbers or raw codes as the message, dates as "5 December 2026"."""

from __future__ import annotations

import io
import re
import tokenize
from datetime import date
from pathlib import Path

from core.dates import long_date

ROOT = Path(__file__).resolve().parents[2]
# Where the messages a user reads are written: services (RuleError), the rules layer, steps and forms.
MESSAGE_SOURCES = [ROOT / "cases" / "services", ROOT / "cases" / "rules", ROOT / "cases" / "steps.py"]
RULE_NUMBER = re.compile(r"\brules? \d", re.IGNORECASE)


def _strings(path: Path) -> list[tuple[int, str]]:
    """String literals in code (docstrings and comments aside), with their line numbers."""
    out = []
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        in_code = previous not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)  # not a docstring
        if token.type == tokenize.STRING and in_code:
            out.append((token.start[0], token.string))
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    return out


def test_no_message_carries_a_rule_number() -> None:
    files = [p for src in MESSAGE_SOURCES for p in ([src] if src.is_file() else src.rglob("*.py"))]
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in files
        for line, text in _strings(path)
        if RULE_NUMBER.search(text)
    ]
    assert found == [], "say the rule in words; keep its number in a comment:\n" + "\n".join(found)


def test_templates_write_dates_one_way() -> None:
    """Every template writes a date with `|date` (DATE_FORMAT: "5 December 2026") or a named format."""
    allowed = {'"DATETIME_FORMAT"', '"YEAR_MONTH_FORMAT"', "'c'", '"Ymd"'}
    found = [
        f"{path.relative_to(ROOT)}: {fmt}"
        for path in ROOT.glob("*/templates/**/*.html")
        for fmt in re.findall(r"\|date:(\"[^\"]*\"|'[^']*')", path.read_text())
        if fmt not in allowed
    ]
    assert found == []


def test_long_date() -> None:
    assert long_date(date(2026, 12, 5)) == "5 December 2026"
