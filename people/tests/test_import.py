"""`casework people import`: bad rows reported by line, idempotent re-loads, NHS matches, duplicates flagged."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from people.importer import ImportFileError, import_people
from people.models import DuplicateCandidate, Person, PersonIdentifier
from people.tests.factories import person

pytestmark = pytest.mark.django_db

HEADER = "source_id,given_name,family_name,date_of_birth,sex,nhs_number,postcode\n"


def write(tmp_path, body, header=HEADER):
    f = tmp_path / "people.csv"
    f.write_text(header + body, encoding="utf-8")
    return f


GOOD = """S1,Amelia,Hughes,2015-03-27,F,9434765919,LS1 1AA
S2,Leo,,2017-01-02,M,,
S3,,Okafor,,U,,
"""


def test_good_rows_load_with_their_source_id(tmp_path):
    result = import_people(write(tmp_path, GOOD))
    assert (result.rows, result.loaded, len(result.errors)) == (3, 3, 0)
    amelia = Person.objects.get(given_name="Amelia")
    assert set(amelia.identifiers.values_list("type", "value")) == {("source", "S1"), ("nhs", "9434765919")}
    assert amelia.current_postcode == "LS1 1AA"
    assert AuditEvent.objects.filter(action="create", object_type="person").count() == 3
    assert AuditEvent.objects.filter(action="import", object_type="people_import").count() == 1


def test_loading_the_same_file_again_adds_nothing(tmp_path):
    f = write(tmp_path, GOOD)
    import_people(f)
    again = import_people(f)
    assert (again.loaded, again.already_loaded) == (0, 3)
    assert Person.objects.count() == 3


def test_bad_rows_are_reported_with_line_and_reason_and_not_loaded(tmp_path):
    body = """S1,Amelia,Hughes,2015-03-27,F,9434765918,
S2,,,2015-03-27,F,,
S3,Leo,Smith,2015-02-30,M,,
S4,Leo,Smith,2099-01-01,M,,
S5,Leo,Smith,,X,,
S6,Leo,Smith,,M,,NOTAPOSTCODE
,Leo,Smith,,M,,
S8,Good,Row,,,,
"""
    result = import_people(write(tmp_path, body))
    reasons = {e.line: e.reason for e in result.errors}
    assert "check digit" in reasons[2]
    assert "first name or last name" in reasons[3]
    assert "not a real date" in reasons[4]
    assert "today or in the past" in reasons[5]
    assert "must be M, F or U" in reasons[6]
    assert "postcode" in reasons[7]
    assert "source_id is empty" in reasons[8]
    assert result.loaded == 1 and Person.objects.get().given_name == "Good"


def test_a_row_with_a_known_nhs_number_is_matched_not_duplicated(tmp_path):
    known = person("Amelia", "Hughes", nhs_number="9434765919")
    result = import_people(write(tmp_path, "X9,Amy,Hughes,2015-03-27,F,9434765919,\n"))
    assert result.matched_by_nhs_number == 1 and result.loaded == 0
    assert PersonIdentifier.objects.filter(person=known, type="source", value="X9").exists()
    assert import_people(write(tmp_path, "X9,Amy,Hughes,2015-03-27,F,9434765919,\n")).already_loaded == 1


def test_rows_that_look_like_someone_known_are_loaded_and_flagged(tmp_path):
    from datetime import date

    known = person("William", "Patterson", date(2012, 11, 4))
    result = import_people(write(tmp_path, "Z1,William,Paterson,2012-11-04,M,,\nZ2,Totally,Different,2001-01-01,F,,\n"))
    assert result.loaded == 2 and result.possible_duplicates == 1
    flagged = DuplicateCandidate.objects.get()
    assert flagged.possible_match == known and flagged.person.family_name == "Paterson"


def test_dry_run_changes_nothing(tmp_path):
    before = AuditEvent.objects.count()
    result = import_people(write(tmp_path, GOOD), dry_run=True)
    assert result.loaded == 3 and Person.objects.count() == 0 and AuditEvent.objects.count() == before


def test_a_wrong_header_is_refused_whole(tmp_path):
    with pytest.raises(ImportFileError, match="missing nhs_number"):
        import_people(
            write(tmp_path, "S1,A,B,,,,\n", header="source_id,given_name,family_name,date_of_birth,sex,postcode,nhs\n")
        )
    assert Person.objects.count() == 0


def test_command_prints_counts_and_errors(tmp_path, capsys):
    call_command("people", "import", str(write(tmp_path, GOOD + "S9,,,,,,\n")))
    out, err = capsys.readouterr()
    assert "Rows read: 4. Loaded: 3." in out and "Rejected: 1." in out
    assert "Line 5 (source_id S9)" in err


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("people", "import", str(tmp_path / "nope.csv"))


def test_search_command_json(capsys):
    import json
    from datetime import date

    p = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    call_command("people", "search", "Amelia Hewes", "--dob", "2015-03-27", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == p.pk
    assert set(rows[0]) == {
        "id",
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "postcode",
        "identifiers",
        "score",
    }
    assert rows[0]["date_of_birth"] == "2015-03-27"


def test_search_command_bulk_queries(tmp_path, capsys):
    import json
    from datetime import date

    p = person("Amelia", "Hughes", date(2015, 3, 27))
    q = tmp_path / "q.jsonl"
    q.write_text('{"name": "Amelia Hughes", "dob": "2015-03-27"}\n{"name": "Nobody Atall", "dob": null}\n')
    call_command("people", "search", "--queries", str(q), "--json")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])[0]["id"] == p.pk and json.loads(lines[1]) == []


def test_search_command_refuses_an_empty_name():
    with pytest.raises(CommandError, match="Enter a name"):
        call_command("people", "search", "  ")
