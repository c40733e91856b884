"""People's background tasks, run by `casework worker`: the nightly sweep for possible duplicates.

`duplicates_sweep_nightly` runs `people.duplicates.duplicates_sweep` and queues itself for the next night at
SWEEP_HOUR (local time), so one sweep is always waiting; `sweep_schedule` queues it when none waits (called as the
worker starts).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .duplicates import duplicates_sweep

logger = logging.getLogger(__name__)

SWEEP_HOUR = 2


def next_night(now: datetime) -> datetime:
    local = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(local.date(), time(SWEEP_HOUR)))
    return at if at > now else at + timedelta(days=1)


@task()
def duplicates_sweep_nightly() -> int:
    """Sweep the whole index for possible duplicates, then queue the next night's sweep."""
    result = duplicates_sweep()
    logger.info("Duplicate sweep: %s pairs considered, %s proposed", result.candidates_considered, result.proposed)
    sweep_schedule()
    return result.proposed


def sweep_schedule() -> bool:
    """Queue the nightly sweep unless one is already waiting. Returns whether one was queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=duplicates_sweep_nightly.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    duplicates_sweep_nightly.using(run_after=next_night(timezone.now())).enqueue()
    return True
