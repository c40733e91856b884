"""A response's answers in words, for a person reading them back (the check-your-answers page, the submitted form's
page, the PDF through `core.printing`).

`answer_sections(form, answers)` gives `core.printing` sections: `[(page title, [(question label, answer)])]` for
the pages and questions that show for these answers (conditions decide, as `forms.validation` does), in page order.
An answer is words, never codes:

- text and long text as typed; a number as written ("3", "2.5");
- yes/no "Yes" or "No";
- a single choice its option's label; a multiple choice the list of the chosen options' labels;
- a code list its label from the code list (`core.codes`), or the list of labels when several may be chosen;
- a date "5 December 2026"; a date and time "5 December 2026, 14:03" in the authority's time zone;
- a person "Amelia Hughes (record number 123)";
- an address on one line: "1 High Street, Flat 2, Northtown, NT1 1AA";
- a repeating group a list of mappings, one per entry, keyed by the group's question labels (a non-repeating group's
  questions are rows of their own, after the group's place).

Unanswered: a visible question that has no answer is kept, with None (core.printing and the pages show "Not
answered", so a reader sees what was asked and left empty); inside a repeating group's entry an unanswered question
is "" (printing shows a blank cell or "Not answered"). Hidden questions and pages are left out.

A draft may hold what is not yet a valid answer (an impossible date, a choice the definition no longer has): it is
shown as it was typed, never refused here.

Queries: one for each code list the answers use and one for all the people they name, whatever their number
(`codes` may be given to read code lists another way, e.g. in tests or a bench).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone

from core.dates import long_date
from core.printing import Answer, Section

from . import validation
from .definition import Form, Question

CodeLabels = Callable[[str], Mapping[str, str]]


@dataclass
class Row:
    """One question's answer in words: `key` is its id (a group's questions: "group.id" for a non-repeating group)."""

    key: str
    label: str
    answer: Answer


@dataclass
class PageAnswers:
    page_id: str
    title: str
    rows: list[Row] = field(default_factory=list)


def answer_sections(form: Form, answers: dict[str, Any], *, codes: CodeLabels | None = None) -> list[Section]:
    """The visible answers in words, as `core.printing` sections (see the module's docstring)."""
    return [
        (page.title, [(row.label, row.answer) for row in page.rows])
        for page in answer_pages(form, answers, codes=codes)
    ]


def answer_pages(form: Form, answers: dict[str, Any], *, codes: CodeLabels | None = None) -> list[PageAnswers]:
    """As `answer_sections`, with each page's id and each question's id (for "Change" links)."""
    answers = answers if isinstance(answers, dict) else {}
    shown = set(validation.visible(form, answers))
    words = _Words(form, answers, shown, codes)
    pages: list[PageAnswers] = []
    for page in form.pages():
        out = PageAnswers(page["id"], page["title"])
        for spec in page["questions"]:
            q = form.questions[spec["id"]]
            if q.id not in shown:
                continue
            value = answers.get(q.id)
            if q.type == "group" and not q.spec.get("repeats"):
                item = value if isinstance(value, dict) else {}
                for sub in q.spec["questions"]:
                    if f"{q.id}.{sub['id']}" in shown:
                        sub_q = form.questions[sub["id"]]
                        out.rows.append(Row(f"{q.id}.{sub_q.id}", sub_q.label, words.answer(sub_q, item.get(sub_q.id))))
                continue
            if q.type == "group":
                out.rows.append(Row(q.id, q.label, words.entries(q, value)))
            else:
                out.rows.append(Row(q.id, q.label, words.answer(q, value)))
        if out.rows:
            pages.append(out)
    return pages


class _Words:
    def __init__(self, form: Form, answers: dict[str, Any], shown: set[str], codes: CodeLabels | None) -> None:
        self.form = form
        self.shown = shown
        self.codes = codes
        self.lists: dict[str, Mapping[str, str]] = {}
        self.people = _people_named(form, answers)

    def code_labels(self, list_name: str) -> Mapping[str, str]:
        if list_name not in self.lists:
            if self.codes is not None:
                self.lists[list_name] = self.codes(list_name)
            else:
                from core.codes import choices

                self.lists[list_name] = dict(choices(list_name))
        return self.lists[list_name]

    def entries(self, g: Question, value: Any) -> Answer:
        if not isinstance(value, list) or not value:
            return None
        out: list[dict[str, str]] = []
        for i, item in enumerate(value):
            item = item if isinstance(item, dict) else {}
            entry: dict[str, str] = {}
            for sub in g.spec["questions"]:
                if f"{g.id}.{i}.{sub['id']}" not in self.shown:
                    continue
                words = self.answer(self.form.questions[sub["id"]], item.get(sub["id"]))
                entry[sub["label"]] = _flat(words)
            out.append(entry)
        return out

    def answer(self, q: Question, value: Any) -> Answer:
        if validation.unanswered(value):
            return None
        try:
            return self.words(q, value)
        except (TypeError, ValueError, KeyError, AttributeError):
            return _as_typed(value)

    def words(self, q: Question, value: Any) -> Answer:
        kind = q.type
        if kind in ("text", "long_text"):
            return str(value)
        if kind == "number":
            if isinstance(value, bool):
                return str(value)
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            return str(value)
        if kind == "yes_no":
            return {True: "Yes", False: "No"}[value] if isinstance(value, bool) else str(value)
        if kind in ("single_choice", "multiple_choice"):
            options = {o["value"]: o["label"] for o in q.spec["options"]}
            if isinstance(value, list):
                return [options.get(v, str(v)) for v in value]
            return options.get(value, str(value))
        if kind == "code_list":
            labels = self.code_labels(q.spec["code_list"])
            if isinstance(value, list):
                return [labels.get(v, str(v)) for v in value]
            return labels.get(value, str(value))
        if kind == "date":
            return long_date(date.fromisoformat(value))
        if kind == "datetime":
            return datetime_words(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
        if kind == "person":
            return self.person_words(value)
        if kind == "address":
            return address_line(value)
        return _as_typed(value)  # pragma: no cover - the loader allows no other type

    def person_words(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            return str(value)
        name = self.people.get(value)
        if name is None:
            return f"Record number {value} (no such record)"
        return f"{name} (record number {value})"


def datetime_words(moment: datetime) -> str:
    """ "5 December 2026, 14:03", in the authority's time zone (a naive time is taken as already local)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def address_line(value: Any) -> str:
    """An address answer on one line, its parts in order, empty ones left out."""
    if not isinstance(value, dict):
        return str(value)
    return ", ".join(str(value[p]).strip() for p in validation.ADDRESS_PARTS if str(value.get(p) or "").strip())


def _flat(words: Answer) -> str:
    if words is None:
        return ""
    if isinstance(words, str):
        return words
    return ", ".join(str(w) for w in words)


def _as_typed(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)


def _people_named(form: Form, answers: dict[str, Any]) -> dict[int, str]:
    """{record id: name} for every person answer (top level and in groups), in one query; {} (no query) for none."""
    ids: set[int] = set()

    def add(q: Question | None, value: Any) -> None:
        if q is not None and q.type == "person" and isinstance(value, int) and not isinstance(value, bool):
            ids.add(value)

    for key, value in answers.items():
        q = form.questions.get(key)
        if q is None:
            continue
        if q.type == "group":
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            for item in items:
                for sub_key, sub in item.items() if isinstance(item, dict) else ():
                    add(form.questions.get(sub_key), sub)
        else:
            add(q, value)
    if not ids:
        return {}
    from people.models import Person

    return {p.pk: p.full_name for p in Person.objects.filter(pk__in=ids).only("given_name", "family_name")}
