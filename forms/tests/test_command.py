"""`casework forms list|check|load`."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .definitions import minimal

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("forms", *args, stdout=out)
    return out.getvalue()


EXAMPLE = Path("forms/tests/fixtures/example-visit-note.v1.json")


def test_check_a_good_file():
    assert run("check", str(EXAMPLE)) == (f"{EXAMPLE}: ok (example-visit-note version 1, 12 questions on 3 pages)\n")
    assert run("check", "forms/definitions/case-note.v1.json") == (
        "forms/definitions/case-note.v1.json: ok (case-note version 1, 4 questions on 1 page)\n"
    )


def test_check_every_shipped_file():
    files = sorted(str(p) for p in Path("forms/definitions").glob("*.json"))
    lines = run("check", *files).splitlines()
    assert len(lines) == len(files) == 14
    assert all(": ok (" in line for line in lines)


def test_check_a_bad_file_exits_1_with_the_reasons(tmp_path):
    body = minimal()
    body["pages"][0]["questions"][0]["requried"] = True
    body["pages"][1]["show_if"] = {"/": [1, 0]}
    path = tmp_path / "x.v2.json"
    path.write_text(json.dumps(body))
    with pytest.raises(CommandError) as e:
        run("check", str(path))
    lines = str(e.value).splitlines()
    assert lines[0].startswith(f'{path}: pages[0].questions[0].requried: unknown key "requried"')
    assert lines[-1] == "1 problem: not loadable."
    del body["pages"][0]["questions"][0]["requried"]
    path.write_text(json.dumps(body))
    with pytest.raises(CommandError) as e:
        run("check", str(path))
    assert str(e.value).splitlines() == [
        f"{path}: version: 1 does not match the file name (version 2)",
        f'{path}: pages[1].show_if: operator "/" is not allowed (allowed: var, missing, ==, !=, <, >, <=, >=, in, '
        "and, or, !, !!)",
        "2 problems: not loadable.",
    ]


def test_check_a_missing_file():
    with pytest.raises(CommandError, match=r"nope.v1.json: \(file\): there is no such file"):
        run("check", "nope.v1.json")


def test_load_then_list(tmp_path):
    first = run("load")
    assert "Loaded: statutory-visit version 1" in first and "Form definitions: 14 loaded, 0 unchanged" in first
    again = run("load")
    assert "Already loaded: statutory-visit version 1" in again and " 0 loaded" in again
    listing = run("list")
    assert "case-note                    v1   Case note (4 questions on 1 page, writes case_note); loaded " in listing
    assert listing.endswith("14 form definitions loaded.\n")
    rows = json.loads(run("list", "--json"))
    visit = next(r for r in rows if r["name"] == "statutory-visit")
    assert visit["version"] == 1 and visit["record"] == "visit" and len(visit["sha256"]) == 64
    run("load", str(EXAMPLE))
    assert "example-visit-note  v1" not in listing
    assert "example-visit-note           v1   Example: a note of a visit (12 questions on 3 pages); " in run("list")


def test_load_refuses_a_changed_published_version(tmp_path):
    path = tmp_path / "x.v1.json"
    path.write_text(json.dumps(minimal()))
    run("load", str(path))
    changed = minimal()
    changed["title"] = "Changed"
    path.write_text(json.dumps(changed))
    with pytest.raises(CommandError) as e:
        run("load", str(path))
    assert str(e.value) == (
        f"{path}: version 1 of x is already published and differs; publish it as version 2\nNothing was loaded."
    )
    with pytest.raises(CommandError, match="already published and differs"):
        run("check", str(path))


def test_list_with_nothing_loaded():
    assert run("list") == "No form definitions are loaded (casework forms load).\n"
    assert Path("forms/definitions").is_dir()


# export-fhir and submit ------------------------------------------------------------------------------------------


def load_example() -> None:
    run("load", "forms/tests/fixtures/example-visit-note.v1.json")


def test_export_fhir_prints_the_latest_version_as_a_questionnaire():
    load_example()
    q = json.loads(run("export-fhir", "example-visit-note"))
    assert (q["resourceType"], q["version"], q["status"]) == ("Questionnaire", "1", "active")
    assert json.loads(run("export-fhir", "example-visit-note", "--version", "1")) == q


def test_export_fhir_says_what_there_is_for_an_unknown_name_or_version():
    load_example()
    with pytest.raises(CommandError, match=r'No form is named "visit" \(casework forms list shows the forms loaded\)'):
        run("export-fhir", "visit")
    with pytest.raises(CommandError, match=r'The form "example-visit-note" has no version 2 \(it has version 1\)'):
        run("export-fhir", "example-visit-note", "--version", "2")


@pytest.fixture
def held(alice, manager, team_a, episode):
    from datetime import date

    from cases import services

    services.allocate(actor=manager, person=episode.person, worker=alice, started_on=date(2026, 1, 5), reason="New")
    return episode.person


def answers_file(tmp_path: Path, answers: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    return str(path)


def submit(tmp_path: Path, person: int, user: str, answers: object, *extra: str) -> str:
    args = ["--person", str(person), "--user", user, "--answers", answers_file(tmp_path, answers)]
    return run("submit", "--form", "example-visit-note", *args, *extra)


VISIT = {"visited_on": "2026-01-06", "seen": True, "seen_alone": True, "observations": "Calm."}


def test_submit_as_a_user_with_the_pages_audit(tmp_path, held, alice):
    from audit.models import AuditEvent
    from forms.models import FormResponse

    load_example()
    out = submit(tmp_path, held.pk, alice.email, VISIT)
    response = FormResponse.objects.get()
    assert out == (
        f"Submitted example-visit-note version 1 for Amelia Hughes (record {held.pk}) as {alice.email}: "
        f"response {response.pk}; wrote no structured record.\n"
    )
    assert response.submitted_by == alice and response.answers == VISIT
    event = AuditEvent.objects.get(action="response_submit")
    assert event.actor_id == alice.pk and event.context["channel"] == "command"


def test_submit_refuses_bad_answers_question_by_question_and_saves_nothing(tmp_path, held, alice):
    from audit.models import AuditEvent
    from forms.models import FormResponse

    load_example()
    before = AuditEvent.objects.count()
    bad = {"visited_on": "2099-01-01", "seen": True, "actions": [{"what": "Ring school"}], "colour": "blue"}
    with pytest.raises(CommandError) as e:
        submit(tmp_path, held.pk, alice.email, bad)
    assert str(e.value).splitlines() == [
        "The answers were not submitted (5 problems); nothing was saved:",
        '  colour: This form has no question "colour"',
        "  Date of visit (visited_on): Date of visit must be today or in the past",
        "  Were they seen alone? (seen_alone): Select yes or no",
        "  Observations (observations): Enter observations",
        "  Actions, item 1, Who (actions.0.who): Enter who",
    ]
    assert not FormResponse.objects.exists() and AuditEvent.objects.count() == before


def test_submit_asks_the_access_rule(tmp_path, held, bob, support):
    load_example()
    with pytest.raises(CommandError, match=re.escape(f"{bob.email} may not fill in this form for record {held.pk}")):
        submit(tmp_path, held.pk, bob.email, VISIT)
    with pytest.raises(CommandError, match="a role that may record the steps of a child's journey"):
        submit(tmp_path, held.pk, support.email, VISIT)
    with pytest.raises(CommandError, match=re.escape("No active user has the email address nobody@example.test")):
        submit(tmp_path, held.pk, "nobody@example.test", VISIT)
    with pytest.raises(CommandError, match="cannot find a record numbered 999999"):
        submit(tmp_path, 999999, bob.email, VISIT)


def test_submit_refuses_a_file_that_is_not_answers(tmp_path, held, alice):
    load_example()
    with pytest.raises(CommandError, match="the answers must be a JSON object keyed by question id"):
        submit(tmp_path, held.pk, alice.email, ["not", "an", "object"])
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(CommandError, match=r"broken.json: not JSON \(line 1 column 2"):
        run(
            "submit",
            "--form",
            "example-visit-note",
            "--person",
            str(held.pk),
            "--user",
            alice.email,
            "--answers",
            str(path),
        )


def test_submit_json_prints_the_response_and_the_records_a_bound_form_wrote(tmp_path, held, alice, episode):
    from cases.models import Assessment

    from .definitions import assessment

    definition = tmp_path / "test-assessment.v1.json"
    definition.write_text(json.dumps(assessment()))
    run("load", str(definition))
    answers = {"started": "2026-01-06", "health": "Well", "factors": ["3A"], "recommendation": "cin_plan"}
    args = ["--person", str(held.pk), "--user", alice.email, "--answers", answers_file(tmp_path, answers), "--json"]
    out = json.loads(run("submit", "--form", "test-assessment", *args))
    a = Assessment.objects.get(episode=episode)
    assert out["records"] == [{"type": "cases.assessment", "id": a.pk}] and len(out["sha256"]) == 64
    assert isinstance(out["response"], int)
