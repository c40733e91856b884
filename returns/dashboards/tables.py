"""Each measure as a table (the same rows on the page and in its CSV download) and a bar chart drawn from it.

The chart is decoration for sighted users: the page hides it from assistive technology and puts the table right
after it, which carries every number the chart shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.utils.text import slugify

from accounts.models import Team

from . import selectors
from .selectors import Caseloads, ChildrenAtDate, Overview, Shares

# GOV.UK colours: blue, purple, green; light grey for the track behind a percentage bar.
COLOURS = ("#1d70b8", "#4c2c92", "#00703c")
TRACK = "#f3f2f1"
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    on: date
    team: Team | None

    @property
    def team_label(self) -> str:
        return self.team.name if self.team is not None else "all teams"

    def query(self) -> str:
        """The filters as the dashboard's GET parameters (for links to the downloads)."""
        params: dict[str, Any] = {"team": self.team.pk if self.team is not None else ""}
        for name, day in (("start", self.start), ("end", self.end), ("on", self.on)):
            params.update({f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year})
        return urlencode(params)


@dataclass(frozen=True)
class Cell:
    text: str  # as shown on the page
    value: str  # as written to the CSV
    numeric: bool = False

    @classmethod
    def number(cls, n: int | Decimal | None) -> Cell:
        return cls("–", "", True) if n is None else cls(f"{n:,}", str(n), True)

    @classmethod
    def percentage(cls, p: Decimal | None) -> Cell:
        return cls("–", "", True) if p is None else cls(f"{p}%", str(p), True)

    @classmethod
    def label(cls, text: str) -> Cell:
        return cls(text, text)


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = True


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class LegendItem:
    text: str
    colour: str
    x: float
    text_x: float


@dataclass(frozen=True)
class Chart:
    """Bars in a 640-wide SVG view box: for each group (a team) its label, then one bar per series."""

    height: float
    labels: list[tuple[str, float]]  # (text, y)
    tracks: list[Bar]
    bars: list[Bar]
    legend: list[LegendItem]


BAR_AREA = 520.0
BAR_HEIGHT = 20.0


def bar_chart(
    groups: list[tuple[str, list[float], list[str]]], series: list[str], *, maximum: float | None = None
) -> Chart | None:
    """Groups of (label, values, value texts), one value per series. With `maximum` (100 for a percentage) each bar
    has a grey track to that value; otherwise the longest bar fills the width."""
    if not groups:
        return None
    top = max((v for _, values, _ in groups for v in values), default=0.0)
    scale = maximum or top or 1.0
    y = 0.0
    legend: list[LegendItem] = []
    if len(series) > 1:
        x = 0.0
        for i, name in enumerate(series):
            legend.append(LegendItem(name, COLOURS[i % len(COLOURS)], x, x + 22))
            x += 22 + 8 * len(name) + 20
        y = 32.0
    labels, tracks, bars = [], [], []
    for label, values, texts in groups:
        labels.append((label, y + 16))
        y += 22
        for i, (value, text) in enumerate(zip(values, texts, strict=True)):
            width = BAR_AREA * max(value, 0.0) / scale
            colour = COLOURS[i % len(COLOURS)]
            if maximum:
                tracks.append(Bar(0, y, BAR_AREA, BAR_HEIGHT, TRACK, "", 0, 0))
            text_x = (BAR_AREA if maximum else width) + 8
            bars.append(Bar(0, y, round(width, 1), BAR_HEIGHT, colour, text, text_x, y + 15))
            y += BAR_HEIGHT + 4
        y += 12
    return Chart(height=y, labels=labels, tracks=tracks, bars=bars, legend=legend)


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    summary: str  # what counts, in a sentence or two
    headline: str  # the all-teams figure
    columns: list[Column]
    rows: list[list[Cell]]  # the first cell names the row
    total: list[Cell] | None
    filename: str
    chart: Chart | None = None
    empty: str = "None for these filters."
    caption: str = ""

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.label for c in self.columns])
        for row in [*self.rows, *([self.total] if self.total else [])]:
            writer.writerow([c.value for c in row])
        return out.getvalue()


# --- the measures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareSpec:
    slug: str
    title: str
    summary: str
    total: str  # column: how many counted
    count: str  # column: how many met the measure
    others: str  # column: the rest
    percent: str  # column: the percentage
    headline: str  # "{count} of {total} ..."
    select: Callable[[Filters], Shares]
    pick: Callable[[Overview], Shares]


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _name(filters: Filters, slug: str, *, at_date: bool) -> str:
    team = f"-{slugify(filters.team.name)}" if filters.team is not None else ""
    dates = f"at-{filters.on.isoformat()}" if at_date else f"{filters.start.isoformat()}-to-{filters.end.isoformat()}"
    return f"{slug}{team}-{dates}.csv"


