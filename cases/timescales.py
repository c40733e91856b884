"""Statutory timescales (fixed by law and guidance, not configurable) and local-policy ones (TimescalePolicy).

Working Together to Safeguard Children 2023; Care Planning, Placement and Case Review (England) Regulations 2010.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from core.dates import add_working_days

from .models import TimescalePolicy

CONTACT_DECISION_WORKING_DAYS = 1
ASSESSMENT_WORKING_DAYS = 45
ICPC_WORKING_DAYS = 15  # from the strategy discussion that started the section 47 enquiry
FIRST_CORE_GROUP_WORKING_DAYS = 10  # from the initial conference
FIRST_CP_REVIEW_MONTHS = 3
LATER_CP_REVIEW_MONTHS = 6
FIRST_LAC_REVIEW_WORKING_DAYS = 20
SECOND_LAC_REVIEW_MONTHS = 3
LATER_LAC_REVIEW_MONTHS = 6

POLICY_DEFAULTS = {"cp_visit_interval": 10, "cin_review_interval": 3}


def policy(key: str) -> int:
    """A local-policy interval: the authority's setting, or the default shown in the guidance."""
    row = TimescalePolicy.objects.filter(key=key).first()
    return row.value if row else POLICY_DEFAULTS[key]


def contact_decision_due(received: date) -> date:
    return add_working_days(received, CONTACT_DECISION_WORKING_DAYS)


def assessment_due(referral: date) -> date:
    return add_working_days(referral, ASSESSMENT_WORKING_DAYS)


def icpc_due(strategy_discussion: date) -> date:
    return add_working_days(strategy_discussion, ICPC_WORKING_DAYS)


def first_core_group_due(icpc: date) -> date:
    return add_working_days(icpc, FIRST_CORE_GROUP_WORKING_DAYS)


def cp_review_due(last_conference: date, *, first: bool) -> date:
    return last_conference + relativedelta(months=FIRST_CP_REVIEW_MONTHS if first else LATER_CP_REVIEW_MONTHS)


def cp_visit_due(last_visit: date) -> date:
    return add_working_days(last_visit, policy("cp_visit_interval"))


def cin_review_due(last: date) -> date:
    return last + relativedelta(months=policy("cin_review_interval"))
