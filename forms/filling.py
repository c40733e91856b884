"""Filling in a form page by page (the worker's pages, forms/views_fill.py): which pages show, what a page's fields
hold, reading what was posted back into the answers, and which errors belong to the page.

A page's HTML names: a question is `qid`; its parts `qid-day`, `qid-month`, `qid-year`, `qid-time` (date-time),
`qid-line_1`... (address), `qid-record` (a person by record number); a repeating group's question `group-0-qid`. An
error key from forms.validation ("qid", "group.0.qid") is the name with dots for dashes.

Drafts keep what was typed, valid or not (forms.services.draft_save refuses only what cannot be stored), so that
nothing typed is lost: an impossible date is kept as "2026-2-31" and shown again in its three boxes; a number that is
not one is kept as the text typed. Validation (forms.validation) says what is wrong when the worker moves on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from . import stamping, validation
from .definition import Form, Question

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
SHORT_LIST = 8  # a code list of at most this many codes is radios (or checkboxes); longer ones a select


def markdown(text: str) -> SafeString:
    """Guidance as HTML: markdown with raw HTML disabled (escaped), no images; GOV.UK classes on what it makes."""
    html = _markdown.render(text or "")
    for tag, cls in (
        ("p", "govuk-body"),
        ("ul", "govuk-list govuk-list--bullet"),
        ("ol", "govuk-list govuk-list--number"),
        ("a", "govuk-link"),
    ):
        html = re.sub(rf"<{tag}(?=[ >])", f'<{tag} class="{cls}"', html)
    return mark_safe(html)  # noqa: S308  # nosec B703 B308: markdown-it escapes the text; raw HTML is off


# Pages ---------------------------------------------------------------------------------------------------------------


def shown_keys(form: Form, answers: dict[str, Any]) -> list[str]:
    """The questions that show for these answers (validation.visible). A page asks several times (its fields, the
    pages that show, its position, the page before), each a walk of the whole form: worked out once per answers and
    kept on the `Form` (built for the request)."""
    memo: dict[str, list[str]] = form.__dict__.setdefault("_shown_keys", {})
    key = json.dumps(answers, sort_keys=True, default=str)
    if key not in memo:
        memo.clear()  # only the latest answers are asked again
        memo[key] = validation.visible(form, answers)
    return list(memo[key])


def visible_pages(form: Form, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The pages that show for these answers (a page shows when any of its questions does)."""
    shown = {k.split(".", 1)[0] for k in shown_keys(form, answers)}
    return [p for p in form.pages() if any(q["id"] in shown for q in p["questions"])]


def page_by_id(form: Form, page_id: str) -> dict[str, Any] | None:
    return next((p for p in form.pages() if p["id"] == page_id), None)


def next_page(form: Form, answers: dict[str, Any], page_id: str) -> dict[str, Any] | None:
    """The next page that shows after `page_id`, or None (then: check your answers)."""
    order = [p["id"] for p in form.pages()]
    here = order.index(page_id)
    return next((p for p in visible_pages(form, answers) if order.index(p["id"]) > here), None)


def previous_page(form: Form, answers: dict[str, Any], page_id: str) -> dict[str, Any] | None:
    order = [p["id"] for p in form.pages()]
    here = order.index(page_id)
    before = [p for p in visible_pages(form, answers) if order.index(p["id"]) < here]
    return before[-1] if before else None


def page_of_key(form: Form, key: str) -> str | None:
    q = form.questions.get(key.split(".", 1)[0])
    return q.page if q is not None else None


def html_name(key: str) -> str:
    return key.replace(".", "-")


# What a page shows -----------------------------------------------------------------------------------------------


# Widgets shown as a fieldset with a legend (the others: a label and one control).
FIELDSET_WIDGETS = frozenset({"date", "datetime", "radios", "checkboxes", "yes_no", "address", "person"})


