"""Facts on a record, written as rows (each save sends the signal the services' saves send)."""

from __future__ import annotations

from datetime import date

from cases.models import LookedAfterEpisode
from cases.models_looked_after import AdoptionRecord
from people.models import Person


def into_care(person: Person, on: date, ended_on: date | None = None) -> LookedAfterEpisode:
    return LookedAfterEpisode.objects.create(
        person=person,
        started_on=on,
        reason_new_episode="S",
        legal_status="C2",
        category_of_need="N1",
        placement_type="U1",
        placement_provider="PR1",
        ended_on=ended_on,
        reason_ceased="E11" if ended_on else "",
    )


def adopted(person: Person, decided: date, placed: date, order: date) -> AdoptionRecord:
    record = AdoptionRecord.objects.create(person=person, date_should_be_placed=decided)
    record.date_matched = decided
    record.placed_on = placed
    record.adopted_on = order
    record.save()
    return record
