"""The query-count assertions pass on the right count and, on a wrong one, fail with the SQL that was run."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from core.models import Code
from core.testing import assert_query_count, assert_same_query_count, count_queries, shorten

pytestmark = pytest.mark.django_db


def run(*statements: str) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def codes(list_name: str) -> list[Code]:
    return list(Code.objects.filter(list_name=list_name))


def failure(block: Any) -> str:
    with pytest.raises(AssertionError) as raised:
        block()
    return str(raised.value)


# --- assert_query_count --------------------------------------------------------------------------------------------


def test_passes_on_the_right_count_and_yields_the_statements() -> None:
    with assert_query_count(2) as queries:
        run("SELECT 1", "SELECT 2")
    assert queries.statements == ["SELECT 1", "SELECT 2"]
    with assert_query_count(0):
        pass


def test_fails_on_a_wrong_count_with_every_statement_numbered() -> None:
    def two_for_one() -> None:
        with assert_query_count(1):
            run("SELECT 1", "SELECT 2")

    message = failure(two_for_one)
    assert message.startswith("1 query expected, 2 run:\n")
    assert "   1. SELECT 1\n   2. SELECT 2\n" in message


def test_fails_on_too_few_as_well() -> None:
    def none_for_two() -> None:
        with assert_query_count(2):
            pass

    assert failure(none_for_two).startswith("2 queries expected, 0 run:\n    (no queries)\n")


def test_the_failure_names_the_table_and_the_condition_of_each_statement() -> None:
    def three_for_two() -> None:
        with assert_query_count(2):
            codes("ethnicity")
            codes("legal_status")
            Code.objects.count()

    message = failure(three_for_two)
    # The select list is shortened; what tells the queries apart is kept.
    assert """1. SELECT … FROM "core_code" WHERE "core_code"."list_name" = 'ethnicity'""" in message
    assert """2. SELECT … FROM "core_code" WHERE "core_code"."list_name" = 'legal_status'""" in message
    assert """3. SELECT COUNT(*) AS "__count" FROM "core_code\"""" in message
    assert '"core_code"."label"' not in message


def test_at_most_passes_on_fewer_and_fails_on_more() -> None:
    with assert_query_count(3, at_most=True):
        run("SELECT 1")
    with assert_query_count(3, at_most=True):
        run("SELECT 1", "SELECT 2", "SELECT 3")

    def four() -> None:
        with assert_query_count(3, at_most=True):
            run("SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4")

    message = failure(four)
    assert message.startswith("at most 3 queries expected, 4 run:\n")
    assert "   4. SELECT 4\n" in message


def test_an_error_in_the_block_is_not_hidden_by_the_count() -> None:
    with pytest.raises(ZeroDivisionError), assert_query_count(5):
        run("SELECT 1")
        _ = 1 / 0


# --- count_queries and assert_same_query_count -------------------------------------------------------------------


def test_same_count_passes_whatever_the_values() -> None:
    with count_queries() as few:
        codes("ethnicity")
    with count_queries() as many:
        codes("legal_status")
    assert len(few) == len(many) == 1
    assert_same_query_count(few, many)


def test_a_count_that_grows_fails_with_both_lists_and_the_repeated_query() -> None:
    with count_queries() as few:
        for pk in (1, 2):
            run(f"SELECT label FROM core_code WHERE id = {pk}")
    with count_queries() as many:
        run("SELECT 'header'")
        for pk in (1, 2, 3, 4):
            run(f"SELECT label FROM core_code WHERE id = {pk}")

    message = failure(lambda: assert_same_query_count(few, many, labels=("with 2 children", "with 4 children")))
    assert message.startswith("The query count changed: 2 queries (with 2 children), 5 (with 4 children).\n")
    assert "With 2 children, 2 queries:\n   1. SELECT label FROM core_code WHERE id = 1\n   2." in message
    assert (
        "With 4 children, 5 queries:\n   1. SELECT 'header'\n   2. SELECT label FROM core_code WHERE id = 1\n"
        in message
    )
    assert "   5. SELECT label FROM core_code WHERE id = 4" in message
    assert message.endswith(
        "Run more often in the larger (with 4 children):\n"
        "    0 -> 1 times: SELECT ?\n"
        "    2 -> 4 times: SELECT label FROM core_code WHERE id = ?"
    )


def test_a_count_that_shrinks_fails_too() -> None:
    with count_queries() as more:
        run("SELECT 1", "SELECT 2")
    with count_queries() as fewer:
        run("SELECT 1")
    assert "2 queries (first), 1 (second)" in failure(lambda: assert_same_query_count(more, fewer))


# --- shortening ----------------------------------------------------------------------------------------------------


def test_a_subquery_in_the_select_list_does_not_end_it() -> None:
    sql = (
        'SELECT "people_person"."id", "people_person"."first_name", '
        '(SELECT COUNT(*) FROM "recording_casenote" U0 WHERE U0."person_id" = ("people_person"."id")) AS "notes" '
        'FROM "people_person" WHERE "people_person"."id" IN (1, 2)'
    )
    assert shorten(sql) == 'SELECT … FROM "people_person" WHERE "people_person"."id" IN (1, 2)'


def test_a_short_select_list_is_kept_and_a_long_statement_is_cut() -> None:
    assert shorten("SELECT 1 AS a  \n  FROM x") == "SELECT 1 AS a FROM x"
    long = "UPDATE x SET y = 1 WHERE id IN (" + ", ".join(str(n) for n in range(200)) + ")"
    short = shorten(long)
    assert short.startswith("UPDATE x SET y = 1 WHERE id IN (0, 1, 2,")
    assert short.endswith(f"… ({len(long)} characters)") and len(short) < 440
