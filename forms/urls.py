"""The forms app's pages, under /forms/: filling in (urls_fill.py); the submitted form's pages are added by the review
pages (urls_review.py)."""

from django.urls import include, path

app_name = "forms"
urlpatterns = [
    path("", include("forms.urls_fill")),
]
