"""The answers in words (forms.display): what a worker reads back on the check page, the form's page and the PDF."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from core.models import Code
from core.testing import assert_query_count
from forms.definition import Form, check
from forms.display import answer_pages, answer_sections
from people.tests.factories import person

from .definitions import CODE_LISTS

EVERY_TYPE: dict[str, Any] = {
    "format": 1,
    "name": "every-type",
    "version": 1,
    "title": "Every type",
    "subject": "any",
    "pages": [
        {
            "id": "about",
            "title": "About the visit",
            "questions": [
                {"id": "summary", "type": "text", "label": "Summary"},
                {"id": "notes", "type": "long_text", "label": "Notes"},
                {"id": "children", "type": "number", "label": "Children at home"},
                {"id": "visited_on", "type": "date", "label": "Date of visit"},
                {"id": "arrived", "type": "datetime", "label": "Arrived"},
                {"id": "seen", "type": "yes_no", "label": "Was the child seen?"},
                {
                    "id": "seen_alone",
                    "type": "yes_no",
                    "label": "Seen alone?",
                    "show_if": {"==": [{"var": "seen"}, True]},
                },
                {"id": "why_not", "type": "text", "label": "Why not seen", "show_if": {"==": [{"var": "seen"}, False]}},
            ],
        },
        {
            "id": "choices",
            "title": "Choices",
            "questions": [
                {
                    "id": "home",
                    "type": "single_choice",
                    "label": "Home conditions",
                    "options": [{"value": "good", "label": "Good"}, {"value": "poor", "label": "Poor"}],
                },
                {
                    "id": "present",
                    "type": "multiple_choice",
                    "label": "Who was present",
                    "options": [
                        {"value": "mum", "label": "Mother"},
                        {"value": "dad", "label": "Father"},
                        {"value": "gran", "label": "Grandmother"},
                    ],
                },
                {"id": "factor", "type": "code_list", "code_list": "assessment_factor", "label": "Main factor"},
                {
                    "id": "factors",
                    "type": "code_list",
                    "code_list": "assessment_factor",
                    "multiple": True,
                    "label": "Factors",
                },
                {"id": "ethnicity", "type": "code_list", "code_list": "ethnicity", "label": "Ethnicity"},
            ],
        },
        {
            "id": "people",
            "title": "People",
            "questions": [
                {"id": "carer", "type": "person", "label": "Main carer"},
                {"id": "address", "type": "address", "label": "Where the visit took place"},
                {
                    "id": "household",
                    "type": "group",
                    "label": "Household",
                    "repeats": True,
                    "questions": [
                        {"id": "member", "type": "person", "label": "Member"},
                        {"id": "since", "type": "date", "label": "Living here since"},
                        {"id": "note", "type": "text", "label": "Note"},
                    ],
                },
            ],
        },
        {
            "id": "concern",
            "title": "Concern",
            "show_if": {"==": [{"var": "home"}, "poor"]},
            "questions": [{"id": "concern", "type": "long_text", "label": "What concerned you"}],
        },
    ],
}


def form() -> Form:
    body = copy.deepcopy(EVERY_TYPE)
    assert check(body, source="test", code_lists=CODE_LISTS) == []
    return Form(body)


@pytest.fixture
def codes(db):
    Code.objects.get_or_create(list_name="assessment_factor", code="2A", defaults={"label": "Domestic abuse: child"})
    Code.objects.get_or_create(list_name="assessment_factor", code="3B", defaults={"label": "Mental health: parent"})
    return {c.code: c.label for c in Code.objects.filter(list_name="assessment_factor", code__in=["2A", "3B"])} | {
        c.code: c.label for c in Code.objects.filter(list_name="ethnicity", code="WBRI")
    }


@pytest.mark.django_db
def test_every_type_reads_as_words_with_a_fixed_number_of_queries(codes):
    mum = person("Sarah", "Hughes", date(1990, 1, 2))
    brother = person("Tom", "Hughes", date(2012, 5, 6))
    answers = {
        "summary": "Home visit",
        "notes": "Line one\nLine two",
        "children": 3.0,
        "visited_on": "2026-12-05",
        "arrived": "2026-12-05T14:03:00+00:00",
        "seen": True,
        "seen_alone": False,
        "why_not": "kept though hidden",
        "home": "good",
        "present": ["mum", "gran"],
        "factor": "2A",
        "factors": ["2A", "3B"],
        "ethnicity": "WBRI",
        "carer": mum.pk,
        "address": {"line_1": "1 High Street", "line_2": "", "town": "Northtown", "postcode": "NT1 1AA"},
        "household": [{"member": brother.pk, "since": "2020-03-01"}, {"note": "Lodger", "member": mum.pk}],
        "concern": "hidden page",
    }
    # Two code lists and the people: three queries, however many answers name them.
    with assert_query_count(3):
        sections = answer_sections(form(), answers)
    assert sections == [
        (
            "About the visit",
            [
                ("Summary", "Home visit"),
                ("Notes", "Line one\nLine two"),
                ("Children at home", "3"),
                ("Date of visit", "5 December 2026"),
                ("Arrived", "5 December 2026, 14:03"),
                ("Was the child seen?", "Yes"),
                ("Seen alone?", "No"),
            ],
        ),
        (
            "Choices",
            [
                ("Home conditions", "Good"),
                ("Who was present", ["Mother", "Grandmother"]),
                ("Main factor", codes["2A"]),
                ("Factors", [codes["2A"], codes["3B"]]),
                ("Ethnicity", codes.get("WBRI", "WBRI")),
            ],
        ),
        (
            "People",
            [
                ("Main carer", f"Sarah Hughes (record number {mum.pk})"),
                ("Where the visit took place", "1 High Street, Northtown, NT1 1AA"),
                (
                    "Household",
                    [
                        {
                            "Member": f"Tom Hughes (record number {brother.pk})",
                            "Living here since": "1 March 2020",
                            "Note": "",
                        },
                        {"Member": f"Sarah Hughes (record number {mum.pk})", "Living here since": "", "Note": "Lodger"},
                    ],
                ),
            ],
        ),
    ]


@pytest.mark.django_db
def test_unanswered_questions_show_as_none_and_hidden_pages_are_left_out():
    pages = answer_pages(form(), {"home": "poor", "seen": False})
    about = pages[0]
    assert [(r.key, r.answer) for r in about.rows] == [
        ("summary", None),
        ("notes", None),
        ("children", None),
        ("visited_on", None),
        ("arrived", None),
        ("seen", "No"),
        ("why_not", None),
    ]
    # The concern page shows because the home was poor; the page ids are there for "Change" links.
    assert [p.page_id for p in pages] == ["about", "choices", "people", "concern"]
    assert pages[-1].rows[0].answer is None


@pytest.mark.django_db
def test_a_draft_with_what_is_not_yet_an_answer_is_shown_as_typed():
    answers = {"visited_on": "2026-02-31", "home": "gone", "present": ["mum", "uncle"], "carer": 999999999}
    sections = dict(answer_sections(form(), answers, codes=lambda _: {}))
    about, choices = dict(sections["About the visit"]), dict(sections["Choices"])
    assert about["Date of visit"] == "2026-02-31"
    assert choices["Home conditions"] == "gone"
    assert choices["Who was present"] == ["Mother", "uncle"]


@pytest.mark.django_db
def test_a_person_not_on_the_record_and_a_non_repeating_group():
    body = copy.deepcopy(EVERY_TYPE)
    body["pages"][2]["questions"].append(
        {
            "id": "school",
            "type": "group",
            "label": "School",
            "questions": [
                {"id": "school_name", "type": "text", "label": "School name"},
                {"id": "attending", "type": "yes_no", "label": "Attending?"},
            ],
        }
    )
    sections = dict(
        answer_sections(Form(body), {"carer": 999999999, "school": {"school_name": "Hill Primary"}}, codes=lambda _: {})
    )
    rows = dict(sections["People"])
    assert rows["Main carer"] == "Record number 999999999 (no such record)"
    assert rows["School name"] == "Hill Primary" and rows["Attending?"] is None
