"""A 200-question form with 30 conditions: checking and showing it on the server, and submitting it with bindings.

    .venv/bin/python bench/forms.py --data-dir var/demo [--runs 30]

Needs a seeded authority (casework seed): the form is bound to the child and family assessment, so submitting it
starts, records and submits an assessment on a child's open referral through the journey's own services. Everything
runs inside one transaction that is rolled back at the end (the generated form is never published), and each submit
inside a savepoint rolled back after it is timed, so every run submits onto the same record.

What is timed (issue 12's aims, "Speed"):
- `validate_and_show`: what the server does to show or check a filled-in form: build the definition (`Form`),
  decide what shows (`visible`) and validate every answer (`validate`), for the whole form's answers. Aim: under
  100 ms for the page.
- `render_page` and `render_check`: the worker's pages as the server renders them (a signed-in GET through Django's
  test client, forms/views_fill.py), for a draft holding every answer: the page with the repeating group, and "Check
  your answers", which shows all 200 questions' answers in words. Aim: under 100 ms.
- `submit`: `forms.services.response_submit` with the assessment binding (validation, the journey's services, the
  response and its audit event). Aim: under 300 ms.
- Each with the form's repeating group ("actions", four questions an entry) holding 1, 10 and 50 entries: peers'
  forms slow down with every repeat added; ours should stay about as fast. The cost of an entry is worked out from
  the CPU medians (`*_cpu_per_extra_entry_ms`): a repeating group's entries are rendered once and stamped
  (forms/stamping.py), so the page pays for each entry's answers, not for the templates again.
The CPU time of each measure is printed beside the wall-clock time: on a shared machine the difference is waiting
for a core, so compare CPU times.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from typing import Any

from common import DbTimer, setup_django, summary_ms, write_result

QUESTIONS = 200
CONDITIONS = 30
PAGES = 20
GROUP_QUESTIONS = 4
ENTRIES = (1, 10, 50)


def generated_form() -> dict[str, Any]:
    """20 pages of 10 questions (one of them a repeating group of 4), every answer type, 30 conditions on earlier
    answers (most of them true for the answers below, so what they show is validated too), and the assessment's
    bindings."""
    kinds = ["text", "long_text", "number", "date", "yes_no", "single_choice", "multiple_choice", "address", "text"]
    options = [{"value": f"option-{i}", "label": f"Option {i}"} for i in range(5)]
    pages: list[dict[str, Any]] = []
    conditions = 0
    n = 0
    switches: list[str] = []  # yes/no questions conditions can read
    for p in range(PAGES):
        questions: list[dict[str, Any]] = []
        for i in range(10):
            if p == 0 and i < 4:  # the bound questions first
                questions.append(
                    [
                        {
                            "id": "started",
                            "type": "date",
                            "label": "Date started",
                            "required": True,
                            "not_in_future": True,
                            "bind": "started_on",
                        },
                        {
                            "id": "factors",
                            "type": "code_list",
                            "label": "Factors identified",
                            "required": True,
                            "code_list": "assessment_factor",
                            "multiple": True,
                            "bind": "factors",
                        },
                        {"id": "analysis", "type": "long_text", "label": "Analysis", "bind": "summary"},
                        {
                            "id": "recommendation",
                            "type": "single_choice",
                            "label": "Recommendation",
                            "required": True,
                            "bind": "outcome",
                            "options": [
                                {"value": "nfa", "label": "No further action"},
                                {"value": "cin_plan", "label": "Child in need plan"},
                            ],
                        },
                    ][i]
                )
                n += 1
                continue
            if p == PAGES - 1 and n == QUESTIONS - (1 + GROUP_QUESTIONS):
                questions.append(
                    {
                        "id": "actions",
                        "type": "group",
                        "label": "Actions",
                        "repeats": True,
                        "max": 60,
                        "item_label": "Action",
                        "questions": [
                            {"id": "what", "type": "text", "label": "What", "required": True},
                            {"id": "who", "type": "text", "label": "Who", "required": True},
                            {"id": "agreed_on", "type": "date", "label": "Date agreed"},
                            {"id": "by_when", "type": "date", "label": "By when", "on_or_after": "agreed_on"},
                        ],
                    }
                )
                n += 1 + GROUP_QUESTIONS
                break
            if (n >= QUESTIONS - (1 + GROUP_QUESTIONS) and p < PAGES - 1) or n >= QUESTIONS:
                break
            kind = kinds[(p * 10 + i) % len(kinds)]
            q: dict[str, Any] = {"id": f"q{n}", "type": kind, "label": f"Question {n}", "required": i % 3 == 0}
            if kind in ("single_choice", "multiple_choice"):
                q["options"] = options
            if kind == "text":
                q["constraints"] = {"maxLength": 200}
            if kind == "number":
                q["constraints"] = {"minimum": 0, "maximum": 1000}
            if kind == "date":
                q["not_in_future"] = True
            if switches and conditions < CONDITIONS and i in (2, 5, 7):
                q["show_if"] = (
                    {"==": [{"var": switches[-1]}, True]}
                    if i != 7
                    else {"and": [{"==": [{"var": switches[0]}, True]}, {"!": [{"missing": [switches[-1]]}]}]}
                )
                conditions += 1
            if kind == "yes_no":
                switches.append(q["id"])
            questions.append(q)
            n += 1
        page: dict[str, Any] = {"id": f"page-{p}", "title": f"Page {p}", "questions": questions}
        pages.append(page)
    assert conditions == CONDITIONS, conditions
    return {
        "format": 1,
        "name": "bench-two-hundred",
        "version": 1,
        "title": "A form of 200 questions (benchmark)",
        "subject": "child",
        "record": "assessment",
        "pages": pages,
    }


def answers_for(body: dict[str, Any], started: str, entries: int) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "started": started,
        "factors": ["3A", "4B"],
        "analysis": "Worries at home. " * 20,
        "recommendation": "cin_plan",
    }
    for page in body["pages"]:
        for q in page["questions"]:
            kind, qid = q["type"], q["id"]
            if qid in answers:
                continue
            if kind == "group":
                answers[qid] = [
                    {"what": f"Action {i}", "who": "Social worker", "agreed_on": started, "by_when": started}
                    for i in range(entries)
                ]
            elif kind == "text":
                answers[qid] = f"Answer to {qid}"
            elif kind == "long_text":
                answers[qid] = "What the family told us, in their words. " * 30
            elif kind == "number":
                answers[qid] = 7
            elif kind == "date":
                answers[qid] = started
            elif kind == "yes_no":
                answers[qid] = True
            elif kind == "single_choice":
                answers[qid] = "option-2"
            elif kind == "multiple_choice":
                answers[qid] = ["option-1", "option-3"]
            elif kind == "address":
                answers[qid] = {"line_1": "1 High Street", "town": "Anytown", "postcode": "AN1 1AA"}
    return answers


class Rollback(Exception):
    pass


def timed(fn: Any, runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/demo")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    setup_django(args.data_dir)
    from django.db import transaction
    from django.db.models import Exists, OuterRef
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from cases.models import Assessment, CINEpisode
    from forms.definition import Form, check, known_code_lists
    from forms.services import definition_load, draft_save, response_submit
    from forms.validation import validate, visible

    body = generated_form()
    problems = check(body, source="bench", code_lists=known_code_lists())
    assert not problems, problems
    form = Form(body)
    today = timezone.localdate()
    # A child with an open referral whose assessment the form can write: none in progress (every earlier one
    # authorised), or one started and not yet submitted (the form then completes that one).
    in_progress = Assessment.objects.filter(episode=OuterRef("pk"), authorised_on__isnull=True)
    episode = (
        CINEpisode.objects.filter(closure_date__isnull=True, person__allocations__ended_on__isnull=True)
        .filter(~Exists(in_progress) | Exists(in_progress.filter(submitted_on__isnull=True)))
        .select_related("person")
        .order_by("-referral_date")
        .first()
    )
    if episode is None:
        raise SystemExit("No child has an open referral to assess: seed an authority first (casework seed)")
    worker = User.objects.filter(allocations__person=episode.person, allocations__ended_on__isnull=True).first()
    current = episode.assessments.filter(authorised_on__isnull=True).first()
    started = (current.started_on if current else max(episode.referral_date, today - timedelta(days=3))).isoformat()
    result: dict[str, Any] = {
        "questions": len(form.questions),
        "conditions": sum(1 for q in form.questions.values() if "show_if" in q.spec)
        + sum(1 for p in body["pages"] if "show_if" in p),
        "group_questions_per_entry": GROUP_QUESTIONS,
        "aims_ms": {"validate_and_show": 100, "submit": 300, "render_page": 100, "render_check": 100},
    }
    print(
        f"A form of {result['questions']} questions with {result['conditions']} conditions, "
        f"bound to the assessment; {args.runs} runs each"
    )
    timer = DbTimer()
    with transaction.atomic():
        definition = definition_load(actor=None, form=Form(body)).definition
        measures: dict[tuple[int, str], Any] = {}
        queries: dict[int, set[int]] = {n: set() for n in ENTRIES}
        for entries in ENTRIES:
            answers = answers_for(body, started, entries)

            def show_and_check(answers: dict[str, Any] = answers) -> None:
                f = Form(definition.body)
                shown = visible(f, answers)
                checked = validate(f, answers)
                assert checked.ok, checked.errors
                assert len(shown) > 150

            def submit(answers: dict[str, Any] = answers, seen: set[int] = queries[entries]) -> None:
                try:
                    with transaction.atomic(), timer.measuring():
                        done = response_submit(
                            actor=worker, definition=definition, person=episode.person, answers=answers
                        )
                        assert done.records, "the assessment binding wrote nothing"
                        seen.add(timer.queries)
                        raise Rollback
                except Rollback:
                    pass

            measures[entries, "validate_and_show"] = show_and_check
            measures[entries, "submit"] = submit
            draft = draft_save(actor=worker, definition=definition, person=episode.person, answers=answers)
            group_page = next(p["id"] for p in body["pages"] if any(q["type"] == "group" for q in p["questions"]))
            client = Client(HTTP_HOST="localhost")
            client.force_login(worker)
            for what, url in (
                ("render_page", reverse("forms:page", args=[episode.person_id, draft.pk, group_page])),
                ("render_check", reverse("forms:check", args=[episode.person_id, draft.pk])),
            ):

                def render(url: str = url, client: Any = client) -> None:
                    r = client.get(url)
                    assert r.status_code == 200, (url, r.status_code)

                measures[entries, what] = render
        for fn in measures.values():  # warm up every measure before any is timed
            timed(fn, 3)
        for (entries, what), fn in measures.items():
            walls, cpus = timed(fn, args.runs)
            s = {**summary_ms(walls), "cpu": summary_ms(cpus)}
            if what == "submit":
                s["queries"] = sorted(queries[entries])
            result.setdefault(f"group_{entries}", {})[what] = s
            aim = result["aims_ms"][what]
            print(
                f"{what:<18} {entries:>2} group entr{'y' if entries == 1 else 'ies'}: median {s['median_ms']} ms, "
                f"p95 {s['p95_ms']} ms (CPU median {s['cpu']['median_ms']} ms); aim under {aim} ms: "
                f"{'met' if s['p95_ms'] < aim else 'NOT met'}" + (f"; queries {s['queries']}" if "queries" in s else "")
            )
        transaction.set_rollback(True)
    # Per entry from the CPU medians: the wall clock of a shared machine is mostly waiting for a core.
    for what in ("validate_and_show", "submit", "render_page", "render_check"):
        cpu = [result[f"group_{n}"][what]["cpu"]["median_ms"] for n in ENTRIES]
        result[f"{what}_cpu_per_extra_entry_ms"] = round((cpu[-1] - cpu[0]) / (ENTRIES[-1] - ENTRIES[0]), 3)
        print(
            f"{what}: CPU median at {', '.join(map(str, ENTRIES))} entries: {', '.join(f'{c} ms' for c in cpu)} "
            f"({result[f'{what}_cpu_per_extra_entry_ms']} ms of CPU an entry)"
        )
    write_result("forms", result)


if __name__ == "__main__":
    main()
