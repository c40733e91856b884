"""Looked after: every service of a child's time in care, by subject. Import from here or from `cases.services`."""

from __future__ import annotations

from .care_leavers import care_leaver_contact_record
from .episodes import looked_after_change, looked_after_end, looked_after_start
from .health import health_assessment_record, health_record_for_year
from .missing import missing_episode_end, missing_episode_record
from .permanence import (
    adoption_adopters_record,
    adoption_decision_record,
    adoption_decision_reversed,
    adoption_milestone_record,
    previous_permanence_record,
)
from .reviews_and_visits import lac_review_record, statutory_visit_recorded
from .uasc import uasc_record

__all__ = [
    "adoption_adopters_record",
    "adoption_decision_record",
    "adoption_decision_reversed",
    "adoption_milestone_record",
    "care_leaver_contact_record",
    "health_assessment_record",
    "health_record_for_year",
    "lac_review_record",
    "looked_after_change",
    "looked_after_end",
    "looked_after_start",
    "missing_episode_end",
    "missing_episode_record",
    "previous_permanence_record",
    "statutory_visit_recorded",
    "uasc_record",
]
