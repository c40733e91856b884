"""The Returns pages of the performance team: make a return in the background and follow its progress, download its
files, see DfE's validation result, and work through the data quality list of the collection year.

Only users who may run returns (accounts.access.can_run_returns) reach these pages: others get 403. Every download
is audited as an export (services.return_file_download).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts import access
from cases.models import Allocation
from core.forms import GovForm
from core.views import handle_form
from people.services import people_list_view_record

from . import services, tasks
from .common import FIRST_YEAR, CollectionYear, current_collection_year
from .models import DataQualityIssue, ReturnFile, ReturnKind, ReturnRun, RunStatus, ValidationOutcome

RECENT_RUNS = 20
ISSUES_PER_PAGE = 100
# A run still waiting after this long: the page says the task worker may not be running.
WAITING_WARNING_SECONDS = 60
POLL_SECONDS = 2


def require_returns_role(request: HttpRequest) -> None:
    if not access.can_run_returns(request.user):
        raise PermissionDenied("Only the performance team and administrators can make returns")


def default_year() -> int:
    """The collection year offered first: the latest that has ended (the one DfE is collecting)."""
    return max(FIRST_YEAR, current_collection_year() - 1)


def year_choices() -> list[tuple[int, str]]:
    current = current_collection_year()
    out = []
    for year in range(current, FIRST_YEAR - 1, -1):
        cy = CollectionYear(year)
        when = f"1 April {cy.start.year} to 31 March {cy.end.year}"
        out.append((year, f"{cy.label} ({when}{', in progress' if year == current else ''})"))
    return out


class ReturnForm(GovForm):
    kind = forms.ChoiceField(
        label="Which return?",
        choices=ReturnKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the return to make", "invalid_choice": "Select the return to make"},
    )
    year = forms.TypedChoiceField(
        label="Collection year",
        coerce=int,
        choices=year_choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the collection year",
            "invalid_choice": "Select a collection year from the list",
        },
    )
    with_previous = forms.BooleanField(label="Also make last year's tables", required=False)


def _run_for(request: HttpRequest, run_id: int) -> ReturnRun:
    require_returns_role(request)
    return get_object_or_404(ReturnRun.objects.select_related("requested_by"), pk=run_id)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    require_returns_role(request)
    form = ReturnForm(request.POST if request.method == "POST" else None, initial={"year": default_year()})

    def page() -> HttpResponse:
        runs = list(ReturnRun.objects.select_related("requested_by").order_by("-requested_at", "-id")[:RECENT_RUNS])
        kind = form["kind"].value() or ""
        return render(
            request,
            "returns/index.html",
            {
                "form": form,
                "runs": runs,
                "selected_kind": str(kind),
                "selected_year": str(form["year"].value() or ""),
                "years": year_choices(),
                "with_previous": bool(form["with_previous"].value()),
            },
            status=400 if form.errors else 200,
        )

    return handle_form(
        request,
        form,
        lambda d: services.return_run_request(
            actor=request.user, kind=d["kind"], year=d["year"], with_previous=d["with_previous"]
        ),
        once=True,
        done=lambda run: redirect("returns:run", run_id=run.pk),
        page=page,
    )


def _status(run: ReturnRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "finished": run.is_finished,
        "percent": run.percent,
        "stage": run.stage,
        "done": run.progress_done,
        "total": run.progress_total,
        "error": run.error_message,
    }


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_for(request, run_id)
    files = list(run.files.all())
    by_rule = list(
        run.issues.values("rule", "severity", "message")
        .annotate(count=Count("id"), children=Count("child_id", distinct=True, filter=~Q(child_id="")))
        .order_by("severity", "rule")
    )
    # Within one rule the message is the same; group any that differ by rule only once.
    seen: set[str] = set()
    rules = []
    for row in by_rule:
        if row["rule"] in seen:
            continue
        seen.add(row["rule"])
        rules.append(row)
    waiting = (
        run.status == RunStatus.QUEUED
        and (run.updated_at is not None)
        and (timezone.now() - run.updated_at).total_seconds() > WAITING_WARNING_SECONDS
    )
    return render(
        request,
        "returns/run.html",
        {
            "run": run,
            "files": [f for f in files if not f.previous_year],
            "previous_files": [f for f in files if f.previous_year],
            "rules": rules,
            "rules_not_run": sorted(run.rules_not_run),
            "waiting_for_worker": waiting,
            "status_url": reverse("returns:run_status", args=[run.pk]),
            "poll_seconds": POLL_SECONDS,
            "checked": run.validation == ValidationOutcome.CHECKED,
            "data_quality_url": reverse("returns:data_quality") + f"?year={run.year}&return={run.kind}",
        },
    )


@login_required
@require_GET
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    """The run's progress for the page's script to poll."""
    run = _run_for(request, run_id)
    return JsonResponse(_status(run))


@login_required
@require_GET
def download(request: HttpRequest, run_id: int, file_id: int) -> HttpResponseBase:
    """A file of a finished run, checked against its SHA-256 before it is sent; the download is audited."""
    run = _run_for(request, run_id)
    file = get_object_or_404(ReturnFile, pk=file_id, run=run)
    if run.status != RunStatus.DONE:
        raise Http404("The return is not finished")
    try:
        path = tasks.file_path(file)
    except ValueError as e:
        raise Http404("No such file") from e
    if not path.is_file():
        return render(
            request,
            "returns/file_problem.html",
            {"run": run, "file": file, "problem": "The file is no longer on the server."},
            status=410,
        )
    if tasks.sha256_of(path) != file.sha256:
        return render(
            request,
            "returns/file_problem.html",
            {"run": run, "file": file, "problem": "The file has changed since it was made, so it is not sent."},
            status=409,
        )
    services.return_file_download(actor=request.user, file=file)
    content_type = {
        "xml": "application/xml",
        "csv": "text/csv",
        "zip": "application/zip",
    }.get(file.name.rsplit(".", 1)[-1], "application/octet-stream")
    return FileResponse(path.open("rb"), as_attachment=True, filename=file.download_name, content_type=content_type)


@dataclass
class IssueRow:
    issue: DataQualityIssue
    name: str | None  # None: a restricted record this user may not find (no name, no link, no record number)
    worker: str


def latest_checked_runs(year: int) -> list[ReturnRun]:
    """The latest finished run of each return for `year` that was checked with DfE's rules (one query)."""
    return list(
        ReturnRun.objects.filter(year=year, status=RunStatus.DONE, validation=ValidationOutcome.CHECKED)
        .order_by("kind", "-finished_at", "-id")
        .distinct("kind")
    )


