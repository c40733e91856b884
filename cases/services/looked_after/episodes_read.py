"""Reading a child's periods of care: the episode open now or on a day, the period an episode belongs to, where its
placement started, and when the next statutory visit is due. Used by every looked-after service."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cases.codes import check_code
from cases.models import LookedAfterEpisode
from cases.rules.codes import LONG_TERM_FOSTERING, TEMPORARY_PLACEMENTS
from cases.rules.looked_after import Placement
from cases.rules.timescales import FIRST_YEAR_VISIT_WEEKS, LONG_TERM_VISIT_MONTHS, OTHER_VISIT_WEEKS
from core.codes import label
from people.models import Person


def next_statutory_visit_due(person: Person, last_visit_on: date) -> date | None:
    """When the next statutory visit is due after a visit on `last_visit_on`: at most 6 weeks later in the first year
    of the placement, then at most 3 months later for a long-term foster placement (U1, U4), otherwise 6 weeks.
    None when the child was not looked after that day."""
    episode = episode_on(person, last_visit_on)
    if episode is None:
        return None
    started = placement_started_on(person, episode)
    if last_visit_on < started + relativedelta(years=1):
        return last_visit_on + timedelta(weeks=FIRST_YEAR_VISIT_WEEKS)
    if episode.placement_type in LONG_TERM_FOSTERING:
        return last_visit_on + relativedelta(months=LONG_TERM_VISIT_MONTHS)
    return last_visit_on + timedelta(weeks=OTHER_VISIT_WEEKS)


def placement_started_on(person: Person, episode: LookedAfterEpisode) -> date:
    """When the placement of `episode` started, for the visiting timescales. A change of legal status, a move with
    the same carers (T, U), a temporary placement and the return from it do not start a new placement."""
    started = episode.started_on
    previous: LookedAfterEpisode | None = None
    for ep in period_of(person, episode):
        returning = previous is not None and previous.placement_type in TEMPORARY_PLACEMENTS
        if ep.reason_new_episode == "S" or (
            ep.reason_new_episode in ("P", "B") and ep.placement_type not in TEMPORARY_PLACEMENTS and not returning
        ):
            started = ep.started_on
        previous = ep
    return started


def episodes_of(person: Person) -> list[LookedAfterEpisode]:
    return list(LookedAfterEpisode.objects.filter(person=person).order_by("started_on", "id"))


def open_episode(person: Person, *, lock: bool = False) -> LookedAfterEpisode | None:
    qs = LookedAfterEpisode.objects.filter(person=person, ended_on__isnull=True)
    return (qs.select_for_update() if lock else qs).first()


def episode_on(person: Person, day: date) -> LookedAfterEpisode | None:
    """The episode the child was in on `day` (the new one on the day of a change), or None if not looked after."""
    return (
        LookedAfterEpisode.objects.filter(person=person, started_on__lte=day)
        .exclude(ended_on__lt=day)
        .order_by("-started_on", "-id")
        .first()
    )


def period_of(person: Person, episode: LookedAfterEpisode) -> list[LookedAfterEpisode]:
    """The episodes of the period of care `episode` belongs to, from its first (RNE S) up to `episode`."""
    chain: list[LookedAfterEpisode] = []
    for ep in episodes_of(person):
        follows = bool(chain) and chain[-1].reason_ceased == "X1" and chain[-1].ended_on == ep.started_on
        chain = [*chain, ep] if follows else [ep]
        if ep.pk == episode.pk:
            return chain
    return [episode]


def usual_placement(person: Person, episode: LookedAfterEpisode) -> LookedAfterEpisode | None:
    """The last episode before `episode` that was not in a temporary placement: where a child in a temporary
    placement goes back to."""
    for ep in reversed(period_of(person, episode)[:-1]):
        if ep.placement_type not in TEMPORARY_PLACEMENTS:
            return ep
    return None


def placement_of(episode: LookedAfterEpisode) -> Placement:
    return Placement(
        type=episode.placement_type,
        provider=episode.placement_provider,
        postcode=episode.placement_postcode,
        urn=episode.urn,
    )


def looked_after_continuously_since(person: Person, since: date, until: date) -> bool:
    """Whether the child was looked after every day from `since` to `until` (one period of care)."""
    episode = episode_on(person, until)
    if episode is None:
        return False
    return period_of(person, episode)[0].started_on <= since


def legal_status_errors(legal_status: str, field: str = "legal_status") -> dict[str, str]:
    errors = check_code("legal_status", legal_status, field, "Select the legal status")
    if not errors and legal_status == "D1":
        # SSDA903 rule 445: D1 is not valid after December 2005.
        errors[field] = "Freeing orders ended in December 2005: select placement order granted instead"
    return errors


def describe_episode(episode: LookedAfterEpisode) -> str:
    """The legal status and placement in words (a chronology entry's summary)."""
    legal_status = label("legal_status", episode.legal_status)
    placement = label("placement_type", episode.placement_type)
    return f"Legal status: {legal_status}. Placement: {placement}."


EPISODE_FIELDS = [
    "started_on",
    "reason_new_episode",
    "legal_status",
    "category_of_need",
    "placement_type",
    "placement_provider",
    "placement_postcode",
    "home_postcode",
    "urn",
]


def police_protection_began(person: Person, episode: LookedAfterEpisode) -> date | None:
    """When the run of police protection (L1) episodes that `episode` ends began, or None if it is not L1."""
    if episode.legal_status != "L1":
        return None
    began = episode.started_on
    for ep in reversed(period_of(person, episode)):
        if ep.legal_status != "L1":
            break
        began = ep.started_on
    return began
