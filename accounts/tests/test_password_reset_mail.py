"""Forgotten your password? The link goes by e-mail: printed to the console in development, sent by SMTP in
production, and when the mail server cannot be reached the user is told so in words (it used to be a 500)."""

from __future__ import annotations

import runpy
import socket
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens once it is closed


def test_the_reset_link_is_sent(alice: Any) -> None:
    r = Client().post(reverse("account_reset_password"), {"email": alice.email})
    assert r.status_code == 302 and r["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]


def test_a_mail_server_that_cannot_be_reached_is_explained_not_a_server_error(settings: Any, alice: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", closed_port(), False
    r = Client(raise_request_exception=False).post(reverse("account_reset_password"), {"email": alice.email})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Casework could not send the email just now" in page
    assert "ask your Casework administrator to reset your password" in page
    assert 'class="govuk-error-summary' in page


@pytest.mark.filterwarnings("ignore:'casework.settings.base' found in sys.modules")
def test_development_settings_print_mail_to_the_console_unless_a_server_is_given(monkeypatch: Any) -> None:
    monkeypatch.delenv("CASEWORK_EMAIL_HOST", raising=False)
    assert (
        runpy.run_module("casework.settings.base")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    )
    monkeypatch.setenv("CASEWORK_EMAIL_HOST", "smtp.example.test")
    assert runpy.run_module("casework.settings.base")["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
