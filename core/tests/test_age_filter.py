"""{{ born|age }}: ages on every page read as people say them, never "(1 years)" or "(0 years)"."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

from core.dates import age_text


def render(text: str, **context: object) -> str:
    return Template("{% load ages %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("born", "text"), [(date(2026, 2, 5), "10 months"), (date(2025, 11, 5), "1 year"), (date(2023, 12, 5), "3 years")]
)
def test_the_age_filter_says_an_age_as_people_do(born, text):
    assert render("{{ born|age:on }}", born=born, on=date(2026, 12, 5)) == text


def test_today_by_default_and_nothing_without_a_date_of_birth():
    born = date(2020, 1, 1)
    assert render("{{ born|age }}", born=born) == age_text(born, timezone.localdate())
    assert render("{{ born|age }}", born=None) == ""


def test_no_template_writes_an_age_in_years_by_hand():
    root = Path(settings.BASE_DIR)
    hand_made = [
        str(p.relative_to(root))
        for p in root.glob("*/templates/**/*.html")
        if "years)" in p.read_text() or "}} years" in p.read_text()
    ]
    assert hand_made == []
