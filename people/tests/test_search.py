"""Search quality on the hard cases users meet: typos, swapped names, nicknames, previous names, wrong dates."""

from datetime import date

import pytest

from people import services
from people.models import RestrictedAccessGrant
from people.search import SearchError, search_people
from people.tests.factories import person

pytestmark = pytest.mark.django_db


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
    RestrictedAccessGrant.objects.create(person=hidden, user=alice, reason="Adoption worker")
    assert [m.id for m in search_people(user=alice, name="Jordan Blake")] == [hidden.pk]
    assert search_people(user=bob, name="Jordan Blake") == []


def test_users_without_a_role_find_nobody(town, charlie):
    assert search_people(user=charlie, name="Amelia Hughes") == []
