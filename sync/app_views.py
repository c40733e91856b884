"""The offline app's shell (issue 13): the page at /mobile/, its web app manifest and its service worker.

The app itself is static JavaScript built from web/mobile/ (scripts/build-assets.sh); these views only hand it to the
browser. The shell holds nothing about anyone (no name, no CSRF token), because the service worker keeps a copy to
open the app offline; everything the worker sees comes from the encrypted store, filled by /api/v1/sync/.
The manifest and the service worker are open to all: browsers fetch a manifest without cookies, and neither holds
anything but the addresses of static files. The service worker is served from /mobile/ so its scope is /mobile/.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from people.views import require_role

# GOV.UK Frontend's fonts: cached with the shell so the app looks the same offline.
FONTS = ("bold-b542beb274-v2.woff2", "light-94a07e06a1-v2.woff2")


def shell_files() -> list[str]:
    """What the service worker caches on install: the page, its script, its styles, the icons."""
    return [
        reverse("mobile:shell"),
        reverse("mobile:manifest"),
        static("mobile/app.js"),
        static("css/application.css"),
        static("mobile/icon-192.png"),
        static("mobile/icon-512.png"),
        *(static(f"assets/fonts/{f}") for f in FONTS),
    ]


@login_required
@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    require_role(request)
    return render(
        request,
        "sync/mobile/shell.html",
        {"sw_url": reverse("mobile:service_worker"), "manifest_url": reverse("mobile:manifest")},
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "Casework offline",
        "short_name": "Casework",
        "description": "Your caseload on this device, encrypted, to read and record in families' homes",
        "start_url": reverse("mobile:shell"),
        "scope": reverse("mobile:shell"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b0c0c",
        "icons": [
            {"src": static("mobile/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("mobile/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        ],
    }
    return JsonResponse(body, content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """A few lines that name this release's files, then the service worker itself (static, built by esbuild). The
    version is a hash of the file addresses, which change with every build (hashed static names), so a new release
    installs a new worker and clears the old caches."""
    files = shell_files()
    version = hashlib.sha256(json.dumps(files).encode()).hexdigest()[:16]
    config = json.dumps({"version": version, "files": files, "shell": reverse("mobile:shell")})
    body = f"self.CASEWORK_SHELL = {config};\nimportScripts({json.dumps(static('mobile/sw.js'))});\n"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("mobile:shell")
    return response
