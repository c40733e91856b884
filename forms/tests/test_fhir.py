"""FHIR R4 export (forms/fhir.py): every answer type, conditions as enableWhen or kept whole, and responses, each
read back by fhir.resources' R4B models (the R4 Questionnaire and QuestionnaireResponse: fhir.resources 8 has no R4
package) and held to R4's value sets."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.codes import labels
from forms import fhir
from forms.definition import Form, check
from forms.models import FormDefinition, FormResponse
from forms.services import definition_load, draft_save, response_submit
from people.models import PersonIdentifier
from people.tests.factories import person

from .definitions import CODE_LISTS

pytestmark = pytest.mark.django_db


def every_type() -> dict[str, Any]:
    return {
        "format": 1,
        "name": "every-type",
        "version": 2,
        "title": "Every type",
        "description": "All the **answer types**.",
        "subject": "child",
        "pages": [
            {
                "id": "about",
                "title": "About",
                "guidance": "Read *this* first.",
                "questions": [
                    {
                        "id": "name",
                        "type": "text",
                        "label": "Name",
                        "required": True,
                        "hint": "As they say it",
                        "constraints": {"maxLength": 80, "minLength": 2, "pattern": "^[A-Za-z ]+$"},
                    },
                    {"id": "story", "type": "long_text", "label": "Story", "guidance": "Use **their** words"},
                    {"id": "count", "type": "number", "label": "Count", "constraints": {"minimum": 0, "maximum": 9}},
                    {"id": "seen_on", "type": "date", "label": "Seen on", "not_in_future": True},
                    {"id": "until", "type": "date", "label": "Until", "on_or_after": "seen_on"},
                    {"id": "at", "type": "datetime", "label": "At"},
                    {"id": "seen", "type": "yes_no", "label": "Seen?"},
                    {
                        "id": "mood",
                        "type": "single_choice",
                        "label": "Mood",
                        "options": [{"value": "calm", "label": "Calm"}, {"value": "upset", "label": "Upset"}],
                    },
                    {
                        "id": "worries",
                        "type": "multiple_choice",
                        "label": "Worries",
                        "options": [{"value": "school", "label": "School"}, {"value": "home", "label": "Home"}],
                    },
                    {
                        "id": "factors",
                        "type": "code_list",
                        "label": "Factors",
                        "code_list": "assessment_factor",
                        "multiple": True,
                    },
                    {"id": "carer", "type": "person", "label": "Carer"},
                    {"id": "home", "type": "address", "label": "Home"},
                ],
            },
            {
                "id": "more",
                "title": "More",
                "show_if": {"==": [{"var": "seen"}, True]},
                "questions": [
                    {"id": "alone", "type": "yes_no", "label": "Alone?", "show_if": {"!=": [{"var": "mood"}, "calm"]}},
                    {"id": "why", "type": "text", "label": "Why", "show_if": {"!!": [{"var": "story"}]}},
                    {
                        "id": "which",
                        "type": "text",
                        "label": "Which",
                        "show_if": {"in": [{"var": "mood"}, ["calm", "upset"]]},
                    },
                    {
                        "id": "school_note",
                        "type": "text",
                        "label": "School note",
                        "show_if": {"in": ["school", {"var": "worries"}]},
                    },
                    {
                        "id": "both",
                        "type": "text",
                        "label": "Both",
                        "show_if": {"and": [{"==": [{"var": "seen"}, True]}, {"missing": ["at"]}]},
                    },
                    {"id": "many", "type": "text", "label": "Many", "show_if": {">": [{"var": "count"}, 3]}},
                    {"id": "zero", "type": "text", "label": "Zero", "show_if": {"!!": [{"var": "count"}]}},
                    {
                        "id": "people",
                        "type": "group",
                        "label": "People",
                        "repeats": True,
                        "min": 1,
                        "max": 5,
                        "item_label": "Person",
                        "questions": [
                            {"id": "who", "type": "text", "label": "Who", "required": True},
                            {"id": "role", "type": "text", "label": "Role", "show_if": {"==": [{"var": "who"}, "Nan"]}},
                        ],
                    },
                    {
                        "id": "plan",
                        "type": "group",
                        "label": "Plan",
                        "questions": [{"id": "next", "type": "date", "label": "Next"}],
                    },
                ],
            },
        ],
    }


def publish(body: dict[str, Any]) -> FormDefinition:
    assert check(body, source="test", code_lists=CODE_LISTS) == []
    return definition_load(actor=None, form=Form(copy.deepcopy(body))).definition


def items(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["linkId"]: i for i in fhir.walk_items(resource["item"])}


def test_a_definition_is_a_valid_fhir_r4_questionnaire_with_every_type_mapped():
    q = fhir.checked(fhir.questionnaire(publish(every_type())))
    assert (q["resourceType"], q["status"], q["version"], q["name"], q["title"]) == (
        "Questionnaire",
        "active",
        "2",
        "EveryType",
        "Every type",
    )
    assert q["url"].endswith("/fhir/Questionnaire/every-type") and q["description"] == "All the **answer types**."
    by_id = items(q)
    types = {k: v["type"] for k, v in by_id.items()}
    assert {
        "page-about": "group",
        "name": "string",
        "story": "text",
        "count": "decimal",
        "seen_on": "date",
        "at": "dateTime",
        "seen": "boolean",
        "mood": "choice",
        "worries": "choice",
        "factors": "choice",
        "carer": "reference",
        "home": "group",
        "home.postcode": "string",
        "people": "group",
        "plan": "group",
        "name.hint": "display",
        "story.guidance": "display",
        "page-about.guidance": "display",
    }.items() <= types.items()
    assert by_id["name"]["required"] is True and by_id["name"]["maxLength"] == 80
    assert by_id["story"]["maxLength"] == 20_000
    assert by_id["worries"]["repeats"] is True and "repeats" not in by_id["mood"]
    assert by_id["mood"]["answerOption"] == [
        {"valueCoding": {"system": "urn:casework:forms:every-type:mood", "code": "calm", "display": "Calm"}},
        {"valueCoding": {"system": "urn:casework:forms:every-type:mood", "code": "upset", "display": "Upset"}},
    ]
    factor_codes = [o["valueCoding"]["code"] for o in by_id["factors"]["answerOption"]]
    assert factor_codes == list(labels("assessment_factor")) and by_id["factors"]["repeats"] is True
    assert by_id["people"]["repeats"] is True and [i["linkId"] for i in by_id["people"]["item"]] == ["who", "role"]
    assert "repeats" not in by_id["plan"]
    assert by_id["story.guidance"]["_text"]["extension"][0]["valueMarkdown"] == "Use **their** words"
    assert by_id["name.hint"]["text"] == "As they say it"
    urls = {e["url"]: e for e in by_id["name"]["extension"]}
    assert urls[fhir.MIN_LENGTH]["valueInteger"] == 2 and urls[fhir.REGEX]["valueString"] == "^[A-Za-z ]+$"
    assert {e["url"] for e in by_id["count"]["extension"]} == {fhir.MIN_VALUE, fhir.MAX_VALUE}
    assert {e["url"]: e.get("valueString") for e in by_id["until"]["extension"]} == {fhir.ON_OR_AFTER: "seen_on"}
    assert by_id["people"]["extension"] == [
        {"url": fhir.MIN_OCCURS, "valueInteger": 1},
        {"url": fhir.MAX_OCCURS, "valueInteger": 5},
    ]


def test_simple_conditions_become_enable_when_and_the_others_are_kept_whole():
    by_id = items(fhir.checked(fhir.questionnaire(publish(every_type()))))
    assert by_id["page-more"]["enableWhen"] == [{"question": "seen", "operator": "=", "answerBoolean": True}]
    assert by_id["alone"]["enableWhen"] == [
        {
            "question": "mood",
            "operator": "!=",
            "answerCoding": {"system": "urn:casework:forms:every-type:mood", "code": "calm"},
        }
    ]
    assert by_id["why"]["enableWhen"] == [{"question": "story", "operator": "exists", "answerBoolean": True}]
    assert [t["answerCoding"]["code"] for t in by_id["which"]["enableWhen"]] == ["calm", "upset"]
    assert by_id["which"]["enableBehavior"] == "any"
    assert by_id["school_note"]["enableWhen"][0]["answerCoding"]["code"] == "school"
    assert by_id["both"]["enableBehavior"] == "all" and by_id["both"]["enableWhen"][1] == {
        "question": "at",
        "operator": "exists",
        "answerBoolean": False,
    }
    assert by_id["role"]["enableWhen"] == [{"question": "who", "operator": "=", "answerString": "Nan"}]
    # "> 3" is not a test FHIR's enableWhen can say exactly against a decimal with JSON Logic's null rules, and
    # "!! count" is false for 0, which FHIR's "exists" is not: both are kept whole, as JSON Logic.
    for qid, condition in (("many", {">": [{"var": "count"}, 3]}), ("zero", {"!!": [{"var": "count"}]})):
        assert "enableWhen" not in by_id[qid]
        (kept,) = [e for e in by_id[qid]["extension"] if e["url"] == fhir.SHOW_IF]
        assert json.loads(kept["valueString"]) == condition


def test_every_enable_when_names_a_question_of_the_questionnaire():
    by_id = items(fhir.questionnaire(publish(every_type())))
    for item in by_id.values():
        for test in item.get("enableWhen", []):
            assert test["question"] in by_id and by_id[test["question"]]["type"] != "group"


def test_the_shipped_example_exports():
    path = Path("forms/tests/fixtures/example-visit-note.v1.json")
    q = fhir.checked(fhir.questionnaire(publish(json.loads(path.read_text()))))
    by_id = items(q)
    assert by_id["not_seen_reason"]["enableWhen"] == [{"question": "seen", "operator": "=", "answerBoolean": False}]
    assert by_id["actions"]["repeats"] is True and by_id["page-actions"]["type"] == "group"


def test_the_check_refuses_what_fhir_r4_does_not_have():
    q = fhir.questionnaire(publish(every_type()))
    q["item"][0]["item"][0]["type"] = "text-area"
    with pytest.raises(ValueError, match="not a FHIR R4 item type"):
        fhir.checked(q)
    q = fhir.questionnaire(publish(every_type()))
    q["item"][0]["colour"] = "blue"
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):  # pydantic's ValidationError
        fhir.checked(q)


def answers(carer_id: int) -> dict[str, Any]:
    return {
        "name": "Amelia",
        "story": "Likes drawing",
        "count": 2,
        "seen_on": "2026-01-05",
        "at": "2026-01-05T10:30:00+00:00",
        "seen": True,
        "mood": "upset",
        "worries": ["school", "home"],
        "factors": ["3A"],
        "carer": carer_id,
        "home": {"line_1": "1 High Street", "town": "Anytown", "postcode": "AN1 1AA"},
        "alone": False,
        "people": [{"who": "Nan", "role": "Grandmother"}, {"who": "Sam"}],
        "plan": {"next": "2026-02-01"},
    }


def test_a_submitted_response_is_a_valid_questionnaire_response(team_a_holds, alice):
    definition = publish(every_type())
    child = person("Amelia", "Hughes", date(2015, 3, 27), nhs_number="9434765919")
    carer = person("Mary", "Hughes", date(1985, 1, 2))
    submitted = response_submit(actor=alice, definition=definition, person=child, answers=answers(carer.pk))
    r = fhir.checked(fhir.questionnaire_response(submitted.response))
    assert r["status"] == "completed"
    assert r["questionnaire"] == fhir.canonical_url("every-type") + "|2"
    assert r["subject"] == {
        "type": "Patient",
        "identifier": {"system": fhir.NHS_NUMBER, "value": "9434765919"},
        "display": "Amelia Hughes",
    }
    assert r["author"]["display"] == alice.get_full_name() and r["authored"].startswith(
        submitted.response.submitted_at.isoformat()[:19]
    )
    assert r["extension"] == [{"url": fhir.RESPONSE_SHA256, "valueString": submitted.response.sha256}]
    pages = {p["linkId"]: p for p in r["item"]}
    assert list(pages) == ["page-about", "page-more"]
    about = {i["linkId"]: i for i in pages["page-about"]["item"]}
    assert about["count"]["answer"] == [{"valueDecimal": 2.0}]
    assert about["at"]["answer"] == [{"valueDateTime": "2026-01-05T10:30:00Z"}]  # fhir.resources writes UTC as Z
    assert [a["valueCoding"]["code"] for a in about["worries"]["answer"]] == ["school", "home"]
    assert about["factors"]["answer"][0]["valueCoding"]["display"] == labels("assessment_factor")["3A"]
    assert about["carer"]["answer"] == [
        {
            "valueReference": {
                "type": "Patient",
                "identifier": {"system": fhir.PERSON_RECORD, "value": str(carer.pk)},
                "display": "Mary Hughes",
            }
        }
    ]
    assert [i["linkId"] for i in about["home"]["item"]] == ["home.line_1", "home.town", "home.postcode"]
    more = pages["page-more"]["item"]
    # A repeating group is its item once per entry; each entry holds only what was answered.
    people = [i for i in more if i["linkId"] == "people"]
    assert [[x["linkId"] for x in p["item"]] for p in people] == [["who", "role"], ["who"]]
    assert {"linkId": "alone", "text": "Alone?", "answer": [{"valueBoolean": False}]} in more


def test_a_person_without_an_nhs_number_is_named_by_their_record_number_and_a_draft_is_in_progress(alice):
    definition = publish(every_type())
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    assert not PersonIdentifier.objects.filter(person=child, type="nhs").exists()
    draft = draft_save(actor=alice, definition=definition, person=child, answers={"name": "Amelia"})
    r = fhir.checked(fhir.questionnaire_response(draft))
    assert r["status"] == "in-progress"
    assert r["subject"]["identifier"] == {"system": fhir.PERSON_RECORD, "value": str(child.pk)}
    assert r["item"] == [
        {
            "linkId": "page-about",
            "text": "About",
            "item": [{"linkId": "name", "text": "Name", "answer": [{"valueString": "Amelia"}]}],
        }
    ]


def test_a_correction_is_amended(alice):
    definition = publish(every_type())
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    first = response_submit(actor=alice, definition=definition, person=child, answers={"name": "Amelia"}).response
    second = response_submit(actor=alice, definition=definition, person=child, answers={"name": "Amelia Rose"})
    FormResponse.objects.filter(pk=second.response.pk).update(supersedes=first)
    second.response.refresh_from_db()
    assert fhir.checked(fhir.questionnaire_response(second.response))["status"] == "amended"
