"""A repeating group's entries are rendered once and stamped per entry (forms.stamping): the HTML a worker gets is
the same, byte for byte, as when every entry went through the templates; fingerprints of the pages before stamping
are kept below (a group of every answer type, with errors, hidden questions and text needing escaping)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.template.loader import render_to_string

from forms import display, filling, validation
from forms.definition import Form, check

CODES = {"abuse_category": {"NEG": "Neglect", "PHY": "Physical abuse", "EMO": "Emotional abuse", "SAB": "Sexual"}}


def group_form() -> Form:
    subs: list[dict[str, Any]] = [
        {"id": "what", "type": "text", "label": "What", "required": True, "hint": "One line"},
        {
            "id": "detail",
            "type": "long_text",
            "label": "Detail",
            "constraints": {"maxLength": 500},
            "guidance": "Say *who* agreed.",
        },
        {"id": "cost", "type": "number", "label": "Cost", "constraints": {"minimum": 0}},
        {"id": "agreed_on", "type": "date", "label": "Date agreed", "not_in_future": True},
        {"id": "by_when", "type": "date", "label": "By when", "on_or_after": "agreed_on"},
        {"id": "meeting", "type": "datetime", "label": "Meeting"},
        {"id": "done", "type": "yes_no", "label": "Done?"},
        {"id": "why_not", "type": "text", "label": "Why not?", "show_if": {"==": [{"var": "done"}, False]}},
        {
            "id": "how",
            "type": "single_choice",
            "label": "How",
            "options": [{"value": "phone", "label": "Phone", "hint": "A call"}, {"value": "visit", "label": "Visit"}],
        },
        {
            "id": "who",
            "type": "multiple_choice",
            "label": "Who",
            "options": [
                {"value": "mum", "label": "Mum"},
                {"value": "dad", "label": "Dad"},
                {"value": "gran", "label": "Gran"},
            ],
        },
        {"id": "category", "type": "code_list", "label": "Category", "code_list": "abuse_category"},
        {
            "id": "categories",
            "type": "code_list",
            "label": "Categories",
            "code_list": "abuse_category",
            "multiple": True,
        },
        {"id": "where", "type": "address", "label": "Where"},
        {"id": "lead", "type": "person", "label": "Lead person"},
    ]
    body = {
        "format": 1,
        "name": "stamping",
        "version": 1,
        "title": "Stamping",
        "subject": "child",
        "pages": [
            {
                "id": "plan",
                "title": "Plan",
                "questions": [
                    {"id": "intro", "type": "text", "label": "Introduction"},
                    {
                        "id": "actions",
                        "type": "group",
                        "label": "Actions",
                        "repeats": True,
                        "max": 60,
                        "item_label": "Action",
                        "hint": "What will happen",
                        "questions": subs,
                    },
                ],
            }
        ],
    }
    assert check(body, source="test", code_lists=set(CODES)) == []
    return Form(body)


def entry(i: int) -> dict[str, Any]:
    """Entries that differ: answered or not, valid or not, text with <, &, quotes, a hidden question or not."""
    kind = i % 5
    if kind == 4:
        return {}
    out: dict[str, Any] = {
        "what": f"Action {i} <b>\"&\"</b> 'x'" if kind != 3 else "",
        "detail": f"Line one {i}\nline <two>",
        "cost": [12, 3.5, "twelve", -1][kind],
        "agreed_on": ["2026-01-05", "2026-2-31", "2099-01-01", ""][kind],
        "by_when": ["2026-02-05", "2026-01-01", "", "2025-12-31"][kind],
        "meeting": ["2026-07-01T10:30:00+01:00", "2026-01-10T09:00:00+00:00", "2026-07-01T25:00", ""][kind],
        "done": [True, False, True, False][kind],
        "why_not": "Mum was out" if kind in (1, 2) else "",
        "how": ["phone", "visit", "nope", ""][kind],
        "who": [["mum"], ["dad", "gran"], [], ["x"]][kind],
        "category": ["NEG", "PHY", "ZZZ", ""][kind],
        "categories": [["NEG", "EMO"], [], ["SAB"], []][kind],
        "where": [{"line_1": "1 High St", "town": "Town & <City>", "postcode": "AN1 1AA"}, {}, {"line_2": "x"}, ""][
            kind
        ],
        "lead": [5, 999, "abc", ""][kind],
    }
    return {k: v for k, v in out.items() if v not in ("", [], {})}


def answers(entries: int) -> dict[str, Any]:
    return {"intro": "Hello <world>", "actions": [entry(i) for i in range(entries)]}


def fields_html(form: Form, a: dict[str, Any]) -> str:
    page = form.pages()[0]
    errors = validation.validate(form, a, codes=lambda name: set(CODES.get(name, {}))).errors
    choices = filling.Choices(code_lists=CODES, people=[(5, "Sarah Hughes (mother)"), (6, "Tom Hughes (father)")])
    fields = filling.page_fields(form, page, a, errors, choices)
    return "".join(render_to_string("forms/fill/question.html", {"f": f}) for f in fields)


def check_html(form: Form, a: dict[str, Any]) -> str:
    pages = display.answer_pages(form, a, codes=lambda name: CODES.get(name, {}))
    out = []
    for p in pages:
        for row in p.rows:
            out.append(render_to_string("forms/fill/answer.html", {"answer": row.answer}))
            out.append(render_to_string("forms/review/answer.html", {"answer": row.answer}))
    return "".join(out)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# The pages' fingerprints rendered before stamping (every entry through the templates), at 1, 10 and 50 entries.
BEFORE = {
    ("page", 1): "37e6e75e91b09412e0f8afbc64360c83e5500242f933951f067349296dcc1bc8",
    ("page", 10): "4d72751c054eea0e3f54228bdde2160095ce9563c6ad6f3475bc62773a4ee4f7",
    ("page", 50): "96ca77ff3b4b412022cd44b8da064f7bdefe9f0f376e027b6b01d73a260d72c7",
    ("check", 1): "a9a954d1961e1ac690d20edbed209f8f6b64c26eaa6bfb1bd8d85e404260a76b",
    ("check", 10): "ac40857ae5f92bad3cfadf248cc83162e56abcdd1a1ef1cc24e7b64a2f2fbc0d",
    ("check", 50): "b993382fc1b253ba7e94fcedab08cca3bc69f0bca93032ad7c928cd85122df94",
}


@pytest.mark.parametrize("entries", [1, 10, 50])
def test_the_page_with_a_repeating_group_is_the_same_as_before(entries):
    form = group_form()
    html = fields_html(form, answers(entries))
    assert html.count('class="govuk-fieldset cw-entry"') == entries
    assert sha(html) == BEFORE["page", entries]


@pytest.mark.django_db
@pytest.mark.parametrize("entries", [1, 10, 50])
def test_check_your_answers_with_a_repeating_group_is_the_same_as_before(entries):
    form = group_form()
    html = check_html(form, answers(entries))
    assert sha(html) == BEFORE["check", entries]


def uniform(entries: int) -> dict[str, Any]:
    return {"actions": [{"what": f"Action {i}", "agreed_on": "2026-01-05", "done": True} for i in range(entries)]}


def renders_of(name: str, fn: Any) -> int:
    from django.test.signals import template_rendered

    seen: list[str] = []

    def count(sender: Any, template: Any, **kwargs: Any) -> None:
        seen.append(template.name)

    template_rendered.connect(count)
    try:
        fn()
    finally:
        template_rendered.disconnect(count)
    return seen.count(name)


def test_fifty_entries_alike_go_through_the_templates_once():
    form = group_form()
    assert renders_of("forms/fill/entry.html", lambda: fields_html(form, uniform(50))) == 1
    pages = display.answer_pages(form, uniform(50), codes=lambda name: CODES.get(name, {}))
    (row,) = [r for p in pages for r in p.rows if r.key == "actions"]
    html = renders_of(
        "forms/fill/answer_entry.html", lambda: render_to_string("forms/fill/answer.html", {"answer": row.answer})
    )
    assert html == 1


def test_an_answer_that_looks_like_a_stamp_is_shown_as_typed():
    from forms import stamping

    form = group_form()
    token = stamping.token_for(0)
    a = {"actions": [{"what": token}, {"what": "cw0s1q <i>"}]}
    html = fields_html(form, a)
    assert f'value="{token}"' in html
    assert 'value="cw0s1q &lt;i&gt;"' in html
