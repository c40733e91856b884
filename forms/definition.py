"""Reading and checking a form definition (docs/forms-format.md, format 1).

`check(body, source=...)` returns every problem as "file: JSON path: reason"; `read(path)` reads a file and raises
`DefinitionError` (with all of them) when there is any; `Form(body)` is the checked definition as the validator, the
pages and the bindings use it (questions by id, in page order, with their page and group).

Two passes: the format's JSON Schema (`META_SCHEMA`: shapes, types, unknown keys such as "requried") and then the
meaning (ids unique, `var` and `on_or_after` name a question that exists and comes earlier, conditions in the
subset, `bind` to a field the record target has with a type it takes, options and code lists that exist, the version
in the file name). Checking a code list needs the database (core.Code) unless `code_lists` is given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from . import conditions

FORMAT = 1
ANSWER_TYPES = (
    "text",
    "long_text",
    "number",
    "date",
    "datetime",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "code_list",
    "person",
    "address",
)
CHOICE_TYPES = ("single_choice", "multiple_choice")
DATE_TYPES = ("date", "datetime")
TEXT_TYPES = ("text", "long_text")
CONSTRAINTS_FOR: dict[str, tuple[str, ...]] = {
    "text": ("maxLength", "minLength", "pattern"),
    "long_text": ("maxLength", "minLength", "pattern"),
    "number": ("minimum", "maximum"),
    "multiple_choice": ("minItems", "maxItems"),
    "code_list": ("minItems", "maxItems"),
}
MESSAGE_KEYS = (
    "required",
    "type",
    "maxLength",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "not_in_future",
    "on_or_after",
)
FILE_NAME = re.compile(r"^(?P<name>[a-z0-9-]+)\.v(?P<version>[0-9]+)\.json$")

_text = {"type": "string", "minLength": 1}
_condition: dict[str, Any] = {}  # any JSON: the subset is checked by forms.conditions.problems, with better words
_constraints = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "maxLength": {"type": "integer", "minimum": 0},
        "minLength": {"type": "integer", "minimum": 0},
        "pattern": {"type": "string", "minLength": 1},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "minItems": {"type": "integer", "minimum": 0},
        "maxItems": {"type": "integer", "minimum": 0},
    },
}
_question_properties: dict[str, Any] = {
    "id": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$", "maxLength": 60},
    "type": {"enum": list(ANSWER_TYPES)},
    "label": _text,
    "hint": {"type": "string"},
    "guidance": {"type": "string"},
    "required": {"type": "boolean"},
    "show_if": _condition,
    "constraints": _constraints,
    "not_in_future": {"type": "boolean"},
    "on_or_after": {"type": "string"},
    "options": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["value", "label"],
            "properties": {"value": _text, "label": _text, "hint": {"type": "string"}},
        },
    },
    "code_list": _text,
    "multiple": {"type": "boolean"},
    "bind": _text,
    "messages": {
        "type": "object",
        "additionalProperties": False,
        "properties": dict.fromkeys(MESSAGE_KEYS, _text),
    },
}
META_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Casework form definition, format 1",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "name", "version", "title", "subject", "pages"],
    "properties": {
        "format": {"const": FORMAT},
        "name": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80},
        "version": {"type": "integer", "minimum": 1},
        "title": _text,
        "description": {"type": "string"},
        "subject": {"enum": ["child", "adult", "any"]},
        "record": _text,
        "authorisation": {"type": "boolean"},
        "pages": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/page"}},
    },
    "$defs": {
        "page": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "title", "questions"],
            "properties": {
                "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
                "title": _text,
                "guidance": {"type": "string"},
                "show_if": _condition,
                "questions": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "if": {"type": "object", "required": ["type"], "properties": {"type": {"const": "group"}}},
                        "then": {"$ref": "#/$defs/group"},
                        "else": {"$ref": "#/$defs/question"},
                    },
                },
            },
        },
        "question": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "type", "label"],
            "properties": _question_properties,
        },
        "group": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "type", "label", "questions"],
            "properties": {
                "id": _question_properties["id"],
                "type": {"const": "group"},
                "label": _text,
                "hint": {"type": "string"},
                "guidance": {"type": "string"},
                "required": {"type": "boolean"},
                "show_if": _condition,
                "repeats": {"type": "boolean"},
                "min": {"type": "integer", "minimum": 0},
                "max": {"type": "integer", "minimum": 1},
                "item_label": _text,
                "messages": _question_properties["messages"],
                # Groups do not nest in format 1: a group's questions are plain questions.
                "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/question"}},
            },
        },
    },
}
_validator = Draft202012Validator(META_SCHEMA)


class DefinitionError(Exception):
    """A definition refused: `problems` are "file: JSON path: reason", one a line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def json_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _schema_reason(error: SchemaError) -> tuple[list[Any], str]:
    """The path and plain words for one JSON Schema error (the deepest one that explains it)."""
    path = list(error.absolute_path)
    v = error.validator
    if error.schema is META_SCHEMA["$defs"]["question"] or (
        len(error.absolute_path) >= 1 and error.absolute_path[-1] == "type" and error.instance == "group"
    ):
        item = error.instance if isinstance(error.instance, dict) else {"type": error.instance}
        if item.get("type") == "group":
            return path[:-1] if path and path[
                -1
            ] == "type" else path, "a group cannot be inside another group (format 1)"
    if v == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        return [*path, extra[0]] if len(extra) == 1 else path, (
            f'unknown key "{extra[0]}"' if len(extra) == 1 else "unknown keys " + ", ".join(f'"{k}"' for k in extra)
        ) + f" (allowed: {', '.join(error.schema.get('properties', {}))})"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return path, f'"{missing[0] if missing else error.message}" is required'
    if v == "enum":
        return (
            path,
            f"{json.dumps(error.instance)} is not one of {', '.join(json.dumps(x) for x in error.validator_value)}",
        )
    if v == "const":
        return path, f"must be {json.dumps(error.validator_value)}"
    if v == "type":
        return path, f"must be {_type_words(error.validator_value)}, not {conditions.type_name(error.instance)}"
    if v == "pattern":
        return path, f"{json.dumps(error.instance)} is not allowed here (it must match {error.validator_value})"
    if v == "minItems":
        return path, f"must have at least {error.validator_value} item{'s' if error.validator_value != 1 else ''}"
    if v == "minLength":
        return path, "must not be empty"
    if v == "maxLength":
        return path, f"must be {error.validator_value} characters or fewer"
    if v == "minimum":
        return path, f"must be {error.validator_value} or more"
    return path, error.message


