"""Writes of the returns app: asking for a return, its progress, its files, its validation, and downloads.

Who may call: the caller checks `accounts.access.can_run_returns` (the Returns pages do); the background task
(returns/tasks.py) calls the rest as the system. Each change of a run's state, its files, its issues and each
download writes an audit event in the same transaction. Progress ticks (percent, stage) are not audited: they change
nothing in anyone's record, only what the progress bar shows, and are written in their own short transactions so
the page sees them while the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people.models import Person

from .common import FIRST_YEAR, CollectionYear, current_collection_year
from .false_positives import explain as explain_false_positives
from .models import DataQualityIssue, ReturnFile, ReturnKind, ReturnRun, RunStatus, ValidationOutcome
from .validate import Issue, ValidationReport, where_to_fix

EXPLAINED = "explained"  # DataQualityIssue.severity of an error the record shows to be a false positive of the tool

# A run not heard from for this long has stopped (its worker was stopped or restarted): the validator alone may
# take up to 30 minutes without a word.
STALE_AFTER = timedelta(minutes=45)


def _year_errors(year: int | None, kind: str, with_previous: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ReturnKind.values:
        errors["kind"] = "Select the return to make"
    if year is None:
        errors["year"] = "Select the collection year"
    elif year < FIRST_YEAR:
        errors["year"] = (
            f"Returns can be made from the {CollectionYear(FIRST_YEAR).label} collection year onwards: "
            "earlier years used different codes"
        )
    elif year > current_collection_year():
        errors["year"] = (
            f"The {CollectionYear(year).label} collection year has not started yet: the latest is "
            f"{CollectionYear(current_collection_year()).label}"
        )
    elif kind == ReturnKind.SSDA903 and with_previous and year - 1 < FIRST_YEAR:
        errors["with_previous"] = (
            f"Last year's tables can be made from {CollectionYear(FIRST_YEAR).label} onwards: for "
            f"{CollectionYear(year).label}, leave this unticked"
        )
    return errors


def _active_run(kind: str, year: int) -> ReturnRun | None:
    return (
        ReturnRun.objects.select_for_update()
        .filter(kind=kind, year=year, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .first()
    )


@transaction.atomic
def return_run_request(*, actor: Actor, kind: str, year: int | None, with_previous: bool = False) -> ReturnRun:
    """Ask for a return to be made in the background: a queued run, and its task queued when this transaction
    commits. Raises RuleError (by field: kind, year, with_previous) for a return or year that cannot be made, and
    when the same return for the same year is already being made. A run that has not been heard from for
    STALE_AFTER is marked failed first, so a stopped worker does not block the return for ever."""
    with_previous = bool(with_previous) and kind == ReturnKind.SSDA903
    errors = _year_errors(year, kind, with_previous)
    if errors:
        raise RuleError(errors)
    assert year is not None
    active = _active_run(kind, year)
    if active is not None and active.updated_at < timezone.now() - STALE_AFTER:
        _fail(active, "Stopped without finishing: the task worker was stopped or restarted. Make the return again.")
        active = None
    if active is not None:
        raise RuleError(
            f"The {active.get_kind_display()} for {active.year_label} is already being made (asked for by "
            f"{_name(active.requested_by)}): follow its progress below"
        )
    try:
        with transaction.atomic():
            run = ReturnRun.objects.create(
                kind=kind,
                year=year,
                with_previous=with_previous,
                requested_by=actor_or_none(actor),
                stage="Waiting for the task worker to start it",
            )
    except IntegrityError as e:  # asked for at the same moment by someone else
        raise RuleError(f"The {ReturnKind(kind).label} for {CollectionYear(year).label} is already being made") from e
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="returnrun",
        object_id=str(run.pk),
        changes={"new": {"kind": kind, "year": year, "with_previous": with_previous}},
    )

    def enqueue() -> None:
        from .tasks import produce_return

        produce_return.enqueue(run.pk)

    transaction.on_commit(enqueue)
    return run


def _name(user: Any) -> str:
    if user is None:
        return "the system"
    return str(getattr(user, "display_name", None) or user.get_full_name() or user.email)


@transaction.atomic
def return_run_start(*, run_id: int) -> ReturnRun | None:
    """The task takes its run: from queued to running. None when the run is not waiting (already taken, or marked
    failed as stale), so a task delivered twice does not make the return twice."""
    run = ReturnRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return None
    now = timezone.now()
    run.status = RunStatus.RUNNING
    run.started_at = run.updated_at = now
    run.percent = 1
    run.stage = "Starting"
    run.save(update_fields=["status", "started_at", "updated_at", "percent", "stage"])
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="returnrun",
        object_id=str(run.pk),
        changes={"status": {"old": RunStatus.QUEUED, "new": RunStatus.RUNNING}},
    )
    return run


def return_run_progress(*, run: ReturnRun, percent: int, done: int, total: int, stage: str) -> None:
    """Record how far a running run has got, in its own short transaction (not audited: see the module's
    docstring). Percent never goes backwards and stays below 100 until the run is finished."""
    percent = max(0, min(99, percent))
    with transaction.atomic():
        ReturnRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            percent=percent,
            progress_done=max(0, done),
            progress_total=max(0, total),
            stage=stage[:200],
            updated_at=timezone.now(),
        )
    run.percent, run.progress_done, run.progress_total, run.stage = percent, done, total, stage[:200]


@dataclass(frozen=True)
class WrittenFile:
    name: str  # relative to the run's folder
    size: int
    sha256: str
    previous_year: bool = False
    is_bundle: bool = False


@transaction.atomic
def return_run_files_record(*, run: ReturnRun, files: list[WrittenFile], children: int) -> list[ReturnFile]:
    """The files a run wrote, with their SHA-256 (hashed when written), and the number of children in the return."""
    rows = ReturnFile.objects.bulk_create(
        [
            ReturnFile(
                run=run,
                name=f.name,
                size=f.size,
                sha256=f.sha256,
                previous_year=f.previous_year,
                is_bundle=f.is_bundle,
            )
            for f in files
        ]
    )
    ReturnRun.objects.filter(pk=run.pk).update(children=children, updated_at=timezone.now())
    run.children = children
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="returnrun",
        object_id=str(run.pk),
        changes={"children": {"new": children}, "files": {"new": {f.name: f.sha256 for f in files}}},
    )
    return rows


@transaction.atomic
def return_run_validation_record(
    *,
    run: ReturnRun,
    outcome: str,
    report: ValidationReport | None = None,
    message: str = "",
) -> int:
    """The result of checking a run's return with DfE's rules: its counts, and each issue with the child it
    concerns (when the validator names one that is in the record) and where to put it right. `outcome` is one of
    ValidationOutcome; `report` is given when the check was done. Returns the number of issues recorded."""
    if outcome not in ValidationOutcome.values or outcome == ValidationOutcome.NOT_YET:
        raise ValueError(f"Unknown validation outcome {outcome!r}")
    if (outcome == ValidationOutcome.CHECKED) != (report is not None):
        raise ValueError("A report is given exactly when the return was checked")
    issues: list[Issue] = report.issues if report is not None else []
    explained = explain_false_positives(run.kind, run.year, report.errors) if report is not None else {}
    person_ids = {i.person_id for i in issues if i.person_id is not None}
    existing = set(Person.objects.filter(pk__in=person_ids).values_list("pk", flat=True)) if person_ids else set()
    rows = []
    for issue in issues:
        fix = where_to_fix(issue)
        rows.append(
            DataQualityIssue(
                run=run,
                rule=issue.rule[:20],
                message=issue.message,
                severity=EXPLAINED if issue in explained else issue.severity,
                evidence=explained.get(issue, ""),
                child_id=(issue.child_id or "")[:36],
                person_id=issue.person_id if issue.person_id in existing else None,
                table=issue.table[:40],
                fields=list(issue.fields),
                record=fix.record[:120],
                field_label=fix.fields[:120],
                fix_url=(fix.url or "")[:300] if issue.person_id in existing else "",
            )
        )
    DataQualityIssue.objects.bulk_create(rows, batch_size=1000)
    run.validation = outcome
    run.validation_message = message
    if report is not None:
        run.validator = f"{report.validator} {report.version}, rules {report.ruleset}"[:120]
        run.rules_checked = report.rules
        to_fix = [i for i in report.errors if i not in explained]
        run.error_count = len(to_fix)
        run.query_count = len(report.queries)
        run.children_with_errors = len({i.child_id for i in to_fix if i.child_id})
        run.rules_not_run = dict(report.failed_to_run)
    run.updated_at = timezone.now()
    run.save(
        update_fields=[
            "validation",
            "validation_message",
            "validator",
            "rules_checked",
            "error_count",
            "query_count",
            "children_with_errors",
            "rules_not_run",
            "updated_at",
        ]
    )
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="returnrun",
        object_id=str(run.pk),
        changes={
            "validation": {"new": outcome},
            "errors": {"new": run.error_count},
            "queries": {"new": run.query_count},
            "issues": {"new": len(rows)},
        },
    )
    return len(rows)


@transaction.atomic
def return_run_finish(*, run: ReturnRun) -> ReturnRun:
    """The run is done: its files can be downloaded."""
    now = timezone.now()
    ReturnRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, percent=100, stage="Done", finished_at=now, updated_at=now
    )
    run.status, run.percent, run.stage, run.finished_at, run.updated_at = RunStatus.DONE, 100, "Done", now, now
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="returnrun",
        object_id=str(run.pk),
        changes={"status": {"old": RunStatus.RUNNING, "new": RunStatus.DONE}},
    )
    return run


def _fail(run: ReturnRun, message: str) -> None:
    old = run.status
    now = timezone.now()
    ReturnRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error_message=message, stage="Failed", finished_at=now, updated_at=now
    )
    run.status, run.error_message, run.stage, run.finished_at, run.updated_at = (
        RunStatus.FAILED,
        message,
        "Failed",
        now,
        now,
    )
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="returnrun",
        object_id=str(run.pk),
        changes={"status": {"old": old, "new": RunStatus.FAILED}, "error_message": {"new": message}},
    )


@transaction.atomic
def return_run_fail(*, run: ReturnRun, message: str) -> ReturnRun:
    """The run stopped: `message` says why, in words the user can act on. Files it wrote are kept, not listed."""
    _fail(run, message)
    return run


def return_file_download(*, actor: Actor, file: ReturnFile) -> None:
    """Record a download of a return's file: an export of children's records, audited with the file's hash."""
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="returnfile",
        object_id=str(file.pk),
        changes={},
        context={"run": file.run_id, "file": file.name, "sha256": file.sha256},
    )
