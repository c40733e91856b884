from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class CaseworkAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: nobody signs themselves up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth's own limit on failed passwords locks an account out (anyone could lock anyone out). Casework
        slows failed sign-ins instead, with a growing delay per address and per account (accounts.sign_in, checked
        by accounts.forms.LoginForm). allauth's limit still guards the second factor's codes."""
