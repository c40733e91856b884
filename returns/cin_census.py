"""The children in need census (DfE), an XML file, made from the record.

One <Child> for every child with a children-in-need episode open on any day of the collection year (1 April to 31
March), one <CINdetails> for each such episode, with the assessments, child in need plans, section 47 enquiries and
child protection plans that were current in the year. Elements are written in the order of DfE's schema, which
is a sequence: the validators and DfE's own loader read them in that order.

How the record maps to the census (see returns/common.py for "as at 31 March"):
- LAchildID is the person's record number; UPN and FormerUPN come from the person's identifiers. Without a UPN,
  UPNunknown is UN6 for an unborn child, UN7 when every episode reported is a referral with no further action and
  UN1 for a child not yet of school age; otherwise it is left out and the validator asks for the UPN (8770Q).
- Sex is M, F or U (U for an unborn child); ethnicity NOBT when the record has none.
- Disabilities: written from Person.disabilities; a child whose disabilities are not yet recorded gets none, and rule
  8540 points at them (writing NONE would tell DfE the child has no disability, which nobody recorded).
- ReferralNFA is true for a referral closed without an assessment, enquiry, conference or plan. (The record's own
  `referral_nfa` flag is also set after an assessment that found no further action was needed; DfE counts those as
  referrals that went on to further action.)
- An assessment is reported unless it was authorised before the year began; its factors only once authorised
  (rule 8614). AssessmentInternalReviewDate is not recorded and is left out.
- A section 47 enquiry is reported unless it ended (conference held, or no conference needed) before the year.
  ICPCnotRequired is true when the enquiry ended without needing a conference (no further action, or concerns
  substantiated without a conference). Its initial conference date goes in the Section47 module; an initial
  conference with no enquiry (a transfer in) goes in CINdetails, never both (rule 2884).
- A child protection plan's latest category is the one decided at the last conference by 31 March; the number of
  previous plans counts the child's earlier plans in this authority. Reviews are the review conferences held in
  the year, including the one that ended the plan.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import (
    Assessment,
    ChildInNeedPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    CINEpisode,
    ConferenceKind,
    Section47Enquiry,
    Section47Outcome,
)
from people.models import Person

from .common import CollectionYear, NoDataError, Upns, check_year, ethnicity, sex, upn_unknown_reason, upns_by_person

SOFTWARE_CODE = "Casework"

# DfE's schema sequences, in order. Tests compare the tag names written against these.
CHILD_ORDER = ("ChildIdentifiers", "ChildCharacteristics", "CINdetails")
IDENTIFIERS_ORDER = (
    "LAchildID",
    "UPN",
    "FormerUPN",
    "UPNunknown",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "Sex",
    "PersonDeathDate",
)
CHARACTERISTICS_ORDER = ("Ethnicity", "Disabilities")
CINDETAILS_ORDER = (
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
    "Assessments",
    "CINPlanDates",
    "Section47",
    "ChildProtectionPlans",
)
ASSESSMENT_ORDER = (
    "AssessmentActualStartDate",
    "AssessmentInternalReviewDate",
    "AssessmentAuthorisationDate",
    "FactorsIdentifiedAtAssessment",
)
CIN_PLAN_ORDER = ("CINPlanStartDate", "CINPlanEndDate")
SECTION47_ORDER = ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
CP_PLAN_ORDER = (
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
    "Reviews",
)

NO_ICPC_OUTCOMES = (Section47Outcome.NO_FURTHER_ACTION, Section47Outcome.ICPC_NOT_REQUIRED)


def _d(day: date) -> str:
    return day.isoformat()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _add_if(parent: ET.Element, tag: str, value: str | date | None) -> None:
    if value is None or value == "":
        return
    _add(parent, tag, _d(value) if isinstance(value, date) else value)


# --- reading the record -------------------------------------------------------------------------------------------


@dataclass
class _Related:
    """Everything reported about a set of episodes, grouped by episode id."""

    assessments: dict[int, list[Assessment]]
    cin_plans: dict[int, list[ChildInNeedPlan]]
    enquiries: dict[int, list[Section47Enquiry]]
    initial_conference_of_enquiry: dict[int, ChildProtectionConference]
    loose_initial_conferences: dict[int, list[ChildProtectionConference]]
    cp_plans: dict[int, list[ChildProtectionPlan]]
    reviews: dict[int, list[ChildProtectionConference]]
    plan_starts_by_person: dict[int, list[date]]
    episodes_with_activity: set[int]


def _group(rows: Iterable, key: str) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in rows:
        out[getattr(row, key)].append(row)
    return out


def episodes_in_year(cy: CollectionYear) -> QuerySet[CINEpisode]:
    return CINEpisode.objects.filter(referral_date__lte=cy.end).filter(
        Q(closure_date__isnull=True) | Q(closure_date__gte=cy.start)
    )


def _load_related(cy: CollectionYear, episodes: QuerySet[CINEpisode]) -> _Related:
    end = cy.end
    assessments = Assessment.objects.filter(episode__in=episodes, started_on__lte=end).order_by("started_on", "id")
    cin_plans = ChildInNeedPlan.objects.filter(episode__in=episodes, started_on__lte=end).order_by("started_on", "id")
    enquiries = Section47Enquiry.objects.filter(episode__in=episodes, started_on__lte=end).order_by("started_on", "id")
    initial = ChildProtectionConference.objects.filter(
        episode__in=episodes, kind=ConferenceKind.INITIAL, held_on__lte=end
    ).order_by("held_on", "id")
    cp_plans = ChildProtectionPlan.objects.filter(episode__in=episodes, started_on__lte=end).order_by(
        "started_on", "id"
    )
    reviews = ChildProtectionConference.objects.filter(
        plan__episode__in=episodes, kind=ConferenceKind.REVIEW, held_on__lte=end
    ).order_by("held_on", "id")
    plan_starts = ChildProtectionPlan.objects.filter(person_id__in=episodes.values("person_id")).values_list(
        "person_id", "started_on"
    )

    assessments_list = list(assessments)
    cin_plans_list = list(cin_plans)
    enquiries_list = list(enquiries)
    initial_list = list(initial)
    cp_plans_list = list(cp_plans)
    starts: dict[int, list[date]] = defaultdict(list)
    for person_id, started in plan_starts:
        starts[person_id].append(started)
    activity: set[int] = set()
    for rows in (assessments_list, cin_plans_list, enquiries_list, initial_list, cp_plans_list):
        activity.update(row.episode_id for row in rows)
    return _Related(
        assessments=_group(assessments_list, "episode_id"),
        cin_plans=_group(cin_plans_list, "episode_id"),
        enquiries=_group(enquiries_list, "episode_id"),
        initial_conference_of_enquiry={c.enquiry_id: c for c in initial_list if c.enquiry_id is not None},
        loose_initial_conferences=_group([c for c in initial_list if c.enquiry_id is None], "episode_id"),
        cp_plans=_group(cp_plans_list, "episode_id"),
        reviews=_group(list(reviews), "plan_id"),
        plan_starts_by_person=dict(starts),
        episodes_with_activity=activity,
    )


# --- writing the XML ---------------------------------------------------------------------------------------------


def _header(message: ET.Element, cy: CollectionYear, generated_at: datetime, serial_no: int) -> None:
    header = _add(message, "Header")
    details = _add(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", str(cy.year))
    _add(details, "ReferenceDate", _d(cy.end))
    source = _add(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", str(settings.CASEWORK_LA_CODE))
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", _release())
    _add(source, "SerialNo", f"{serial_no:03d}")
    _add(source, "DateTime", timezone.localtime(generated_at).replace(tzinfo=None, microsecond=0).isoformat())


def _release() -> str:
    try:
        return version("casework")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout that was never installed
        return "0"


def _identifiers(child: ET.Element, cy: CollectionYear, person: Person, upns: Upns, all_nfa: bool) -> None:
    born = cy.known(person.date_of_birth)
    unborn = born is None
    identifiers = _add(child, "ChildIdentifiers")
    _add(identifiers, "LAchildID", str(person.pk))
    _add_if(identifiers, "UPN", upns.upn)
    _add_if(identifiers, "FormerUPN", upns.former_upn)
    if not upns.upn:
        _add_if(identifiers, "UPNunknown", upn_unknown_reason(cy, person, unborn, all_nfa))
    _add_if(identifiers, "PersonBirthDate", born)
    if unborn:
        # Born after 31 March, the child was unborn at the reference date: the birth date stands in for the
        # expected one, which the record no longer holds.
        _add_if(identifiers, "ExpectedPersonBirthDate", person.expected_date_of_birth or person.date_of_birth)
    _add(identifiers, "Sex", sex(person, unborn=unborn))
    _add_if(identifiers, "PersonDeathDate", cy.known(person.date_of_death))


def _characteristics(child: ET.Element, person: Person) -> None:
    characteristics = _add(child, "ChildCharacteristics")
    _add(characteristics, "Ethnicity", ethnicity(person))
    if person.disabilities:
        disabilities = _add(characteristics, "Disabilities")
        for code in person.disabilities:
            _add(disabilities, "Disability", code)


def _is_referral_nfa(cy: CollectionYear, episode: CINEpisode, related: _Related) -> bool:
    return cy.known(episode.closure_date) is not None and episode.pk not in related.episodes_with_activity


def _enquiry_ended(
    cy: CollectionYear, enquiry: Section47Enquiry, icpc: ChildProtectionConference | None
) -> date | None:
    if icpc is not None:
        return icpc.held_on
    if enquiry.outcome in NO_ICPC_OUTCOMES:
        return cy.known(enquiry.completed_on)
    return None


def _latest_category(plan: ChildProtectionPlan, reviews: list[ChildProtectionConference]) -> str:
    category = plan.initial_category
    for review in reviews:
        if review.category:
            category = review.category
    return category


def _cin_details(child: ET.Element, cy: CollectionYear, episode: CINEpisode, related: _Related, nfa: bool) -> None:
    details = _add(child, "CINdetails")
    _add(details, "CINreferralDate", _d(episode.referral_date))
    _add(details, "ReferralSource", episode.referral_source)
    _add_if(details, "PrimaryNeedCode", episode.primary_need)
    closed = cy.known(episode.closure_date)
    _add_if(details, "CINclosureDate", closed)
    if closed:
        _add_if(details, "ReasonForClosure", episode.closure_reason)
    loose = [c for c in related.loose_initial_conferences.get(episode.pk, []) if cy.contains(c.held_on)]
    if loose:
        _add(details, "DateOfInitialCPC", _d(loose[-1].held_on))
    _add(details, "ReferralNFA", _bool(nfa))

    for assessment in related.assessments.get(episode.pk, []):
        authorised = cy.known(assessment.authorised_on)
        if authorised is not None and authorised < cy.start:
            continue
        block = _add(details, "Assessments")
        _add(block, "AssessmentActualStartDate", _d(assessment.started_on))
        _add_if(block, "AssessmentAuthorisationDate", authorised)
        if authorised is not None and assessment.factors:
            factors = _add(block, "FactorsIdentifiedAtAssessment")
            for factor in assessment.factors:
                _add(factors, "AssessmentFactors", factor)

    for cin_plan in related.cin_plans.get(episode.pk, []):
        ended = cy.known(cin_plan.ended_on)
        if not cy.overlaps(cin_plan.started_on, ended):
            continue
        block = _add(details, "CINPlanDates")
        _add(block, "CINPlanStartDate", _d(cin_plan.started_on))
        _add_if(block, "CINPlanEndDate", ended)

    for enquiry in related.enquiries.get(episode.pk, []):
        icpc = related.initial_conference_of_enquiry.get(enquiry.pk)
        ended = _enquiry_ended(cy, enquiry, icpc)
        if ended is not None and ended < cy.start:
            continue
        block = _add(details, "Section47")
        _add(block, "S47ActualStartDate", _d(enquiry.started_on))
        _add(block, "InitialCPCtarget", _d(enquiry.icpc_due_on))
        _add_if(block, "DateOfInitialCPC", icpc.held_on if icpc else None)
        not_required = icpc is None and enquiry.outcome in NO_ICPC_OUTCOMES and cy.known(enquiry.completed_on)
        _add(block, "ICPCnotRequired", _bool(bool(not_required)))

    for plan in related.cp_plans.get(episode.pk, []):
        ended = cy.known(plan.ended_on)
        if not cy.overlaps(plan.started_on, ended):
            continue
        reviews = related.reviews.get(plan.pk, [])
        block = _add(details, "ChildProtectionPlans")
        _add(block, "CPPstartDate", _d(plan.started_on))
        _add_if(block, "CPPendDate", ended)
        _add(block, "InitialCategoryOfAbuse", plan.initial_category)
        _add(block, "LatestCategoryOfAbuse", _latest_category(plan, reviews))
        previous = sum(1 for day in related.plan_starts_by_person.get(plan.person_id, []) if day < plan.started_on)
        _add(block, "NumberOfPreviousCPP", str(previous))
        in_year = [r for r in reviews if cy.contains(r.held_on)]
        if in_year:
            dates = _add(block, "Reviews")
            for review in in_year:
                _add(dates, "CPPreviewDate", _d(review.held_on))


def build_cin_census(
    year: int,
    *,
    generated_at: datetime | None = None,
    serial_no: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """The CIN census for the collection year ending 31 March `year`, as UTF-8 XML. Raises NoDataError when no child
    had children-in-need activity that year, ReturnError for a year that cannot be reported.

    `progress(done, total, stage)`, if given, is called as the census is made: the stage in words, and the children
    done out of the total (0 of 0 until the children are known), once for each child while they are written."""

    def report(done: int, total: int, stage: str) -> None:
        if progress is not None:
            progress(done, total, stage)

    cy = check_year(year)
    report(0, 0, f"Finding the children in need in {cy.label}")
    episodes = episodes_in_year(cy)
    rows = list(episodes.select_related("person").order_by("person_id", "referral_date", "id"))
    if not rows:
        raise NoDataError(f"No children had children-in-need activity in {cy.label}")
    total = len({e.person_id for e in rows})
    report(0, total, "Reading their assessments, plans, enquiries and conferences")
    related = _load_related(cy, episodes)
    upns = upns_by_person({e.person_id for e in rows})

    message = ET.Element("Message")
    _header(message, cy, generated_at or timezone.now(), serial_no)
    children = _add(message, "Children")
    by_person: dict[int, list[CINEpisode]] = defaultdict(list)
    for episode in rows:
        by_person[episode.person_id].append(episode)
    for done, person_episodes in enumerate(by_person.values()):
        report(done, total, "Writing each child's record")
        person = person_episodes[0].person
        nfa = {e.pk: _is_referral_nfa(cy, e, related) for e in person_episodes}
        child = _add(children, "Child")
        _identifiers(child, cy, person, upns.get(person.pk, Upns()), all(nfa.values()))
        _characteristics(child, person)
        for episode in person_episodes:
            _cin_details(child, cy, episode, related, nfa[episode.pk])
    report(total, total, "Writing the census file")
    ET.indent(message)
    return ET.tostring(message, encoding="utf-8", xml_declaration=True) + b"\n"
