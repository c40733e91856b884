"""People's background tasks, run by `casework worker` (django-tasks' database backend).

- `name_frequencies_refresh_weekly` counts every surname and given name again (people.NameFrequency, the search's
  term frequencies: people.match_store) and queues itself for a week later.
- `duplicates_sweep_nightly` runs `people.duplicates.duplicates_sweep` and queues itself for the next night at
  SWEEP_HOUR (local time).
Each keeps exactly one run waiting; `worker_started` queues whichever is missing when a worker starts (once, however
many workers start).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .duplicates import duplicates_sweep
from .match_store import name_frequencies_refresh

logger = logging.getLogger(__name__)

EVERY = timedelta(days=7)
SWEEP_HOUR = 2


def queue_unless_waiting(job: Any, *, after: datetime) -> bool:
    """Queue `job` to run after `after`, unless a run of it is already waiting. Returns whether one was queued."""
    waiting = DBTaskResult.objects.filter(task_path=job.module_path, status=TaskResultStatus.READY).exists()
    if waiting:
        return False
    job.using(run_after=after).enqueue()
    return True


@task()
def name_frequencies_refresh_weekly() -> dict[str, int]:
    """Count the names again, then queue the next refresh for a week later."""
    counts = name_frequencies_refresh()
    logger.info("Counted %s surnames and %s given names", counts["surname"], counts["given_name"])
    name_frequencies_schedule(after=timezone.now() + EVERY)
    return counts


def name_frequencies_schedule(*, after: datetime) -> bool:
    """Queue the weekly refresh to run after `after`, unless one is already waiting. Returns whether one was."""
    return queue_unless_waiting(name_frequencies_refresh_weekly, after=after)


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
    return queue_unless_waiting(duplicates_sweep_nightly, after=next_night(timezone.now()))


def worker_started() -> None:
    """What `casework worker` does for people as it starts: queue the weekly refresh of the names (the first at once
    on an install that has never counted them) and the nightly sweep for possible duplicates, if none waits."""
    from .models import NameFrequency

    first = not NameFrequency.objects.exists()
    name_frequencies_schedule(after=timezone.now() if first else timezone.now() + EVERY)
    sweep_schedule()
