"""Validating a response's answers against its definition (docs/forms-format.md "Validation").

`validate(form, answers)` walks the pages in order: a page or question whose `show_if` is false is hidden (not
validated, its answer dropped); every visible question is checked for an answer when required, its type, the
default limits, its constraints (JSON Schema fragments, through `jsonschema`, in plain English), `not_in_future`
and `on_or_after`. Repeating groups are checked item by item. It returns the answers to keep (`Result.answers`: the
visible ones, tidied: strings trimmed, Windows line ends made plain) and the errors, keyed "question_id" or
"group.index.question_id", in page order.

Conditions see the answers given before them (the loader makes sure a condition names only earlier questions), a
hidden or unanswered question reading as null, so one pass in page order decides everything, as the browser will.
Code lists are read through `core.codes.labels` (once per list per request); everything else is pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator

from . import conditions
from .definition import Form, Question

TEXT_LIMITS = {"text": 500, "long_text": 20_000}
ADDRESS_PARTS = {"line_1": "Address line 1", "line_2": "Address line 2", "town": "Town or city", "postcode": "Postcode"}
ADDRESS_LIMIT = 200
GROUP_MAX = 100  # a repeating group's most items when its definition sets no "max"
SELECT_TYPES = ("yes_no", "single_choice", "multiple_choice", "code_list", "person")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")

CodeLookup = Callable[[str], set[str]]


@dataclass
class Result:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    visible: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Invalid(ValueError):
    """One answer's problem, in words for the worker."""


def lower_first(label: str) -> str:
    """ "Health" -> "health", but "NHS number" stays as it is."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def is_question(label: str) -> bool:
    """A label that asks a question ("Why was the child not seen?") rather than naming the answer ("Health")."""
    return label.rstrip().endswith("?")


def named(label: str) -> str:
    """The answer as the subject of a message: "Health must be ...", but a question-style label is quoted, "The
    answer to 'Why was the child not seen?' must be ...", never "Why was the child not seen? must be ..."."""
    return f"The answer to '{label.strip()}'" if is_question(label) else label


def named_lower(label: str) -> str:
    """`named` inside a sentence: "after date started", "after the answer to 'When did it start?'"."""
    return f"the answer to '{label.strip()}'" if is_question(label) else lower_first(label)


def unanswered(value: Any) -> bool:
    return conditions.unanswered(value) or (isinstance(value, dict) and not value)


def _codes_from_database(list_name: str) -> set[str]:
    from core.codes import labels

    return set(labels(list_name))


def _number(n: Any) -> str:
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,}"


IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women"}
# Words after the noun a phrase is about: "part *of* the plan", "person *who* took part", "person *invited*".
_AFTER_NOUN = frozenset({"of", "who", "that", "to", "for", "in", "with", "from", "at", "on", "seen", "given", "taken"})


def plural(phrase: str, n: int) -> str:
    """ "1 action", "2 actions"; the noun a phrase is about made plural: "2 people who took part", "2 parts of the
    plan", "2 people invited", "3 household members". The same in the offline app (web/mobile/src/validate.ts),
    held to forms/conformance/validation.json."""
    if n == 1:
        return phrase
    words = phrase.split(" ")
    at = len(words) - 1
    for i, w in enumerate(words[1:], start=1):
        if w.lower() in _AFTER_NOUN or (w.lower().endswith("ed") and len(w) > 3):
            at = i - 1
            break
    noun = words[at]
    low = noun.lower()
    if low in IRREGULAR:
        many = IRREGULAR[low]
        many = many[:1].upper() + many[1:] if noun[:1].isupper() else many
    elif re.search(r"(s|x|z|ch|sh)$", low):
        many = noun + "es"
    elif re.search(r"[^aeiou]y$", low):
        many = noun[:-1] + "ies"
    else:
        many = noun + "s"
    return " ".join([*words[:at], many, *words[at + 1 :]])