@dataclass
class Field:
    """One question as its page shows it. What the template asks of the question's spec is read here once (a
    repeating group's fields are shown once per entry, and the template language's lookups of a missing spec key are
    slow): `label`, `hint`, `optional`, `has_guidance`, `fieldset`, `dated`."""

    key: str  # "qid" or "group.0.qid"
    q: Question
    value: Any  # shaped for the template (see _shown_value)
    error: str = ""
    choices: list[tuple[str, str, str]] = field(default_factory=list)  # (value, label, hint)
    widget: str = ""
    hidden: bool = False  # hidden by a condition for the answers so far; the browser shows it when that changes
    label: str = ""
    hint: str = ""
    optional: bool = False
    has_guidance: bool = False

    def __post_init__(self) -> None:
        spec = self.q.spec
        self.label = str(spec["label"])
        self.hint = spec.get("hint") or ""
        self.optional = not spec.get("required")
        self.has_guidance = bool(spec.get("guidance"))

    @property
    def name(self) -> str:
        return html_name(self.key)

    @property
    def fieldset(self) -> bool:
        return self.widget in FIELDSET_WIDGETS

    @property
    def dated(self) -> bool:
        return self.widget in ("date", "datetime")

    @property
    def first_id(self) -> str:
        """The id the error summary links to."""
        if self.widget in ("date", "datetime"):
            return f"{self.name}-day"
        if self.widget == "address":
            return f"{self.name}-line_1"
        if self.widget in ("radios", "checkboxes", "yes_no", "person"):
            return f"{self.name}-0"
        return self.name

    @property
    def guidance(self) -> SafeString:
        return markdown(self.q.spec.get("guidance", ""))

    @property
    def max_length(self) -> int | None:
        """The most characters a long text takes (its constraint, or the default limit): the character count."""
        if self.q.type != "long_text":
            return None
        return int(self.q.spec.get("constraints", {}).get("maxLength", validation.TEXT_LIMITS["long_text"]))


@dataclass
class Item:
    index: int
    fields: list[Field]
    number: int = 0


@dataclass
class Group:
    key: str
    q: Question
    items: list[Item]
    error: str = ""
    widget: str = "group"
    hidden: bool = False
    label: str = ""
    hint: str = ""
    has_guidance: bool = False

    def __post_init__(self) -> None:
        spec = self.q.spec
        self.label = str(spec["label"])
        self.hint = spec.get("hint") or ""
        self.has_guidance = bool(spec.get("guidance"))

    @property
    def name(self) -> str:
        return self.key

    @property
    def first_id(self) -> str:
        return f"{self.key}-add" if not self.items else f"{self.key}-item-0"

    @property
    def item_label(self) -> str:
        return str(self.q.spec.get("item_label") or "Item")

    @property
    def can_add(self) -> bool:
        return len(self.items) < int(self.q.spec.get("max", validation.GROUP_MAX))

    @property
    def guidance(self) -> SafeString:
        return markdown(self.q.spec.get("guidance", ""))

    @property
    def entries_html(self) -> SafeString:
        """Its entries as forms/fill/entry.html renders each: rendered once and stamped (forms.stamping)."""
        return stamping.group_entries(self)


@dataclass
class Choices:
    """What choice widgets offer: code lists (read once each) and the person's relationships."""

    code_lists: dict[str, dict[str, str]] = field(default_factory=dict)
    people: list[tuple[int, str]] = field(default_factory=list)  # (record id, "Sarah Hughes (mother)")


def page_fields(
    form: Form, page: dict[str, Any], answers: dict[str, Any], errors: dict[str, str], choices: Choices
) -> list[Field | Group]:
    """The page's questions, each with its answer so far and its error. A question hidden by a condition for these
    answers is there too, marked hidden (the page hides it; forms/static/forms/live.js shows it as soon as an answer
    on the page brings it up, and hides it again, without a reload)."""
    shown = set(shown_keys(form, answers))
    out: list[Field | Group] = []
    for spec in page["questions"]:
        q = form.questions[spec["id"]]
        value = answers.get(q.id)
        if q.type == "group" and q.spec.get("repeats"):
            items = []
            for i, item in enumerate(value if isinstance(value, list) else []):
                item = item if isinstance(item, dict) else {}
                fields = [
                    _field(form.questions[s["id"]], f"{q.id}.{i}.{s['id']}", item.get(s["id"]), errors, choices)
                    for s in q.spec["questions"]
                ]
                for f in fields:
                    f.hidden = f.key not in shown
                items.append(Item(i, fields, i + 1))
            out.append(Group(q.id, q, items, errors.get(q.id, ""), hidden=q.id not in shown))
        elif q.type == "group":
            item = value if isinstance(value, dict) else {}
            for s in q.spec["questions"]:
                f = _field(form.questions[s["id"]], f"{q.id}.{s['id']}", item.get(s["id"]), errors, choices)
                f.hidden = f.key not in shown
                out.append(f)
        else:
            f = _field(q, q.id, value, errors, choices)
            f.hidden = q.id not in shown
            out.append(f)
    return out


