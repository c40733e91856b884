"""People's background tasks, run by `casework worker` (django-tasks' database backend).

`name_frequencies_refresh_weekly` counts every surname and given name again (people.NameFrequency, the search's
term frequencies: people.match_store) and queues itself for a week later, so one refresh is always waiting.
`worker_started` makes sure it is queued when a worker starts (once, however many workers start).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .match_store import name_frequencies_refresh

logger = logging.getLogger(__name__)

EVERY = timedelta(days=7)


@task()
def name_frequencies_refresh_weekly() -> dict[str, int]:
    """Count the names again, then queue the next refresh for a week later."""
    counts = name_frequencies_refresh()
    logger.info("Counted %s surnames and %s given names", counts["surname"], counts["given_name"])
    name_frequencies_schedule(after=timezone.now() + EVERY)
    return counts


def name_frequencies_schedule(*, after: datetime) -> bool:
    """Queue the weekly refresh to run after `after`, unless one is already waiting. Returns whether one was."""
    waiting = DBTaskResult.objects.filter(
        task_path=name_frequencies_refresh_weekly.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    name_frequencies_refresh_weekly.using(run_after=after).enqueue()
    return True


def worker_started() -> None:
    """What `casework worker` does for people as it starts: queue the weekly refresh of the names if none waits
    (the first runs at once on an install that has never counted them)."""
    from .models import NameFrequency

    first = not NameFrequency.objects.exists()
    name_frequencies_schedule(after=timezone.now() if first else timezone.now() + EVERY)
