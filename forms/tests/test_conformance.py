"""One file of cases for conditions (forms/conformance/conditions.json) and one for visibility and validation
(validation.json), run here by the server's Python and, through node, by the browser's JavaScript."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from forms import conditions
from forms.definition import Form, check
from forms.validation import validate

HERE = Path(__file__).resolve().parent.parent / "conformance"
CONDITIONS = json.loads((HERE / "conditions.json").read_text())["cases"]
VALIDATION = json.loads((HERE / "validation.json").read_text())
DATETIMES = json.loads((HERE / "datetimes.json").read_text())


def test_the_conditions_file_covers_the_known_divergences():
    assert len(CONDITIONS) >= 60
    names = " ".join(c["name"] for c in CONDITIONS)
    for topic in ("divide", "null", "strict", "in a string", "in a list", "[]", '"0"', "0 is false", "missing"):
        assert topic in names, topic


@pytest.mark.parametrize("case", CONDITIONS, ids=[c["name"] for c in CONDITIONS])
def test_condition_in_python(case):
    def lookup(qid):
        return case["answers"].get(qid)

    if "error" in case:
        with pytest.raises(conditions.ConditionError, match=case["error"].replace("(", r"\(").replace("+", r"\+")):
            conditions.evaluate(case["condition"], lookup)
        # The loader refuses the same condition before it could ever be evaluated.
        assert conditions.problems(case["condition"])
    else:
        got = conditions.evaluate(case["condition"], lookup)
        assert json.dumps(got) == json.dumps(case["expected"])
        assert conditions.problems(case["condition"]) == []


def node(script: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("node")
    assert exe, "node is needed for the conformance suite (it is on every machine Casework is built on)"
    return subprocess.run([exe, str(HERE / script)], capture_output=True, text=True, timeout=60, check=False)


def test_conditions_in_node():
    run = node("run_conditions.mjs")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(CONDITIONS)} of {len(CONDITIONS)} condition cases pass" in run.stdout


def test_visibility_in_node():
    run = node("run_visibility.mjs")
    assert run.returncode == 0, run.stdout + run.stderr
    n = len(VALIDATION["cases"])
    assert f"{n} of {n} visibility cases pass" in run.stdout


def test_the_conformance_definitions_are_themselves_valid():
    for name, body in VALIDATION["definitions"].items():
        assert check(body, source=name, code_lists=set()) == []


@pytest.mark.parametrize("case", VALIDATION["cases"], ids=[c["name"] for c in VALIDATION["cases"]])
def test_visibility_and_validation_in_python(case):
    form = Form(VALIDATION["definitions"][case["definition"]])
    result = validate(form, case["answers"], today=date.fromisoformat(VALIDATION["today"]), codes=lambda _: set())
    assert result.visible == case["visible"]
    assert list(result.errors.items()) == list(case["errors"].items())
    if "answers_kept" in case:
        assert result.answers == case["answers_kept"]


@pytest.mark.parametrize("case", DATETIMES["cases"], ids=[c["name"] for c in DATETIMES["cases"]])
def test_a_datetime_typed_is_read_in_the_councils_zone(case, settings):
    """The same cases run in node against the browser's reading (forms/tests/js/live.test.mjs, make web-test)."""
    from django.http import QueryDict

    from forms.filling import ABSENT, read_question

    assert DATETIMES["time_zone"] == settings.TIME_ZONE
    post = QueryDict(mutable=True)
    post.update({"m-day": case["day"], "m-month": case["month"], "m-year": case["year"], "m-time": case["time"]})
    form = Form({"pages": [{"id": "p", "title": "P", "questions": [{"id": "m", "type": "datetime", "label": "M"}]}]})
    got = read_question(form.questions["m"], post, "m")
    assert (None if got is ABSENT else got) == case["expected"]
