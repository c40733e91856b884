"""Administrators' pages for API tokens, at /administration/tokens/ (accounts.token_views)."""

from django.urls import path

from . import token_views

app_name = "api_tokens"

urlpatterns = [
    path("", token_views.token_index, name="index"),
    path("issue", token_views.token_issue_page, name="issue"),
    path("<int:token_id>/issued", token_views.token_issued, name="issued"),
    path("<int:token_id>/revoke", token_views.token_revoke_page, name="revoke"),
]
