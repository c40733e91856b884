"""The data quality page: the issues DfE's rules found in the year's latest checked returns, each with the child and
a link to where the record is put right; and how a validator's table and fields map to the record.

The deliberate error: a child protection plan starting a week before the conference that decided it. The services
refuse to record that, rightly, so the test writes the bad date straight into the row, as a migration from an old
system might have; DfE's rule 2885 (plan starting on a different day from its initial conference) then names the
child, and the page links to their plan.
"""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import User
from cases import services as cin
from cases.models import ChildProtectionPlan
from conftest import client_for
from core.testing import Queries, assert_same_query_count, count_queries
from people.models import Person
from people.tests.factories import grant, person
from returns import services
from returns.models import DataQualityIssue, ReturnKind, ReturnRun, ValidationOutcome
from returns.validate import Issue, ValidationReport, validators_installed, where_to_fix

from .journeys import YEAR, cp_plan, make_staff
from .test_views import finished_run, run_queued_tasks, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def child_with_plan_before_conference() -> tuple[Person, ChildProtectionPlan]:
    """A child protection plan recorded (as legacy data) as starting on 12 September 2025, a week before the initial
    conference of 19 September that decided it."""
    worker, _, manager, team = make_staff()
    child = person("Erin", "Lowe", date(2016, 4, 2), sex="F", ethnicity="WBRI")
    episode = cin.referral_create(
        actor=manager, person=child, referral_date=date(2025, 9, 1), source="6", primary_need="N1", team=team
    )
    plan = cp_plan(worker, episode, date(2025, 9, 3), date(2025, 9, 19), "NEG")
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(started_on=date(2025, 9, 12))
    plan.refresh_from_db()
    return child, plan


# --- the deliberate error, through DfE's own rules -------------------------------------------------------------


