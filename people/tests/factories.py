from __future__ import annotations

from datetime import date
from typing import Any

from people import services
from people.models import Person


def person(given: str = "Amelia", family: str = "Hughes", dob: date | None = date(2015, 3, 27), **kw: Any) -> Person:
    """A person made through the real service, so search keys and audit are exactly as in production."""
    return services.person_create(actor=None, given_name=given, family_name=family, date_of_birth=dob, **kw)