def live_conditions(
    form: Form, page: dict[str, Any] | None, answers: dict[str, Any], read: set[str] | None = None
) -> dict[str, Any] | None:
    """What forms/static/forms/live.js needs to show and hide this page's questions as the worker answers: the
    form's pages and questions reduced to their ids, types and conditions, and the answers from other pages that the
    conditions read (no other answer leaves the server). None when nothing on the page can change."""
    if not _has_condition(form.body):
        return None

    def slim(q: dict[str, Any]) -> dict[str, Any]:
        out = {k: q[k] for k in ("id", "type", "show_if", "repeats", "max", "multiple") if k in q}
        if q.get("type") == "group":
            out["questions"] = [slim(s) for s in q["questions"]]
        return out

    pages = [
        {
            "id": p["id"],
            **({"show_if": p["show_if"]} if "show_if" in p else {}),
            "questions": [slim(q) for q in p["questions"]],
        }
        for p in form.pages()
    ]
    # The questions the script reads from the page: this page's (or, on the correction page, every one it shows).
    on_page = read if read is not None else {q["id"] for q in page["questions"]} if page else set()
    used: set[str] = set()
    _condition_vars(form.body, used)
    needed = {form.questions[r].group or r for r in used if r in form.questions}
    return {
        "time_zone": timezone.get_current_timezone_name(),  # date-times are read in the council's zone, not the browser's
        "read": sorted(on_page),
        "pages": pages,
        "answers": {k: answers[k] for k in sorted(needed - on_page) if k in answers},
    }


def _has_condition(node: Any) -> bool:
    if isinstance(node, dict):
        return "show_if" in node or any(_has_condition(v) for k, v in node.items() if k in ("pages", "questions"))
    if isinstance(node, list):
        return any(_has_condition(v) for v in node)
    return False


