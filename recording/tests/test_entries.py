"""Every chronology entry opens to its whole text, with its corrections; a note or visit recorded for siblings at once."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import Role, Team
from audit.models import AuditAction, AuditEvent
from cases import services as cases_services
from conftest import client_for, make_user
from core.errors import RuleError
from core.testing import assert_query_count
from people.models import Involvement
from people.services import relationship_create
from people.tests.factories import hold, person
from recording import services
from recording.models import CaseNote, ChronologyEntry, Visit
from recording.selectors import chronology_entry
from recording.services import SUMMARY_CHARS, summarise

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("team_a_holds")]

PARAGRAPH = "Mum said the boiler has been fixed and the children are sleeping in their own rooms again. " * 6


def long_note() -> str:
    """A long note (about 17,000 characters: a case note may be up to 20,000, core.limits.NOTE)."""
    paragraphs = [f"Paragraph {i}. {PARAGRAPH.strip()}" for i in range(30)]
    return (
        "Visit to the family home.\nPresent: mum, Amelia, Tom.\n\n"
        + "\n\n".join(paragraphs)
        + "\n\nThe very end: <script>alert(1)</script> next visit on Friday."
    )


def yesterday():
    return timezone.now() - timedelta(days=1)


def test_summaries_keep_paragraphs_and_cut_at_a_word():
    assert summarise("First line\r\nsecond line\n\n\n\nNew   paragraph  ") == "First line\nsecond line\n\nNew paragraph"
    cut = summarise("word " * 200)
    assert len(cut) <= SUMMARY_CHARS and cut.endswith("word…")


def test_a_long_note_is_kept_whole_and_its_entry_opens_to_the_end_of_it(alice, alice_client):
    child = person()
    body = long_note()
    assert len(body) > 16_000
    services.case_note_create(actor=alice, person=child, occurred_at=yesterday(), subject="Home visit", body=body)
    entry = ChronologyEntry.objects.get(person=child)
    assert entry.text == body and entry.summary.endswith("…") and "\n\n" in entry.summary

    record = alice_client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Read the whole note" in record and "The very end" not in record
    # the summary keeps its paragraphs and line breaks
    assert '<p class="govuk-body">Visit to the family home.<br>Present: mum, Amelia, Tom.</p>' in record
    assert '<p class="govuk-body">Paragraph 0.' in record

    page = alice_client.get(reverse("recording:entry", args=[child.pk, entry.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "The very end: &lt;script&gt;alert(1)&lt;/script&gt; next visit on Friday." in html  # shown, never run
    assert "<script>alert(1)" not in html
    assert len(re.findall(r'<p class="govuk-body">Paragraph \d+\.', html)) == 30
    assert alice.display_name in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, person_id=child.pk, actor=alice, context__section=f"chronology entry {entry.pk}"
    ).exists()


def test_an_entry_is_only_for_those_who_may_see_the_record(alice, bob, charlie):
    child, other = person(), person("Ben", "Hughes", date(2016, 1, 1))
    secret = person("Jordan", "Blake", date(2013, 1, 1), is_restricted=True)
    for p in (child, secret):
        services.case_note_create(actor=None, person=p, occurred_at=yesterday(), subject="Call", body="Text")
    entry = ChronologyEntry.objects.get(person=child)
    url = reverse("recording:entry", args=[child.pk, entry.pk])
    assert client_for(bob).get(url).status_code == 403  # a colleague in another team with no part in the case
    assert client_for(charlie).get(url).status_code == 403  # no role
    assert client_for(alice).get(reverse("recording:entry", args=[other.pk, entry.pk])).status_code == 404
    hidden = ChronologyEntry.objects.get(person=secret)
    assert client_for(alice).get(reverse("recording:entry", args=[secret.pk, hidden.pk])).status_code == 404


def test_the_entry_page_reads_a_fixed_number_of_queries(alice):
    child = person()
    note = services.case_note_create(actor=alice, person=child, occurred_at=yesterday(), subject="S", body="One")
    for i in range(3):
        services.case_note_correct(
            actor=alice, note=note, occurred_at=note.occurred_at, subject="S", body=f"v{i}", note_type="case_note",
            reason="typo",
        )  # fmt: skip
    entry = ChronologyEntry.objects.get(person=child)
    with assert_query_count(3):  # entry, note, its versions with who wrote them (was 4)
        detail = chronology_entry(alice, child, entry.pk)
        assert detail is not None and len(detail.versions) == 4


def test_a_corrected_note_shows_who_corrected_it_and_the_earlier_version(alice, alice_client, bob):
    child = person()
    hold(child, bob)  # bob, in another team, is allocated the child too
    note = services.case_note_create(
        actor=alice, person=child, occurred_at=yesterday(), subject="Visit to Amelia", body="Seen with her brother Tom."
    )
    with pytest.raises(RuleError) as refused:
        services.case_note_correct(
            actor=alice, note=note, occurred_at=note.occurred_at, subject=note.subject, body="Seen with her brother Tim.",
            note_type="case_note", reason=" ",
        )  # fmt: skip
    assert refused.value.errors == {"reason": "Enter why the note is being corrected"}
    with pytest.raises(RuleError) as unchanged:
        services.case_note_correct(
            actor=alice, note=note, occurred_at=note.occurred_at, subject=note.subject, body=note.body,
            note_type="case_note", reason="typo",
        )  # fmt: skip
    assert "Nothing has been changed" in unchanged.value.errors["body"]

    entry = ChronologyEntry.objects.get(person=child)
    url = reverse("recording:correct", args=[child.pk, entry.pk])
    form = alice_client.get(url).content.decode()
    assert "Seen with her brother Tom." in form  # the form starts from the note as it is
    day = timezone.localtime(note.occurred_at)
    r = alice_client.post(
        url,
        {
            "note_type": "case_note",
            "day_0": day.day,
            "day_1": day.month,
            "day_2": day.year,
            "at": f"{day:%H:%M}",
            "subject": "Visit to Amelia",
            "body": "Seen with her brother Tim.",
            "reason": "Her brother's name is Tim",
        },
    )
    assert r.status_code == 302
    note.refresh_from_db()
    entry.refresh_from_db()
    assert note.body == entry.text == "Seen with her brother Tim."
    assert CaseNote.objects.count() == 1  # corrected in place; the earlier version is in the row history
    html = client_for(bob).get(reverse("recording:entry", args=[child.pk, entry.pk])).content.decode()
    assert f"by {alice.display_name}: Her brother&#x27;s name is Tim" in html and "Corrected on " in html
    assert "Earlier versions" in html and "Seen with her brother Tom." in html
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="case_note", object_id=str(note.pk))
    assert event.changes["old"]["body"] == "Seen with her brother Tom." and event.context["reason"]


def visit_form(visit, **changes):
    day = timezone.localtime(visit.occurred_at)
    data = {
        "visit_type": visit.visit_type,
        "day_0": day.day,
        "day_1": day.month,
        "day_2": day.year,
        "at": f"{day:%H:%M}",
        "child_seen": "yes" if visit.child_seen else "no",
        "seen_alone": "yes" if visit.seen_alone else "no",
        "not_seen_reason": visit.not_seen_reason,
        "notes": visit.notes,
        "reason": "",
    }
    return {**data, **changes}


def test_a_visit_is_corrected_by_its_author_with_the_earlier_version_kept(alice, alice_client, manager):
    child = person()
    visit = services.visit_record(
        actor=alice, person=child, occurred_at=yesterday(), visit_type="home", child_seen=True, seen_alone=False,
        notes="Line one\nLine two",
    )  # fmt: skip
    entry = ChronologyEntry.objects.get(person=child)
    page = reverse("recording:entry", args=[child.pk, entry.pk])
    html = alice_client.get(page).content.decode()
    assert "Line one<br>Line two" in html and "Correct this visit" in html and "seen, not alone" in html
    url = reverse("recording:correct", args=[child.pk, entry.pk])
    form = alice_client.get(url).content.decode()
    assert "Correct a visit" in form and "Line one" in form

    # Bad input: a clear message at the field, nothing changed.
    refused = alice_client.post(url, visit_form(visit, seen_alone="yes"))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Enter why the visit is being corrected" in text
    unchanged = alice_client.post(url, visit_form(visit, reason="Typo"))
    assert "Nothing has been changed: change the visit" in unchanged.content.decode()
    visit.refresh_from_db()
    assert visit.seen_alone is False

    r = alice_client.post(
        url, visit_form(visit, seen_alone="yes", notes="Line one\nLine 2", reason="She was seen alone")
    )
    assert r.status_code == 302 and r["Location"] == page
    visit.refresh_from_db()
    entry.refresh_from_db()
    assert visit.seen_alone and visit.correction_reason == "She was seen alone" and Visit.objects.count() == 1
    assert entry.title == "Home visit: child seen alone" and entry.text == "Line one\nLine 2"
    html = client_for(manager).get(page).content.decode()
    assert f"by {alice.display_name}: She was seen alone" in html
    assert "Earlier versions" in html and "Home visit: child seen, not alone" in html and "Line two" in html
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="visit", object_id=str(visit.pk))
    assert event.changes["old"]["seen_alone"] is False and event.changes["new"]["seen_alone"] is True
    # The API gives the visit's versions too.
    api = alice_client.get(f"/api/v1/people/{child.pk}/chronology/{entry.pk}").json()
    assert [v["reason"] for v in api["versions"]] == ["", "She was seen alone"]


def test_only_the_author_or_a_manager_of_the_holding_team_may_correct(alice, bob, manager, support, team_b):
    """Alice wrote the note and the visit; her manager (team A holds the case) may correct them; business support in
    the same team, and bob and his manager in team B (allocated to the child too), may read them but not correct."""
    child = person()
    hold(child, bob)
    other_manager = make_user("tess.manager@example.test", team_b, Role.TEAM_MANAGER)
    hold(child, other_manager)
    note = services.case_note_create(actor=alice, person=child, occurred_at=yesterday(), subject="Call", body="Text")
    visit = services.visit_record(
        actor=alice, person=child, occurred_at=yesterday(), visit_type="home", child_seen=False, seen_alone=False,
        not_seen_reason="Out", notes="Nobody in",
    )  # fmt: skip
    note_entry = ChronologyEntry.objects.get(source_type="case_note", source_id=note.pk)
    visit_entry = ChronologyEntry.objects.get(source_type="visit", source_id=visit.pk)
    for user, may in ((alice, True), (manager, True), (support, False), (bob, False), (other_manager, False)):
        c = client_for(user)
        for entry, what in ((note_entry, "note"), (visit_entry, "visit")):
            html = c.get(reverse("recording:entry", args=[child.pk, entry.pk])).content.decode()
            if what == "visit" and user == support:
                assert access.may_correct(user, alice.pk, child, access.Can.RECORD_VISITS) is False
            assert (f"Correct this {what}" in html) is may, (user.email, what)
            r = c.get(reverse("recording:correct", args=[child.pk, entry.pk]))
            assert r.status_code == (200 if may else 403), (user.email, what)
            if not may:
                assert f"Only the person who recorded this {what}, or a manager of the team holding the case" in (
                    r.content.decode()
                )
    with pytest.raises(PermissionDenied, match="Only the person who recorded this note"):
        services.case_note_correct(
            actor=bob, note=note, occurred_at=note.occurred_at, subject="Call", body="Changed", note_type="case_note",
            reason="typo",
        )  # fmt: skip
    api = client_for(other_manager).post(
        f"/api/v1/people/{child.pk}/visits/{visit.pk}/corrections",
        {"occurred_at": visit.occurred_at.isoformat(), "visit_type": "home", "child_seen": True, "seen_alone": True,
         "notes": "Seen", "reason": "Wrong"},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 403 and "Only the person who recorded this visit" in api.json()["detail"]
    # The manager of the team holding the case corrects through the API.
    ok = client_for(manager).post(
        f"/api/v1/people/{child.pk}/visits/{visit.pk}/corrections",
        {"occurred_at": visit.occurred_at.isoformat(), "visit_type": "home", "child_seen": True, "seen_alone": True,
         "notes": "Seen in the garden", "reason": "Tom was seen in the garden"},
        content_type="application/json",
    )  # fmt: skip
    assert ok.status_code == 200
    visit.refresh_from_db()
    assert visit.child_seen and visit.modified_by == manager
    bad = client_for(manager).post(
        f"/api/v1/people/{child.pk}/case-notes/{note.pk}/corrections",
        {"occurred_at": note.occurred_at.isoformat(), "subject": "Call", "body": "Text", "reason": ""},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"]["reason"] == "Enter why the note is being corrected"
    # A note written by the system (an import) is corrected by a manager, not by a worker.
    imported = services.case_note_create(actor=None, person=child, occurred_at=yesterday(), subject="Old", body="T")
    assert access.may_correct(manager, imported.created_by_id, child) is True
    assert access.may_correct(alice, imported.created_by_id, child) is False
    # When team A no longer holds the case, its manager may no longer correct.
    Involvement.objects.filter(person=child, team__name="Team A").update(ended_at=timezone.now() - timedelta(days=1))
    access.forget(manager)
    assert access.may_correct(manager, alice.pk, child) is False


def test_a_journey_step_opens_to_what_it_recorded(manager, team_a):
    child = person()
    cases_services.referral_create(
        actor=manager, person=child, referral_date=timezone.localdate(), source="2A", primary_need="N1", team=team_a
    )
    entry = ChronologyEntry.objects.get(person=child, entry_type="referral")
    html = client_for(manager).get(reverse("recording:entry", args=[child.pk, entry.pk])).content.decode()
    assert "What was recorded" in html
    assert "Referral source" in html and "Primary need" in html and team_a.name in html
    assert ">2A<" not in html  # codes shown in words


# Several siblings at once.


def siblings(alice_team: Team):
    amelia = person("Amelia", "Hughes", date(2015, 3, 27))
    tom = person("Tom", "Hughes", date(2017, 6, 1))
    secret = person("Jordan", "Hughes", date(2019, 1, 1), is_restricted=True)
    adult = person("Sarah", "Hughes", date(1990, 1, 1))
    for other in (tom, secret):
        relationship_create(actor=None, person=amelia, other=other, type="sibling", lives_with=True)
    relationship_create(actor=None, person=adult, other=amelia, type="parent", lives_with=True)
    return amelia, tom, secret, adult


def test_the_case_note_form_offers_the_siblings_the_user_may_record_for(alice, alice_client, team_a):
    amelia, _, _, _ = siblings(team_a)
    html = alice_client.get(reverse("recording:case_note_add", args=[amelia.pk])).content.decode()
    assert "Also record this for" in html and "Tom Hughes" in html
    assert "Jordan Hughes" not in html and "Sarah Hughes" not in html  # restricted; an adult


def test_a_note_recorded_for_two_siblings_gives_each_their_own_linked_entry(alice, alice_client, team_a):
    amelia, tom, secret, _ = siblings(team_a)
    url = reverse("recording:case_note_add", args=[amelia.pk])
    day = timezone.localdate() - timedelta(days=1)
    data = {"note_type": "case_note", "day_0": day.day, "day_1": day.month, "day_2": day.year}
    data |= {"subject": "Home visit", "body": "Both children seen.\n\nHouse warm.", "also_for": [tom.pk]}
    refused = alice_client.post(url, {**data, "also_for": [secret.pk]})
    assert refused.status_code == 200 and "Select only children shown in the list" in refused.content.decode()
    assert not CaseNote.objects.exists()
    r = alice_client.post(url, data)
    assert r.status_code == 302
    a, t = ChronologyEntry.objects.get(person=amelia), ChronologyEntry.objects.get(person=tom)
    assert a.recorded_with == t.recorded_with is not None and a.source_id != t.source_id
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="case_note").count() == 2
    html = alice_client.get(reverse("recording:entry", args=[amelia.pk, a.pk])).content.decode()
    assert "Also recorded for" in html and reverse("recording:entry", args=[tom.pk, t.pk]) in html


def test_a_visit_for_siblings_records_one_visit_each(alice, alice_client, team_a):
    amelia, tom, _, _ = siblings(team_a)
    url = reverse("cases:visit_add", args=[amelia.pk])
    assert "Tom Hughes" in alice_client.get(url).content.decode()
    day = timezone.localdate() - timedelta(days=1)
    r = alice_client.post(
        url,
        {
            "visit_type": "home", "day_0": day.day, "day_1": day.month, "day_2": day.year, "child_seen": "yes",
            "seen_alone": "no", "notes": "Both seen together", "also_for": [tom.pk],
        },
    )  # fmt: skip
    assert r.status_code == 302
    assert sorted(Visit.objects.values_list("person_id", flat=True)) == sorted([amelia.pk, tom.pk])


def test_a_sibling_born_after_the_date_is_refused(alice):
    amelia = person("Amelia", "Hughes", date(2015, 3, 27))
    baby = person("Baby", "Hughes", date(2025, 1, 1))
    with pytest.raises(RuleError) as exc:
        services.case_note_create(
            actor=alice, person=amelia, occurred_at=timezone.now().replace(year=2020), subject="S", body="B",
            also_for=[baby],
        )  # fmt: skip
    assert "Baby Hughes" in exc.value.errors["also_for"]
    assert not CaseNote.objects.exists()


# The API.


def test_the_api_gives_the_whole_entry_and_records_for_siblings(alice, alice_client, team_a):
    amelia, tom, secret, _ = siblings(team_a)
    body = long_note()
    r = alice_client.post(
        f"/api/v1/people/{amelia.pk}/case-notes",
        {"occurred_at": yesterday().isoformat(), "subject": "Long", "body": body, "also_for": [tom.pk]},
        content_type="application/json",
    )
    assert r.status_code == 201
    listing = alice_client.get(f"/api/v1/people/{amelia.pk}/chronology").json()
    (item,) = listing["entries"]
    assert item["truncated"] is True and len(item["summary"]) <= SUMMARY_CHARS
    whole = alice_client.get(f"/api/v1/people/{amelia.pk}/chronology/{item['id']}").json()
    assert whole["text"] == body and whole["also_for"][0]["name"] == "Tom Hughes"
    refused = alice_client.post(
        f"/api/v1/people/{amelia.pk}/case-notes",
        {"occurred_at": yesterday().isoformat(), "subject": "S", "body": "B", "also_for": [secret.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "also_for" in refused.json()["errors"]
    note_id = whole["source_id"]
    corrected = alice_client.post(
        f"/api/v1/people/{amelia.pk}/case-notes/{note_id}/corrections",
        {"occurred_at": whole["occurred_at"], "subject": "Long", "body": "Short now", "reason": "Wrong child"},
        content_type="application/json",
    )
    assert corrected.status_code == 200
    again = alice_client.get(f"/api/v1/people/{amelia.pk}/chronology/{item['id']}").json()
    assert again["text"] == "Short now" and [v["text"] for v in again["versions"]] == [body, "Short now"]
    assert again["versions"][1]["reason"] == "Wrong child"
