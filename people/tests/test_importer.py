"""Importing people from a CSV file: bad rows reported by line, idempotent re-loads, NHS matches, duplicates flagged."""

import pytest

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_outside_any_transaction_commits_its_rows_and_its_summary(tmp_path, allow_audit_flush):
    """As `casework people import` runs it: no surrounding transaction, each batch committed on its own, then the
    summary event (which once raised, because it was written outside a transaction)."""
    result = import_people(write(tmp_path, GOOD))
    assert result.loaded == Person.objects.count() > 0
    summary = AuditEvent.objects.get(action="import", object_type="people_import")
    assert summary.changes["loaded"] == result.loaded
