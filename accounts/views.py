"""The signed-in user's own pages: their notifications; and the password reset page, which says when mail fails."""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .adapters import MailNotSent
from .models import Notification


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(user_id=request.user.pk or 0)[:100])
    return render(request, "accounts/notifications.html", {"items": items})


@login_required
@require_http_methods(["POST"])
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go where it points (a POST: reading changes state)."""
    item = get_object_or_404(Notification, pk=pk, user_id=request.user.pk or 0)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect(item.url)
    return redirect("notifications")


class PasswordResetView(allauth_views.PasswordResetView):
    """allauth's "Forgotten your password?" page, telling the user plainly when the e-mail cannot be sent (no mail
    server, or it refused) instead of failing with a server error; nothing is changed."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except MailNotSent:
            transaction.set_rollback(True)
            form.add_error(None, MAIL_NOT_SENT)
            return self.form_invalid(form)


MAIL_NOT_SENT = (
    "Casework could not send the email just now. Try again in a few minutes, or ask your Casework administrator "
    "to reset your password."
)
password_reset = PasswordResetView.as_view()