def _type_words(t: Any) -> str:
    words = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false"}
    words |= {"object": "an object", "array": "a list", "null": "null"}
    return " or ".join(words.get(str(x), str(x)) for x in (t if isinstance(t, list) else [t]))


@dataclass
class Question:
    """One question (or group) as the validator sees it. `position` is its place in the form (page order, a group
    before its questions); `group` is the id of the group it is in."""

    id: str
    spec: dict[str, Any]
    path: str
    page: str
    position: int
    group: str | None = None

    @property
    def type(self) -> str:
        return str(self.spec["type"])

    @property
    def label(self) -> str:
        return str(self.spec["label"])


@dataclass
class Form:
    """A definition's body, indexed. Build it only from a checked body (`read`, `check`, or a FormDefinition row)."""

    body: dict[str, Any]
    questions: dict[str, Question] = field(default_factory=dict)

    def __post_init__(self) -> None:
        position = 0
        for p, page in enumerate(self.body.get("pages", [])):
            for q, spec in enumerate(page.get("questions", [])):
                path = f"pages[{p}].questions[{q}]"
                position += 1
                self.questions.setdefault(
                    spec.get("id"), Question(spec.get("id"), spec, path, page.get("id"), position)
                )
                if spec.get("type") == "group":
                    for s, sub in enumerate(spec.get("questions", [])):
                        position += 1
                        self.questions.setdefault(
                            sub.get("id"),
                            Question(
                                sub.get("id"), sub, f"{path}.questions[{s}]", page.get("id"), position, spec["id"]
                            ),
                        )

    @property
    def name(self) -> str:
        return str(self.body["name"])

    @property
    def version(self) -> int:
        return int(self.body["version"])

    @property
    def record(self) -> str | None:
        return self.body.get("record")

    def pages(self) -> list[dict[str, Any]]:
        return list(self.body["pages"])

    def bound(self) -> dict[str, str]:
        """{field of the record target: question id} for every bound question."""
        return {q.spec["bind"]: q.id for q in self.questions.values() if "bind" in q.spec}


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value that hashes are taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def known_code_lists() -> set[str]:
    from core.models import Code

    return set(Code.objects.values_list("list_name", flat=True).distinct())


