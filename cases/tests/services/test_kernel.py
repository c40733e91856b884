"""What every journey service shares (cases.services.kernel)."""

import pytest

from cases.services.kernel import ordinal

pytestmark = pytest.mark.django_db


def test_care_leaver_contact_titles_use_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 17, 21, 22, 23)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "17th", "21st", "22nd", "23rd",
    ]  # fmt: skip
