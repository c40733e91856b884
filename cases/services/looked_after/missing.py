"""Missing and away from placement episodes, with the return interview."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from audit.models import AuditAction
from cases.codes import check_code
from cases.models_looked_after import (
    MissingEpisode,
)
from cases.rules.dates import Follows
from cases.services.kernel import Entry, date_errors, record_step, require_after
from cases.services.looked_after.episodes_read import episode_on
from core.actors import Actor, actor_or_none
from core.dates import long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType


@transaction.atomic
def missing_episode_record(*, actor: Actor, person: Person, kind: str, started_on: date | None) -> MissingEpisode:
    """A looked-after child goes missing (M) or is away from placement without authorisation (A)."""
    errors = date_errors(started_on, "started_on", "date the child went missing", person)
    errors.update(check_code("missing_type", kind, "kind", "Select missing or away from placement"))
    if errors:
        raise RuleError(errors)
    assert started_on is not None
    if episode_on(person, started_on) is None:
        raise RuleError(
            # SSDA903 rules 578, 581
            {"started_on": f"{person.full_name} was not looked after on {long_date(started_on)}"}
        )
    if MissingEpisode.objects.filter(person=person, ended_on__isnull=True).exists():
        # SSDA903 rule 574
        raise RuleError("The child is already recorded as missing or away: record their return first")
    last = MissingEpisode.objects.filter(person=person).order_by("-ended_on").first()
    if last and last.ended_on and started_on < last.ended_on:
        raise RuleError(
            {"started_on": f"This overlaps the last time the child was missing, which ended {long_date(last.ended_on)}"}
        )
    episode = MissingEpisode.objects.create(
        person=person,
        kind=kind,
        started_on=started_on,
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    record_step(
        actor=actor,
        obj=episode,
        person=person,
        on=started_on,
        entry=Entry(EntryType.LOOKED_AFTER, episode.get_kind_display(), "", significant=True),
        fields=["kind", "started_on"],
    )
    return episode


@transaction.atomic
def missing_episode_end(
    *,
    actor: Actor,
    episode: MissingEpisode,
    ended_on: date | None,
    return_interview_offered: bool | None,
    return_interview_accepted: bool | None = None,
) -> MissingEpisode:
    """The child is back: when, and whether a return interview was offered and, if so, accepted."""
    episode = MissingEpisode.objects.select_for_update().get(pk=episode.pk)
    person = episode.person
    errors = date_errors(ended_on, "ended_on", "date the child came back", person)
    if return_interview_offered is None:
        errors["return_interview_offered"] = "Select whether a return interview was offered"
    elif return_interview_offered and return_interview_accepted is None:
        errors["return_interview_accepted"] = "Select whether the child accepted the return interview"
    elif not return_interview_offered and return_interview_accepted:
        errors["return_interview_accepted"] = "A return interview that was not offered cannot have been accepted"
    if errors:
        raise RuleError(errors)
    assert ended_on is not None
    if episode.ended_on:
        raise RuleError(f"The child's return was already recorded ({long_date(episode.ended_on)})")
    require_after(ended_on, "ended_on", "date the child came back", Follows("they went missing", episode.started_on))
    episode.ended_on = ended_on
    episode.return_interview_offered = return_interview_offered
    episode.return_interview_accepted = return_interview_accepted if return_interview_offered else None
    episode.modified_by = actor_or_none(actor)
    episode.save(
        update_fields=[
            "ended_on",
            "return_interview_offered",
            "return_interview_accepted",
            "modified_by",
            "modified_at",
        ]
    )
    interview = "not offered"
    if return_interview_offered:
        interview = "accepted" if return_interview_accepted else "offered, not accepted"
    record_step(
        actor=actor,
        obj=episode,
        person=person,
        on=ended_on,
        entry=Entry(
            EntryType.LOOKED_AFTER,
            f"Returned after being {'missing' if episode.kind == 'M' else 'away from placement'}",
            f"Return interview {interview}.",
        ),
        fields=["ended_on", "return_interview_offered", "return_interview_accepted"],
        action=AuditAction.UPDATE,
    )
    return episode
