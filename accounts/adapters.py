import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from core.client import client_address

logger = logging.getLogger(__name__)


class MailNotSent(Exception):
    """An e-mail (a password reset link) could not be handed to the mail server."""


class CaseworkAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: nobody signs themselves up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's e-mails (the password reset link). A mail server that refuses or cannot be reached raises
        MailNotSent, which the page turns into a message for the user (accounts.views.PasswordResetView), not a
        server error."""
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as e:
            logger.exception("The e-mail %s could not be sent", template_prefix)
            raise MailNotSent(str(e)) from e

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth's rate limits count by the same client address as the sign-in throttle (core.client)."""
        return client_address(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth's own limit on failed passwords locks an account out (anyone could lock anyone out). Casework
        slows failed sign-ins instead, with a growing delay per address and per account (accounts.sign_in, checked
        by accounts.forms.LoginForm). allauth's limit still guards the second factor's codes."""
