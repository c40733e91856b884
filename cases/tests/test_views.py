"""Caseload, team dashboard and the front door pages: access, what users see, and query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import CINEpisode, Contact
from conftest import client_for
from core import testing
from people.tests.factories import person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]


def make_children(n, manager, worker, team, start=0):
    kids = []
    for i in range(start, start + n):
        child = person(f"Child{i}", "Hughes", date(2015, 1, 1) + timedelta(days=i))
        episode = services.referral_create(
            actor=manager, person=child, referral_date=date(2025, 6, 2), source="2A", primary_need="N1", team=team
        )
        services.assessment_start(actor=worker, episode=episode, started_on=date(2025, 6, 3))
        services.allocate(
            actor=manager, person=child, worker=worker, started_on=date(2025, 6, 2), reason="New referral"
        )
        kids.append(child)
    return kids


def count_queries(client, url):
    with testing.count_queries() as queries:
        r = client.get(url)
        assert r.status_code == 200
    return queries, r.content.decode()


def test_caseload_shows_status_and_overdue_work_in_fixed_queries(alice, manager, team_a):
    make_children(2, manager, alice, team_a)
    c = client_for(alice)
    small, html = count_queries(c, reverse("cases:caseload"))
    assert "Child0 Hughes" in html and "Child in need" in html and "overdue" in html
    make_children(8, manager, alice, team_a, start=2)
    large, html = count_queries(c, reverse("cases:caseload"))
    testing.assert_same_query_count(small, large)
    assert "Child9 Hughes" in html


def test_team_dashboard_for_its_manager_only(alice, bob, manager, team_a):
    make_children(3, manager, alice, team_a)
    c = client_for(manager)
    team_url = reverse("cases:team_dashboard", args=[team_a.pk])
    small, html = count_queries(c, team_url)
    assert "Child0 Hughes" in html and "Complete assessment" in html
    make_children(6, manager, alice, team_a, start=3)
    large, _ = count_queries(c, team_url)
    testing.assert_same_query_count(small, large)
    assert client_for(alice).get(team_url).status_code == 403
    assert client_for(bob).get(team_url).status_code == 403


def test_outsiders_get_nothing(charlie, team_a):
    c = client_for(charlie)
    for url in [
        reverse("cases:caseload"),
        reverse("cases:contact_queue"),
        reverse("cases:team_dashboard", args=[team_a.pk]),
    ]:
        assert c.get(url).status_code == 403


def test_business_support_records_a_contact_and_a_manager_decides(support, manager, team_a):
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    day = timezone.localdate() - timedelta(days=1)
    r = client_for(support).post(
        reverse("cases:contact_add", args=[child.pk]),
        {
            "day_0": day.day,
            "day_1": day.month,
            "day_2": day.year,
            "at": "09:30",
            "source": "2A",
            "referrer_organisation": "Hillside Primary",
            "concern": "Bruising",
        },
    )
    assert r.status_code == 302
    contact = Contact.objects.get()
    assert client_for(support).get(reverse("cases:contact_queue")).status_code == 403
    queue = client_for(manager).get(reverse("cases:contact_queue")).content.decode()
    assert "Amelia Hughes" in queue and "Bruising" in queue
    r = client_for(manager).post(
        reverse("cases:contact_decide", args=[contact.pk]), {"decision": "referral", "decision_reason": "Threshold met"}
    )
    assert "Select the team the referral goes to" in r.content.decode()
    r = client_for(manager).post(
        reverse("cases:contact_decide", args=[contact.pk]),
        {"decision": "referral", "decision_reason": "Threshold met", "team": team_a.pk, "primary_need": "N1"},
    )
    assert r.status_code == 302
    assert CINEpisode.objects.get(person=child).referral_source == "2A"


def test_contact_form_errors(support):
    child = person()
    r = client_for(support).post(reverse("cases:contact_add", args=[child.pk]), {})
    html = r.content.decode()
    assert "There is a problem" in html and "Enter the date received" in html and "Enter what the concern is" in html
    assert not Contact.objects.exists()


def _post_dated(client, url, field, day, **data):
    return client.post(url, {f"{field}_0": day.day, f"{field}_1": day.month, f"{field}_2": day.year, **data})


def test_looked_after_steps_from_the_record(alice, manager):
    from cases.models import LookedAfterEpisode

    child = person("Amelia", "Hughes", date(2015, 3, 27))
    start = timezone.localdate() - timedelta(days=40)
    url = reverse("cases:step", args=[child.pk, "looked-after-start"])
    assert client_for(alice).get(url).status_code == 403  # a manager decides a child becomes looked after
    r = _post_dated(
        client_for(manager), url, "started_on", start, legal_status="C1", category_of_need="N1", placement_type="U6"
    )
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in html  # postcodes missing
    assert not LookedAfterEpisode.objects.exists()
    r = _post_dated(
        client_for(manager), url, "started_on", start, legal_status="C1", category_of_need="N1", placement_type="U6",
        placement_provider="PR1", placement_postcode="LS6 2AA", urn="SC123456", home_postcode="LS1 4AP",
    )  # fmt: skip
    assert r.status_code == 302
    r = _post_dated(
        client_for(alice), reverse("cases:step", args=[child.pk, "looked-after-change"]), "changed_on", start + timedelta(days=10),
        legal_status="C2",
    )  # fmt: skip
    assert r.status_code == 302
    episodes = list(LookedAfterEpisode.objects.order_by("started_on"))
    assert [(e.reason_new_episode, e.legal_status) for e in episodes] == [("S", "C1"), ("L", "C2")]
    assert episodes[0].ended_on == episodes[1].started_on and episodes[0].reason_ceased == "X1"
    page = client_for(alice).get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Looked after" in page and "Record a looked-after review" in page
