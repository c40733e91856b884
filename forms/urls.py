"""The forms app's pages: filling in (urls_fill, fill12) and the submitted form's pages (urls_review)."""

from . import urls_review

app_name = "forms"

urlpatterns = [*urls_review.urlpatterns]
