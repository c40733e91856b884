"""Security headers on every response, no inline script or style for the Content-Security-Policy to forbid, and
production settings that refuse to start unsafely."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from conftest import client_for
from people.tests.factories import person

ROOT = Path(django_settings.BASE_DIR)


def assert_security_headers(response: Any) -> None:
    csp = response["Content-Security-Policy"]
    if response["Content-Type"].startswith("application/json"):
        # An API answer: nothing may load or run in it at all.
        assert csp == "default-src 'none'; frame-ancestors 'none'"
    else:
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert not re.search(r"https?:", csp), "no third-party origins"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/healthz", "/no-such-page", "/api/v1/people/search?q=x", "/static/css/application.css"],
)
def test_every_response_carries_the_security_headers(db: Any, path: str) -> None:
    response = Client().get(path)
    assert_security_headers(response)
    if not path.startswith("/static/"):
        assert "no-store" in response["Cache-Control"]


def test_a_page_showing_a_person_is_never_stored_and_cannot_be_framed(team_a_holds: Any, alice_client: Any) -> None:
    child = person("Amelia", "Hughes", date(2015, 3, 27))
    response = alice_client.get(f"/people/{child.pk}")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert_no_inline_script(response.content.decode())


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=\"", re.I)


def assert_no_inline_script(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)


def test_no_template_has_an_inline_script_style_or_event_handler() -> None:
    """The policy forbids them, so a template that had one would break in the browser: scripts and styles are files
    (web/js, web/scss)."""
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE):
            if match := pattern.search(text):
                offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders


def test_the_home_page_signed_in_has_no_inline_script(alice: Any) -> None:
    response = client_for(alice).get("/")
    assert response.status_code == 200
    assert_no_inline_script(response.content.decode())


# --- production settings ----------------------------------------------------------------------------------------------

GOOD_KEY = "k" * 20 + "-production-secret-kept-well-away-from-the-repository-0123"


def load_production(monkeypatch: Any, **env: str) -> dict[str, Any]:
    for name in ("CASEWORK_DEBUG", "CASEWORK_DEMO_MODE", "DJANGO_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEWORK_SECRET_KEY", GOOD_KEY)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("casework.settings.production")


def test_production_settings_are_safe(monkeypatch: Any) -> None:
    loaded = load_production(monkeypatch)
    assert loaded["DEBUG"] is False and loaded["CASEWORK_DEMO_MODE"] is False
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SECURE_HSTS_SECONDS"] >= 31536000
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CASEWORK_SECRET_KEY": ""}, "CASEWORK_SECRET_KEY is not set"),
        ({"CASEWORK_SECRET_KEY": "dev-only-not-secret-casework-demo-key-0123456789"}, "the public key of the demo"),
        ({"CASEWORK_SECRET_KEY": "short-but-secret"}, "shorter than 50 characters"),
        ({"CASEWORK_DEBUG": "1"}, "debug is on"),
        ({"CASEWORK_DEMO_MODE": "1"}, "demo mode is on"),
    ],
)
def test_production_settings_refuse_to_start_unsafely(monkeypatch: Any, env: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_production(monkeypatch, **env)


def test_the_casework_command_says_why_in_one_line() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casework.settings.production",
        "CASEWORK_SECRET_KEY": "dev-only-not-secret-casework-demo-key-0123456789",
    }
    done = subprocess.run(
        [sys.executable, "-m", "casework.cli", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "casework: Casework will not start with production settings: CASEWORK_SECRET_KEY is the public key of the "
        "demo. Set it to a long random value, kept secret."
    )


def test_an_api_answer_carries_short_headers_for_slow_links(db: Any) -> None:
    """The offline app's "nothing changed" sync must stay under 1 KB on the wire (issue 13): the API's headers are the
    strictest and shortest forms of the same protections."""
    response = Client().get("/api/v1/people/search?q=x")
    assert response.status_code == 401
    assert_security_headers(response)
    assert response["Cache-Control"] == "no-store"
    size = sum(len(name) + len(value) + 4 for name, value in response.items())
    assert size < 600, f"{size} bytes of headers"
