"""The children's journey, step by step, as services: one module per stage (front door, allocation, assessment,
protection, child in need, closure, visits, looked after by subject), on one kernel (`kernel`: today, noon, the
not-in-the-future and manager checks, the audit-and-chronology tail) and one task module (`tasks`: opening,
completing and cancelling tasks, and the one rule for which team owns a task). Rules that need no database live in
`cases.rules`.

Each service enforces the order of the journey and its dates, refuses anything else with a RuleError that says what
to do instead, and writes its rows, a chronology entry, its tasks and an audit event in one transaction.

Who may call: the caller checks that the user may see the child (accounts.access); services themselves refuse
manager-only steps (deciding contacts, allocating, authorising, closing, starting and ending care) for anyone who is
not a team manager or administrator, because that rule belongs to the step, not to a page.

Every public service is importable from here: `from cases import services; services.referral_create(...)`.
"""

from __future__ import annotations

from .allocation import allocate, reviewing_officer_assign
from .assessment import (
    assessment_authorise,
    assessment_record,
    assessment_return,
    assessment_start,
    assessment_submit,
)
from .child_in_need import authorised_outcome, cin_plan_end, cin_plan_review_record, cin_plan_start
from .closure import episode_close, left_care_at_16_or_over
from .front_door import contact_decide, contact_record, referral_create, transfer_in
from .looked_after import (
    adoption_adopters_record,
    adoption_decision_record,
    adoption_decision_reversed,
    adoption_milestone_record,
    care_leaver_contact_record,
    health_assessment_record,
    health_record_for_year,
    lac_review_record,
    looked_after_change,
    looked_after_end,
    looked_after_start,
    missing_episode_end,
    missing_episode_record,
    previous_permanence_record,
    statutory_visit_recorded,
    uasc_record,
)
from .protection import (
    core_group_record,
    cp_visit_recorded,
    initial_conference_record,
    review_conference_record,
    section47_complete,
    strategy_discussion_record,
)
from .visits import visit_record

__all__ = [
    "adoption_adopters_record",
    "adoption_decision_record",
    "adoption_decision_reversed",
    "adoption_milestone_record",
    "allocate",
    "assessment_authorise",
    "assessment_record",
    "assessment_return",
    "assessment_start",
    "assessment_submit",
    "authorised_outcome",
    "care_leaver_contact_record",
    "cin_plan_end",
    "cin_plan_review_record",
    "cin_plan_start",
    "contact_decide",
    "contact_record",
    "core_group_record",
    "cp_visit_recorded",
    "episode_close",
    "health_assessment_record",
    "health_record_for_year",
    "initial_conference_record",
    "lac_review_record",
    "left_care_at_16_or_over",
    "looked_after_change",
    "looked_after_end",
    "looked_after_start",
    "missing_episode_end",
    "missing_episode_record",
    "previous_permanence_record",
    "referral_create",
    "review_conference_record",
    "reviewing_officer_assign",
    "section47_complete",
    "statutory_visit_recorded",
    "strategy_discussion_record",
    "transfer_in",
    "uasc_record",
    "visit_record",
]
