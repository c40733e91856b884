"""The loader's refusals: every one names the file, the JSON path and the reason, in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forms.definition import DefinitionError, check, read

from .definitions import CODE_LISTS, assessment, minimal

F = "forms/definitions/x.v1.json"


def problems(body, file_name="x.v1.json"):
    return check(body, source=F, file_name=file_name, code_lists=CODE_LISTS)


def test_a_good_definition_has_no_problems():
    assert problems(minimal()) == []
    assert check(assessment(), source="a", file_name="test-assessment.v1.json", code_lists=CODE_LISTS) == []


def test_the_example_and_every_shipped_definition_check(db):
    for path in sorted(Path("forms/definitions").glob("*.json")):
        read(path)  # raises DefinitionError with the reasons


def test_a_condition_outside_the_subset():
    body = minimal()
    body["pages"][1]["questions"][0]["show_if"] = {"some": [{"var": "seen"}, {"==": [1, 1]}]}
    assert problems(body) == [
        f'{F}: pages[1].questions[0].show_if: operator "some" is not allowed (allowed: var, missing, ==, !=, <, >, '
        "<=, >=, in, and, or, !, !!)"
    ]


def test_divide_is_refused_deep_inside_a_condition():
    body = minimal()
    body["pages"][1]["show_if"] = {"and": [True, {">": [{"/": [{"var": "seen"}, 0]}, 1]}]}
    assert problems(body) == [
        f'{F}: pages[1].show_if.and[1].>[0]: operator "/" is not allowed (allowed: var, '
        "missing, ==, !=, <, >, <=, >=, in, and, or, !, !!)"
    ]


def test_the_wrong_number_of_operands():
    body = minimal()
    body["pages"][1]["show_if"] = {"<": [1, {"var": "seen"}, 3]}
    assert problems(body) == [f'{F}: pages[1].show_if.<: "<" takes 2 operands, not 3']


def test_var_must_name_a_question():
    body = minimal()
    body["pages"][1]["questions"][0]["show_if"] = {"==": [{"var": "sen"}, True]}
    assert problems(body) == [f'{F}: pages[1].questions[0].show_if.==[0].var: "sen" is not a question in this form']


def test_missing_must_name_questions():
    body = minimal()
    body["pages"][1]["show_if"] = {"!": {"missing": ["seen", "colour"]}}
    assert problems(body) == [f'{F}: pages[1].show_if.!.missing[1]: "colour" is not a question in this form']


def test_var_must_name_an_earlier_question():
    body = minimal()
    body["pages"][0]["questions"][0]["show_if"] = {"==": [{"var": "outcome"}, "nfa"]}
    assert problems(body) == [
        f'{F}: pages[0].questions[0].show_if.==[0].var: "outcome" comes after this question: a condition may use '
        "only the answers given before it"
    ]


def test_var_cannot_reach_into_another_group():
    body = minimal()
    body["pages"][1]["questions"].append(
        {"id": "later", "type": "text", "label": "L", "show_if": {"==": [{"var": "what"}, "x"]}}
    )
    assert problems(body) == [
        f'{F}: pages[1].questions[2].show_if.==[0].var: "what" is in the group "actions": only that group\'s own '
        "questions may use it"
    ]


def test_a_duplicate_id():
    body = minimal()
    body["pages"][1]["questions"][1]["questions"][0]["id"] = "health"
    assert problems(body) == [
        f'{F}: pages[1].questions[1].questions[0].id: question id "health" is used twice (also at '
        "pages[1].questions[0].id)"
    ]


def test_a_duplicate_page_id():
    body = minimal()
    body["pages"][1]["id"] = "first"
    assert problems(body) == [f'{F}: pages[1].id: page id "first" is used twice (also at pages[0].id)']


def test_an_unknown_key_such_as_a_typo():
    body = minimal()
    body["pages"][1]["questions"][0]["requried"] = True
    (p,) = problems(body)
    assert p.startswith(f'{F}: pages[1].questions[0].requried: unknown key "requried" (allowed: id, type, label, ')


def test_an_unknown_key_at_the_top():
    body = minimal()
    body["colour"] = "blue"
    (p,) = problems(body)
    assert p.startswith(f'{F}: colour: unknown key "colour" (allowed: format, name, version,')


def test_an_unknown_answer_type():
    body = minimal()
    body["pages"][1]["questions"][0]["type"] = "essay"
    (p,) = problems(body)
    assert p == (
        f'{F}: pages[1].questions[0].type: "essay" is not one of "text", "long_text", "number", "date", '
        '"datetime", "yes_no", "single_choice", "multiple_choice", "code_list", "person", "address"'
    )


def test_a_missing_label():
    body = minimal()
    del body["pages"][0]["questions"][0]["label"]
    assert problems(body) == [f'{F}: pages[0].questions[0]: "label" is required']


def test_groups_do_not_nest():
    body = minimal()
    body["pages"][1]["questions"][1]["questions"].append(
        {"id": "inner", "type": "group", "label": "Inner", "questions": [{"id": "y", "type": "text", "label": "Y"}]}
    )
    assert problems(body) == [
        f"{F}: pages[1].questions[1].questions[1]: a group cannot be inside another group (format 1)"
    ]


def test_options_missing_for_a_choice():
    body = minimal()
    del body["pages"][0]["questions"][1]["options"]
    assert problems(body) == [f'{F}: pages[0].questions[1]: a single choice question needs "options"']


def test_options_on_a_question_that_is_not_a_choice():
    body = minimal()
    body["pages"][1]["questions"][0]["options"] = [{"value": "a", "label": "A"}]
    assert problems(body) == [
        f'{F}: pages[1].questions[0].options: "options" is only for single_choice and multiple_choice, not long_text'
    ]


def test_an_option_value_twice():
    body = minimal()
    body["pages"][0]["questions"][1]["options"].append({"value": "nfa", "label": "Again"})
    assert problems(body) == [f'{F}: pages[0].questions[1].options[1].value: "nfa" is used twice']


def test_a_code_list_that_does_not_exist():
    body = minimal()
    body["pages"][1]["questions"][0] = {"id": "health", "type": "code_list", "code_list": "colours", "label": "C"}
    assert problems(body) == [
        f'{F}: pages[1].questions[0].code_list: there is no code list "colours" (known: abuse_category, '
        "assessment_factor, ethnicity)"
    ]


def test_code_lists_are_read_from_the_database(db):
    body = minimal()
    body["pages"][1]["questions"][0] = {
        "id": "health",
        "type": "code_list",
        "code_list": "abuse_category",
        "label": "Category",
    }
    assert check(body, source=F, file_name="x.v1.json") == []
    body["pages"][1]["questions"][0]["code_list"] = "abuse_categories"
    (p,) = check(body, source=F, file_name="x.v1.json")
    assert 'there is no code list "abuse_categories"' in p


def test_the_version_must_match_the_file_name():
    assert problems(minimal(), "x.v2.json") == [f"{F}: version: 1 does not match the file name (version 2)"]


def test_the_name_must_match_the_file_name():
    assert problems(minimal(), "y.v1.json") == [f'{F}: name: "x" does not match the file name ("y")']


def test_a_file_name_without_a_version():
    assert problems(minimal(), "x.json") == [
        f'{F}: (file name): "x.json" must be named <name>.v<version>.json, e.g. x.v1.json'
    ]


def test_the_format_must_be_1():
    body = minimal()
    body["format"] = 2
    assert problems(body) == [f"{F}: format: must be 1"]


def test_a_constraint_that_does_not_apply():
    body = minimal()
    body["pages"][0]["questions"][0]["constraints"] = {"maxLength": 5}
    assert problems(body) == [
        f'{F}: pages[0].questions[0].constraints.maxLength: "maxLength" does not apply to a yes_no question'
    ]


def test_an_unknown_constraint():
    body = minimal()
    body["pages"][1]["questions"][0]["constraints"] = {"format": "email"}
    (p,) = problems(body)
    assert p.startswith(f'{F}: pages[1].questions[0].constraints.format: unknown key "format" (allowed: maxLength,')


def test_a_pattern_that_is_not_a_regular_expression():
    body = minimal()
    body["pages"][1]["questions"][0]["constraints"] = {"pattern": "[a-"}
    (p,) = problems(body)
    assert p.startswith(f"{F}: pages[1].questions[0].constraints.pattern: not a regular expression Casework can read")


def test_on_or_after_must_name_a_date_question():
    body = minimal()
    body["pages"][1]["questions"][0] = {"id": "health", "type": "date", "label": "D", "on_or_after": "seen"}
    assert problems(body) == [f'{F}: pages[1].questions[0].on_or_after: "seen" is a yes_no question, not a date one']


def test_not_in_future_only_for_dates():
    body = minimal()
    body["pages"][1]["questions"][0]["not_in_future"] = True
    assert problems(body) == [
        f'{F}: pages[1].questions[0].not_in_future: "not_in_future" is only for a date or datetime question, not '
        "long_text"
    ]


def test_min_and_max_only_for_repeating_groups():
    body = minimal()
    body["pages"][1]["questions"][1]["repeats"] = False
    body["pages"][1]["questions"][1]["max"] = 3
    assert problems(body) == [f'{F}: pages[1].questions[1].max: "max" is only for a repeating group ("repeats": true)']


def test_bind_without_a_record_target():
    body = minimal()
    body["pages"][1]["questions"][0]["bind"] = "summary"
    assert problems(body) == [
        f'{F}: pages[1].questions[0].bind: a question can bind only in a form with a "record" target'
    ]


def test_an_unknown_record_target():
    body = minimal()
    body["record"] = "spaceship"
    (p,) = problems(body)
    assert p.startswith(f'{F}: record: there is no record target "spaceship" (known: assessment')


def a_problems(body):
    return check(body, source=F, file_name="test-assessment.v1.json", code_lists=CODE_LISTS)


def test_bind_to_a_field_the_target_does_not_have():
    body = assessment()
    body["pages"][1]["questions"][0]["bind"] = "health"
    assert a_problems(body) == [
        f'{F}: pages[1].questions[0].bind: the "assessment" record has no field "health" (fields: started_on, '
        "factors, summary, outcome, submitted_on)"
    ]


def test_bind_with_the_wrong_type():
    body = assessment()
    body["pages"][0]["questions"][0]["type"] = "text"
    body["pages"][0]["questions"][0].pop("not_in_future")
    assert a_problems(body) == [
        f"{F}: pages[0].questions[0].bind: a text question cannot bind to this field (it takes date)",
        f'{F}: pages[0].questions[1].on_or_after: "started" is a text question, not a date one',
    ]


def test_bind_with_the_wrong_code_list_or_multiplicity():
    body = assessment()
    body["pages"][2]["questions"][0]["code_list"] = "abuse_category"
    body["pages"][2]["questions"][0]["multiple"] = False
    assert a_problems(body) == [
        f'{F}: pages[2].questions[0].bind: this field takes the code list "assessment_factor", not "abuse_category"',
        f'{F}: pages[2].questions[0].bind: this field takes several codes: set "multiple": true',
    ]


def test_bind_a_choice_with_an_option_the_field_cannot_take():
    body = assessment()
    body["pages"][2]["questions"][2]["options"].append({"value": "adopt", "label": "Adoption"})
    (p,) = a_problems(body)
    assert p.startswith(f"{F}: pages[2].questions[2].bind: this field cannot take the option 'adopt' (it takes nfa, ")


def test_a_field_bound_twice():
    body = assessment()
    body["pages"][1]["questions"][0]["bind"] = "summary"
    assert a_problems(body) == [f'{F}: pages[2].questions[1].bind: "summary" is already bound by the question "health"']


def test_a_required_field_left_unbound():
    body = assessment()
    del body["pages"][2]["questions"][2]["bind"]
    assert a_problems(body) == [f'{F}: record: the "assessment" record needs a question bound to "outcome"']


def test_read_gives_every_problem_of_a_file(tmp_path):
    path = tmp_path / "x.v1.json"
    body = minimal()
    body["pages"][0]["questions"][0]["requried"] = True
    body["version"] = "one"
    path.write_text(json.dumps(body))
    with pytest.raises(DefinitionError) as e:
        read(path, source="x.v1.json", code_lists=CODE_LISTS)
    assert e.value.problems[0].startswith('x.v1.json: pages[0].questions[0].requried: unknown key "requried"')
    assert e.value.problems[1] == "x.v1.json: version: must be a whole number, not a string"


def test_read_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "x.v1.json"
    path.write_text('{"format": 1,\n  "name": }')
    with pytest.raises(DefinitionError) as e:
        read(path, source="x.v1.json")
    assert e.value.problems == ["x.v1.json: line 2 column 11: not JSON (Expecting value)"]
