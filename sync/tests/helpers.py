"""Test helpers: a device registered for a user, and a client that sends its id."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from conftest import client_for
from sync.models import Device
from sync.services import device_register


def device_for(user: Any, name: str = "Work iPad") -> Device:
    return device_register(actor=user, name=name)


class DeviceClient:
    """A signed-in client whose every call carries the device header (and the CSRF token on a POST)."""

    def __init__(self, user: Any, device: Device | None = None) -> None:
        self.user = user
        self.device = device or device_for(user)
        self.client: Client = client_for(user)
        self.headers = {"X-Casework-Device": str(self.device.pk)}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json.dumps(body), content_type="application/json", headers=self.headers)

    def pull(self, **params: Any) -> Any:
        return self.get("/api/v1/sync/pull", **params)

    def push(self, mutations: list[dict[str, Any]]) -> Any:
        return self.post("/api/v1/sync/push", {"mutations": mutations})
