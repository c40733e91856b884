"""The offline app's shell at /mobile/ (sync.app_views): the page, its manifest and its service worker."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from casework.tests.test_security_headers import assert_no_inline_script, assert_security_headers
from conftest import client_for


def test_the_shell_needs_a_signed_in_worker_and_names_no_one(alice: Any, charlie: Any) -> None:
    assert Client().get("/mobile/").status_code == 302
    assert client_for(charlie).get("/mobile/").status_code == 403  # signed in, no role
    response = client_for(alice).get("/mobile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_security_headers(response)
    assert_no_inline_script(html)
    assert '<link rel="manifest" href="/mobile/manifest.webmanifest">' in html
    assert 'type="module" src="/static/mobile/app.js"' in html
    assert 'data-sw="/mobile/sw.js"' in html
    # The service worker keeps a copy to open offline: nothing about the user, no CSRF token.
    assert alice.email not in html and "csrfmiddlewaretoken" not in html
    assert "no-store" in response["Cache-Control"]


def test_the_manifest_makes_the_app_installable(db: Any) -> None:
    response = Client().get("/mobile/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["start_url"] == "/mobile/" and body["scope"] == "/mobile/" and body["display"] == "standalone"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    assert body["name"] == "Casework offline"


def test_the_service_worker_is_scoped_to_mobile_and_names_this_releases_files(db: Any) -> None:
    response = Client().get("/mobile/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/mobile/"
    js = response.content.decode()
    first = js.splitlines()[0]
    config = json.loads(first.removeprefix("self.CASEWORK_SHELL = ").removesuffix(";"))
    assert config["shell"] == "/mobile/"
    assert "/mobile/" in config["files"] and "/static/mobile/app.js" in config["files"]
    assert len(config["version"]) == 16
    assert 'importScripts("/static/mobile/sw.js")' in js
