"""Care leavers: contact around each birthday from 17 to 21 and about once a year between (SSDA903 OC3)."""

from __future__ import annotations

from datetime import date, timedelta

from cases import services as la
from cases.rules import timescales
from core.dates import age_on, birthday

from .base import JourneyBase, Kid, pick
from .vocabulary import CL_ACCOMMODATION, CL_ACTIVITY


class CareLeavers(JourneyBase):
    """Care leavers' contacts."""

    def care_leaver_contacts(self, k: Kid, left: date) -> None:
        """Contact with a care leaver: soon after leaving care, around each birthday from 17 to 21 (counted for
        SSDA903 OC3), and about once a year between; what they are doing and where they live mostly carries over."""
        rng = k.rng
        born = k.born
        days = [left + timedelta(days=rng.randint(20, 60))]
        for years in range(17, 22):
            d = birthday(born, years) + timedelta(days=rng.randint(-60, 20))
            if d > left and all(abs((d - other).days) > 90 for other in days):
                days.append(d)
        d = left + timedelta(days=rng.randint(150, 250))
        while d <= self.yesterday:
            if all(abs((d - other).days) > 90 for other in days):
                days.append(d)
            d += timedelta(days=rng.randint(300, 420))
        activity, accommodation = pick(rng, CL_ACTIVITY), pick(rng, CL_ACCOMMODATION)
        for d in sorted(days):
            if d > self.yesterday or age_on(born, d) > 25:
                break
            if rng.random() < 0.9:
                touch = "YES"
                if rng.random() < 0.3:
                    activity = pick(rng, CL_ACTIVITY)
                if rng.random() < 0.25:
                    accommodation = pick(rng, CL_ACCOMMODATION)
                if accommodation.startswith(("T", "Z")) and (
                    age_on(born, d) < 18 or timescales.oc3_birthday(born, d) == 17
                ):  # foyers from 18 (rule 347); not with former foster carers at 17 (rule 3001)
                    accommodation = "D1"
                said = (activity, accommodation)
            else:
                touch = rng.choice(("NO", "REFU", "NREQ"))
                said = ("0", "0")
            la.care_leaver_contact_record(
                actor=k.actor,
                person=k.person,
                contact_on=d,
                in_touch=touch,
                activity=said[0],
                accommodation=said[1],
            )
            self.log(k, "care leaver contact", d, touch)