def share_table(spec: ShareSpec, shares: Shares, filters: Filters) -> Table:
    rows = [
        [
            Cell.label(r.team),
            Cell.number(r.total),
            Cell.number(r.count),
            Cell.number(r.others),
            Cell.percentage(r.percent),
        ]
        for r in shares.rows
    ]
    t = shares.total
    headline = spec.headline.format(count=f"{t.count:,}", total=f"{t.total:,}")
    if t.percent is not None:
        headline += f" ({t.percent}%)"
    chart = bar_chart(
        [(r.team, [float(r.percent or 0)], [f"{r.percent}%" if r.percent is not None else "–"]) for r in shares.rows],
        [spec.percent],
        maximum=100.0,
    )
    return Table(
        slug=spec.slug,
        title=spec.title,
        summary=spec.summary,
        headline=headline,
        columns=[
            Column("Team", numeric=False),
            Column(spec.total),
            Column(spec.count),
            Column(spec.others),
            Column(spec.percent),
        ],
        rows=rows,
        total=[
            Cell.label(t.team),
            Cell.number(t.total),
            Cell.number(t.count),
            Cell.number(t.others),
            Cell.percentage(t.percent),
        ]
        if rows
        else None,
        filename=_name(filters, spec.slug, at_date=False),
        chart=chart,
        empty=f"None in this period for {filters.team_label}.",
        caption=f"{spec.title}, by team",
    )


SHARES = [
    ShareSpec(
        "assessments",
        "Assessments completed within 45 working days",
        "Child and family assessments authorised in the period, and how many were authorised within 45 working days "
        "of the referral (by the due date recorded on the assessment).",
        "Authorised",
        "Within 45 working days",
        "Late",
        "% within 45 working days",
        "{count} of {total} within 45 working days",
        lambda f: selectors.assessments_on_time(f.start, f.end, f.team),
        lambda o: o.assessments,
    ),
    ShareSpec(
        "initial-conferences",
        "Initial child protection conferences within 15 working days",
        "Initial conferences held in the period, and how many were within 15 working days of the strategy "
        "discussion that started the section 47 enquiry.",
        "Held",
        "Within 15 working days",
        "Late",
        "% within 15 working days",
        "{count} of {total} within 15 working days",
        lambda f: selectors.initial_conferences_on_time(f.start, f.end, f.team),
        lambda o: o.initial_conferences,
    ),
    ShareSpec(
        "protection-reviews",
        "Child protection review conferences on time",
        "Review conferences that fell due in the period (first within 3 months of the initial conference, then "
        "every 6 months), and how many were held by the due date. One not yet held once its date has passed is late.",
        "Due",
        "Held on time",
        "Late or not held",
        "% on time",
        "{count} of {total} held on time",
        lambda f: selectors.protection_reviews_on_time(f.start, f.end, f.team),
        lambda o: o.protection_reviews,
    ),
    ShareSpec(
        "looked-after-reviews",
        "Looked-after reviews on time",
        "Looked-after reviews that fell due in the period (first within 20 working days, then 3 months, then every "
        "6 months), and how many were held by the due date. One not yet held once its date has passed is late.",
        "Due",
        "Held on time",
        "Late or not held",
        "% on time",
        "{count} of {total} held on time",
        lambda f: selectors.looked_after_reviews_on_time(f.start, f.end, f.team),
        lambda o: o.looked_after_reviews,
    ),
    ShareSpec(
        "protection-visits",
        "Visits to children on child protection plans on time",
        "Visits that fell due in the period at the authority's interval from the plan's start or the last visit, "
        "and how many were made, with the child seen, by the due date.",
        "Due",
        "Made on time",
        "Late or not made",
        "% on time",
        "{count} of {total} made on time",
        lambda f: selectors.protection_visits_on_time(f.start, f.end, f.team),
        lambda o: o.protection_visits,
    ),
    ShareSpec(
        "looked-after-visits",
        "Statutory visits to looked-after children on time",
        "Statutory visits that fell due in the period (within a week of a placement starting, then every 6 weeks, "
        "or 3 months in long-term foster care), and how many were made, with the child seen, by the due date.",
        "Due",
        "Made on time",
        "Late or not made",
        "% on time",
        "{count} of {total} made on time",
        lambda f: selectors.looked_after_visits_on_time(f.start, f.end, f.team),
        lambda o: o.looked_after_visits,
    ),
    ShareSpec(
        "re-referrals",
        "Re-referrals within 12 months",
        "Referrals in the period, and how many came within 12 months of the child's previous referral.",
        "Referrals",
        "Re-referrals",
        "Not re-referrals",
        "% re-referrals",
        "{count} of {total} referrals were re-referrals",
        lambda f: selectors.re_referrals(f.start, f.end, f.team),
        lambda o: o.re_referrals,
    ),
]


