"""The administration pages (`/administration/`): users, invitations, teams and roles, second factors, settings.

Only administrators (`Can.ADMINISTER`) reach them; everyone else gets 403. Each change is one service in
accounts.services, audited there. Administrators read people's records by the same rule as everyone else: nothing
here shows a record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.dates import long_date
from core.errors import RuleError
from core.views import handle_form, saved_then

from . import access, selectors, services
from .access import Can
from .admin_forms import (
    DetailsForm,
    DisableForm,
    InviteForm,
    MembershipAddForm,
    MembershipEndForm,
    PasswordForm,
    SettingsForm,
    TeamForm,
)
from .administration import render_user_sections
from .models import Membership, Team, User

# The invitation link just made, kept in the administrator's session until the page that shows it once.
_SHOWN_ONCE = "casework_invitation_link"


def _require_admin(request: HttpRequest) -> None:
    if not access.may(request.user, Can.ADMINISTER):
        raise PermissionDenied("Only administrators can manage users, teams and settings")


def _bound(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _tokens_url() -> str:
    try:
        return reverse("tokens:list")
    except NoReverseMatch:  # the API tokens pages come with the tokens work
        return ""


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "accounts/administration/index.html", {"tokens_url": _tokens_url()})


# --- users ---------------------------------------------------------------------------------------------------------


@login_required
def users(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    q = request.GET.get("q", "").strip()[:100]
    shown, total = selectors.users_list(q)
    return render(request, "accounts/administration/users.html", {"users": shown, "total": total, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = InviteForm(_bound(request))

    def done(invitation: services.Invitation) -> HttpResponse:
        request.session[_SHOWN_ONCE] = {"user": invitation.user.pk, "link": invitation.link}
        return redirect("administration:invited", user_id=invitation.user.pk)

    return handle_form(
        request,
        form,
        lambda d: services.user_invite(actor=request.user, base_url=_base_url(request), **d),
        once=True,
        done=done,
        page=lambda: render(
            request, "accounts/administration/invite.html", {"form": form}, status=400 if form.errors else 200
        ),
    )


@login_required
@require_http_methods(["POST"])
def user_invite_again(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    user = get_object_or_404(User, pk=user_id)
    try:
        invitation = services.user_invite_again(actor=request.user, user=user, base_url=_base_url(request))
    except RuleError as e:
        messages.error(request, " ".join(e.errors.values()))
        return redirect("administration:user", user_id=user.pk)
    request.session[_SHOWN_ONCE] = {"user": user.pk, "link": invitation.link}
    return redirect("administration:invited", user_id=user.pk)


@login_required
def user_invited(request: HttpRequest, user_id: int) -> HttpResponse:
    """The invitation link, shown once: the session holds it until this page has shown it."""
    _require_admin(request)
    user = get_object_or_404(User, pk=user_id)
    held = request.session.get(_SHOWN_ONCE) or {}
    link = held.get("link") if held.get("user") == user.pk else None
    if link:
        del request.session[_SHOWN_ONCE]
    return render(
        request,
        "accounts/administration/invited.html",
        {"invited": user, "link": link, "hours": services.INVITE_HOURS},
    )


def _user_for(request: HttpRequest, user_id: int) -> User:
    _require_admin(request)
    return get_object_or_404(User, pk=user_id)


@login_required
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_for(request, user_id)
    page = selectors.user_page(user)
    return render(
        request,
        "accounts/administration/user.html",
        {
            "page": page,
            "shown": user,
            "today": timezone.localdate(),
            "sections": render_user_sections(request, user),
            "is_self": user.pk == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_for(request, user_id)
    form = DetailsForm(
        _bound(request),
        initial={n: getattr(user, n) for n in ("first_name", "last_name", "job_title", "phone")},
    )
    return handle_form(
        request,
        form,
        lambda d: services.user_update(actor=request.user, user=user, **d),
        done=lambda u: saved_then(request, f"{u.display_name}'s details are saved", "administration:user", u.pk),
        page=lambda: render(
            request,
            "accounts/administration/user_edit.html",
            {"form": form, "shown": user},
            status=400 if form.errors else 200,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_disable(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_for(request, user_id)
    form = DisableForm(_bound(request))
    return handle_form(
        request,
        form,
        lambda d: services.user_disable(actor=request.user, user=user, reason=d["reason"]),
        done=lambda u: saved_then(
            request,
            f"{u.display_name}'s account is disabled: they are signed out and their API tokens are revoked",
            "administration:user",
            u.pk,
        ),
        page=lambda: render(
            request,
            "accounts/administration/user_disable.html",
            {"form": form, "shown": user, "is_self": user.pk == request.user.pk},
            status=400 if form.errors else 200,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_enable(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_for(request, user_id)
    form = _Confirm(_bound(request))
    return handle_form(
        request,
        form,
        lambda d: services.user_enable(actor=request.user, user=user),
        done=lambda u: saved_then(request, f"{u.display_name} can sign in again", "administration:user", u.pk),
        page=lambda: render(
            request,
            "accounts/administration/confirm.html",
            {
                "form": form,
                "shown": user,
                "title": f"Enable {user.display_name}'s account",
                "body": [
                    "They will be able to sign in again with their password and second factor. API tokens revoked "
                    "when the account was disabled stay revoked: issue new ones if they are needed."
                ],
                "button": "Enable account",
            },
            status=400 if form.errors else 200,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_mfa_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_for(request, user_id)
    form = _Confirm(_bound(request))
    return handle_form(
        request,
        form,
        lambda d: services.mfa_reset(actor=request.user, user=user),
        done=lambda u: saved_then(
            request,
            f"{u.display_name}'s second factor is reset: they will set up a new one when they next sign in",
            "administration:user",
            u.pk,
        ),
        page=lambda: render(
            request,
            "accounts/administration/confirm.html",
            {
                "form": form,
                "shown": user,
                "title": f"Reset {user.display_name}'s second factor",
                "body": [
                    "Do this when they have lost or replaced the phone or security key they sign in with. Check "
                    "who is asking first: a reset lets whoever knows the password set up a new second factor.",
                    "Their authenticator app and security keys will stop working, they will be signed out "
                    "everywhere, and they must set up a new second factor when they next sign in.",
                ],
                "button": "Reset second factor",
                "warning": True,
            },
            status=400 if form.errors else 200,
        ),
    )


class _Confirm(DisableForm):
    """A confirmation page's form: nothing to type, only the button."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["reason"]


