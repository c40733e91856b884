"""Devices: registered per user, refused once removed (with the wipe answer), a disabled user's devices wiped, the
re-authentication window; all audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import user_disable
from audit.models import AuditAction, AuditEvent
from conftest import client_for, make_user
from sync.models import Device
from sync.services import device_revoke

from .helpers import DeviceClient

pytestmark = pytest.mark.django_db


def test_a_signed_in_worker_registers_a_device_and_it_is_audited(alice: Any) -> None:
    c = client_for(alice)
    csrf = c.get("/api/v1/sync/session").json()["csrf_token"]
    r = c.post("/api/v1/sync/devices", {"name": "Alice's iPad"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "Alice's iPad" and body["reauth_days"] == 14 and body["idle_lock_minutes"] == 10
    device = Device.objects.get(pk=body["device_id"])
    assert device.user == alice
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="device", object_id=str(device.pk)).exists()
    assert csrf


def test_registering_needs_a_name_and_a_session(alice: Any) -> None:
    r = client_for(alice).post("/api/v1/sync/devices", {"name": "  "}, content_type="application/json")
    assert r.status_code == 422 and "name" in r.json()["errors"]
    r = Client().post("/api/v1/sync/devices", {"name": "x"}, content_type="application/json")
    assert r.status_code == 401
    assert not Device.objects.exists()


def test_a_session_post_without_the_csrf_token_is_refused(alice: Any) -> None:
    c = client_for(alice)
    c.handler.enforce_csrf_checks = True
    r = c.post("/api/v1/sync/devices", {"name": "iPad"}, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    token = c.get("/api/v1/sync/session").json()["csrf_token"]
    r = c.post(
        "/api/v1/sync/devices", {"name": "iPad"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert r.status_code == 201


def test_every_sync_call_needs_a_registered_device(alice: Any) -> None:
    c = client_for(alice)
    r = c.get("/api/v1/sync/pull")
    assert r.status_code == 401 and "Register this device" in r.json()["detail"]
    r = c.get("/api/v1/sync/pull", headers={"X-Casework-Device": "not-a-uuid"})
    assert r.status_code == 401 and "wipe" not in r.json()


def test_a_removed_device_is_told_to_wipe_itself_on_every_call(alice: Any) -> None:
    d = DeviceClient(alice)
    assert d.pull().status_code == 200
    device_revoke(actor=alice, device=d.device, reason="Lost on the bus")
    for r in (d.pull(), d.push([])):
        assert r.status_code == 401
        assert r["Clear-Site-Data"] == '"storage"'
        assert r.json()["wipe"] is True and r.json()["errors"] == {}
        assert "removed" in r.json()["detail"]
    assert AuditEvent.objects.filter(action=AuditAction.CLOSE, object_type="device").count() == 1


def test_a_removed_device_is_told_to_wipe_even_when_no_one_is_signed_in(alice: Any) -> None:
    d = DeviceClient(alice)
    device_revoke(actor=alice, device=d.device)
    r = Client().get("/api/v1/sync/pull", headers=d.headers)
    assert r.status_code == 401 and r.json()["wipe"] is True


def test_a_disabled_users_devices_are_wiped(alice: Any, manager: Any) -> None:
    admin = make_user("ada.admin@example.test", manager.memberships.first().team, "administrator")
    d = DeviceClient(alice)
    user_disable(actor=admin, user=alice, reason="Left the authority")
    r = Client().get("/api/v1/sync/pull", headers=d.headers)
    assert r.status_code == 401 and r.json()["wipe"] is True and r["Clear-Site-Data"] == '"storage"'
    assert "disabled" in r.json()["detail"]


def test_a_device_used_by_someone_else_is_wiped(alice: Any, bob: Any) -> None:
    d = DeviceClient(alice)
    r = client_for(bob).get("/api/v1/sync/pull", headers=d.headers)
    assert r.status_code == 401 and r.json()["wipe"] is True


def test_only_the_user_or_an_administrator_removes_a_device(alice: Any, bob: Any) -> None:
    from core.errors import RuleError

    d = DeviceClient(alice)
    with pytest.raises(RuleError):
        device_revoke(actor=bob, device=d.device)
    assert Device.objects.get(pk=d.device.pk).revoked_at is None


def test_a_device_not_signed_in_to_online_for_too_long_locks(alice: Any) -> None:
    from accounts.tokens import token_issue

    d = DeviceClient(alice)
    Device.objects.filter(pk=d.device.pk).update(authenticated_at=timezone.now() - timedelta(days=15))
    _, secret = token_issue(actor=None, user=alice, name="t", scopes=["sync"], days=1)
    r = Client().get("/api/v1/sync/pull", headers={**d.headers, "Authorization": f"Bearer {secret}"})
    assert r.status_code == 401 and r.json()["reauth"] is True and "wipe" not in r.json()
    # Signing in online again (a session that passed the second factor) opens it.
    assert d.pull().status_code == 200