def check(body: Any, *, source: str, file_name: str | None = None, code_lists: set[str] | None = None) -> list[str]:
    """Every problem with a definition, as "source: JSON path: reason"; [] when it may be loaded."""
    found: list[str] = []
    for error in sorted(_validator.iter_errors(body), key=lambda e: list(map(str, e.path))):
        path, reason = _schema_reason(error)
        line = f"{source}: {json_path(path)}: {reason}"
        if line not in found:
            found.append(line)
    if found:
        return found
    return [f"{source}: {path}: {reason}" for path, reason in _meaning(body, file_name, code_lists)]


def _meaning(body: dict[str, Any], file_name: str | None, code_lists: set[str] | None) -> Iterator[tuple[str, str]]:
    from .bindings import TARGETS

    if file_name is not None:
        m = FILE_NAME.match(file_name)
        if not m:
            yield (
                "(file name)",
                f'"{file_name}" must be named <name>.v<version>.json, e.g. {body["name"]}.v{body["version"]}.json',
            )
        else:
            if m["name"] != body["name"]:
                yield "name", f'"{body["name"]}" does not match the file name ("{m["name"]}")'
            if int(m["version"]) != body["version"]:
                yield "version", f"{body['version']} does not match the file name (version {int(m['version'])})"
    form = Form(body)
    seen: dict[str, str] = {}
    for p, page in enumerate(body["pages"]):
        if page["id"] in seen:
            yield f"pages[{p}].id", f'page id "{page["id"]}" is used twice (also at {seen[page["id"]]})'
        seen.setdefault(page["id"], f"pages[{p}].id")
    seen = {}
    for q in _all_questions(body):
        if q.id in seen:
            yield f"{q.path}.id", f'question id "{q.id}" is used twice (also at {seen[q.id]})'
        seen.setdefault(q.id, f"{q.path}.id")
    target = None
    if "record" in body:
        target = TARGETS.get(body["record"])
        if target is None:
            yield (
                "record",
                f'there is no record target "{body["record"]}" (known: {", ".join(sorted(TARGETS)) or "none"})',
            )
    for p, page in enumerate(body["pages"]):
        first = next((form.questions[q["id"]].position for q in page["questions"]), 0)
        if "show_if" in page:
            yield from _condition_problems(form, page["show_if"], f"pages[{p}].show_if", first, None)
    bound: dict[str, str] = {}
    for q in _all_questions(body):
        yield from _question_problems(form, q, target, code_lists, bound)
    if target is not None:
        for name in sorted(target.required):
            if name not in bound:
                yield "record", f'the "{target.name}" record needs a question bound to "{name}"'


def _all_questions(body: dict[str, Any]) -> Iterator[Question]:
    """Every question and group in order, duplicates included (Form keeps only the first of a duplicated id)."""
    position = 0
    for p, page in enumerate(body["pages"]):
        for i, spec in enumerate(page["questions"]):
            position += 1
            path = f"pages[{p}].questions[{i}]"
            yield Question(spec["id"], spec, path, page["id"], position)
            if spec["type"] == "group":
                for s, sub in enumerate(spec["questions"]):
                    position += 1
                    yield Question(sub["id"], sub, f"{path}.questions[{s}]", page["id"], position, spec["id"])


def _condition_problems(
    form: Form, expr: Any, path: str, position: int, group: str | None
) -> Iterator[tuple[str, str]]:
    shape = conditions.problems(expr)
    for sub, reason in shape:
        yield path + sub, reason
    if shape:
        return
    for name, sub in conditions.variables(expr):
        other = form.questions.get(name)
        if other is None:
            yield path + sub, f'"{name}" is not a question in this form'
        elif other.position >= position or other.id == group:
            yield (
                path + sub,
                f'"{name}" comes after this question: a condition may use only the answers given before it',
            )
        elif other.group is not None and other.group != group:
            yield path + sub, f'"{name}" is in the group "{other.group}": only that group\'s own questions may use it'


