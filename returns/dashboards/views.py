"""The performance dashboard and the CSV download of each of its tables.

Access: signed-in users for whom accounts.access.can_see_performance holds (managers, the performance team,
independent reviewing officers, administrators); anyone else gets 403. The pages read only; each CSV download is
audited as an export (the tables count children and name teams and workers, never a child).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import access
from audit.models import AuditAction
from core.replica import reads_from_replica
from people.services import people_list_view_record

from . import selectors
from .forms import DashboardFilterForm
from .tables import overview_tables, table_for


def _require_performance(request: HttpRequest) -> None:
    if not access.can_see_performance(request.user):
        raise PermissionDenied("Only managers, the performance team and reviewing officers can see performance")


def _form(request: HttpRequest) -> DashboardFilterForm:
    return DashboardFilterForm(request.GET, today=timezone.localdate(), teams=selectors.teams_for_filter())


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every measure for the chosen team, period and date. Bad filters: the form with its errors, and no figures."""
    _require_performance(request)
    form = _form(request)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        filters = form.filters()
        with reads_from_replica():  # counts over a period: a replica a moment behind is fine (core.replica)
            o = selectors.overview(filters.start, filters.end, filters.on, filters.team)
        context.update({"filters": filters, "tables": overview_tables(o, filters), "query": filters.query()})
    return render(request, "returns/dashboards/dashboard.html", context)


@login_required
@require_GET
def download(request: HttpRequest, slug: str) -> HttpResponse:
    """One table as CSV, for the same filters as the page. Bad filters: the page with its errors (400)."""
    _require_performance(request)
    form = _form(request)
    if not form.is_valid():
        return render(request, "returns/dashboards/dashboard.html", {"form": form}, status=400)
    with reads_from_replica():
        table = table_for(slug, form.filters())
        body = None if table is None else table.csv()
    if table is None:
        raise Http404("No such table")
    people_list_view_record(
        actor=request.user,
        what="performance_table",
        people=[],
        action=AuditAction.EXPORT,
        context={"table": slug, "filename": table.filename},
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.filename}"'
    return response
