"""The documents' background tasks, run by `casework worker` (django-tasks' database backend).

`make_renditions(version_id)` makes a version's archival copy, text and page images (documents.renditions), queued
by the services when a version is added, so an upload stays quick. `fixity_check_daily` re-hashes a sample of the
stored files every day (documents.fixity) and queues itself again for the next day; `casework worker` makes sure one
is waiting (`worker_started`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import fixity, redaction_services, renditions

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)
# A daily check re-hashes this many versions (with their renditions), chosen at random, and every version added since
# the last check; `casework documents fixity` checks everything.
DAILY_SAMPLE = 1000


@task()
def make_renditions(version_id: int) -> str:
    """The background task queued by documents.services when a version is added."""
    return renditions.make(version_id)


@task()
def make_renditions_many(version_ids: list[int]) -> int:
    """The renditions of many versions (a bulk import queues one task a chunk); one that fails is recorded as failed
    on its version (documents.renditions) and the others are still made. Returns how many were made."""
    made = 0
    for version_id in version_ids:
        try:
            renditions.make(version_id)
            made += 1
        except Exception:  # one file's failure must not stop the rest; its version shows "failed"
            logger.exception("Renditions of version %s failed", version_id)
    return made


@task()
def make_redacted_copy(redaction_id: int) -> str:
    """The background task queued when a redaction is applied: burn it in (documents.redaction_services)."""
    return redaction_services.make_redacted_copy(redaction_id)


@task()
def fixity_check_daily() -> int:
    """Re-hash a sample of stored files, record the result, and queue the next check for a day later."""
    check = fixity.fixity_check_run(actor=None, sample=DAILY_SAMPLE)
    fixity_check_schedule(after=timezone.now() + EVERY)
    if not check.ok:
        logger.error("Fixity check %s found %s missing and %s altered files", check.pk, check.missing, check.altered)
    return check.pk


def fixity_check_schedule(*, after: datetime) -> bool:
    """Queue the daily fixity check after `after`, unless one is already waiting."""
    waiting = DBTaskResult.objects.filter(
        task_path=fixity_check_daily.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    fixity_check_daily.using(run_after=after).enqueue()
    return True


def worker_started() -> bool:
    """What `casework worker` does as it starts: make sure a daily fixity check is waiting (once, however many
    workers start). The first runs a day later."""
    return fixity_check_schedule(after=timezone.now() + EVERY)
