"""Every statutory timescale, and the arithmetic of the local-policy ones. Pure: dates in, dates out, no database.

Statutory timescales are fixed by law and guidance and are constants here: Working Together to Safeguard Children
2023; the Care Planning, Placement and Case Review (England) Regulations 2010; the statutory guidance on promoting the
health of looked-after children; the SSDA903 guide for care leavers (OC3). Local-policy intervals (visits to a child
on a plan, child in need plan reviews) are the authority's settings: `cases.services.tasks.local_policy` reads them
and passes them in, with `POLICY_DEFAULTS` when none is set.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from core.dates import add_working_days, age_on, birthday

# --- children in need and child protection (Working Together 2023) ----------------------------------------------

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


def cp_visit_due(last_visit: date, interval_working_days: int) -> date:
    """The next visit to a child on a child protection plan, at the authority's interval (`local_policy`)."""
    return add_working_days(last_visit, interval_working_days)


def cin_review_due(last: date, interval_months: int) -> date:
    """The next child in need plan review, at the authority's interval (`local_policy`)."""
    return last + relativedelta(months=interval_months)


# --- looked after (Care Planning, Placement and Case Review (England) Regulations 2010) --------------------

# Children Act 1989 s.46(6): no child may be kept in police protection (legal status L1) for more than 72 hours
# (SSDA903 rule 361 counts the days from its start to the change that ends it).
POLICE_PROTECTION_MAX_DAYS = 3
FIRST_VISIT_DAYS = 7  # reg 28(2)(a): within one week of the start of a placement
FIRST_YEAR_VISIT_WEEKS = 6  # reg 28(2)(b): then at most every six weeks in the placement's first year
LONG_TERM_VISIT_MONTHS = 3  # reg 28(2)(c)(i): then at most every three months if the placement is to last until 18
OTHER_VISIT_WEEKS = 6  # reg 28(2)(c)(ii): otherwise at most every six weeks
INITIAL_HEALTH_ASSESSMENT_WORKING_DAYS = 20  # statutory guidance on promoting the health of looked-after children
# OC3 asks about the young person's situation around their 17th to 21st birthdays: contact from three months before
# to one month after the birthday counts for that birthday.
OC3_BIRTHDAYS = range(17, 22)
OC3_MONTHS_BEFORE = 3
OC3_MONTHS_AFTER = 1
CARE_LEAVER_MIN_AGE = 16
CARE_LEAVER_MAX_AGE = 25
SDQ_MIN_AGE = 4
SDQ_MAX_AGE = 17  # age on 31 March: a child who turned 17 in the year still has an SDQ (rule 197B)
SDQ_MAX_SCORE = 40


def first_lac_review_due(started: date) -> date:
    return add_working_days(started, FIRST_LAC_REVIEW_WORKING_DAYS)


def lac_review_due(last_review: date, *, first: bool) -> date:
    """The next review after `last_review`: within 3 months of the first review, then at most every 6 months."""
    months = SECOND_LAC_REVIEW_MONTHS if first else LATER_LAC_REVIEW_MONTHS
    return last_review + relativedelta(months=months)


def first_placement_visit_due(placement_started: date) -> date:
    return placement_started + timedelta(days=FIRST_VISIT_DAYS)


def initial_health_assessment_due(started: date) -> date:
    return add_working_days(started, INITIAL_HEALTH_ASSESSMENT_WORKING_DAYS)


def review_health_assessment_due(born: date, assessed_on: date) -> date:
    """Statutory guidance (Promoting the health and wellbeing of looked-after children, 2015): review health
    assessments every 6 months before the 5th birthday, then every 12 months."""
    return assessed_on + relativedelta(months=6 if age_on(born, assessed_on) < 5 else 12)


def oc3_birthday(born: date, contact_on: date) -> int | None:
    """The 17th to 21st birthday a contact on `contact_on` counts for: from 3 months before to 1 month after it."""
    for years in OC3_BIRTHDAYS:
        day = birthday(born, years)
        if day - relativedelta(months=OC3_MONTHS_BEFORE) <= contact_on <= day + relativedelta(months=OC3_MONTHS_AFTER):
            return years
    return None


RE_REFERRAL_MONTHS = 12
PRE_BIRTH_DAYS = 280  # a referral can come up to 40 weeks before a child's (expected) birth
TRANSFER_IN_CONFERENCE_WORKING_DAYS = 15  # Working Together 2023: within 15 working days of notification


# --- urgency --------------------------------------------------------------------------------------------------------

RAG_WORDS = {
    "red": "Overdue: the decision was due before today",
    "amber": "Due today",
    "green": "Due after today",
}
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


def rag(due_on: date, today: date) -> str:
    """The RAG rating of work due on `due_on`: red when overdue (due before today, the one definition of overdue,
    the same as `cases.models.TaskQuerySet.overdue`), amber when due today, green when due later."""
    if due_on < today:
        return "red"
    return "amber" if due_on == today else "green"
