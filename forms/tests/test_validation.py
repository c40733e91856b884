"""Validation beyond the conformance file: code lists from the record, date-times, addresses, plain groups."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.testing import assert_query_count
from forms.definition import Form, check
from forms.validation import validate

BODY = {
    "format": 1,
    "name": "v",
    "version": 1,
    "title": "V",
    "subject": "any",
    "pages": [
        {
            "id": "p",
            "title": "P",
            "questions": [
                {
                    "id": "factors",
                    "type": "code_list",
                    "code_list": "assessment_factor",
                    "multiple": True,
                    "label": "Factors",
                    "constraints": {"maxItems": 3},
                },
                {"id": "category", "type": "code_list", "code_list": "abuse_category", "label": "Category"},
                {"id": "met_at", "type": "datetime", "label": "Meeting started", "not_in_future": True},
                {"id": "ended_at", "type": "datetime", "label": "Meeting ended", "on_or_after": "met_at"},
                {"id": "address", "type": "address", "label": "Address"},
                {"id": "who", "type": "person", "label": "Who chaired"},
                {
                    "id": "household",
                    "type": "group",
                    "label": "Household",
                    "questions": [
                        {
                            "id": "adults",
                            "type": "number",
                            "label": "Adults",
                            "required": True,
                            "messages": {"type": "Enter the number of adults as a number, like 2"},
                        },
                    ],
                },
            ],
        }
    ],
}
TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 14, 3, tzinfo=UTC)
CODES = {"assessment_factor": {"2A", "3A", "4B", "21"}, "abuse_category": {"NEG", "PHY"}}


def errors(answers, codes=CODES):
    form = Form(BODY)
    return validate(form, answers, today=TODAY, now=NOW, codes=lambda name: codes[name]).errors


def test_the_body_checks():
    assert check(BODY, source="v", code_lists=set(CODES)) == []


def test_code_lists():
    assert errors({"factors": ["3A", "4B"], "category": "NEG"}) == {"household.adults": "Enter adults"}
    assert errors({"factors": ["3A", "99"], "category": "NEG", "household": {"adults": 1}}) == {
        "factors": "Select factors from the list"
    }
    assert errors({"factors": "3A", "household": {"adults": 1}}) == {"factors": "Factors must be a list of codes"}
    assert errors({"factors": ["2A", "3A", "4B", "21"], "household": {"adults": 1}}) == {
        "factors": "Select no more than 3 for factors"
    }
    assert errors({"category": ["NEG"], "household": {"adults": 1}}) == {"category": "Select category from the list"}


@pytest.mark.django_db
def test_code_lists_come_from_the_record_once_per_list():
    form = Form(BODY)
    answers = {"factors": ["3A", "4B"], "category": "NEG", "household": {"adults": 2}}
    with assert_query_count(2):
        result = validate(form, answers, today=TODAY, now=NOW)
    assert result.errors == {}
    assert validate(form, answers | {"category": "XXX"}, today=TODAY, now=NOW).errors == {
        "category": "Select category from the list"
    }


def test_date_times():
    base = {"household": {"adults": 1}}
    assert errors(base | {"met_at": "2026-12-05T14:03:00+00:00", "ended_at": "2026-12-05T15:03:00+01:00"}) == {}
    assert errors(base | {"met_at": "2026-12-05T14:04:00Z"}) == {
        "met_at": "Meeting started must be today or in the past"
    }
    assert errors(base | {"met_at": "2026-12-05T14:00:00"}) == {
        "met_at": "Meeting started must be a real date and time"
    }
    assert errors(base | {"met_at": "2026-12-05T13:00:00Z", "ended_at": "2026-12-05T13:59:00+01:00"}) == {
        "ended_at": "Meeting ended must be the same as or after meeting started"
    }


def test_addresses():
    base = {"household": {"adults": 1}}
    assert errors(base | {"address": {"line_1": "1 High Street", "town": "Leicester", "postcode": "LE1 5WW"}}) == {}
    assert errors(base | {"address": {"line_1": "x" * 201}}) == {
        "address": "Address: address line 1 must be 200 characters or fewer"
    }
    assert errors(base | {"address": {"county": "Leics"}}) == {
        "address": "Address must be an address (line 1, line 2, town, postcode)"
    }
    assert errors(base | {"address": {"line_1": "1\x00 High Street"}}) == {
        "address": "Address must not contain control characters (such as a NUL byte): delete them"
    }


def test_people_are_record_ids():
    base = {"household": {"adults": 1}}
    assert errors(base | {"who": 12}) == {}
    for bad in ("12", True, 0, 1.5):
        assert errors(base | {"who": bad}) == {"who": "Who chaired must be a person from the record"}


def test_a_plain_group_and_a_message_of_the_forms_own():
    assert errors({"household": {"adults": "two"}}) == {
        "household.adults": "Enter the number of adults as a number, like 2"
    }
    assert errors({"household": [{"adults": 1}]}) == {"household": "Household must be a set of answers (a JSON object)"}
    result = validate(Form(BODY), {"household": {"adults": 2}}, today=TODAY, now=NOW, codes=lambda n: set())
    assert result.answers == {"household": {"adults": 2}}


def test_answers_that_are_not_an_object():
    assert errors(["a"]) == {"__all__": "The answers must be a JSON object keyed by question id"}


def test_question_style_labels_are_quoted_in_the_default_messages():
    """A label that asks a question is never the start of a sentence ("Why was the child not seen? must be ..."): the
    default messages quote it; a label that names the answer is used as it is."""
    questions = [
        {"id": "why", "type": "text", "label": "Why was the child not seen?", "constraints": {"maxLength": 5}},
        {"id": "when", "type": "date", "label": "When did it start?", "not_in_future": True},
        {"id": "ended", "type": "date", "label": "Date it ended", "on_or_after": "when"},
        {"id": "seen", "type": "yes_no", "label": "Was the child seen?"},
        {
            "id": "which",
            "type": "single_choice",
            "label": "Which conference is this?",
            "options": [{"value": "initial", "label": "Initial"}],
        },
        {"id": "note", "type": "text", "label": "Note", "constraints": {"maxLength": 5}},
    ]
    body = {"format": 1, "name": "q", "version": 1, "title": "Q", "subject": "any"}
    body["pages"] = [{"id": "p", "title": "P", "questions": questions}]
    assert check(body, source="q", code_lists=set()) == []
    answers = {
        "why": "Nobody answered the door",
        "when": "2099-01-01",
        "seen": "yes",
        "which": "review",
        "note": "Too long a note",
    }
    assert validate(Form(body), answers, today=date(2026, 12, 6)).errors == {
        "why": "The answer to 'Why was the child not seen?' must be 5 characters or fewer",
        "when": "The answer to 'When did it start?' must be today or in the past",
        "seen": "The answer to 'Was the child seen?' must be yes or no",
        "which": "Select the answer to 'Which conference is this?' from the options",
        "note": "Note must be 5 characters or fewer",
    }
    answers = {"when": "2026-12-01", "ended": "2026-11-01"}
    assert validate(Form(body), answers, today=date(2026, 12, 6)).errors == {
        "ended": "Date it ended must be the same as or after the answer to 'When did it start?'"
    }
