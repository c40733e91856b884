"""The administration pages, under /administration/ (administrators only; see admin_views)."""

from django.urls import path

from . import admin_views as views

app_name = "administration"

urlpatterns = [
    path("", views.index, name="index"),
    path("users/", views.users, name="users"),
    path("users/invite", views.user_invite, name="invite"),
    path("users/<int:user_id>", views.user_detail, name="user"),
    path("users/<int:user_id>/invited", views.user_invited, name="invited"),
    path("users/<int:user_id>/invite-again", views.user_invite_again, name="invite_again"),
    path("users/<int:user_id>/edit", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/disable", views.user_disable, name="user_disable"),
    path("users/<int:user_id>/enable", views.user_enable, name="user_enable"),
    path("users/<int:user_id>/reset-second-factor", views.user_mfa_reset, name="mfa_reset"),
    path("users/<int:user_id>/roles/add", views.membership_add, name="membership_add"),
    path("roles/<int:membership_id>/end", views.membership_end, name="membership_end"),
    path("teams/", views.teams, name="teams"),
    path("teams/new", views.team_create, name="team_create"),
    path("teams/<int:team_id>", views.team_detail, name="team"),
    path("settings", views.access_settings, name="settings"),
]

# The link in an invitation email, open to someone not yet signed in (under /accounts/, which the second-factor
# requirement lets through).
invite_urlpatterns = [path("<str:token>", views.invite_accept, name="invite_accept")]
