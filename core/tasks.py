"""Core's background tasks, run by `casework worker` (django-tasks' database backend).

`idempotency_keys_purge_daily` deletes the used one-time keys whose day has passed (core.idempotency) and queues
itself again for a day later, so one purge is always waiting. `worker_started` is what `casework worker` does before
it takes its first task: purge now, and make sure the daily purge is queued (once, however many workers start).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .idempotency import idempotency_keys_purge

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)


@task()
def idempotency_keys_purge_daily() -> int:
    """Purge the keys older than their day, then queue the next purge for a day later."""
    deleted = idempotency_keys_purge()
    logger.info("Deleted %s used one-time keys older than a day", deleted)
    idempotency_purge_schedule(after=timezone.now() + EVERY)
    return deleted


def _waiting() -> bool:
    return DBTaskResult.objects.filter(
        task_path=idempotency_keys_purge_daily.module_path, status=TaskResultStatus.READY
    ).exists()


def idempotency_purge_schedule(*, after: datetime) -> bool:
    """Queue the daily purge to run after `after`, unless one is already waiting (the task that is running now is
    not waiting). Returns whether one was queued."""
    if _waiting():
        return False
    idempotency_keys_purge_daily.using(run_after=after).enqueue()
    return True


def worker_started() -> int:
    """What `casework worker` does as it starts: purge the old keys now, and queue the daily purge if none waits."""
    deleted = idempotency_keys_purge()
    idempotency_purge_schedule(after=timezone.now() + EVERY)
    return deleted