# --- roles in teams ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _user_for(request, user_id)
    form = MembershipAddForm(_bound(request), initial={"started_on": timezone.localdate()})

    return handle_form(
        request,
        form,
        lambda d: services.membership_add(actor=request.user, user=user, refuse_if_held=True, **d),
        once=True,
        done=lambda m: saved_then(
            request,
            f"{user.display_name} is now {m.get_role_display().lower()} in {m.team}",
            "administration:user",
            user.pk,
        ),
        page=lambda: render(
            request,
            "accounts/administration/membership_add.html",
            {"form": form, "shown": user},
            status=400 if form.errors else 200,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    _require_admin(request)
    membership = get_object_or_404(Membership.objects.select_related("user", "team"), pk=membership_id)
    form = MembershipEndForm(_bound(request), initial={"ended_on": timezone.localdate()})
    return handle_form(
        request,
        form,
        lambda d: services.membership_end(actor=request.user, membership=membership, ended_on=d["ended_on"]),
        done=lambda m: saved_then(
            request,
            f"{m.user.display_name}'s role as {m.get_role_display().lower()} in {m.team} ends on "
            f"{long_date(m.ended_on or timezone.localdate())}",
            "administration:user",
            m.user_id,
        ),
        page=lambda: render(
            request,
            "accounts/administration/membership_end.html",
            {"form": form, "membership": membership},
            status=400 if form.errors else 200,
        ),
    )


# --- teams ---------------------------------------------------------------------------------------------------------


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "accounts/administration/teams.html", {"teams": selectors.teams_list()})


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = TeamForm(_bound(request))
    return handle_form(
        request,
        form,
        lambda d: services.team_create(actor=request.user, name=d["name"], kind=d["kind"]),
        once=True,
        done=lambda t: saved_then(request, f"{t.name} is added", "administration:team", t.pk),
        page=lambda: render(
            request,
            "accounts/administration/team_form.html",
            {"form": form, "team": None},
            status=400 if form.errors else 200,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    _require_admin(request)
    team = get_object_or_404(Team, pk=team_id)
    form = TeamForm(_bound(request), initial={"name": team.name, "kind": team.kind})
    return handle_form(
        request,
        form,
        lambda d: services.team_update(actor=request.user, team=team, name=d["name"], kind=d["kind"]),
        done=lambda t: saved_then(request, f"{t.name} is saved", "administration:team", t.pk),
        page=lambda: render(
            request,
            "accounts/administration/team.html",
            {"form": form, "team": team, "members": selectors.team_members(team), "today": timezone.localdate()},
            status=400 if form.errors else 200,
        ),
    )


# --- settings ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def access_settings(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    current = services.access_settings_get()
    form = SettingsForm(_bound(request), initial={n: getattr(current, n) for n in services.SETTINGS_BOUNDS})
    return handle_form(
        request,
        form,
        lambda d: services.access_settings_update(actor=request.user, **d),
        done=lambda s: saved_then(request, "The settings are saved", "administration:settings"),
        page=lambda: render(
            request,
            "accounts/administration/settings.html",
            {"form": form, "current": current},
            status=400 if form.errors else 200,
        ),
    )


# --- the invitation link (signed out) ------------------------------------------------------------------------------

INVITE_PROBLEMS = {
    "used": (
        "This link has already been used",
        "Each invitation link works once. If you have set your password, sign in. If you did not use this link, "
        "tell a Casework administrator at once.",
    ),
    "expired": (
        "This link has expired",
        f"Invitation links work for {services.INVITE_HOURS} hours. Ask a Casework administrator to send you a new one.",
    ),
    "replaced": (
        "This link has been replaced",
        "A newer invitation link was sent to you. Use the newest one, or ask a Casework administrator to send another.",
    ),
    "disabled": ("This account is disabled", "Ask a Casework administrator if you think it should not be."),
    "invalid": (
        "This link does not work",
        "Check that you copied the whole link from the email. If it still does not work, ask a Casework "
        "administrator to send you a new one.",
    ),
}


@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone with the link: set a password, then sign in and set up a second factor."""
    try:
        invited = services.invite_check(token)
    except services.InviteLinkError as e:
        return _invite_problem(request, e.reason)
    form = PasswordForm(_bound(request))

    def page() -> HttpResponse:
        if form.is_bound:  # a password is never sent back to the browser
            form.data = {**form.data.dict(), "password": "", "password_again": ""}  # type: ignore[attr-defined]
        return render(
            request,
            "accounts/administration/invite_accept.html",
            {"form": form, "invited": invited},
            status=400 if form.errors else 200,
        )

    try:
        return handle_form(
            request,
            form,
            lambda d: services.invite_accept(token=token, password=d["password"]),
            done=lambda u: saved_then(
                request,
                "Your password is set. Sign in with it, then set up two-factor authentication.",
                "account_login",
            ),
            page=page,
        )
    except services.InviteLinkError as e:
        return _invite_problem(request, e.reason)


def _invite_problem(request: HttpRequest, reason: str) -> HttpResponse:
    title, body = INVITE_PROBLEMS[reason]
    return render(request, "accounts/administration/invite_problem.html", {"title": title, "body": body}, status=410)