class Validator:
    def __init__(self, form: Form, *, today: date, now: datetime, codes: CodeLookup, checking: bool = True) -> None:
        self.form = form
        self.checking = checking  # False: only the walk (what shows), no answer checked
        self.today = today
        self.now = now
        self.codes = codes
        self.result = Result()
        # Raw answers of the visible questions so far (what conditions read), and their checked values.
        self.seen: dict[str, Any] = {}
        self.valid: dict[str, Any] = {}

    # The walk ----------------------------------------------------------------------------------------------------

    def run(self, answers: Any) -> Result:
        if not isinstance(answers, dict):
            self.result.errors["__all__"] = "The answers must be a JSON object keyed by question id"
            return self.result
        for key in answers:
            q = self.form.questions.get(key)
            if q is None or q.group is not None:
                self.result.errors[key] = f'This form has no question "{key}"'
        for page in self.form.pages():
            if "show_if" in page and not conditions.holds(page["show_if"], self.lookup):
                continue
            for spec in page["questions"]:
                q = self.form.questions[spec["id"]]
                if "show_if" in spec and not conditions.holds(spec["show_if"], self.lookup):
                    continue
                self.result.visible.append(q.id)
                raw = answers.get(q.id)
                if not unanswered(raw):
                    self.seen[q.id] = raw
                if q.type == "group":
                    self.group(q, raw)
                else:
                    self.question(q, raw, q.id, self.valid, self.result.answers)
        return self.result

    def lookup(self, qid: str) -> Any:
        return self.seen.get(qid)

    def group(self, g: Question, raw: Any) -> None:
        spec = g.spec
        item_label = lower_first(spec.get("item_label") or "item")
        if not spec.get("repeats"):
            if unanswered(raw):
                raw = {}
            if not isinstance(raw, dict):
                self.result.errors[g.id] = f"{named(g.label)} must be a set of answers (a JSON object)"
                return
            kept = self.item(g, raw, g.id, self.lookup)
            if kept:
                self.result.answers[g.id] = kept
            return
        if unanswered(raw):
            raw = []
        if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
            self.result.errors[g.id] = f"{named(g.label)} must be a list of answers (JSON objects)"
            return
        least = spec.get("min", 1 if spec.get("required") else 0)
        most = spec.get("max", GROUP_MAX)
        messages = spec.get("messages", {})
        if len(raw) < least:
            self.result.errors[g.id] = messages.get("required" if not raw else "minItems") or (
                f"Add at least {least} {plural(item_label, least)}"
            )
        elif len(raw) > most:
            self.result.errors[g.id] = messages.get("maxItems") or f"Add no more than {most} {plural(item_label, most)}"
            return
        items = []
        for i, item in enumerate(raw):
            seen: dict[str, Any] = {}

            def lookup(qid: str, seen: dict[str, Any] = seen) -> Any:
                q = self.form.questions.get(qid)
                return seen.get(qid) if q is not None and q.group == g.id else self.lookup(qid)

            items.append(self.item(g, item, f"{g.id}.{i}", lookup, seen))
        if items:
            self.result.answers[g.id] = items

    def item(
        self,
        g: Question,
        raw: dict[str, Any],
        prefix: str,
        lookup: conditions.Lookup,
        seen: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        own = {s["id"] for s in g.spec["questions"]}
        for key in raw:
            if key not in own:
                self.result.errors[f"{prefix}.{key}"] = f'{named(g.label)} has no question "{key}"'
        kept: dict[str, Any] = {}
        valid: dict[str, Any] = {}
        for spec in g.spec["questions"]:
            q = self.form.questions[spec["id"]]
            if "show_if" in spec and not conditions.holds(spec["show_if"], lookup):
                continue
            key = f"{prefix}.{q.id}"
            self.result.visible.append(key)
            value = raw.get(q.id)
            if seen is not None and not unanswered(value):
                seen[q.id] = value
            elif seen is None and not unanswered(value):
                self.seen[q.id] = value
            self.question(q, value, key, valid, kept)
        return kept

    # One question ------------------------------------------------------------------------------------------------

    def question(self, q: Question, raw: Any, key: str, valid: dict[str, Any], kept: dict[str, Any]) -> None:
        if not self.checking:
            return
        spec = q.spec
        messages = spec.get("messages", {})
        value = self.tidy(raw)
        if unanswered(value):
            if spec.get("required"):
                self.result.errors[key] = messages.get("required") or self.required_message(q)
            return
        try:
            checked = self.check_type(q, value)
            self.check_constraints(q, value)
            self.check_dates(q, checked, valid)
        except Invalid as e:
            self.result.errors[key] = str(e)
            return
        valid[q.id] = checked
        kept[q.id] = value

    @staticmethod
    def tidy(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\r\n", "\n").strip()
        if isinstance(value, list):
            return [Validator.tidy(v) for v in value]
        if isinstance(value, dict):
            return {k: Validator.tidy(v) for k, v in value.items()}
        return value

    @staticmethod
    def required_message(q: Question) -> str:
        verb = "Select" if q.type in SELECT_TYPES else "Enter"
        if is_question(q.label):
            if q.type == "yes_no":
                return "Select yes or no"
            return f"{verb} an answer"
        return f"{verb} {lower_first(q.label)}"

    def fail(self, q: Question, key: str, default: str) -> Invalid:
        return Invalid(q.spec.get("messages", {}).get(key) or default)

    def check_type(self, q: Question, value: Any) -> Any:
        """The value as Python (a date, a datetime...) when it is of the question's type; Invalid otherwise."""
        kind, label, lower = q.type, named(q.label), named_lower(q.label)
        self.check_characters(q, value)
        if kind in ("text", "long_text"):
            if not isinstance(value, str):
                raise self.fail(q, "type", f"{label} must be text")
            if kind == "text" and "\n" in value:
                raise self.fail(q, "type", f"{label} must be one line")
            limit = TEXT_LIMITS[kind]
            if len(value) > limit:
                raise self.fail(q, "maxLength", f"{label} must be {limit:,} characters or fewer")
            return value
        if kind == "number":
            if not conditions.is_number(value):
                raise self.fail(q, "type", f"{label} must be a number")
            return value
        if kind == "date":
            try:
                if not isinstance(value, str) or not DATE.match(value):
                    raise ValueError
                return date.fromisoformat(value)
            except ValueError:
                raise self.fail(q, "type", f"{label} must be a real date") from None
        if kind == "datetime":
            try:
                if not isinstance(value, str) or not DATETIME.match(value):
                    raise ValueError
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise self.fail(q, "type", f"{label} must be a real date and time") from None
        if kind == "yes_no":
            if not isinstance(value, bool):
                raise self.fail(
                    q, "type", f"{label} must be yes or no" if is_question(q.label) else f"{label}: select yes or no"
                )
            return value
        if kind in ("single_choice", "multiple_choice"):
            options = [o["value"] for o in q.spec["options"]]
            chosen = value if kind == "multiple_choice" else [value]
            if kind == "multiple_choice" and not isinstance(value, list):
                raise self.fail(q, "type", f"{label} must be a list of the options")
            if not all(isinstance(v, str) and v in options for v in chosen) or len(set(chosen)) != len(chosen):
                raise self.fail(q, "type", f"Select {lower} from the options")  # noqa: S608  # nosec B608 (words, not SQL)
            return value
        if kind == "code_list":
            codes = self.codes(q.spec["code_list"])
            many = bool(q.spec.get("multiple"))
            chosen = value if many else [value]
            if many and not isinstance(value, list):
                raise self.fail(q, "type", f"{label} must be a list of codes")
            if not all(isinstance(v, str) and v in codes for v in chosen) or len(set(chosen)) != len(chosen):
                raise self.fail(q, "type", f"Select {lower} from the list")  # noqa: S608  # nosec B608 (words, not SQL)
            return value
        if kind == "person":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise self.fail(q, "type", f"{label} must be a person from the record")
            return value
        if kind == "address":
            if not isinstance(value, dict) or not set(value) <= set(ADDRESS_PARTS):
                raise self.fail(q, "type", f"{label} must be an address (line 1, line 2, town, postcode)")
            for part, words in ADDRESS_PARTS.items():
                text = value.get(part, "")
                if not isinstance(text, str):
                    raise self.fail(q, "type", f"{label}: {lower_first(words)} must be text")
                if len(text) > ADDRESS_LIMIT:
                    raise self.fail(
                        q, "maxLength", f"{label}: {lower_first(words)} must be {ADDRESS_LIMIT} characters or fewer"
                    )
            return value
        raise Invalid(f"{label} cannot be answered")  # pragma: no cover - the loader allows no other type

    def check_characters(self, q: Question, value: Any) -> None:
        strings = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if isinstance(value, dict):
            strings = list(value.values())
        if any(isinstance(s, str) and CONTROL.search(s) for s in strings):
            raise Invalid(f"{named(q.label)} must not contain control characters (such as a NUL byte): delete them")

    def check_constraints(self, q: Question, value: Any) -> None:
        constraints = q.spec.get("constraints")
        if not constraints:
            return
        error = next(iter(Draft202012Validator(constraints).iter_errors(value)), None)
        if error is None:
            return
        n, label, lower = error.validator_value, named(q.label), named_lower(q.label)
        words = {
            "maxLength": lambda: f"{label} must be {_number(n)} characters or fewer",
            "minLength": lambda: f"{label} must be {_number(n)} characters or more",
            "pattern": lambda: f"{label} is not in the right format",
            "minimum": lambda: f"{label} must be {_number(n)} or more",
            "maximum": lambda: f"{label} must be {_number(n)} or less",
            "minItems": lambda: f"Select at least {_number(n)} for {lower}",
            "maxItems": lambda: f"Select no more than {_number(n)} for {lower}",
        }
        keyword = str(error.validator)
        raise self.fail(q, keyword, words[keyword]() if keyword in words else f"{label} is not a valid answer")

    def check_dates(self, q: Question, checked: Any, valid: dict[str, Any]) -> None:
        if q.type not in ("date", "datetime"):
            return
        if q.spec.get("not_in_future") and checked > (self.today if q.type == "date" else self.now):
            raise self.fail(q, "not_in_future", f"{named(q.label)} must be today or in the past")
        other_id = q.spec.get("on_or_after")
        if other_id:
            other = valid.get(other_id, self.valid.get(other_id))
            if other is not None and checked < other:
                other_label = named_lower(self.form.questions[other_id].label)
                raise self.fail(q, "on_or_after", f"{named(q.label)} must be the same as or after {other_label}")


def validate(
    form: Form,
    answers: Any,
    *,
    today: date | None = None,
    now: datetime | None = None,
    codes: CodeLookup | None = None,
) -> Result:
    """Check answers against a definition: the visible answers to keep, the errors, and which questions showed."""
    from django.utils import timezone

    return Validator(
        form,
        today=today or timezone.localdate(),
        now=now or timezone.now(),
        codes=codes or _codes_from_database,
    ).run(answers)


def visible(form: Form, answers: dict[str, Any]) -> list[str]:
    """The questions that show for these answers ("id", "group.index.id"), in order. Only the walk: conditions read
    the answers as given, so no answer needs checking to know what shows (a page asks this on every request, and a
    repeating group's entries would each be checked for nothing)."""
    from django.utils import timezone

    never = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return Validator(form, today=date.min, now=never, codes=lambda _: set(), checking=False).run(answers).visible
