"""Words, not codes, where a person reads them: `{{ code|code_label:"list" }}` and core.codes.label, with each list read
once per request."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from core import codes
from core.testing import assert_query_count

pytestmark = pytest.mark.django_db


def render(text: str, **context: object) -> str:
    return Template(text).render(Context(context))


def test_a_code_reads_as_its_words() -> None:
    assert render('{{ e|code_label:"ethnicity" }}', e="WBRI") == "White British"
    assert render('{{ p|code_label:"placement_type" }}', p="U3") == (
        "Foster placement with a relative or friend: not long-term, not fostering for adoption"
    )


def test_a_list_of_codes_reads_as_words_joined() -> None:
    assert render('{{ f|code_label:"assessment_factor" }}', f=["16A", "4B"]) == (
        "Abuse or neglect: neglect, Mental health: parent"
    )


def test_nothing_recorded_reads_as_nothing_and_an_unknown_code_is_not_hidden() -> None:
    assert render('{{ e|code_label:"ethnicity"|default:"Not recorded" }}', e="") == "Not recorded"
    assert render('{{ e|code_label:"ethnicity" }}', e="XXXX") == "XXXX"


def test_words_with_the_code_for_professionals() -> None:
    html = render('{{ s|code_label_with_code:"legal_status" }}', s="C2")
    assert html == 'Full care order <span class="cw-code">(C2)</span>'


def test_each_list_is_read_once_within_a_request() -> None:
    with codes.labels_cached(), assert_query_count(2):
        for _ in range(20):
            assert codes.label("ethnicity", "WBRI") == "White British"
            assert codes.label("abuse_category", "PHY") == "Physical abuse"
