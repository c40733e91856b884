"""Search quality on the hard cases users meet: typos, swapped names, nicknames, previous names, wrong dates."""

from datetime import date

import pytest

from core.testing import assert_query_count
from people import services
from people.search import SearchError, find_people, search_people
from people.tests.factories import grant, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


@pytest.fixture
def town(db):
    people = {
        "amelia": person("Amelia", "Hughes", date(2015, 3, 27)),
        "william": person("William", "Patterson", date(2012, 11, 4)),
        "siobhan": person("Siobhan", "O'Sullivan", date(2016, 7, 19)),
        "mohammed": person("Mohammed", "Rahman", date(2014, 2, 9)),
        "katarzyna": person("Katarzyna", "Kowalczyk", date(2011, 9, 30)),
    }
    # Distractors with similar names.
    person("Amelie", "Hughes", date(2009, 1, 5))
    person("Emily", "Hughes", date(2015, 8, 1))
    person("William", "Paterson", date(1978, 6, 6))
    person("Mohamed", "Rahman", date(1985, 4, 2))
    person("Sean", "O'Sullivan", date(2016, 7, 19))
    return people


def top_ids(name, dob=None, n=5):
    return [m.id for m in search_people(user=None, name=name, date_of_birth=dob, limit=n)]


@pytest.mark.parametrize(
    ("query", "dob", "who"),
    [
        ("Amelia Hughes", date(2015, 3, 27), "amelia"),
        ("Amelia Hewes", date(2015, 3, 27), "amelia"),  # sounds alike
        ("Amleia Hughes", None, "amelia"),  # transposed letters, no date of birth
        ("Hughes Amelia", date(2015, 3, 27), "amelia"),  # swapped
        ("Hughes, Amelia", None, "amelia"),  # surname first with a comma
        ("Bill Patterson", date(2012, 11, 4), "william"),  # nickname
        ("Will Paterson", date(2012, 11, 4), "william"),  # nickname and a misspelt surname
        ("Shiobhan O Sullivan", None, "siobhan"),  # apostrophe and spelling
        ("Muhammad Rahman", date(2014, 2, 9), "mohammed"),  # transliteration
        ("Mohammed Rahman", date(2014, 9, 2), "mohammed"),  # day and month swapped
        ("Katarzyna Kowalczyk", date(2011, 9, 30), "katarzyna"),
        ("Katarzyna Kowalcyzk", None, "katarzyna"),
        ("Wiliam Pattersno", None, "william"),  # a typo in each name, no date of birth
    ],
)
def test_right_person_first(town, query, dob, who):
    assert top_ids(query, dob)[0] == town[who].pk


def test_previous_names_are_searched(town, alice):
    services.person_update(actor=alice, person=town["amelia"], family_name="Khan")
    assert top_ids("Amelia Hughes", date(2015, 3, 27))[0] == town["amelia"].pk
    assert top_ids("Amelia Khan")[0] == town["amelia"].pk


def test_results_explain_why_they_matched(town):
    best = search_people(user=None, name="Hughes Amelia", date_of_birth=date(2015, 3, 27))[0]
    assert "first and last names swapped" in best.reasons
    assert "same date of birth" in best.reasons
    assert 0 < best.score <= 1


def test_empty_search_is_an_error(db):
    with pytest.raises(SearchError, match="Enter a name"):
        search_people(user=None, name="   ")


def test_restricted_records_are_hidden_from_users_without_a_grant(alice, bob):
    hidden = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True)
    assert search_people(user=alice, name="Jordan Blake") == []
    grant(hidden, alice)
    assert [m.id for m in search_people(user=alice, name="Jordan Blake")] == [hidden.pk]
    assert search_people(user=bob, name="Jordan Blake") == []


def test_users_without_a_role_find_nobody(town, charlie):
    assert search_people(user=charlie, name="Amelia Hughes") == []


# --- the one search box: a name, an NHS number, a UPN, a record number or a postcode ---------------------------


