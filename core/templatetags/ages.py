"""{{ person.date_of_birth|age }}: an age as people say it ("10 months", "1 year", "3 years"), by core.dates.age_text.

`{{ born|age:on }}` gives the age on another day (the day they died, say). Every page that shows an age uses this
filter, so no page says "(1 years)" or "(0 years)"."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from core.dates import age_text

register = template.Library()


@register.filter
def age(born: date | None, on: date | datetime | None = None) -> str:
    """The age of someone born on `born`, today (or on `on`); empty when the date of birth is not known."""
    if not born:
        return ""
    day = on or timezone.localdate()
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if isinstance(born, datetime):
        born = born.date()
    return age_text(born, day)
