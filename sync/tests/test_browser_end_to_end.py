"""The offline app against the real server (issue 13), in Debian's Chromium through Playwright: a social worker signs
in (with the second factor), opens /mobile/, registers the device and sets a passphrase, downloads her caseload, goes
offline, records a visit and a case note, reloads while offline (the app still opens and unlocks), comes back online
and syncs; both are then in the database, once, and in the child's chronology on the web. No stub: every call goes to
sync.api through the live server."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from casework.tests.browser import assert_accessible, sign_in
from people.tests.factories import person
from recording import services as recording_services
from recording.models import CaseNote, Visit
from sync.models import Device, Mutation

from . import browser_app
from .browser_app import fill_in_statutory_visit, require_bundle, set_up_device, unlock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOTE_SUBJECT = "Phone call with Amelia's school"
NOTE_BODY = "The head of year says Amelia's attendance has improved since half term."
VISIT_NOTES = "Amelia showed me her room; she is settled and her bedroom is warm and tidy."


@pytest.fixture
def bundle() -> None:
    require_bundle()


def shot(page: Any, name: str) -> None:
    browser_app.shot(page, f"e2e-{name}")


def test_record_offline_and_sync_to_the_real_server(
    allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any, bundle: None
) -> None:
    amelia = person("Amelia", "Hughes", date(2015, 3, 27), held_by=alice)  # allocated to Alice
    recording_services.case_note_create(
        actor=alice,
        person=amelia,
        occurred_at=timezone.now() - timedelta(days=2),
        subject="Strategy discussion",
        body="Agreed to visit weekly.",
        note_type="case_note",
    )
    page = browser_page
    base = live_server.url
    sign_in(page, base, alice.email)

    # Register the device and download the caseload, from the real server.
    set_up_device(page, base, "Alice's work phone")
    device = Device.objects.get(user=alice)
    assert device.name == "Alice's work phone"
    page.get_by_role("link", name="Amelia Hughes").wait_for()
    assert_accessible(page)
    shot(page, "caseload")
    page.get_by_role("link", name="Amelia Hughes").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    page.get_by_text("Strategy discussion").first.wait_for()
    assert "27 March 2015" in page.content()

    # Offline: record a visit and a case note.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    page.get_by_role("link", name="Record a visit").click()
    page.get_by_role("heading", name="Record a visit").wait_for()
    page.get_by_label("Home visit").check()
    page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    page.get_by_label("Notes of the visit").fill(VISIT_NOTES)
    page.get_by_role("button", name="Save the visit").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()

    page.get_by_role("link", name="Record a case note").click()
    page.get_by_role("heading", name="Record a case note").wait_for()
    page.get_by_role("group", name="Kind of note").get_by_label("Phone call").check()
    page.get_by_label("Subject").fill(NOTE_SUBJECT)
    page.get_by_label("Note", exact=True).fill(NOTE_BODY)
    page.get_by_role("button", name="Save the note").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    assert page.get_by_text("Waiting to sync").count() == 2
    assert not CaseNote.objects.filter(subject=NOTE_SUBJECT).exists()

    # Reload while offline: the service worker opens the app, which unlocks from the device alone; both still wait.
    page.reload()
    unlock(page, then="Amelia Hughes")  # back where she was
    page.get_by_text(NOTE_SUBJECT).first.wait_for()
    assert VISIT_NOTES in page.content()
    assert_accessible(page)
    shot(page, "offline-child")
    assert not Visit.objects.filter(person=amelia).exists()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("heading", name="Your caseload").wait_for()
    assert "2 waiting" in page.content()

    # Back online: sync; both reach Casework, once each, through the same services as the pages.
    page.context.set_offline(False)
    page.evaluate("location.hash = '#/outbox'")
    page.get_by_role("heading", name="Waiting to sync", exact=True).wait_for()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Nothing is waiting").wait_for()
    shot(page, "synced")

    note = CaseNote.objects.get(person=amelia, subject=NOTE_SUBJECT)
    assert note.body == NOTE_BODY and note.note_type == "phone_call" and note.created_by_id == alice.pk
    visit = Visit.objects.get(person=amelia)
    assert visit.notes == VISIT_NOTES and visit.visit_type == "home" and visit.child_seen and visit.seen_alone
    assert Mutation.objects.filter(device=device, status="applied").count() == 2

    # The app now shows the server's own copies (no longer waiting).
    page.evaluate(f"location.hash = '#/child/{amelia.pk}'")
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    page.get_by_text(NOTE_SUBJECT).first.wait_for()
    assert "Waiting to sync" not in page.content()

    # And the child's chronology on the web has both.
    page.goto(f"{base}/people/{amelia.pk}")
    entries = page.locator("#chronology-entries")
    entries.wait_for()
    text = entries.inner_text()
    assert NOTE_SUBJECT in text, text
    assert "Home visit: child seen alone" in text and "Amelia showed me her room" in text, text
    shot(page, "chronology")


def change_details(page: Any, values: dict[str, str]) -> None:
    """On the child's page in the app: change the details a worker may change offline."""
    page.get_by_role("link", name="Change these details").click()
    page.get_by_role("heading", name="Change details").wait_for()
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()


def sync_and_wait(page: Any) -> None:
    page.evaluate("location.hash = '#/outbox'")
    page.get_by_role("heading", name="Waiting to sync", exact=True).wait_for()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_text("Nothing is waiting").wait_for()