def children_table(children: ChildrenAtDate, filters: Filters) -> Table:
    rows = [
        [Cell.label(r.team), Cell.number(r.in_need), Cell.number(r.protection_plan), Cell.number(r.looked_after)]
        for r in children.rows
    ]
    t = children.total
    series = ["Children in need", "On a child protection plan", "Looked after"]
    return Table(
        slug="children",
        title=f"Children on {children.on:%-d %B %Y}",
        summary="Children in need (an open referral), on child protection plans and looked after (short breaks "
        "aside) at the end of the day, by the team of the worker each child was allocated to that day.",
        headline=f"{t.in_need:,} in need, {t.protection_plan:,} on a child protection plan, "
        f"{t.looked_after:,} looked after",
        columns=[Column("Team", numeric=False), *(Column(s) for s in series)],
        rows=rows,
        total=[Cell.label(t.team), Cell.number(t.in_need), Cell.number(t.protection_plan), Cell.number(t.looked_after)]
        if rows
        else None,
        filename=_name(filters, "children", at_date=True),
        chart=bar_chart(
            [
                (
                    r.team,
                    [r.in_need, r.protection_plan, r.looked_after],
                    [f"{r.in_need:,}", f"{r.protection_plan:,}", f"{r.looked_after:,}"],
                )
                for r in children.rows
            ],
            series,
        ),
        empty=f"No children in need, on plans or looked after on this date for {filters.team_label}.",
        caption=f"Children on {children.on:%-d %B %Y}, by team",
    )


def team_caseload_table(loads: Caseloads, filters: Filters) -> Table:
    rows = [
        [Cell.label(t.team), Cell.number(t.workers), Cell.number(t.children), Cell.number(t.average)]
        for t in loads.teams
    ]
    t = loads.total
    return Table(
        slug="caseloads-by-team",
        title=f"Caseloads by team on {loads.on:%-d %B %Y}",
        summary="Children allocated to each team's workers at the end of the day, and the average per worker "
        "with at least one child.",
        headline=f"{_count(t.children, 'child', 'children')} allocated to {_count(t.workers, 'worker', 'workers')}",
        columns=[Column("Team", numeric=False), Column("Workers"), Column("Children"), Column("Average per worker")],
        rows=rows,
        total=[Cell.label(t.team), Cell.number(t.workers), Cell.number(t.children), Cell.number(t.average)]
        if rows
        else None,
        filename=_name(filters, "caseloads-by-team", at_date=True),
        chart=bar_chart([(x.team, [x.children], [f"{x.children:,}"]) for x in loads.teams], ["Children"]),
        empty=f"No children allocated on this date for {filters.team_label}.",
        caption=f"Caseloads by team on {loads.on:%-d %B %Y}",
    )


def worker_caseload_table(loads: Caseloads, filters: Filters) -> Table:
    rows = [[Cell.label(w.worker), Cell.label(w.team), Cell.number(w.children)] for w in loads.workers]
    return Table(
        slug="caseloads-by-worker",
        title=f"Caseloads by worker on {loads.on:%-d %B %Y}",
        summary="Children allocated to each worker at the end of the day, busiest first within each team.",
        headline=f"{_count(len(loads.workers), 'worker', 'workers')} with children allocated",
        columns=[Column("Worker", numeric=False), Column("Team", numeric=False), Column("Children")],
        rows=rows,
        total=None,
        filename=_name(filters, "caseloads-by-worker", at_date=True),
        chart=None,
        empty=f"No children allocated on this date for {filters.team_label}.",
        caption=f"Caseloads by worker on {loads.on:%-d %B %Y}",
    )


def overview_tables(o: Overview, filters: Filters) -> list[Table]:
    """Every table of the dashboard, from one overview (9 queries in all)."""
    return [
        *(share_table(spec, spec.pick(o), filters) for spec in SHARES),
        children_table(o.children, filters),
        team_caseload_table(o.caseloads, filters),
        worker_caseload_table(o.caseloads, filters),
    ]


SLUGS = [spec.slug for spec in SHARES] + ["children", "caseloads-by-team", "caseloads-by-worker"]


def table_for(slug: str, filters: Filters) -> Table | None:
    """One table (for its CSV), running only its own query; None for an unknown slug."""
    for spec in SHARES:
        if spec.slug == slug:
            return share_table(spec, spec.select(filters), filters)
    if slug == "children":
        return children_table(selectors.children_at_date(filters.on, filters.team), filters)
    if slug == "caseloads-by-team":
        return team_caseload_table(selectors.caseloads(filters.on, filters.team), filters)
    if slug == "caseloads-by-worker":
        return worker_caseload_table(selectors.caseloads(filters.on, filters.team), filters)
    return None
