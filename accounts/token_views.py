"""Administrators' pages for API tokens, under /administration/tokens/: the list (never a secret), issuing one (its
secret shown once, on the page after), and revoking one with a reason (a confirmation page).

Only administrators (`Can.ADMINISTER`); everyone else gets 403. The services (accounts.tokens) audit every change.
The secret of a token just issued is kept in the session only until the next page shows it (and takes it out), so
that page can be a GET: reloading it, or sending the form again, never shows the secret a second time.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import RuleError
from core.forms import GovForm
from core.views import handle_form, saved_then

from . import access
from .access import Can
from .models import ApiToken, TokenScope, User
from .tokens import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, token_issue, token_list, token_revoke, token_status

ISSUED_SESSION_KEY = "casework_api_token_secret"


def require_administrator(request: HttpRequest) -> None:
    if not access.may(request.user, Can.ADMINISTER):
        raise PermissionDenied("Only administrators can manage API tokens")


class IssueForm(GovForm):
    # Each field is optional here so that the service gives every message, the same as on the command line.
    email = forms.EmailField(
        label="Email address of the user or service account",
        help_text="The token acts as this user: it can see and do no more than they can",
        required=False,
        max_length=254,
    )
    name = forms.CharField(
        label="Name",
        help_text="What will use the token, like “Case management integration”",
        required=False,
        max_length=200,
    )
    scopes = forms.MultipleChoiceField(
        label="What may the token do?",
        help_text="Select all that apply",
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select what the token may do from the list"},
    )
    days = forms.IntegerField(
        label="Days until it expires",
        help_text=f"From {MIN_DAYS} to {MAX_DAYS}",
        required=False,
        initial=DEFAULT_DAYS,
        error_messages={"invalid": "Enter the number of days as a whole number, like 30"},
    )


class RevokeForm(GovForm):
    reason = forms.CharField(
        label="Why is it being revoked?",
        help_text="Kept in the audit log",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=500,
    )


@login_required
@require_GET
def token_index(request: HttpRequest) -> HttpResponse:
    require_administrator(request)
    tokens = [(t, token_status(t)) for t in token_list()]
    return render(request, "accounts/tokens/list.html", {"tokens": tokens})


@login_required
@require_http_methods(["GET", "POST"])
def token_issue_page(request: HttpRequest) -> HttpResponse:
    require_administrator(request)
    form = IssueForm(request.POST if request.method == "POST" else None)

    def save(data: dict[str, Any]) -> tuple[ApiToken, str]:
        email = (data.get("email") or "").strip()
        user = User.objects.filter(email__iexact=email).first() if email else None
        try:
            return token_issue(
                actor=request.user,
                user=user,
                name=data.get("name") or "",
                scopes=list(data.get("scopes") or []),
                days=data.get("days"),  # type: ignore[arg-type]  # None is refused by the service, in words
            )
        except RuleError as e:
            if email and user is None:
                e.errors["user"] = f"No user or service account has the email address {email}"
            raise

    def issued(result: tuple[ApiToken, str]) -> HttpResponse:
        token, secret = result
        request.session[ISSUED_SESSION_KEY] = {"id": token.pk, "secret": secret}
        return redirect("api_tokens:issued", token_id=token.pk)

    def page() -> HttpResponse:
        return render(request, "accounts/tokens/issue.html", {"form": form}, status=400 if form.errors else 200)

    return handle_form(request, form, save, done=issued, page=page, rename={"user": "email"}, once=True)


@login_required
@require_GET
def token_issued(request: HttpRequest, token_id: int) -> HttpResponse:
    """The secret, once: taken out of the session as it is shown."""
    require_administrator(request)
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id)
    kept = request.session.get(ISSUED_SESSION_KEY)
    secret = ""
    if isinstance(kept, dict) and kept.get("id") == token.pk:
        secret = str(kept.get("secret", ""))
        del request.session[ISSUED_SESSION_KEY]
    return render(request, "accounts/tokens/issued.html", {"token": token, "secret": secret})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke_page(request: HttpRequest, token_id: int) -> HttpResponse:
    require_administrator(request)
    token = get_object_or_404(ApiToken.objects.select_related("user", "created_by", "revoked_by"), pk=token_id)
    form = RevokeForm(request.POST if request.method == "POST" else None)

    def page() -> HttpResponse:
        return render(
            request,
            "accounts/tokens/revoke.html",
            {"form": form, "token": token, "status": token_status(token)},
            status=400 if form.errors else 200,
        )

    return handle_form(
        request,
        form,
        lambda d: token_revoke(actor=request.user, token=token, reason=d.get("reason") or ""),
        done=lambda t: saved_then(
            request, f"Token “{t.name}” of {t.user.email} was revoked: it no longer works", "api_tokens:index"
        ),
        page=page,
    )