def _data_quality_year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw:
        if not raw.isdigit() or int(raw) not in dict(year_choices()):
            raise Http404("No such collection year")
        return int(raw)
    # The year the team is working on: the one most recently checked, else the latest that has ended.
    latest = (
        ReturnRun.objects.filter(status=RunStatus.DONE, validation=ValidationOutcome.CHECKED)
        .order_by("-finished_at", "-id")
        .values_list("year", flat=True)
        .first()
    )
    return latest or default_year()


@login_required
@require_GET
def data_quality(request: HttpRequest) -> HttpResponse:
    """The issues DfE's rules found in the latest checked return of each kind for the year, by rule, each with the
    child and a link to the field to put right. Filter by ?rule= and ?return=."""
    require_returns_role(request)
    year = _data_quality_year(request)
    runs = latest_checked_runs(year)
    kind = request.GET.get("return", "")
    if kind and kind not in ReturnKind.values:
        kind = ""
    issues = DataQualityIssue.objects.filter(run__in=[r.pk for r in runs])
    if kind:
        issues = issues.filter(run__kind=kind)
    rule_counts = list(
        issues.values("rule", "severity", "run__kind")
        .annotate(count=Count("id"), children=Count("child_id", distinct=True, filter=~Q(child_id="")))
        .order_by("severity", "rule")
    )
    rule = request.GET.get("rule", "")
    known_rules = {r["rule"] for r in rule_counts}
    if rule and rule not in known_rules:
        rule = ""
    shown = issues.filter(rule=rule) if rule else issues
    page = Paginator(
        shown.select_related("person", "run").order_by("person__family_name", "person__given_name", "rule", "id"),
        ISSUES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    person_ids = {i.person_id for i in rows if i.person_id is not None}
    # The name of everyone the user may find (accounts.access.findable_people: the performance team holds no case, so
    # the link opens the summary); a restricted record without a grant is named by nothing, not even its number.
    findable = set(access.findable_people(request.user).filter(pk__in=person_ids).values_list("pk", flat=True))
    workers = {
        a.person_id: a.worker.display_name
        for a in Allocation.objects.filter(person_id__in=person_ids, ended_on__isnull=True).select_related("worker")
    }
    issue_rows = [
        IssueRow(
            issue=i,
            name=(i.person.full_name or f"Record {i.person_id}")
            if i.person is not None and i.person_id in findable
            else None,
            worker=workers.get(i.person_id, "") if i.person_id in findable else "",
        )
        for i in rows
    ]
    people_list_view_record(
        actor=request.user,
        what="data_quality",
        people=[i.person_id for i in rows if i.person_id in findable],
        context={"year": year, "return": kind, "rule": rule},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "returns/data_quality.html",
        {
            "year": year,
            "year_label": CollectionYear(year).label,
            "years": [(y, CollectionYear(y).label) for y, _ in year_choices()],
            "runs": runs,
            "kind": kind,
            "kinds": ReturnKind.choices,
            "rule": rule,
            "rule_counts": rule_counts,
            "total": sum(r["count"] for r in rule_counts),
            "errors": sum(r["count"] for r in rule_counts if r["severity"] == "error"),
            "page": page,
            "rows": issue_rows,
            "page_query": query.urlencode(),
        },
    )
