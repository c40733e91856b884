"""Health: the annual health outcomes (SSDA903 OC2) and statutory health assessments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record, snapshot
from cases.codes import check_code
from cases.models import TaskKind
from cases.models_looked_after import HealthAssessment, HealthAssessmentKind, HealthRecord
from cases.rules.timescales import SDQ_MAX_AGE, SDQ_MAX_SCORE, SDQ_MIN_AGE, review_health_assessment_due
from cases.services.kernel import Entry, audit_step, date_errors, noon, record_step, require_born, today
from cases.services.looked_after.episodes_read import (
    episode_on,
    looked_after_continuously_since,
    open_episode,
    period_of,
)
from cases.services.tasks import task_open, tasks_complete_open
from core.actors import Actor, actor_or_none
from core.dates import age_on, birthday, long_date
from core.errors import RuleError
from people.models import Person
from recording.models import EntryType
from recording.services import chronology_add


@transaction.atomic
def health_record_for_year(
    *,
    actor: Actor,
    person: Person,
    year_ending: date | None,
    sdq_score: int | None = None,
    sdq_reason: str = "",
    convicted: bool | None = None,
    health_check: bool | None = None,
    immunisations: bool | None = None,
    teeth_check: bool | None = None,
    health_assessment: bool | None = None,
    substance_misuse: bool | None = None,
    intervention_received: bool | None = None,
    intervention_offered: bool | None = None,
) -> HealthRecord:
    """A year's health and outcomes (SSDA903 OC2) for a child looked after continuously for 12 months at 31 March.
    Ages are at 31 March: an SDQ score (0-40) or the reason there is none for ages 4 to 16, and neither otherwise;
    health promotion (health_check) under 5; convictions from 10. Recording the year again corrects it."""
    errors: dict[str, str] = {}
    if year_ending is None or (year_ending.month, year_ending.day) != (3, 31):
        raise RuleError({"year_ending": "Select the year: it ends on 31 March"})
    if year_ending > today():
        raise RuleError({"year_ending": f"The year's outcomes can be recorded from 31 March {year_ending.year}"})
    born = require_born(person, "record health outcomes")
    if not looked_after_continuously_since(
        person, year_ending - relativedelta(years=1) + timedelta(days=1), year_ending
    ):
        raise RuleError(
            f"{person.full_name} was not looked after continuously for the 12 months to {long_date(year_ending)}: these "
            # SSDA903 rule 190
            "outcomes are only for children who were"
        )
    age = age_on(born, year_ending)
    if SDQ_MIN_AGE <= age <= SDQ_MAX_AGE:
        if sdq_score is None and not sdq_reason:
            # SSDA903 rules 186 and 197B
            errors["sdq_score"] = "Enter the SDQ score, or the reason there is none"
        elif sdq_score is not None and sdq_reason:
            # SSDA903 rule 197a
            errors["sdq_reason"] = "Give the SDQ score or the reason there is none, not both"
        elif sdq_score is not None and not 0 <= sdq_score <= SDQ_MAX_SCORE:
            errors["sdq_score"] = "The SDQ score is a whole number from 0 to 40"
        elif sdq_reason:
            errors.update(check_code("sdq_reason", sdq_reason, "sdq_reason", "Select the reason there is no SDQ score"))
            year_start = year_ending - relativedelta(years=1) + timedelta(days=1)
            # SDQ1 ("under 4 or over 16") only for a child who turned 4 in the year or was past 16 by its end.
            if (
                not errors
                and sdq_reason == "SDQ1"
                and birthday(born, 4) <= year_start
                and birthday(born, 16) >= year_ending
            ):
                errors["sdq_reason"] = (
                    "No form returned because of age is only for children who turned 4 during the year or were over 16 at its "
                    "end: "
                    # SSDA903 rule 157
                    f"{person.full_name} was {age}"
                )
    elif sdq_score is not None or sdq_reason:
        errors["sdq_score"] = (
            # SSDA903 rules 188 and 189
            f"An SDQ is only for children aged 4 to 17 on 31 March: {person.full_name} was {age}"
        )
    for field, value in (
        ("immunisations", immunisations),
        ("teeth_check", teeth_check),
        ("health_assessment", health_assessment),
        ("substance_misuse", substance_misuse),
    ):
        if value is None:
            # SSDA903 rule 182
            errors[field] = "Select yes or no"
    if age < 5 and health_check is None:
        # SSDA903 rule 545
        errors["health_check"] = "Select whether the child's health promotion checks were up to date"
    elif age >= 5 and health_check is not None:
        # SSDA903 rule 546
        errors["health_check"] = "Health promotion checks are only for children under 5"
    if age >= 10 and convicted is None:
        # SSDA903 rule 543
        errors["convicted"] = "Select whether the child was convicted during the year"
    elif age < 10 and convicted is not None:
        # SSDA903 rule 542
        errors["convicted"] = "Conviction is only recorded for children aged 10 or over"
    if substance_misuse:
        if intervention_received is None:
            errors["intervention_received"] = "Select whether the child received an intervention"
        elif intervention_received and intervention_offered is not None:
            # SSDA903 rule 158
            errors["intervention_offered"] = "Leave 'offered' empty when an intervention was received"
        elif not intervention_received and intervention_offered is None:
            # SSDA903 rule 159
            errors["intervention_offered"] = "Select whether an intervention was offered"
    elif intervention_received is not None or intervention_offered is not None:
        errors["intervention_received"] = "Interventions are only recorded when a substance misuse problem was found"
    if errors:
        raise RuleError(errors)
    values: dict[str, Any] = {
        "sdq_score": sdq_score,
        "sdq_reason": sdq_reason,
        "convicted": convicted,
        "health_check": health_check,
        "immunisations": immunisations,
        "teeth_check": teeth_check,
        "health_assessment": health_assessment,
        "substance_misuse": substance_misuse,
        "intervention_received": intervention_received,
        "intervention_offered": intervention_offered,
    }
    fields = list(values)
    row = HealthRecord.objects.select_for_update().filter(person=person, year_ending=year_ending).first()
    if row is None:
        row = HealthRecord.objects.create(
            person=person,
            year_ending=year_ending,
            created_by=actor_or_none(actor),
            modified_by=actor_or_none(actor),
            **values,
        )
        audit_step(actor, AuditAction.CREATE, row, person.pk, ["year_ending", *fields])
    else:
        old = snapshot(row, fields)
        for field, value in values.items():
            setattr(row, field, value)
        row.modified_by = actor_or_none(actor)
        row.save(update_fields=[*fields, "modified_by", "modified_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="healthrecord",
            object_id=str(row.pk),
            person_id=person.pk,
            changes={"old": old, "new": snapshot(row, fields)},
        )
    chronology_add(
        person=person,
        occurred_at=noon(year_ending),
        entry_type=EntryType.LOOKED_AFTER,
        title=f"Health and outcomes for the year to 31 March {year_ending.year}",
        summary=f"SDQ score {sdq_score}." if sdq_score is not None else "",
        source_type="healthrecord",
        source_id=row.pk,
        actor=actor,
    )
    return row


@transaction.atomic
def health_assessment_record(
    *, actor: Actor, person: Person, assessed_on: date | None, assessed_by: str = ""
) -> HealthAssessment:
    """A looked-after child's statutory health assessment. The first in a period of care is the initial health
    assessment (due 20 working days after the child became looked after); later ones are reviews. Each makes the next
    review due (6-monthly under 5, yearly from 5) while the child stays looked after."""
    errors = date_errors(assessed_on, "assessed_on", "date of the health assessment", person)
    if errors:
        raise RuleError(errors)
    assert assessed_on is not None
    born = require_born(person, "record a health assessment")
    episode = episode_on(person, assessed_on)
    if episode is None:
        raise RuleError(
            {"assessed_on": f"{person.full_name} was not looked after on {long_date(assessed_on)}: a statutory health "
             "assessment is for a looked-after child"}
        )  # fmt: skip
    period = period_of(person, episode)
    if HealthAssessment.objects.filter(person=person, assessed_on=assessed_on).exists():
        raise RuleError({"assessed_on": f"A health assessment on {long_date(assessed_on)} is already recorded"})
    earlier_in_period = HealthAssessment.objects.filter(
        person=person, assessed_on__gte=period[0].started_on, assessed_on__lt=assessed_on
    ).exists()
    kind = HealthAssessmentKind.REVIEW if earlier_in_period else HealthAssessmentKind.INITIAL
    row = HealthAssessment.objects.create(
        person=person,
        episode=episode,
        kind=kind,
        assessed_on=assessed_on,
        assessed_by=assessed_by.strip(),
        created_by=actor_or_none(actor),
        modified_by=actor_or_none(actor),
    )
    tasks_complete_open(
        person, TaskKind.LAC_HEALTH_ASSESSMENT if kind == HealthAssessmentKind.INITIAL else TaskKind.LAC_HEALTH_REVIEW,
        assessed_on,
    )  # fmt: skip
    current = open_episode(person)
    if current is not None and period_of(person, current)[0].pk == period[0].pk:
        task_open(
            person, TaskKind.LAC_HEALTH_REVIEW, review_health_assessment_due(born, assessed_on), current, actor=actor
        )
    record_step(
        actor=actor,
        obj=row,
        person=person,
        on=assessed_on,
        entry=Entry(
            EntryType.LOOKED_AFTER, row.get_kind_display(), f"By {row.assessed_by}." if row.assessed_by else ""
        ),
        fields=["kind", "assessed_on", "assessed_by"],
    )
    return row
