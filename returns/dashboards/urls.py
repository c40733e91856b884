"""Performance dashboards."""

from django.urls import URLPattern, path

from . import views

app_name = "performance"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>.csv", views.download, name="download"),
]