@pytest.mark.validators
@pytest.mark.skipif(
    not validators_installed(), reason="DfE validators not installed: run scripts/install-validators.sh"
)
def test_plan_starting_before_its_conference_is_on_the_data_quality_page_with_a_link_to_the_plan(
    pat, returns_dir, django_capture_on_commit_callbacks
):
    child, plan = child_with_plan_before_conference()
    assert plan.started_on < plan.initial_conference.held_on

    run = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    assert run_queued_tasks() == 1
    run.refresh_from_db()
    assert (run.status, run.validation) == ("done", ValidationOutcome.CHECKED)
    assert run.error_count >= 1 and run.children_with_errors == 1

    page = pat.get(f"/returns/data-quality?year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200
    issue = DataQualityIssue.objects.get(run=run, rule="2885", table="ChildProtectionPlans")
    assert issue.person == child and issue.fields == ["CPPstartDate"]
    assert "Child protection plan shown as starting a different day to the initial child protection conference" in html
    fix = f"/people/{child.pk}?type=conference&amp;type=plan#chronology"
    assert f'<a class="govuk-link" href="{fix}">Child protection plan: start date' in html
    assert f'<a class="govuk-link" href="/people/{child.pk}">Erin Lowe</a>' in html
    # The rule's count, and the filter to it.
    only = pat.get(f"/returns/data-quality?year={YEAR}&rule=2885").content.decode()
    rows = only.split('id="issue-list"')[1]
    assert (
        rows.count('<td class="govuk-table__cell">2885 ')
        == DataQualityIssue.objects.filter(run=run, rule="2885").count()
    )
    assert "2887Q" not in rows  # the return-level query about disabilities is filtered out

    # The run page lists the rule and links to it on the data quality page.
    run_page = pat.get(f"/returns/runs/{run.pk}").content.decode()
    assert f"/returns/data-quality?year={YEAR}&amp;return=cin&amp;rule=2885" in run_page

    # The fix link leads to the plan's entries in the child's chronology.
    chronology = pat.get(f"/people/{child.pk}?type=conference&type=plan").content.decode()
    assert "Initial child protection conference: child protection plan" in chronology


# --- the page, from recorded results ---------------------------------------------------------------------------


def report(*issues: Issue) -> ValidationReport:
    return ValidationReport(
        validator="csc-validator-be-cin", version="0.1.13", ruleset="cin2025_26", rules=109, issues=list(issues)
    )


def plan_issue(person_id: int, rule: str = "2885") -> Issue:
    return Issue(
        rule=rule,
        message="Child protection plan shown as starting a different day to the initial child protection conference.",
        child_id=str(person_id),
        table="ChildProtectionPlans",
        fields=("CPPstartDate",),
    )


def checked_run(performance: User, *issues: Issue, year: int = YEAR, kind: str = ReturnKind.CIN_CENSUS) -> ReturnRun:
    run = finished_run(performance, kind=kind, year=year)
    services.return_run_validation_record(run=run, outcome=ValidationOutcome.CHECKED, report=report(*issues))
    return run


def test_page_lists_the_latest_checked_run_only(pat, performance):
    a = person("Asha", "Begum", date(2015, 1, 1))
    b = person("Ben", "Cole", date(2015, 1, 1))
    checked_run(performance, plan_issue(a.pk))
    latest = checked_run(performance, plan_issue(b.pk))
    html = pat.get(f"/returns/data-quality?year={YEAR}").content.decode()
    assert "Ben Cole" in html and "Asha Begum" not in html  # Asha's plan was put right before the last check
    assert f"/returns/runs/{latest.pk}" in html


def test_default_year_is_the_one_last_checked(pat, performance):
    checked_run(performance, plan_issue(person("Asha", "Begum", date(2015, 1, 1)).pk), year=YEAR)
    html = pat.get("/returns/data-quality").content.decode()
    assert "Data quality: 2025-26" in html and "Asha Begum" in html


def test_no_checked_return_says_so(pat):
    html = pat.get(f"/returns/data-quality?year={YEAR}").content.decode()
    assert "No return for 2025-26 has been checked with DfE's rules yet" in html


def test_unknown_year_is_not_found(pat):
    assert pat.get("/returns/data-quality?year=1999").status_code == 404
    assert pat.get("/returns/data-quality?year=next").status_code == 404


def test_filter_by_rule_and_counts(pat, performance):
    people = [person("Child", f"Number{i}", date(2015, 1, 1)) for i in range(3)]
    checked_run(
        performance,
        plan_issue(people[0].pk),
        plan_issue(people[1].pk),
        Issue(
            rule="8840",
            message="Child Protection Plan cannot start and end on the same day",
            child_id=str(people[2].pk),
            table="ChildProtectionPlans",
            fields=("CPPstartDate", "CPPendDate"),
        ),
        Issue(rule="2887Q", message="Fewer than 8 disability codes", severity="query"),
    )
    page = pat.get(f"/returns/data-quality?year={YEAR}")
    counts = page.content.decode().split('id="rule-counts"')[1].split("</table>")[0]
    assert counts.index("2885") < counts.index("8840") < counts.index("2887Q")  # errors first, then queries
    assert "4 issues, of which 3 errors" in page.content.decode()
    only = pat.get(f"/returns/data-quality?year={YEAR}&rule=8840").content.decode()
    listed = only.split('id="issue-list"')[1]
    assert "Number2" in listed and "Number0" not in listed and "Number1" not in listed
    assert "Child protection plan: start date, end date" in listed
    whole = pat.get(f"/returns/data-quality?year={YEAR}&rule=2887Q").content.decode().split('id="issue-list"')[1]
    assert "The whole return" in whole and '<a class="govuk-link" href="/people/' not in whole


def test_restricted_child_is_not_named_to_a_user_without_a_grant(pat, performance):
    secret = person("Hidden", "Person", date(2015, 1, 1), is_restricted=True)
    checked_run(performance, plan_issue(secret.pk))
    html = pat.get(f"/returns/data-quality?year={YEAR}").content.decode()
    assert "Hidden Person" not in html and "A person whose record is restricted" in html
    assert f"Record {secret.pk}" not in html and f"/people/{secret.pk}" not in html  # nor its record number
    grant(secret, performance, reason="Data quality")
    assert "Hidden Person" in pat.get(f"/returns/data-quality?year={YEAR}").content.decode()


def test_page_reads_a_fixed_number_of_queries_whatever_the_number_of_issues(pat, performance):
    def count(n: int) -> Queries:
        people = [person("Child", f"Many{n}x{i}", date(2015, 1, 1)) for i in range(n)]
        checked_run(performance, *[plan_issue(p.pk) for p in people])
        with count_queries() as queries:
            assert pat.get(f"/returns/data-quality?year={YEAR}").status_code == 200
        return queries

    assert_same_query_count(count(2), count(30), labels=("with 2 issues", "with 30 issues"))


def test_social_worker_and_outsider_are_refused(alice, charlie):
    for user in (alice, charlie):
        assert client_for(user).get(f"/returns/data-quality?year={YEAR}").status_code == 403


# --- where to put it right ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "fields", "record", "label", "url"),
    [
        (
            "ChildProtectionPlans",
            ("CPPstartDate",),
            "Child protection plan",
            "start date",
            "/people/7?type=conference&type=plan#chronology",
        ),
        (
            "Section47",
            ("DateOfInitialCPC",),
            "Initial child protection conference",
            "date",
            "/people/7?type=conference#chronology",
        ),
        (
            "Section47",
            ("S47ActualStartDate", "DateOfInitialCPC"),
            "Section 47 enquiry",
            "start date",
            "/people/7?type=strategy&type=section_47#chronology",
        ),
        (
            "CINdetails",
            ("CINreferralDate", "CINclosureDate"),
            "Referral",
            "referral date, closure date",
            "/people/7?type=referral&type=closure#chronology",
        ),
        (
            "ChildIdentifiers",
            ("PersonBirthDate",),
            "Personal details",
            "date of birth",
            "/people/7/edit#id_date_of_birth",
        ),
        ("ChildIdentifiers", ("UPN",), "Identifiers (UPN)", "UPN", "/people/7/identifiers/new?type=upn"),
        (
            "ChildIdentifiers",
            ("UPNunknown",),
            "Identifiers (UPN)",
            "reason UPN unknown",
            "/people/7/identifiers/new?type=upn",
        ),
        (
            "ChildIdentifiers",
            ("FormerUPN",),
            "Identifiers (UPN)",
            "former UPN",
            "/people/7/identifiers/new?type=former_upn",
        ),
        ("Header", ("UPN",), "Identifiers (UPN)", "UPN", "/people/7/identifiers/new?type=upn"),
        ("Disabilities", ("Disability",), "Personal details", "disabilities", "/people/7/edit#id_disabilities_0"),
        ("Header", ("SEX",), "Personal details", "sex", "/people/7/edit#id_sex_0"),
        ("Header", ("MOTHER", "MC_DOB"), "Family and household", "is a mother, her child's date of birth", "/people/7"),
        (
            "Episodes",
            ("DECOM", "DOB"),
            "Period of care (looked after)",
            "episode start date",
            "/people/7?type=looked_after#chronology",
        ),
        ("Reviews", ("REVIEW",), "Looked-after review", "date", "/people/7?type=looked_after#chronology"),
        (
            "Reviews",
            ("CPPreviewDate",),
            "Child protection review conference",
            "date",
            "/people/7?type=conference#chronology",
        ),
        (
            "SWEpisodes",
            ("SW_REASON",),
            "Allocated worker (social worker episode)",
            "reason for change",
            "/people/7?type=allocation#chronology",
        ),
        (
            "OC2",
            ("DOB", "SDQ_SCORE"),
            "Health record for the year",
            "SDQ score",
            "/people/7?type=looked_after#chronology",
        ),
    ],
)
def test_where_to_fix_maps_the_validators_fields_to_the_record(table, fields, record, label, url):
    fix = where_to_fix(Issue(rule="X", message="", child_id="7", table=table, fields=fields))
    assert (fix.record, fix.fields, fix.url) == (record, label, url)


