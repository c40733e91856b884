"""The forms app's pages, under /forms/: filling in (urls_fill.py) and the submitted form's pages (urls_review.py)."""

from django.urls import include, path

from . import urls_review

app_name = "forms"
urlpatterns = [
    path("", include("forms.urls_fill")),
    *urls_review.urlpatterns,
]
