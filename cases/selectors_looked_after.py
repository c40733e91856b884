"""Reads for the looked-after summary on a child's record: where a looked-after child or a care leaver is now, at a
glance, from the rows cases.services.looked_after writes.

`looked_after_summary` is a fixed number of queries whatever the history: 1 for a child never looked after, 11 for
a child looked after now, 4 for a child who has left care (5 for a care leaver). Each thing is read with one query:
the latest row through order_by and first, counts through aggregate, and every code's label in one last query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateField, Exists, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.dates import age_on, birthday
from core.models import Code
from people.models import Person
from recording.models import Visit

from .models import LOOKED_AFTER_TASKS, LookedAfterEpisode, Task, TaskKind
from .models_looked_after import (
    AdoptionRecord,
    CareLeaverContact,
    HealthAssessment,
    HealthAssessmentKind,
    HealthRecord,
    LookedAfterReview,
    MissingEpisode,
    PreviousPermanence,
    UnaccompaniedAsylumSeekingChild,
)
from .rules.codes import ADOPTED, TEMPORARY_PLACEMENTS
from .rules.dates import years_to_31_march
from .rules.timescales import (
    CARE_LEAVER_MAX_AGE,
    CARE_LEAVER_MIN_AGE,
    OC3_BIRTHDAYS,
    OC3_MONTHS_AFTER,
    OC3_MONTHS_BEFORE,
)

OPEN = Q(completed_on__isnull=True, cancelled_on__isnull=True)
DIED = "E2"
# LA_PERM values for an authority outside England (rule 633).
OUTSIDE_ENGLAND = {
    "WAL": "an authority in Wales",
    "SCO": "an authority in Scotland",
    "NIR": "an authority in Northern Ireland",
    "NUK": "an authority outside the UK",
}


@dataclass(frozen=True)
class Due:
    """Something done again and again while a child is looked after: when it was last done in this period of care,
    and when the next one is due (the open task's date)."""

    last: date | None
    next_due: date | None
    overdue: bool
    last_kind: str = ""  # for health assessments: initial or review
    next_kind: str = ""


@dataclass(frozen=True)
class Milestone:
    name: str
    on: date | None


@dataclass(frozen=True)
class ContactWindow:
    """When contact with a care leaver counts for their next 17th to 21st birthday (SSDA903 OC3): from 3 months before
    the birthday to 1 month after it."""

    birthday: int
    birthday_on: date
    opens_on: date
    closes_on: date
    is_open: bool

    @property
    def ordinal(self) -> str:
        suffix = "th" if 10 <= self.birthday % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(self.birthday % 10, "th")
        return f"{self.birthday}{suffix}"


@dataclass
class LookedAfterSummary:
    """Where a child who is or has been looked after is now. Every code is given as its label (core.Code)."""

    heading: str
    looked_after_now: bool
    care_leaver: bool
    period_started_on: date
    left_care_on: date | None = None
    left_care_reason: str = ""
    legal_status: str = ""
    legal_status_since: date | None = None
    placement: str = ""
    placement_provider: str = ""
    placement_postcode: str = ""
    placement_since: date | None = None
    visits: Due | None = None
    reviews: Due | None = None
    health_assessments: Due | None = None
    sdq_score: int | None = None
    sdq_reason: str = ""
    sdq_year_ending: date | None = None
    missing_since: date | None = None
    missing_kind: str = ""
    missing_last_12_months: int = 0
    uasc_since: date | None = None
    uasc_ceased_on: date | None = None
    adoption_stage: str = ""
    adoption_milestones: list[Milestone] = field(default_factory=list)
    previous_permanence: str = ""
    previous_permanence_by: str = ""
    previous_permanence_order_on: date | None = None
    contact_on: date | None = None
    contact_in_touch: str = ""
    contact_activity: str = ""
    contact_accommodation: str = ""
    died: bool = False  # the latest care leaver contact says so: no more contacts are due
    next_contact: ContactWindow | None = None


def looked_after_episodes(person: Any) -> list[LookedAfterEpisode]:
    """Every looked-after episode of the person, oldest first (by start, then id): one query. The journey panel reads
    them once and gives them to `looked_after_summary` and `looked_after_actions`, which otherwise ask themselves."""
    return list(LookedAfterEpisode.objects.filter(person=person).order_by("started_on", "id"))


def _period_start(episodes: list[LookedAfterEpisode]) -> date | None:
    """When the latest period of care started: its RNE S episode (the latest by start, then id), if any."""
    starts = [ep for ep in episodes if ep.reason_new_episode == "S"]
    return starts[-1].started_on if starts else None


def _period_of_care(person: Any, episodes: list[LookedAfterEpisode] | None = None) -> list[LookedAfterEpisode]:
    """The episodes of the child's latest period of care, oldest first: from its RNE S episode on. One query, none
    when given all the person's `episodes` (`looked_after_episodes`)."""
    if episodes is not None:
        start = _period_start(episodes) or date(1, 1, 1)
        return [ep for ep in episodes if ep.started_on >= start]
    period_start = (
        LookedAfterEpisode.objects.filter(person=person, reason_new_episode="S")
        .order_by("-started_on", "-id")
        .values("started_on")[:1]
    )
    return list(
        LookedAfterEpisode.objects.filter(
            person=person,
            started_on__gte=Coalesce(Subquery(period_start), Value(date(1, 1, 1), output_field=DateField())),
        ).order_by("started_on", "id")
    )


def _legal_status_since(period: list[LookedAfterEpisode]) -> date:
    current = period[-1]
    since = current.started_on
    for ep in reversed(period[:-1]):
        if ep.legal_status != current.legal_status:
            break
        since = ep.started_on
    return since


def _placement_since(period: list[LookedAfterEpisode]) -> date:
    """When the child went to the placement they are in (same type, provider, postcode and URN). A temporary placement
    the child came back from (T0-T4: hospital, holiday, respite) does not break the placement (rule 383)."""

    def where(ep: LookedAfterEpisode) -> tuple[str, str, str, str]:
        return (ep.placement_type, ep.placement_provider, ep.placement_postcode, ep.urn)

    current = period[-1]
    since = current.started_on
    for ep in reversed(period[:-1]):
        if where(ep) == where(current):
            since = ep.started_on
        elif ep.placement_type in TEMPORARY_PLACEMENTS and current.placement_type not in TEMPORARY_PLACEMENTS:
            continue
        else:
            break
    return since


def _next_contact_window(born: date, today: date, counted_for: int | None) -> ContactWindow | None:
    """The next 17th to 21st birthday whose contact window has not closed and has no contact counted for it yet."""
    for years in OC3_BIRTHDAYS:
        day = birthday(born, years)
        opens = day - relativedelta(months=OC3_MONTHS_BEFORE)
        closes = day + relativedelta(months=OC3_MONTHS_AFTER)
        if closes < today or (counted_for is not None and years <= counted_for):
            continue
        return ContactWindow(years, day, opens, closes, is_open=opens <= today)
    return None


def _labels(wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The labels of (list, code) pairs, in one query."""
    pairs = {(list_name, code) for list_name, code in wanted if code}
    if not pairs:
        return {}
    lists: dict[str, set[str]] = {}
    for list_name, code in pairs:
        lists.setdefault(list_name, set()).add(code)
    condition = reduce(or_, (Q(list_name=name, code__in=sorted(codes)) for name, codes in lists.items()))
    return {(r.list_name, r.code): r.label for r in Code.objects.filter(condition).only("list_name", "code", "label")}


def _label(labels: dict[tuple[str, str], str], list_name: str, code: str) -> str:
    if not code:
        return ""
    return labels.get((list_name, code)) or f"Code {code} (no description held)"


def _due(
    last: date | None,
    due: tuple[str, date] | None,
    today: date,
    *,
    last_kind: str = "",
    kinds: dict[str, str] | None = None,
) -> Due:
    """`due` is the open task's (kind, due date); `kinds` names the kinds where there is more than one."""
    return Due(
        last=last,
        next_due=due[1] if due else None,
        overdue=due is not None and due[1] < today,
        last_kind=last_kind,
        next_kind=(kinds or {}).get(due[0], "") if due else "",
    )


def looked_after_summary(
    person: Any, today: date | None = None, *, episodes: list[LookedAfterEpisode] | None = None
) -> LookedAfterSummary | None:
    """Where `person` is now if they are or have been looked after, else None. No access check: the caller has
    decided the user may see the record. Reads only; a fixed number of queries (see the module docstring), one fewer
    when given all the person's `episodes` (`looked_after_episodes`)."""
    today = today or timezone.localdate()
    period = _period_of_care(person, episodes)
    if not period:
        return None
    current = period[-1]
    started = period[0].started_on
    if current.ended_on is None:
        return _looked_after_now(person, period, today)
    born = person.date_of_birth
    left_at = age_on(born, current.ended_on) if born else None
    age = age_on(born, today) if born else None
    care_leaver = (
        left_at is not None
        and age is not None
        and left_at >= CARE_LEAVER_MIN_AGE
        and CARE_LEAVER_MIN_AGE <= age <= CARE_LEAVER_MAX_AGE
        and current.reason_ceased not in ADOPTED
        and current.reason_ceased != DIED
    )
    summary = LookedAfterSummary(
        heading="Care leaver" if care_leaver else "Previously looked after",
        looked_after_now=False,
        care_leaver=care_leaver,
        period_started_on=started,
        left_care_on=current.ended_on,
    )
    codes = [("reason_episode_ceased", current.reason_ceased)]
    _uasc(person, summary)
    permanence = _previous_permanence(person, started, summary)
    if permanence:
        codes.append(("prev_perm", permanence))
    contact = None
    if care_leaver:
        contact = CareLeaverContact.objects.filter(person=person).order_by("-contact_on", "-id").first()
        if contact is not None:
            summary.contact_on = contact.contact_on
            codes += [
                ("oc3_in_touch", contact.in_touch),
                ("oc3_activity", contact.activity),
                ("oc3_accommodation", contact.accommodation),
            ]
        summary.died = contact is not None and contact.in_touch == "DIED"
        if born and not summary.died:
            summary.next_contact = _next_contact_window(born, today, contact.birthday if contact else None)
    labels = _labels(codes)
    summary.left_care_reason = _label(labels, "reason_episode_ceased", current.reason_ceased)
    summary.previous_permanence = _label(labels, "prev_perm", permanence)
    if contact is not None:
        summary.contact_in_touch = _label(labels, "oc3_in_touch", contact.in_touch)
        summary.contact_activity = _label(labels, "oc3_activity", contact.activity)
        summary.contact_accommodation = _label(labels, "oc3_accommodation", contact.accommodation)
    return summary


def _uasc(person: Any, summary: LookedAfterSummary) -> None:
    row = UnaccompaniedAsylumSeekingChild.objects.filter(person=person).values("became_uasc_on", "ceased_on").first()
    if row is not None:
        summary.uasc_since, summary.uasc_ceased_on = row["became_uasc_on"], row["ceased_on"]


def _previous_permanence(person: Any, period_started_on: date, summary: LookedAfterSummary) -> str:
    """The previous permanence recorded for this period of care (on its first episode): its code, or ""."""
    row = (
        PreviousPermanence.objects.filter(person=person, episode__started_on__gte=period_started_on)
        .values("arrangement", "la_code", "order_date")
        .first()
    )
    if row is None:
        return ""
    la_code = row["la_code"]
    if la_code:
        summary.previous_permanence_by = OUTSIDE_ENGLAND.get(la_code, f"the local authority numbered {la_code}")
    summary.previous_permanence_order_on = row["order_date"]
    return str(row["arrangement"])


def _looked_after_now(person: Any, period: list[LookedAfterEpisode], today: date) -> LookedAfterSummary:
    current = period[-1]
    started = period[0].started_on
    since = timezone.make_aware(datetime.combine(started, time.min))
    summary = LookedAfterSummary(
        heading="Looked after",
        looked_after_now=True,
        care_leaver=False,
        period_started_on=started,
        legal_status_since=_legal_status_since(period),
        placement_postcode=current.placement_postcode,
        placement_since=_placement_since(period),
    )
    last_visit = (
        Visit.objects.filter(person=person, child_seen=True, occurred_at__gte=since)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    last_review = (
        LookedAfterReview.objects.filter(person=person, held_on__gte=started)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    last_assessment = (
        HealthAssessment.objects.filter(person=person, assessed_on__gte=started)
        .order_by("-assessed_on")
        .values("kind", "assessed_on")
        .first()
    )
    due = {
        row["kind"]: row["due_on"]
        for row in Task.objects.filter(OPEN, person=person, kind__in=LOOKED_AFTER_TASKS)
        .values("kind")
        .annotate(due_on=Min("due_on"))
        .order_by()
    }

    def next_of(*kinds: str) -> tuple[str, date] | None:
        found = [(kind, due[kind]) for kind in kinds if kind in due]
        return min(found, key=lambda pair: pair[1]) if found else None

    summary.visits = _due(
        timezone.localtime(last_visit).date() if last_visit else None, next_of(TaskKind.LAC_VISIT), today
    )
    summary.reviews = _due(last_review, next_of(TaskKind.LAC_REVIEW), today)
    summary.health_assessments = _due(
        last_assessment["assessed_on"] if last_assessment else None,
        next_of(TaskKind.LAC_HEALTH_ASSESSMENT, TaskKind.LAC_HEALTH_REVIEW),
        today,
        last_kind=HealthAssessmentKind(last_assessment["kind"]).label if last_assessment else "",
        kinds={
            TaskKind.LAC_HEALTH_ASSESSMENT: HealthAssessmentKind.INITIAL.label,
            TaskKind.LAC_HEALTH_REVIEW: HealthAssessmentKind.REVIEW.label,
        },
    )
    sdq = (
        HealthRecord.objects.filter(person=person)
        .filter(Q(sdq_score__isnull=False) | ~Q(sdq_reason=""))
        .order_by("-year_ending")
        .values("year_ending", "sdq_score", "sdq_reason")
        .first()
    )
    if sdq is not None:
        summary.sdq_year_ending, summary.sdq_score = sdq["year_ending"], sdq["sdq_score"]
    year_ago = today - relativedelta(years=1)
    missing = MissingEpisode.objects.filter(person=person).aggregate(
        open_since=Max("started_on", filter=Q(ended_on__isnull=True)),
        open_kind=Max("kind", filter=Q(ended_on__isnull=True)),
        last_12_months=Count("id", filter=Q(ended_on__isnull=True) | Q(ended_on__gte=year_ago)),
    )
    summary.missing_since = missing["open_since"]
    summary.missing_last_12_months = missing["last_12_months"]
    _uasc(person, summary)
    adoption = (
        AdoptionRecord.objects.filter(person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True)
        .order_by("-date_should_be_placed")
        .first()
    )
    if adoption is not None:
        summary.adoption_milestones = [
            Milestone("Decision to place for adoption", adoption.date_should_be_placed),
            Milestone("Placement order granted", adoption.placement_order_on),
            Milestone("Matched with adopters", adoption.date_matched),
            Milestone("Placed with adopters", adoption.placed_on),
        ]
        summary.adoption_stage = [m.name for m in summary.adoption_milestones if m.on][-1]
    permanence = _previous_permanence(person, started, summary)
    labels = _labels(
        [
            ("legal_status", current.legal_status),
            ("placement_type", current.placement_type),
            ("placement_provider", current.placement_provider),
            ("sdq_reason", sdq["sdq_reason"] if sdq else ""),
            ("missing_type", missing["open_kind"] or ""),
            ("prev_perm", permanence),
        ]
    )
    summary.legal_status = _label(labels, "legal_status", current.legal_status)
    summary.placement = _label(labels, "placement_type", current.placement_type)
    summary.placement_provider = _label(labels, "placement_provider", current.placement_provider)
    summary.sdq_reason = _label(labels, "sdq_reason", sdq["sdq_reason"] if sdq else "")
    summary.missing_kind = _label(labels, "missing_type", missing["open_kind"] or "")
    summary.previous_permanence = _label(labels, "prev_perm", permanence)
    return summary


def looked_after_actions(
    person: Any, today: date | None = None, *, episodes: list[LookedAfterEpisode] | None = None
) -> list[tuple[str, str]]:
    """(step slug, label) of the looked-after record steps that make sense now, for the journey panel.
    While looked after: missing episodes, UASC, previous permanence (until recorded for this period of care),
    adoption and statutory health assessments. Whenever one is open: the return from being missing, the end of UASC
    status. Health and outcomes once the child has been looked after for the whole of the last year to 31 March,
    until it is recorded. Care leaver contacts for young people aged 17 to 21 who have left care.
    One query for a child never looked after, at most three otherwise (none and at most two when given all the
    person's `episodes`, `looked_after_episodes`). The services still check every rule."""
    today = today or timezone.localdate()
    if episodes is None:
        episodes = list(
            LookedAfterEpisode.objects.filter(person=person)
            .order_by("started_on", "id")
            .only("started_on", "ended_on", "reason_new_episode")
        )
    if not episodes:
        return []
    latest = episodes[-1]
    year_ending = years_to_31_march(today, 1)[0]
    year_start = year_ending - relativedelta(years=1) + timedelta(days=1)
    # Every period of care starts with an RNE S episode; previous permanence belongs to the latest one.
    period_started_on = _period_start(episodes)
    permanence = (
        Exists(PreviousPermanence.objects.filter(person=OuterRef("pk"), episode__started_on__gte=period_started_on))
        if period_started_on is not None
        else Value(False)
    )
    facts = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            missing_open=Exists(MissingEpisode.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)),
            uasc_any=Exists(UnaccompaniedAsylumSeekingChild.objects.filter(person=OuterRef("pk"))),
            uasc_open=Exists(UnaccompaniedAsylumSeekingChild.objects.filter(person=OuterRef("pk"), ceased_on=None)),
            health_done=Exists(HealthRecord.objects.filter(person=OuterRef("pk"), year_ending=year_ending)),
            permanence_done=permanence,
        )
        .values("missing_open", "uasc_any", "uasc_open", "health_done", "permanence_done")
        .get()
    )
    facts["period_started_on"] = period_started_on
    looked_after = latest.ended_on is None
    age = age_on(person.date_of_birth, today) if person.date_of_birth else None
    out: list[tuple[str, str]] = []
    if facts["missing_open"]:
        out.append(("missing-return", "Record the child's return from being missing or away"))
    elif looked_after:
        out.append(("missing-start", "Record that the child is missing or away from placement"))
    if facts["uasc_open"]:
        out.append(("uasc-end", "Record the end of unaccompanied asylum-seeking child status"))
    elif looked_after and not facts["uasc_any"] and age is not None and age < 18:
        out.append(("uasc", "Record that the child is an unaccompanied asylum-seeking child"))
    if looked_after and not facts["permanence_done"]:
        out.append(("previous-permanence", "Record previous permanence"))
    if looked_after:
        adoption = (
            AdoptionRecord.objects.filter(person=person, date_placed_ceased__isnull=True, adopted_on__isnull=True)
            .order_by("-pk")
            .first()
        )
        if adoption is None:
            out.append(("adoption-decision", "Record the decision to place for adoption"))
        else:
            if not (adoption.placement_order_on or adoption.date_matched or adoption.placed_on):
                out.append(("adoption-placement-order", "Record the placement order"))
            if not adoption.date_matched:
                out.append(("adoption-matched", "Record the match with the adopters"))
            elif not adoption.placed_on:
                out.append(("adoption-placed", "Record the placement with the adopters"))
            out += [
                ("adoption-adopters", "Record the adopters' details"),
                ("adoption-reversed", "Record that the child should no longer be placed for adoption"),
            ]
    if looked_after:
        out.append(("health-assessment", "Record a statutory health assessment"))
    started = facts["period_started_on"]
    in_care_all_year = (
        started is not None and started <= year_start and (latest.ended_on is None or latest.ended_on >= year_ending)
    )
    if in_care_all_year and not facts["health_done"]:
        out.append(("health", f"Record health and outcomes for the year to 31 March {year_ending.year}"))
    if not looked_after and age in OC3_BIRTHDAYS:
        out.append(("care-leaver-contact", "Record contact with the care leaver"))
    return out
