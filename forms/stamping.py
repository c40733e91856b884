"""A repeating group's entries, rendered once and stamped per entry (issue 12, "a repeating group of 50 entries stays
as fast").

Every entry of a group asks the same questions, so its HTML differs from the next entry's only in its number, its
answers and its errors. Rendering each entry through the templates cost about a millisecond of CPU an entry (four
questions; the template language resolves every `{% if f.widget == ... %}` again for each one). Here an entry is
rendered once, with tokens in place of what varies (its index and number, each answer's text, each error's message),
and each entry's HTML is that stamp with the tokens replaced by its own values, escaped as the template escapes them.

What changes the *shape* of an entry's HTML rather than its text is part of the stamp's key, so entries that differ
in it get a stamp of their own: whether a question has an error, whether it is hidden by a condition, and the chosen
value of a radio, checkbox, select or person question (which option says `checked`). The tokens carry a random
number made when the process starts, so no text in a definition or an answer can be taken for one; the replacement
is one pass over the stamp, so an answer is never read for tokens.

The HTML is the same byte for byte as rendering every entry (forms/tests/test_stamping.py keeps fingerprints of the
pages from before), for the form page (`forms/fill/entry.html`), a correction's page, and check your answers
(`forms/fill/answer_entry.html`).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_NONCE = secrets.token_hex(6)
_TOKEN = re.compile(rf"cw{_NONCE}s(\d+)q")

# A field's value as forms.filling shows it: which parts are text put in the page, per widget.
_TEXT = frozenset({"text", "number", "textarea"})
_PARTS = {
    "date": ("year", "month", "day"),
    "datetime": ("year", "month", "day", "time"),
    "address": ("line_1", "line_2", "town", "postcode"),
}
_CHOSEN = frozenset({"radios", "yes_no", "select"})


def token_for(n: int) -> str:
    """The place-holder of the n-th value in a stamp."""
    return f"cw{_NONCE}s{n}q"


class _Stamp:
    """Rendered HTML as a format string: its braces doubled, each token a numbered field ("{3}")."""

    def __init__(self, html: str) -> None:
        escaped = html.replace("{", "{{").replace("}", "}}")
        self.format = _TOKEN.sub(lambda m: "{" + m.group(1) + "}", escaped)

    def fill(self, values: list[str]) -> str:
        return self.format.format(*values)


class _Values:
    """The entry's varying text in order, each escaped as the template would; `token` gives its place-holder."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def add(self, text: Any) -> str:
        self.values.append(str(text) if isinstance(text, int) else str(conditional_escape(text)))
        return token_for(len(self.values) - 1)


def _field_shape(f: Any) -> tuple[Any, ...] | None:
    """What in this field changes the shape of its HTML (None: it cannot be stamped, render it as it is)."""
    value = f.value
    if f.widget in _TEXT:
        shape: Any = isinstance(value, str) or None
    elif f.widget in _PARTS:
        shape = (isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())) or None
    elif f.widget in _CHOSEN:
        shape = ("chosen", value) if isinstance(value, str) else None
    elif f.widget == "checkboxes":
        shape = ("checked", frozenset(value)) if isinstance(value, (set, frozenset)) else None
    elif f.widget == "person":
        ok = isinstance(value, Mapping) and isinstance(value.get("record"), str)
        shape = ("person", value.get("chosen")) if ok else None
    else:
        shape = None
    if shape is None:
        return None
    return (f.q.id, f.widget, bool(f.error), f.hidden, shape)


def _field_values(f: Any, v: _Values) -> tuple[Any, str]:
    """(the value with its text replaced by tokens, the error replaced by a token), adding the real ones to `v`."""
    value = f.value
    if f.widget in _TEXT:
        probe: Any = v.add(value)
    elif f.widget in _PARTS:
        probe = {p: v.add(value.get(p, "")) for p in _PARTS[f.widget]}
    elif f.widget == "person":
        probe = {"chosen": value.get("chosen"), "record": v.add(value["record"])}
    else:
        probe = value
    return probe, (v.add(f.error) if f.error else "")


def group_entries(group: Any) -> SafeString:
    """A repeating group's entries (forms.filling.Group), as forms/fill/entry.html renders each, stamped."""
    template = get_template("forms/fill/entry.html")
    stamps: dict[tuple[Any, ...], _Stamp] = {}
    out: list[str] = []
    for item in group.items:
        shapes = [_field_shape(f) for f in item.fields]
        if any(s is None for s in shapes):
            out.append(template.render({"f": group, "item": item}))
            continue
        v = _Values()
        index, number = v.add(item.index), v.add(item.number)
        probes = []
        for f in item.fields:
            value, error = _field_values(f, v)
            probes.append((f, value, error))
        key = tuple(shapes)
        if key not in stamps:
            prefix = f"{group.key}.{item.index}."
            fields = [
                dataclasses.replace(
                    f, key=f"{group.key}.{index}.{f.key.removeprefix(prefix)}", value=value, error=error
                )
                for f, value, error in probes
            ]
            probe_item = dataclasses.replace(item, index=index, number=number, fields=fields)
            stamps[key] = _Stamp(template.render({"f": group, "item": probe_item}))
        out.append(stamps[key].fill(v.values))
    return mark_safe("".join(out))  # noqa: S308  # nosec B703 B308: the templates' output, values escaped as they do


def answer_entries(entries: Iterable[Mapping[str, Any]], template_name: str) -> SafeString:
    """A repeating group's answer in words (forms.display: one mapping of label to words per entry), each entry as
    `template_name` renders it (with `entry`), stamped: the shape is the labels and which are answered."""
    template = get_template(template_name)
    stamps: dict[tuple[Any, ...], _Stamp] = {}
    out: list[str] = []
    for entry in entries:
        if not all(isinstance(value, str) for value in entry.values()):
            out.append(template.render({"entry": entry}))
            continue
        key = tuple((label, bool(value)) for label, value in entry.items())
        v = _Values()
        probe = {label: v.add(value) if value else value for label, value in entry.items()}
        if key not in stamps:
            stamps[key] = _Stamp(template.render({"entry": probe}))
        out.append(stamps[key].fill(v.values))
    return mark_safe("".join(out))  # noqa: S308  # nosec B703 B308: the template's output, values escaped as it does
