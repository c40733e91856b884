"""allauth's sign-in and two-factor forms with GOV.UK error messages (settings: ACCOUNT_FORMS, MFA_FORMS)."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

from core.forms import GovFormMixin

from .sign_in import sign_in_wait_seconds

CODE_REQUIRED = "Enter the 6-digit code from your authenticator app"


class LoginForm(GovFormMixin, account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self) -> dict[str, Any]:
        """Too soon after failed attempts (accounts.sign_in): refused without checking the password, and not
        counted. Failures are counted by accounts.receivers when the password is wrong."""
        login, password = self.cleaned_data.get("login"), self.cleaned_data.get("password")
        if login and password and not self._errors and self.request is not None:
            wait = sign_in_wait_seconds(request=self.request, login=login)
            if wait:
                seconds = "1 second" if wait == 1 else f"{wait} seconds"
                raise forms.ValidationError(f"Too many attempts. Wait {seconds} and try again")
        return super().clean()


class AuthenticateForm(GovFormMixin, mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = CODE_REQUIRED


class ReauthenticateForm(GovFormMixin, mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = CODE_REQUIRED


class ActivateTOTPForm(GovFormMixin, totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = CODE_REQUIRED
