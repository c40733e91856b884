"""The offline app's browser set-up, shared by its browser tests: the bundle built, sign in, open /mobile/, register
the device with a name and a passphrase; unlock; and screenshots to look at (in the temporary folder)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from casework.tests.browser import sign_in

PASSPHRASE = "kettle orchard lantern"


def shot(page: Any, name: str) -> Path:
    """A screenshot of the whole page, to look at: <temporary folder>/mobile-NAME.png."""
    path = Path(tempfile.gettempdir()) / f"mobile-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def require_bundle() -> None:
    """The app's bundle, built by scripts/build-assets.sh (node web/mobile/build.mjs) into casework/static_build/."""
    built = Path(settings.BASE_DIR) / "casework" / "static_build" / "mobile" / "app.js"
    if not built.exists():
        pytest.fail("The offline app is not built: run `bash scripts/build-assets.sh` (node web/mobile/build.mjs)")


def set_up_device(page: Any, base: str, name: str, *, then: str = "Your caseload") -> None:
    """Open the app and set the device up: its name and the passphrase, twice."""
    page.goto(f"{base}/mobile/")
    page.get_by_role("heading", name="Set up this device").wait_for()
    page.get_by_label("Name this device").fill(name)
    page.get_by_label("Choose a passphrase").fill(PASSPHRASE)
    page.get_by_label("Type the passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Set up this device").click()
    page.get_by_role("heading", name=then).wait_for()


def open_app(page: Any, base: str, user: Any, device_name: str) -> None:
    """Sign in online (with the second factor), then set up the app on this device."""
    sign_in(page, base, user.email)
    set_up_device(page, base, device_name)


def unlock(page: Any, then: str = "Your caseload", passphrase: str = PASSPHRASE) -> None:
    page.get_by_role("heading", name="Unlock Casework").wait_for()
    page.get_by_label("Passphrase").fill(passphrase)
    page.get_by_role("button", name="Unlock").click()
    page.get_by_role("heading", name=then).wait_for()


def fill_in_statutory_visit(page: Any) -> None:
    """From a child's screen: fill in the statutory visit form (the child not seen) up to Check your answers."""
    from django.utils import timezone

    page.get_by_role("link", name="Fill in a form").click()
    page.get_by_role("link", name="Statutory visit").click()
    page.get_by_role("heading", name="About the visit").wait_for()
    page.get_by_label("Child in need").check()
    when = page.get_by_role("group", name="Date and time of the visit")
    today = timezone.localdate()
    when.get_by_label("Day").fill(str(today.day))
    when.get_by_label("Month").fill(str(today.month))
    when.get_by_label("Year").fill(str(today.year))
    when.get_by_label("Hour").fill("00")
    when.get_by_label("Minute").fill("05")
    page.get_by_role("group", name="Where did the visit take place?").get_by_label("Office").check()
    page.get_by_role("group", name="Was the visit announced?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Seeing the child").wait_for()
    page.get_by_role("group", name="Was the child seen?").get_by_label("No").check()
    page.get_by_label("Why was the child not seen?").fill("She was at a friend's house")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Who else was seen").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="What happened and what you observed").wait_for()
    page.get_by_label("What happened on the visit, and what did you observe?").fill("Spoke with her mother.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Progress and new worries").wait_for()
    page.get_by_role("group", name="Are there any new worries about the child's safety or wellbeing?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Actions").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Check your answers").wait_for()
