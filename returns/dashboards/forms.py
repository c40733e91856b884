"""The dashboard's filters: a team (or all), the period and the date the children and caseloads are counted at."""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django import forms
from django.http import QueryDict

from accounts.models import Team
from core.forms import GovDateField, GovForm
from returns.common import CollectionYear, current_collection_year

from .tables import Filters

LONGEST_PERIOD_YEARS = 5
EARLIEST = date(1990, 1, 1)


def defaults(today: date) -> dict[str, date]:
    """The current financial year to date, and today."""
    return {"start": CollectionYear(current_collection_year(today)).start, "end": today, "on": today}


class DashboardFilterForm(GovForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        label="Team",
        error_messages={"invalid_choice": "Select a team from the list, or all teams"},
    )
    start = GovDateField(label="Period from", label_text="Start of the period", required=False)
    end = GovDateField(label="Period to", label_text="End of the period", required=False)
    on = GovDateField(
        label="Children and caseloads on",
        label_text="Date to count children and caseloads on",
        required=False,
        help_text="Counts children and caseloads at the end of this day",
    )

    def __init__(self, params: QueryDict, *, today: date, teams: Any) -> None:
        """Bound to the GET parameters, with the defaults filled in for any date left out altogether, so the page
        shows the dates it counted."""
        self.today = today
        data = params.copy()
        for name, day in defaults(today).items():
            if not any(data.get(f"{name}_{i}") for i in range(3)):
                data.setlist(f"{name}_0", [str(day.day)])
                data.setlist(f"{name}_1", [str(day.month)])
                data.setlist(f"{name}_2", [str(day.year)])
        super().__init__(data)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end", "on"):
            day = data.get(name)
            if day is not None and day < EARLIEST:
                field = self.fields[name]
                assert isinstance(field, GovDateField)
                self.add_error(name, f"{field.label_text} must be {EARLIEST:%-d %B %Y} or later")
        start, end, on = data.get("start"), data.get("end"), data.get("on")
        if end is not None and end > self.today:
            self.add_error("end", "The end of the period must be today or in the past")
        if on is not None and on > self.today:
            self.add_error("on", "The date to count children and caseloads on must be today or in the past")
        if start is not None and end is not None and start >= EARLIEST and end >= EARLIEST:
            if start > end:
                self.add_error("start", "The start of the period must be on or before the end of the period")
            elif start < end - relativedelta(years=LONGEST_PERIOD_YEARS):
                self.add_error("start", f"The period can be at most {LONGEST_PERIOD_YEARS} years long")
        return data

    def filters(self) -> Filters:
        """The filters, once the form is valid."""
        d = self.cleaned_data
        return Filters(start=d["start"], end=d["end"], on=d["on"], team=d.get("team"))
