"""Missing and away from placement (cases.services.looked_after.missing)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from cases import services as svc
from cases.models_looked_after import MissingEpisode
from cases.tests.services.helpers import start
from core.errors import RuleError
from recording.models import ChronologyEntry

pytestmark = pytest.mark.django_db


def test_missing_episode_and_return_interview(child, manager, alice):
    with pytest.raises(RuleError, match="was not looked after"):
        svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 5))
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(RuleError) as e:
        svc.missing_episode_record(actor=alice, person=child, kind="X", started_on=date(2026, 1, 5))
    assert set(e.value.errors) == {"kind"}
    missing = svc.missing_episode_record(actor=alice, person=child, kind="A", started_on=date(2026, 1, 5))
    with pytest.raises(RuleError, match="already recorded as missing"):
        svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 6))
    with pytest.raises(RuleError) as e:
        svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 6), return_interview_offered=None)
    assert set(e.value.errors) == {"return_interview_offered"}
    with pytest.raises(RuleError) as e:
        svc.missing_episode_end(
            actor=alice, episode=missing, ended_on=date(2026, 1, 6), return_interview_offered=False,
            return_interview_accepted=True,
        )  # fmt: skip
    assert "not offered" in e.value.errors["return_interview_accepted"]
    with pytest.raises(
        RuleError, match="The date the child came back cannot be before they went missing \\(5 January 2026\\)"
    ):
        svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 4), return_interview_offered=False)
    ended = svc.missing_episode_end(
        actor=alice, episode=missing, ended_on=date(2026, 1, 7), return_interview_offered=True,
        return_interview_accepted=True,
    )  # fmt: skip
    assert ended.return_interview_accepted and ended.ended_on == date(2026, 1, 7)
    with pytest.raises(RuleError, match="overlaps"):
        svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 6))
    again = svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 7))
    assert again.kind == "M"
    assert ChronologyEntry.objects.filter(person=child, title="Returned after being away from placement").exists()
    assert AuditEvent.objects.filter(object_type="missingepisode", action="update").exists()


def test_database_refuses_inconsistent_missing_episodes(child, manager):
    start(manager, child, date(2025, 12, 24))
    with pytest.raises(IntegrityError), transaction.atomic():
        MissingEpisode.objects.create(
            person=child, kind="M", started_on=date(2026, 1, 5), ended_on=date(2026, 1, 6),
            return_interview_offered=False, return_interview_accepted=True,
        )  # fmt: skip
    MissingEpisode.objects.create(person=child, kind="M", started_on=date(2026, 1, 5), ended_on=date(2026, 1, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        MissingEpisode.objects.create(person=child, kind="A", started_on=date(2026, 1, 8))


def test_missing_return_recorded_once(child, manager, alice):
    start(manager, child, date(2025, 12, 24))
    missing = svc.missing_episode_record(actor=alice, person=child, kind="M", started_on=date(2026, 1, 5))
    svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 6), return_interview_offered=False)
    with pytest.raises(RuleError, match="already recorded"):
        svc.missing_episode_end(actor=alice, episode=missing, ended_on=date(2026, 1, 7), return_interview_offered=False)
    assert MissingEpisode.objects.get(pk=missing.pk).return_interview_accepted is None