def _question_problems(
    form: Form,
    q: Question,
    target: Any,
    code_lists: set[str] | None,
    bound: dict[str, str],
) -> Iterator[tuple[str, str]]:
    spec, path, kind = q.spec, q.path, q.type
    if "show_if" in spec:
        yield from _condition_problems(form, spec["show_if"], f"{path}.show_if", q.position, q.group)
    if kind == "group":
        for key in ("min", "max", "item_label"):
            if key in spec and not spec.get("repeats"):
                yield f"{path}.{key}", f'"{key}" is only for a repeating group ("repeats": true)'
        if spec.get("min", 0) > spec.get("max", spec.get("min", 0)):
            yield f"{path}.min", f"min ({spec['min']}) is more than max ({spec['max']})"
        return
    options = spec.get("options")
    if kind in CHOICE_TYPES:
        if not options:
            yield path, f'a {kind.replace("_", " ")} question needs "options"'
        else:
            values = [o["value"] for o in options]
            for i, v in enumerate(values):
                if v in values[:i]:
                    yield f"{path}.options[{i}].value", f'"{v}" is used twice'
    elif options is not None:
        yield f"{path}.options", f'"options" is only for single_choice and multiple_choice, not {kind}'
    if kind == "code_list":
        name = spec.get("code_list")
        if not name:
            yield path, 'a code_list question needs "code_list" (the name of a code list)'
        else:
            lists = known_code_lists() if code_lists is None else code_lists
            if name not in lists:
                yield f"{path}.code_list", f'there is no code list "{name}" (known: {", ".join(sorted(lists))})'
    else:
        for key in ("code_list", "multiple"):
            if key in spec:
                yield f"{path}.{key}", f'"{key}" is only for a code_list question, not {kind}'
    for key in ("not_in_future", "on_or_after"):
        if key in spec and kind not in DATE_TYPES:
            yield f"{path}.{key}", f'"{key}" is only for a date or datetime question, not {kind}'
    if "on_or_after" in spec and kind in DATE_TYPES:
        other = form.questions.get(spec["on_or_after"])
        if other is None:
            yield f"{path}.on_or_after", f'"{spec["on_or_after"]}" is not a question in this form'
        elif other.type != kind:
            yield f"{path}.on_or_after", f'"{other.id}" is a {other.type} question, not a {kind} one'
        elif other.id == q.id:
            yield f"{path}.on_or_after", "a question cannot be compared with itself"
        elif other.group is not None and other.group != q.group:
            yield f"{path}.on_or_after", f'"{other.id}" is in the group "{other.group}"'
    allowed = CONSTRAINTS_FOR.get(kind, ())
    if kind == "code_list" and not spec.get("multiple"):
        allowed = ()
    for key, value in spec.get("constraints", {}).items():
        if key not in allowed:
            yield (
                f"{path}.constraints.{key}",
                f'"{key}" does not apply to a {kind} question'
                + (f" (allowed: {', '.join(allowed)})" if allowed else ""),
            )
        elif key == "pattern":
            try:
                re.compile(value)
            except re.error as e:
                yield f"{path}.constraints.pattern", f"not a regular expression Casework can read ({e})"
    if "bind" in spec:
        yield from _binding_problems(q, target, bound)


def _binding_problems(q: Question, target: Any, bound: dict[str, str]) -> Iterator[tuple[str, str]]:
    spec, path = q.spec, f"{q.path}.bind"
    name = spec["bind"]
    if target is None:
        yield path, 'a question can bind only in a form with a "record" target'
        return
    if q.group is not None:
        yield path, "a question inside a group cannot bind to the record (format 1)"
        return
    binding = target.fields.get(name)
    if binding is None:
        yield path, f'the "{target.name}" record has no field "{name}" (fields: {", ".join(target.fields)})'
        return
    if name in bound:
        yield path, f'"{name}" is already bound by the question "{bound[name]}"'
    bound.setdefault(name, q.id)
    yield from ((path, reason) for reason in binding.refuses(q.type, spec))


def read(path: Path, *, source: str | None = None, code_lists: set[str] | None = None) -> Form:
    """Read and check a definition file; `DefinitionError` with every problem when it cannot be loaded."""
    source = source or str(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError([f"{source}: (file): there is no such file"]) from None
    except UnicodeDecodeError:
        raise DefinitionError([f"{source}: (file): not UTF-8 text"]) from None
    except json.JSONDecodeError as e:
        raise DefinitionError([f"{source}: line {e.lineno} column {e.colno}: not JSON ({e.msg})"]) from None
    problems = check(body, source=source, file_name=path.name, code_lists=code_lists)
    if problems:
        raise DefinitionError(problems)
    return Form(body)
