"""/mobile/: the offline app's shell, manifest and service worker (sync.app_views). Mounted by casework/urls.py."""

from django.urls import path

from . import app_views

app_name = "mobile"

urlpatterns = [
    path("", app_views.shell, name="shell"),
    path("manifest.webmanifest", app_views.manifest, name="manifest"),
    path("sw.js", app_views.service_worker, name="service_worker"),
]
