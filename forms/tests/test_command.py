"""`casework forms list|check|load`."""

from __future__ import annotations

import json
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
    assert len(lines) == len(files) == 11
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
    assert "Loaded: statutory-visit version 1" in first and "Form definitions: 11 loaded, 0 unchanged" in first
    again = run("load")
    assert "Already loaded: statutory-visit version 1" in again and " 0 loaded" in again
    listing = run("list")
    assert "case-note                    v1   Case note (4 questions on 1 page, writes case_note); loaded " in listing
    assert listing.endswith("11 form definitions loaded.\n")
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