def test_issue_about_the_whole_return_has_no_page():
    fix = where_to_fix(Issue(rule="2887Q", message="", severity="query"))
    assert (fix.record, fix.url) == ("The whole return", None)


def test_child_not_in_the_record_is_kept_without_a_link(performance):
    run = checked_run(performance, plan_issue(999999))
    issue = DataQualityIssue.objects.get(run=run)
    assert (issue.child_id, issue.person_id, issue.fix_url) == ("999999", None, "")


def test_an_error_the_record_shows_to_be_a_tool_false_positive_is_marked_not_counted(pat, performance):
    from cases import services as lac

    from .journeys import FOSTER, start_care

    _, _, manager, _ = make_staff()
    leaver = person("Kaya", "Doyle", date(2005, 6, 10))  # in care 2020 to 2023: before the two years the tool sees
    start_care(manager, leaver, date(2020, 9, 1), "C2", FOSTER)
    lac.looked_after_end(actor=manager, person=leaver, ended_on=date(2023, 6, 10), reason_ceased="E5")
    other = person("Ben", "Cole", date(2015, 1, 1))
    run = checked_run(
        performance,
        Issue(rule="1002", message="This child has no previous episodes of care", child_id=str(leaver.pk), table="OC3"),
        Issue(rule="1002", message="This child has no previous episodes of care", child_id=str(other.pk), table="OC3"),
        kind=ReturnKind.SSDA903,
    )
    run.refresh_from_db()
    assert run.error_count == 1 and run.children_with_errors == 1  # Ben's stays an error: he was never looked after
    explained = DataQualityIssue.objects.get(run=run, person=leaver)
    assert explained.severity == "explained" and "Looked after from 1 September 2020" in explained.evidence
    html = pat.get(f"/returns/data-quality?year={YEAR}").content.decode()
    assert "Not an error: checked" in html
    assert "false positive of the local validator: Looked after from 1 September 2020" in html
