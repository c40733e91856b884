"""Issue 9, what managers, social workers and reviewing officers met in their first hour: the journey panel offers
only what this user may do for this person, "due next" and overdue mean one thing everywhere, and managers' and
reviewing officers' pages."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, Team, TeamKind
from cases import services
from cases.models import Contact, Task, TaskKind
from cases.selectors import contact_counts, contact_queue, due_tasks, journey_summary, team_dashboard
from cases.tests.services.helpers import at
from conftest import client_for, make_user
from core import testing
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]
TODAY = timezone.localdate()


def record(path_client, child):
    return path_client.get(reverse("people:detail", args=[child.pk])).content.decode()


def panel(html):
    return html.split('id="journey"', 1)[1].split("cw-chronology", 1)[0]


def next_steps(html):
    return html.split('id="next-steps"', 1)[1].split("</ul>", 1)[0] if 'id="next-steps"' in html else ""


@pytest.fixture
def submitted(alice, manager, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    services.allocate(actor=manager, person=child, worker=alice, started_on=date(2026, 1, 5), reason="New")
    a = services.assessment_start(actor=alice, episode=episode, started_on=date(2026, 1, 6))
    services.assessment_record(actor=alice, assessment=a, factors=["3A"], summary="Found", outcome="cin_plan")
    services.assessment_submit(actor=alice, assessment=a, submitted_on=date(2026, 1, 20))
    return child, a


def test_next_steps_are_open_and_a_social_worker_is_not_offered_the_managers_step(submitted, alice, manager):
    child, _ = submitted
    worker_html, manager_html = record(client_for(alice), child), record(client_for(manager), child)
    assert "govuk-details" not in worker_html.split('id="journey"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "Record a strategy discussion" in next_steps(worker_html)
    assert "Authorise the assessment" not in next_steps(worker_html)
    assert "Reallocate" not in next_steps(worker_html) and "Close the case" not in next_steps(worker_html)
    assert "Authorise the assessment" in next_steps(manager_html)
    # and the page itself still refuses her
    r = client_for(alice).get(reverse("cases:step", args=[child.pk, "assessment-authorise"]))
    assert r.status_code == 403


def test_business_support_is_offered_contacts_only(submitted, support):
    child, _ = submitted
    html = record(client_for(support), child)
    assert next_steps(html) == "" and "Record a contact" in html


def test_due_next_is_one_selector_and_a_workers_leaves_out_the_managers_task(submitted, alice, manager):
    child, _ = submitted
    assert TaskKind.ASSESSMENT_AUTHORISATION in {t.kind for t in due_tasks(manager=True).filter(person=child)}
    assert TaskKind.ASSESSMENT_AUTHORISATION not in {t.kind for t in due_tasks(manager=False).filter(person=child)}
    panel = journey_summary(child, manager=False).tasks
    assert [t.pk for t in panel] == [t.pk for t in due_tasks(manager=False).filter(person=child)]
    caseload = client_for(alice).get(reverse("cases:caseload")).content.decode()
    worker_record = record(client_for(alice), child)
    assert "Authorise assessment" not in caseload and "Authorise assessment" not in worker_record
    assert "Authorise assessment" in record(client_for(manager), child)


def test_after_the_initial_conference_the_panel_no_longer_asks_for_one(alice, manager, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    episode = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    services.strategy_discussion_record(
        actor=alice, episode=episode, held_on=date(2026, 3, 3), agencies="Police", start_section_47=True
    )
    enquiry = episode.section47_enquiries.get()
    services.section47_complete(actor=alice, enquiry=enquiry, completed_on=date(2026, 3, 10), outcome="icpc")
    html = panel(record(client_for(alice), child))
    assert "initial child protection conference required" in html and "Record the initial conference" in html
    services.initial_conference_record(actor=alice, enquiry=enquiry, held_on=date(2026, 3, 20), plan_needed=False)
    html = panel(record(client_for(alice), child))
    assert "initial child protection conference required" not in html
    assert "initial conference held 20 March 2026" in html
    assert "Record the initial conference" not in html and "Hold initial child protection conference" not in html


def test_an_adults_record_offers_no_childrens_journey(alice):
    adult = person("Pat", "Jones", date(1980, 5, 1))
    html = record(client_for(alice), adult)
    assert "Children's social care" not in html and "Record a contact" not in html
    r = client_for(alice).get(reverse("cases:step", args=[adult.pk, "referral"]), follow=True)
    assert "Pat Jones is 46 years old. Children&#x27;s social care works with children under 18" in r.content.decode()
    yesterday = timezone.localdate() - timedelta(days=1)
    r = client_for(alice).post(
        reverse("cases:contact_add", args=[adult.pk]),
        {"day_0": yesterday.day, "day_1": yesterday.month, "day_2": yesterday.year, "source": "1B", "concern": "x"},
    )
    assert "Pat Jones was 46 years old on" in r.content.decode() and not Contact.objects.exists()


def test_a_care_leaver_keeps_leaving_care_steps_only(alice, manager):
    from cases.tests.services.helpers import start

    young = person("Kai", "Brown", TODAY - timedelta(days=365 * 20 + 10))
    start(manager, young, TODAY - timedelta(days=365 * 4))
    services.looked_after_end(
        actor=manager, person=young, ended_on=TODAY - timedelta(days=365 * 2), reason_ceased="E41"
    )
    html = record(client_for(manager), young)
    steps = next_steps(html)
    assert "Children's social care" in html
    assert "Record contact with a care leaver" in steps or "care-leaver-contact" in steps
    assert "Make a referral" not in steps and "Start a period of care" not in steps


def contacts(alice):
    """Five contacts: two overdue (received 3 and 2 working days ago), one due today, two due later."""
    kids = [person(f"Kid{i}", "Hughes", TODAY - timedelta(days=400 * (i + 1))) for i in range(5)]
    for child, days in zip(kids, [10, 6, 1, 0, 0], strict=True):
        services.contact_record(
            actor=alice,
            person=child,
            received_at=min(at(TODAY - timedelta(days=days)), timezone.now()),
            source="1B",
            concern="Worry",
        )
    # Due dates are what the timescale gives; set them plainly so the test does not hang on the calendar.
    for contact, due in zip(
        Contact.objects.order_by("person__given_name"),
        [TODAY - timedelta(days=3), TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1), TODAY + timedelta(2)],
        strict=True,
    ):
        Task.objects.filter(kind=TaskKind.CONTACT_DECISION, source_id=contact.pk).update(due_on=due)
    return kids


def test_one_definition_of_overdue_for_the_contact_queue_and_the_team_dashboard(alice, manager, team_a):
    contacts(alice)
    queue = contact_queue(TODAY, manager)
    assert queue.overdue == 2 == contact_counts(TODAY, manager)[1] == team_dashboard(team_a, manager).contacts_overdue
    assert queue.overdue == Task.objects.overdue(TODAY).filter(kind=TaskKind.CONTACT_DECISION).count()
    assert [r.rag for r in queue.rows] == ["red", "red", "amber", "green", "green"]
    assert [r.contact.person.given_name for r in queue.rows] == ["Kid0", "Kid1", "Kid2", "Kid3", "Kid4"]
    page = client_for(manager).get(reverse("cases:contact_queue")).content.decode()
    assert "5 waiting: 2 overdue, 1 due today." in page
    dashboard = client_for(manager).get(reverse("cases:team_dashboard", args=[team_a.pk])).content.decode()
    assert "5 contacts waiting for a decision, 2 overdue" in dashboard


def test_contact_queue_shows_ages_and_rag_in_fixed_queries(alice, manager):
    contacts(alice)
    c = client_for(manager)
    with testing.count_queries() as small:
        html = c.get(reverse("cases:contact_queue")).content.decode()
    assert "Red: overdue" in html and "Amber: due today" in html and "Green" in html
    assert "red</strong> means the decision is overdue" in html
    assert "1 year" in html and "2 years" in html
    unborn = person("Baby", "Hughes", None, expected_date_of_birth=TODAY + timedelta(days=30))
    services.contact_record(actor=alice, person=unborn, received_at=timezone.now(), source="3D", concern="Pre-birth")
    with testing.count_queries() as large:
        html = c.get(reverse("cases:contact_queue")).content.decode()
    testing.assert_same_query_count(small, large)
    assert "Unborn (due" in html


def test_overdue_work_shows_the_worker_whose_caseload_the_manager_can_open(submitted, alice, bob, manager, team_a):
    _child, _ = submitted
    c = client_for(manager)
    html = c.get(reverse("cases:team_dashboard", args=[team_a.pk])).content.decode()
    link = reverse("cases:worker_caseload", args=[alice.pk])
    assert f'href="{link}">Alice Tester</a>' in html  # the overdue row's worker
    page = c.get(link).content.decode()
    assert "Alice Tester&#x27;s caseload</h1>" in page and "Amelia Hughes" in page
    assert c.get(reverse("cases:worker_caseload", args=[bob.pk])).status_code == 404  # another team's worker
    assert client_for(alice).get(reverse("cases:worker_caseload", args=[alice.pk])).status_code == 404


def test_the_allocation_list_holds_the_teams_workers_sorted_with_their_caseloads(
    submitted, alice, bob, manager, team_a
):
    child, _ = submitted
    zed = make_user("zed.worker@example.test", team_a, Role.SOCIAL_WORKER)
    ann = make_user("ann.worker@example.test", team_a, Role.SOCIAL_WORKER)
    html = client_for(manager).get(reverse("cases:step", args=[child.pk, "allocate"])).content.decode()
    select = html.split('id="id_worker"', 1)[1].split("</select>", 1)[0]
    workers = re.findall(r'<option value="\d+">([^<]+)</option>', select)
    assert workers == [
        "Alice Tester, social worker: 1 child",
        "Ann Tester, social worker: 0 children",
        "Mo Tester, team manager: 0 children",
        "Zed Tester, social worker: 0 children",
    ]
    assert "Bob Tester" not in html and zed and ann


def test_a_manager_authorises_with_comments_or_returns_it(submitted, alice, manager):
    child, a = submitted
    c = client_for(manager)
    url = reverse("cases:step", args=[child.pk, "assessment-authorise"])
    r = c.post(url, {"decision": "return", "on_0": TODAY.day, "on_1": TODAY.month, "on_2": TODAY.year})
    assert "Enter what the worker needs to change" in r.content.decode()
    r = c.post(
        url,
        {
            "decision": "return",
            "on_0": TODAY.day,
            "on_1": TODAY.month,
            "on_2": TODAY.year,
            "comments": "Add the school",
        },
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "In progress"
    assert "Returned by Mo Tester on" in record(client_for(alice), child) and "Add the school" in record(
        client_for(alice), child
    )
    services.assessment_submit(actor=alice, assessment=a, submitted_on=TODAY)
    r = c.post(
        url,
        {"decision": "authorise", "on_0": TODAY.day, "on_1": TODAY.month, "on_2": TODAY.year, "comments": "Good"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.authorised_on == TODAY and a.authorisation_comments == "Good"


def test_a_reviewing_officer_sees_my_reviews_not_an_empty_caseload(manager, team_a):
    unit = Team.objects.create(name="Reviewing unit", kind=TeamKind.REVIEWING)
    iro = make_user("iris.iro@example.test", unit, Role.INDEPENDENT_REVIEWING_OFFICER)
    from cases.tests.services.helpers import start

    child = person("Eve", "Evans", date(2016, 1, 1))
    other = person("Finn", "Evans", date(2014, 1, 1))
    start(manager, child, TODAY - timedelta(days=10))
    start(manager, other, TODAY - timedelta(days=10))
    html = client_for(iro).get(reverse("cases:caseload")).content.decode()
    assert '<h1 class="govuk-heading-l">My reviews</h1>' in html and "Eve Evans" not in html
    assert "A team manager names the reviewing officer" in html
    services.reviewing_officer_assign(actor=manager, person=child, officer=iro, started_on=TODAY)
    html = client_for(iro).get(reverse("cases:caseload")).content.decode()
    assert "Eve Evans" in html and "Looked-after review" in html
    assert "Finn Evans" not in html  # another officer's child (or none yet)
    assert ">My reviews</a>" in html  # the navigation says so too
