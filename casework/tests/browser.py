"""Helpers for browser tests: Debian's Chromium through Playwright, and axe-core accessibility checks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls in the test body are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def launch_page() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: .ci/run installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"],
        )  # fmt: skip
        page = browser.new_page()
        page.set_default_timeout(30000)
        # What the Content-Security-Policy blocked (an inline script or style, another origin): assert_accessible
        # fails on any, so every browser test also checks that the pages work under the policy.
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.csp_blocked = blocked  # type: ignore[attr-defined]
        yield page
        browser.close()


def page_width(page: Any) -> int:
    """How wide the page's content is, once it has loaded (while a page is arriving there is no document to measure)."""
    page.wait_for_load_state("load")
    return int(page.evaluate("document.documentElement.scrollWidth"))


def assert_accessible(page: Any) -> None:
    # A page still arriving (a form's answer half-parsed) has no main landmark yet: check it once it has loaded.
    page.wait_for_load_state("load")
    # Evaluated, not added as a <script> tag: the page's Content-Security-Policy forbids inline scripts.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    blocked = getattr(page, "csp_blocked", [])
    assert not blocked, f"the Content-Security-Policy blocked something on {page.url}: {blocked}"
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe found problems on {page.url}:\n" + "\n".join(problems)


_codes_used: dict[str, int] = {}


def fresh_code(email: str, totp: Any) -> str:
    """A code the server will take: not in the last seconds of its 30-second window (the server allows no
    tolerance, and a loaded machine may take a few seconds to submit), and not one this user has already used
    (allauth refuses a code used twice)."""
    import time

    while True:
        now = time.time()
        window = int(now // 30)
        if 30 - now % 30 >= 6 and _codes_used.get(email) != window:
            _codes_used[email] = window
            return str(totp.at(now))
        time.sleep(30 - now % 30 + 0.2)


def sign_in(page: Any, base: str, email: str) -> None:
    """Sign in through the real pages: email, the test password, then the TOTP code (conftest's shared secret)."""
    import pyotp

    from conftest import PASSWORD, TOTP_SECRET

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/2fa/authenticate/**")
    page.get_by_label("Code").fill(fresh_code(email, pyotp.TOTP(TOTP_SECRET)))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{base}/")


def fill_date(page: Any, legend: str, day: date) -> None:
    """Fill a GOV.UK date input, found by its fieldset's legend."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