def test_two_devices_change_the_same_detail_offline_a_conflict_a_person_resolves(
    allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any, bundle: None
) -> None:
    from people.models import Person
    from sync.models import Conflict

    amelia = person("Amelia", "Hughes", date(2015, 3, 27), held_by=alice)
    base = live_server.url
    phone = browser_page
    tablet = phone.context.browser.new_context().new_page()
    tablet.set_default_timeout(30000)
    for page, name in ((phone, "Alice's phone"), (tablet, "Alice's tablet")):
        sign_in(page, base, alice.email)
        set_up_device(page, base, name)
        page.get_by_role("link", name="Amelia Hughes").click()
        page.get_by_role("heading", name="Amelia Hughes").wait_for()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.context.set_offline(True)

    # Offline, each device changes her preferred name; each also changes a detail the other leaves alone.
    change_details(phone, {"Preferred name": "Millie", "First language": "English"})
    change_details(tablet, {"Preferred name": "Mia", "Gender": "Female", "First language": "Polish"})

    # The phone syncs first: applied. Then the tablet: its gender merges; preferred name and language conflict.
    phone.context.set_offline(False)
    sync_and_wait(phone)
    assert Person.objects.get(pk=amelia.pk).preferred_name == "Millie"
    tablet.context.set_offline(False)
    sync_and_wait(tablet)
    after = Person.objects.get(pk=amelia.pk)
    assert (after.preferred_name, after.first_language, after.gender) == ("Millie", "English", "Female")
    conflicts = {c.field: (c.device_value, c.server_value) for c in Conflict.objects.filter(person=amelia)}
    assert conflicts == {"preferred_name": ("Mia", "Millie"), "first_language": ("Polish", "English")}

    # The tablet shows the conflict in words and the worker keeps the tablet's value.
    tablet.evaluate("location.hash = '#/'")
    tablet.get_by_role("link", name="2 to resolve").click()
    tablet.get_by_role("heading", name="Conflicts to resolve").wait_for()
    card = tablet.locator(".govuk-summary-card", has_text="Preferred name")
    assert "Preferred name for Amelia Hughes" in card.inner_text()
    assert "Mia" in card.inner_text() and "Millie" in card.inner_text()
    assert_accessible(tablet)
    shot(tablet, "conflict")
    card.get_by_role("button", name="Keep this device's").click()
    tablet.locator(".govuk-summary-card", has_text="Preferred name").wait_for(state="detached")
    # The language: neither, but both (a third value).
    language = tablet.locator(".govuk-summary-card", has_text="First language")
    language.get_by_label("Or record another value").fill("Polish and English")
    language.get_by_role("button", name="Keep this value").click()
    tablet.get_by_text("There are no conflicts.").wait_for()
    after = Person.objects.get(pk=amelia.pk)
    assert (after.preferred_name, after.first_language) == ("Mia", "Polish and English")
    assert not Conflict.objects.filter(person=amelia, resolved_at__isnull=True).exists()

    # The phone hears of it at its next sync.
    phone.evaluate("location.hash = '#/'")
    phone.get_by_role("button", name="Sync now").click()
    phone.get_by_role("link", name="Amelia Hughes").click()
    phone.get_by_text("Mia", exact=True).wait_for()
    tablet.context.close()


def test_a_removed_device_wipes_itself_at_its_next_contact(
    allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any, bundle: None
) -> None:
    from sync.services import device_revoke

    person("Amelia", "Hughes", date(2015, 3, 27), held_by=alice)
    page = browser_page
    base = live_server.url
    sign_in(page, base, alice.email)
    set_up_device(page, base, "Alice's phone")
    page.get_by_role("link", name="Amelia Hughes").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert page.evaluate("indexedDB.databases().then(d => d.length)") >= 1

    device_revoke(actor=alice, device=Device.objects.get(user=alice), reason="Phone lost")
    page.get_by_role("button", name="Sync now").click()
    page.get_by_role("heading", name="Casework has been removed from this device").wait_for()
    assert "Amelia" not in page.content()
    assert_accessible(page)
    shot(page, "wiped")
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 0
    assert page.evaluate("caches.keys().then(k => k.length)") == 0
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0

    # Set up again, then the worker removes the device herself (signing out for good): the server forgets it too.
    set_up_device(page, base, "Alice's new phone")
    page.get_by_role("link", name="Amelia Hughes").wait_for()
    page.get_by_role("link", name="Remove Casework from this device").click()
    page.get_by_role("heading", name="Remove Casework from this device").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Remove Casework from this device").click()
    page.get_by_role("heading", name="Casework has been removed from this device").wait_for()
    assert Device.objects.get(name="Alice's new phone").revoked_at is not None
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 0


def test_a_form_filled_in_offline_is_submitted_to_the_real_server(
    allow_audit_flush: Any, live_server: Any, alice: Any, browser_page: Any, bundle: None
) -> None:
    """The statutory visit form, downloaded from the server (its definition in the record's body), filled in page by
    page offline, and submitted at the next sync through forms.services.response_submit: the visit is recorded."""
    from forms.models import FormResponse
    from forms.services import definitions_load

    definitions_load(actor=None)
    amelia = person("Amelia", "Hughes", date(2015, 3, 27), held_by=alice)
    page = browser_page
    base = live_server.url
    sign_in(page, base, alice.email)
    set_up_device(page, base, "Alice's phone")
    page.get_by_role("link", name="Amelia Hughes").click()
    page.get_by_role("heading", name="Amelia Hughes").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)

    fill_in_statutory_visit(page)
    page.get_by_role("button", name="Submit the form").click()
    page.get_by_text("Form saved to send").wait_for()
    assert not FormResponse.objects.filter(person=amelia).exists()

    page.context.set_offline(False)
    sync_and_wait(page)
    response = FormResponse.objects.get(person=amelia)
    assert response.answers["not_seen_reason"] == "She was at a friend's house"
    visit = Visit.objects.get(person=amelia)
    assert (visit.child_seen, visit.not_seen_reason) == (False, "She was at a friend's house")
