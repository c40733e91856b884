"""Query counts for tests, failing with the SQL that was run (after zulip's `assert_database_query_count`).

A page or selector must not run more queries as the record grows. Tests check that in one of two ways:

    with assert_query_count(9):            # exactly 9 (or `at_most=True`: no more than 9)
        selectors.overview(...)

    with count_queries() as few:           # the same count with small data and with more
        client.get(url)
    add_more_children()
    with count_queries() as many:
        client.get(url)
    assert_same_query_count(few, many)

On failure the message gives the counts and every statement, numbered, so the extra query is on the screen rather
than in a debugger. Long select lists are shortened to `SELECT … FROM`, and very long statements are cut. Every
statement counts, savepoints included, as with Django's `assertNumQueries`.

This lives in `core`, the lowest layer, so that every app's tests may import it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

# A statement longer than this (after its select list is shortened) is cut: the table and the WHERE clause, which
# tell one query from another, come first.
LONGEST_STATEMENT = 400
# A select list shorter than this is kept: `SELECT COUNT(*) FROM` says more than `SELECT … FROM`.
LONGEST_SELECT_LIST = 40


@dataclass
class Queries:
    """The SQL statements run inside a `count_queries()` block, in order. Filled in when the block ends."""

    statements: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.statements)

    def listing(self) -> str:
        """Every statement, numbered from 1 and shortened, one a line."""
        if not self.statements:
            return "    (no queries)"
        return "\n".join(f"{n:>4}. {shorten(sql)}" for n, sql in enumerate(self.statements, 1))


@contextmanager
def count_queries(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[Queries]:
    """Capture the statements run inside the block (on the `using` database) into the `Queries` it yields."""
    queries = Queries()
    with CaptureQueriesContext(connections[using]) as context:
        yield queries
    queries.statements = [query["sql"] for query in context.captured_queries]


@contextmanager
def assert_query_count(expected: int, *, at_most: bool = False, using: str = DEFAULT_DB_ALIAS) -> Iterator[Queries]:
    """Fail unless the block runs exactly `expected` queries (no more than `expected` with `at_most`).

    The failure names the counts and lists every statement. Yields the `Queries` for a test that wants to look at
    them. A block that raises is not checked: its own error is the one to see.
    """
    with count_queries(using=using) as queries:
        yield queries
    if len(queries) == expected or (at_most and len(queries) < expected):
        return
    wanted = f"at most {expected}" if at_most else f"{expected}"
    raise AssertionError(
        f"{wanted} {plural(expected)} expected, {len(queries)} run:\n{queries.listing()}\n"
        "If a query is new and needed, change the expected count. If it runs once for each row, fetch the rows "
        "with select_related or prefetch_related in the selector instead."
    )


def assert_same_query_count(first: Queries, second: Queries, *, labels: Sequence[str] = ("first", "second")) -> None:
    """Fail unless `first` and `second` ran as many queries: a count that must not grow with the data.

    The failure lists both runs' statements, and the statements (with their values left out) that the larger run
    repeats more often: usually the query run once per row.
    """
    if len(first) == len(second):
        return
    one, two = labels
    lines = [
        f"The query count changed: {len(first)} {plural(len(first))} ({one}), {len(second)} ({two}).",
        f"{one.capitalize()}, {len(first)} {plural(len(first))}:",
        first.listing(),
        f"{two.capitalize()}, {len(second)} {plural(len(second))}:",
        second.listing(),
    ]
    fewer, more = (first, second) if len(first) < len(second) else (second, first)
    before, after = Counter(map(shape, fewer.statements)), Counter(map(shape, more.statements))
    grown = [(sql, before[sql], times) for sql, times in after.items() if times > before[sql]]
    if grown:
        lines.append(f"Run more often in the larger ({two if more is second else one}):")
        lines += [f"    {was} -> {now} times: {shorten(sql)}" for sql, was, now in grown]
    raise AssertionError("\n".join(lines))


def plural(count: int) -> str:
    return "query" if count == 1 else "queries"


def shorten(sql: str) -> str:
    """One line; a long select list becomes `…`; a long statement is cut, saying how long it was."""
    sql = " ".join(sql.split())
    select = re.match(r"SELECT (DISTINCT )?", sql, re.IGNORECASE)
    if select:
        start = select.end()
        end = top_level_from(sql, start)
        if end is not None and end - start > LONGEST_SELECT_LIST:
            sql = f"{sql[:start]}…{sql[end:]}"
    if len(sql) > LONGEST_STATEMENT:
        sql = f"{sql[:LONGEST_STATEMENT]}… ({len(sql)} characters)"
    return sql


def top_level_from(sql: str, start: int) -> int | None:
    """Where the ` FROM ` of the outermost SELECT starts, skipping subqueries and quoted names and strings."""
    depth, quote, i = 0, "", start
    while i < len(sql):
        c = sql[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0 and sql[i : i + 6].upper() == " FROM ":
            return i
        i += 1
    return None


def shape(sql: str) -> str:
    """The statement with its values left out, so that the same query for two rows reads the same."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", " ".join(sql.split()))
    sql = re.sub(r"(?<![\w\"])-?\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\?, )*\?\)", "(…)", sql)
