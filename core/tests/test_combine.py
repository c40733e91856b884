"""A date with no time: midday, unless that is still to come today (then now), so a morning's record is not refused
as being in the future."""

from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.forms import combine

LONDON = ZoneInfo("Europe/London")


def test_a_time_given_is_kept():
    assert combine(date(2026, 3, 2), time(9, 30)) == datetime(2026, 3, 2, 9, 30, tzinfo=LONDON)


def test_a_past_day_without_a_time_is_midday():
    assert combine(date(2026, 3, 2), None) == datetime(2026, 3, 2, 12, 0, tzinfo=LONDON)


def test_today_before_midday_without_a_time_is_now_not_the_future():
    morning = datetime(2026, 12, 6, 1, 35, 12, tzinfo=LONDON)
    with mock.patch.object(timezone, "localtime", return_value=morning):
        assert combine(morning.date(), None) == morning.replace(second=0)
    afternoon = morning + timedelta(hours=14)
    with mock.patch.object(timezone, "localtime", return_value=afternoon):
        assert combine(afternoon.date(), None) == datetime(2026, 12, 6, 12, 0, tzinfo=LONDON)


def test_no_day_is_no_moment():
    assert combine(None, time(9, 0)) is None
