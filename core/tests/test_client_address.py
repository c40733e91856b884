"""Whom a request came from, behind a reverse proxy or not: X-Forwarded-For is believed only from the configured
proxies, so clients behind one proxy are throttled each on their own address and nobody picks their own."""

from __future__ import annotations

from typing import Any

from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import SignInThrottle
from conftest import PASSWORD
from core.client import client_address

factory = RequestFactory()


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(factory.get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_connecting_address_is_the_client(settings: Any) -> None:
    settings.CASEWORK_TRUSTED_PROXIES = []
    assert address("203.0.113.9", "10.1.1.1") == "203.0.113.9"


def test_a_trusted_proxy_is_believed_from_the_right(settings: Any) -> None:
    settings.CASEWORK_TRUSTED_PROXIES = ["10.0.0.5", "10.2.0.0/16"]
    assert address("10.0.0.5", "198.51.100.7") == "198.51.100.7"
    # The client wrote its own header first; the proxies appended what they saw: only the latter counts.
    assert address("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.2.3.4") == "198.51.100.7"
    assert address("10.0.0.5", "2001:db8::1") == "2001:db8::1"


def test_an_untrusted_sender_cannot_choose_its_address(settings: Any) -> None:
    settings.CASEWORK_TRUSTED_PROXIES = ["10.0.0.5"]
    assert address("203.0.113.9", "198.51.100.7") == "203.0.113.9"
    assert address("10.0.0.5", "not an address") == "10.0.0.5"
    assert address("10.0.0.5") == "10.0.0.5"


def test_clients_behind_one_proxy_are_throttled_each_on_their_own(settings: Any, alice: Any) -> None:
    settings.CASEWORK_TRUSTED_PROXIES = ["10.0.0.5"]
    login = reverse("account_login")
    guesser = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for n in range(20):
        guesser.post(login, {"login": f"someone{n}@example.test", "password": "guess"})
    assert SignInThrottle.objects.get(key="ip:198.51.100.66").failures == 20
    assert not SignInThrottle.objects.filter(key="ip:10.0.0.5").exists()
    r = guesser.post(login, {"login": alice.email, "password": "guess"})
    assert "Too many attempts" in r.content.decode()
    # Alice, through the same proxy from her own desk, is not held up.
    alice_client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.10")
    r = alice_client.post(login, {"login": alice.email, "password": PASSWORD})
    assert r.status_code == 302  # on to her second factor