@pytest.fixture
def known(alice):
    from people.validators import upn_check_letter

    upn = upn_check_letter("801200001001") + "801200001001"
    amelia = person(
        "Amelia",
        "Hughes",
        date(2015, 3, 27),
        nhs_number="9434765919",
        upn=upn,
        address=services.AddressInput(line1="14 Mill Lane", postcode="LS1 1AA", lived_from=date(2020, 1, 1)),
    )
    leo = person(
        "Leo", "Khan", date(2016, 5, 5), address=services.AddressInput(line1="3 Mill Lane", postcode="LS1 1AA")
    )
    moved = person(
        "Ruby", "Shaw", date(2014, 1, 1), address=services.AddressInput(line1="9 Mill Lane", postcode="LS1 1AA")
    )
    services.address_add(
        actor=alice, person=moved, address=services.AddressInput(line1="1 High Street", postcode="LS2 7EY")
    )
    return {"amelia": amelia, "leo": leo, "ruby": moved, "upn": upn}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("943 476 5919", "nhs"),
        ("9434765919", "nhs"),
        ("943-476-5919", "nhs"),
        ("upn", "upn"),
        ("record", "record"),
        ("ls1 1aa", "postcode"),
        ("LS11AA", "postcode"),
        ("Amelia Hughes", "name"),
    ],
)
def test_one_box_finds_a_person_by_each_kind_of_input(known, alice, text, kind):
    text = {"upn": known["upn"].lower(), "record": str(known["amelia"].pk)}.get(text, text)
    found = find_people(user=alice, text=text)
    assert found.query.kind == kind
    assert found.matches[0].id == known["amelia"].pk
    assert found.matches[0].nhs_number == "9434765919"


def test_a_postcode_lists_who_lives_there_first_then_who_lived_there(known, alice):
    found = find_people(user=alice, text="LS1 1AA")
    assert [m.id for m in found.matches] == [known["amelia"].pk, known["leo"].pk, known["ruby"].pk]
    assert found.matches[-1].reasons == ["lived at this postcode"]


def test_a_number_nobody_has_finds_nobody_and_bad_input_says_why(known, alice):
    assert find_people(user=alice, text="401 023 2137").matches == []
    with pytest.raises(SearchError, match="12 digits is not an NHS number"):
        find_people(user=alice, text="123456789012")
    with pytest.raises(SearchError, match="Enter a name, NHS number"):
        find_people(user=alice, text="!!")


def test_restricted_people_are_not_found_by_number_either(alice):
    hidden = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True, nhs_number="9434765919")
    assert find_people(user=alice, text="9434765919").matches == []
    assert find_people(user=alice, text=str(hidden.pk)).matches == []


def test_an_ended_identifier_still_finds_the_person_and_says_so(known, alice):
    ident = known["amelia"].identifiers.get(type="upn")
    services.identifier_end(actor=alice, identifier=ident, reason="New school")
    found = find_people(user=alice, text=known["upn"])
    assert found.matches[0].reasons == ["same UPN (no longer used)"]


def test_no_reason_about_a_date_of_birth_the_user_did_not_give(known, alice):
    for text in ("Amelia Hughes", "9434765919", "LS1 1AA"):
        for m in find_people(user=alice, text=text).matches:
            assert not any("date of birth" in r for r in m.reasons), (text, m.reasons)
    no_dob = person("Sam", "Nodate", None)
    found = find_people(user=alice, text="Sam Nodate", date_of_birth=date(2015, 1, 1))
    assert "no date of birth on their record" in found.matches[0].reasons
    assert found.matches[0].id == no_dob.pk
    by_number = find_people(user=alice, text="9434765919", date_of_birth=date(2015, 3, 27))
    assert by_number.matches[0].reasons == ["same NHS number", "same date of birth"]


@pytest.mark.parametrize(("text", "queries"), [("9434765919", 2), ("upn", 2), ("record", 2), ("LS1 1AA", 3)])
def test_a_number_or_postcode_costs_the_same_few_queries_however_many_people(known, alice, text, queries):
    text = {"upn": known["upn"], "record": str(known["amelia"].pk)}.get(text, text)
    alice.refresh_from_db()  # roles read once, before counting
    find_people(user=alice, text="Amelia")
    with assert_query_count(queries):
        find_people(user=alice, text=text)
    for i in range(5):
        person(
            f"Extra{i}",
            "Hughes",
            date(2010, 1, i + 1),
            address=services.AddressInput(line1=f"{i} Mill Lane", postcode="LS1 1AA"),
        )
    with assert_query_count(queries):
        find_people(user=alice, text=text)
