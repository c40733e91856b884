"""`casework people import` and `casework people search`: what they print, and the errors that stop them."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from people.tests.factories import person
from people.tests.test_importer import GOOD, write

pytestmark = pytest.mark.django_db


def test_command_prints_counts_and_errors(tmp_path, capsys):
    call_command("people", "import", str(write(tmp_path, GOOD + "S9,,,,,,\n")))
    out, err = capsys.readouterr()
    assert "Rows read: 4. Loaded: 3." in out and "Rejected: 1." in out
    assert "Line 5 (source_id S9)" in err


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("people", "import", str(tmp_path / "nope.csv"))


def test_search_command_json(capsys):
    p = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    call_command("people", "search", "Amelia Hewes", "--dob", "2015-03-27", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == p.pk
    assert set(rows[0]) == {
        "access",
        "id",
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "postcode",
        "identifiers",
        "score",
        "match_weight",
        "reasons",
        "explanation",
    }
    assert rows[0]["date_of_birth"] == "2015-03-27"
    assert rows[0]["reasons"][1:] == ["same given name", "same date of birth"]  # Hewes and Hughes: spelt apart


def test_search_command_bulk_queries(tmp_path, capsys):
    p = person("Amelia", "Hughes", date(2015, 3, 27))
    q = tmp_path / "q.jsonl"
    q.write_text('{"name": "Amelia Hughes", "dob": "2015-03-27"}\n{"name": "Nobody Atall", "dob": null}\n')
    call_command("people", "search", "--queries", str(q), "--json")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])[0]["id"] == p.pk and json.loads(lines[1]) == []


def test_search_command_refuses_an_empty_name():
    with pytest.raises(CommandError, match="Enter a name"):
        call_command("people", "search", "  ")