def _condition_vars(node: Any, out: set[str]) -> None:
    """The question ids every condition in the definition reads (`var` and `missing`)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "var" and isinstance(v, str):
                out.add(v)
            elif k == "var" and isinstance(v, list) and v and isinstance(v[0], str):
                out.add(v[0])
            elif k == "missing":
                out.update(x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str))
            else:
                _condition_vars(v, out)
    elif isinstance(node, list):
        for v in node:
            _condition_vars(v, out)


def _field(q: Question, key: str, value: Any, errors: dict[str, str], choices: Choices) -> Field:
    f = Field(key, q, _shown_value(q, value), errors.get(key, ""))
    kind = q.type
    if kind == "yes_no":
        f.widget = "yes_no"
        f.choices = [("yes", "Yes", ""), ("no", "No", "")]
    elif kind in ("single_choice", "multiple_choice"):
        f.widget = "checkboxes" if kind == "multiple_choice" else "radios"
        f.choices = [(o["value"], o["label"], o.get("hint", "")) for o in q.spec["options"]]
    elif kind == "code_list":
        codes = choices.code_lists.get(q.spec["code_list"], {})
        f.choices = [(c, text, "") for c, text in codes.items()]
        if q.spec.get("multiple"):
            f.widget = "checkboxes"
        else:
            f.widget = "radios" if len(codes) <= SHORT_LIST else "select"
    elif kind == "person":
        f.widget = "person"
        chosen = f.value if isinstance(f.value, int) else None
        f.choices = [(str(pk), text, "") for pk, text in choices.people]
        known = {pk for pk, _ in choices.people}
        f.value = {
            "chosen": str(chosen) if chosen in known else ("other" if value not in (None, "") else ""),
            "record": "" if chosen in known or value in (None, "") else str(value),
        }
    elif kind in ("date", "datetime", "address"):
        f.widget = kind
    elif kind == "long_text":
        f.widget = "textarea"
    elif kind == "number":
        f.widget = "number"
    else:
        f.widget = "text"
    return f


def _shown_value(q: Question, value: Any) -> Any:
    """An answer (valid or as typed) as the page's inputs show it."""
    if value is None:
        value = ""
    kind = q.type
    if kind == "date":
        return dict(zip(("year", "month", "day"), _date_parts(str(value)), strict=True))
    if kind == "datetime":
        text = str(value)
        try:
            moment = timezone.localtime(datetime.fromisoformat(text.replace("Z", "+00:00")))
            return {
                "day": str(moment.day),
                "month": str(moment.month),
                "year": str(moment.year),
                "time": f"{moment:%H:%M}",
            }
        except (ValueError, TypeError):
            day_part, _, at = text.partition("T")
            return dict(zip(("year", "month", "day"), _date_parts(day_part), strict=True)) | {"time": at}
    if kind == "yes_no":
        return {True: "yes", False: "no"}.get(value, "") if isinstance(value, bool) else ""
    if kind in ("multiple_choice",) or (kind == "code_list" and q.spec.get("multiple")):
        return {str(v) for v in value} if isinstance(value, list) else set()
    if kind == "address":
        return {p: str((value or {}).get(p, "")) for p in validation.ADDRESS_PARTS} if isinstance(value, dict) else {}
    if kind == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    if kind == "person":
        return value
    return "" if value is None else str(value)


def _date_parts(text: str) -> tuple[str, str, str]:
    if not text:
        return "", "", ""
    parts = text.split("-", 2)
    parts += [""] * (3 - len(parts))
    year, month, day = parts
    strip = lambda s: s.lstrip("0") or s if s.isdigit() else s  # noqa: E731 - "05" shows as 5, as GOV.UK does
    return year, strip(month), strip(day)


# Reading a page's POST ----------------------------------------------------------------------------------------------

ABSENT = object()


def read_page(form: Form, page: dict[str, Any], answers: dict[str, Any], post: QueryDict) -> dict[str, Any]:
    """The answers with this page's shown questions replaced by what was posted (an emptied answer is removed).
    "Shown" is for the answers posted: a question an answer on this page brought up (the browser showed it as it was
    answered) is read too, one hidden by an answer on this page is not. Questions that do not show keep their answers
    (they are dropped at submit if they stay hidden)."""
    shown = page_keys(form, page, answers)
    out = _read_shown(form, page, answers, post, shown)
    for _ in range(len(form.questions)):  # each round settles at least one more condition (they read only earlier ones)
        now = page_keys(form, page, out)
        if now == shown:
            break
        shown = now
        out = _read_shown(form, page, answers, post, shown)
    return out


def _read_shown(
    form: Form, page: dict[str, Any], answers: dict[str, Any], post: QueryDict, shown: set[str]
) -> dict[str, Any]:
    out = dict(answers)
    for spec in page["questions"]:
        q = form.questions[spec["id"]]
        if q.id not in shown:
            continue
        if q.type == "group" and q.spec.get("repeats"):
            current = out.get(q.id)
            items: list[Any] = current if isinstance(current, list) else []
            new_items = []
            for i, item in enumerate(items):
                item = dict(item) if isinstance(item, dict) else {}
                for s in q.spec["questions"]:
                    key = f"{q.id}.{i}.{s['id']}"
                    if key in shown:
                        _put(item, s["id"], read_question(form.questions[s["id"]], post, html_name(key)))
                new_items.append(item)
            if new_items:
                out[q.id] = new_items
            else:
                out.pop(q.id, None)
        elif q.type == "group":
            item = dict(out.get(q.id) or {}) if isinstance(out.get(q.id), dict) else {}
            for s in q.spec["questions"]:
                key = f"{q.id}.{s['id']}"
                if key in shown:
                    _put(item, s["id"], read_question(form.questions[s["id"]], post, html_name(key)))
            _put(out, q.id, item if item else ABSENT)
        else:
            _put(out, q.id, read_question(q, post, q.id))
    return out


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is ABSENT:
        target.pop(key, None)
    else:
        target[key] = value


