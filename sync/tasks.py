"""Offline sync's background task, run by `casework worker` (django-tasks' database backend).

`sync_prune_daily` prunes the change log, the push results past their days and old scope snapshots (sync.prune) and
queues itself again for a day later; `worker_started` makes sure one is waiting (once, however many workers start).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import prune

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)


@task()
def sync_prune_daily() -> int:
    """Prune, then queue the next prune for a day later. Answers how many change-log rows went."""
    report = prune.sync_prune(actor=None)
    logger.info(
        "Pruned %s change-log rows, %s push results and %s scope snapshots",
        report.changes,
        report.mutations,
        report.snapshots,
    )
    sync_prune_schedule(after=timezone.now() + EVERY)
    return report.changes


def sync_prune_schedule(*, after: datetime) -> bool:
    """Queue the daily prune after `after`, unless one is already waiting."""
    waiting = DBTaskResult.objects.filter(
        task_path=sync_prune_daily.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    sync_prune_daily.using(run_after=after).enqueue()
    return True


def worker_started() -> bool:
    """What `casework worker` does as it starts: make sure a daily prune is waiting (the first runs a day later)."""
    return sync_prune_schedule(after=timezone.now() + EVERY)
