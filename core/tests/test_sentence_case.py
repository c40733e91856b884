"""Headings and page titles in sentence case ("Sign in", not "Sign In"), with the proper nouns of core.text kept;
no "sign up" link while sign-up is closed (issue 9 item 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from cases.steps import STEPS
from conftest import PASSWORD
from core.tests.html import parse
from core.text import not_sentence_case, sentence_case

ROOT = Path(__file__).resolve().parents[2]
APPS = ("casework", "core", "accounts", "people", "recording", "cases", "returns")
TEMPLATES = sorted(p for app in APPS for p in (ROOT / app).rglob("templates/**/*.html"))


def strip_template(text: str) -> str:
    """The words a heading always shows: template tags and variables removed."""
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]+>", " ", text, flags=re.S)
    return " ".join(text.split())


def headings(source: str) -> list[str]:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", source, flags=re.S)
    found += re.findall(r"\{% block (?:title|head_title) %\}(.*?)\{% endblock", source, flags=re.S)
    return [h for h in (strip_template(x) for x in found) if h]


def test_the_rule():
    assert sentence_case("Two-Factor Authentication") == "Two-factor authentication"
    assert sentence_case("Sign In") == "Sign in"
    assert not_sentence_case("Sign In") == ["In"]
    assert not_sentence_case("Error: Add a person") == []
    assert not_sentence_case("NHS number and Ofsted URN") == []


def test_every_template_heading_and_title_is_in_sentence_case():
    assert len(TEMPLATES) > 30
    checked, wrong = 0, []
    for path in TEMPLATES:
        for heading in headings(path.read_text()):
            checked += 1
            if not_sentence_case(heading):
                wrong.append(f"{path.relative_to(ROOT)}: {heading!r} ({not_sentence_case(heading)})")
    assert checked > 30
    assert wrong == []


def test_every_journey_step_title_is_in_sentence_case():
    wrong = [s.title for s in STEPS.values() if not_sentence_case(s.title)]
    assert wrong == []


def page_headings(html: str) -> list[str]:
    root = parse(html)
    main = root.one("main")  # buttons in the page, not "Sign out <name>" in the header
    return [e.text for e in root.find_all("h1") + root.find_all("title") + main.find_all("button")]


@pytest.mark.django_db
def test_sign_in_pages_are_in_sentence_case_with_no_sign_up_link(alice):
    c = Client()
    html = c.get(reverse("account_login")).content.decode()
    assert [h for h in page_headings(html) if not_sentence_case(h.replace("– Casework", ""))] == []
    assert "Sign in" in parse(html).one("h1").text
    assert "sign up" not in html.lower() and reverse("account_signup") not in html
    r = c.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD}, follow=True)
    html = r.content.decode()
    assert "/2fa/authenticate" in r.redirect_chain[-1][0]
    assert [h for h in page_headings(html) if not_sentence_case(h.replace("– Casework", ""))] == []
    assert "sign up" not in html.lower()


@pytest.mark.django_db
def test_two_factor_pages_are_in_sentence_case(alice_client):
    for name in ("mfa_index", "account_logout", "account_signup"):
        html = alice_client.get(reverse(name), follow=True).content.decode()
        wrong = [h for h in page_headings(html) if not_sentence_case(h.replace("– Casework", ""))]
        assert wrong == [], name