def read_question(q: Question, post: QueryDict, name: str) -> Any:
    """One question's answer from the POST, as the answers hold it (or ABSENT)."""
    kind = q.type
    if kind in ("text", "long_text"):
        text = post.get(name, "")
        return text if text.strip() else ABSENT
    if kind == "number":
        text = post.get(name, "").strip().replace(",", "")
        if not text:
            return ABSENT
        for parse in (int, float):
            try:
                number = parse(text)
            except ValueError:
                continue
            if parse is float and not (number == number and abs(number) != float("inf")):  # NaN, infinity
                return post.get(name, "").strip()
            return number
        return post.get(name, "").strip()
    if kind == "date":
        return _read_date(post, name)
    if kind == "datetime":
        day = _read_date(post, name)
        at = post.get(f"{name}-time", "").strip()
        if day is ABSENT and not at:
            return ABSENT
        day_text = "" if day is ABSENT else str(day)
        try:
            moment = datetime.combine(date.fromisoformat(day_text), _read_time(at))
            return timezone.make_aware(moment).isoformat()
        except (ValueError, TypeError):
            return f"{day_text}T{at}"
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(post.get(name, ""), ABSENT)
    if kind == "multiple_choice" or (kind == "code_list" and q.spec.get("multiple")):
        values = [v for v in post.getlist(name) if v]
        return values or ABSENT
    if kind in ("single_choice", "code_list"):
        return post.get(name, "") or ABSENT
    if kind == "person":
        chosen = post.get(name, "")
        if chosen == "other":
            chosen = post.get(f"{name}-record", "").strip()
        if not chosen:
            return ABSENT
        return int(chosen) if chosen.isdigit() and len(chosen) < 12 else chosen
    if kind == "address":
        parts = {p: post.get(f"{name}-{p}", "") for p in validation.ADDRESS_PARTS}
        parts = {p: v for p, v in parts.items() if v.strip()}
        return parts or ABSENT
    return ABSENT  # pragma: no cover - the loader allows no other type


def _read_date(post: QueryDict, name: str) -> Any:
    day, month, year = (post.get(f"{name}-{p}", "").strip() for p in ("day", "month", "year"))
    if not (day or month or year):
        return ABSENT
    pad = lambda s: s.zfill(2) if s.isdigit() and len(s) < 2 else s  # noqa: E731
    return f"{year}-{pad(month)}-{pad(day)}"


def _read_time(text: str) -> time:
    text = text.strip().lower().replace(".", ":")
    for fmt in ("%H:%M", "%I:%M%p", "%I%p", "%I:%M %p", "%I %p"):
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise ValueError(text)


def drop_empty_items(form: Form, page: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """A repeating group's entries left wholly empty (an "Add another" not filled in) are removed on moving on."""
    out = dict(answers)
    for spec in page["questions"]:
        if spec.get("type") == "group" and spec.get("repeats") and isinstance(out.get(spec["id"]), list):
            kept = [item for item in out[spec["id"]] if isinstance(item, dict) and item]
            if kept:
                out[spec["id"]] = kept
            else:
                out.pop(spec["id"])
    return out


def page_errors(form: Form, page: dict[str, Any], answers: dict[str, Any], rendered: set[str]) -> dict[str, str]:
    """Validation's errors for the questions this page showed when it was filled in (a question that appeared
    because of an answer on this page is shown first, not blamed)."""
    errors = validation.validate(form, answers).errors
    on_page = {q["id"] for q in page["questions"]}
    return {k: v for k, v in errors.items() if k.split(".", 1)[0] in on_page and k in rendered}


def page_keys(form: Form, page: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    """The keys of the page's questions that show for these answers."""
    on_page = {q["id"] for q in page["questions"]}
    return {k for k in shown_keys(form, answers) if k.split(".", 1)[0] in on_page}
