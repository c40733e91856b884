"""The OpenAPI documents every sync endpoint, the device header and the one error shape."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_sync_endpoint_is_documented_with_the_device_header_and_the_error_shape(alice: Any) -> None:
    schema = client_for(alice).get("/api/v1/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/sync/")}
    assert set(paths) == {
        "/api/v1/sync/session",
        "/api/v1/sync/devices",
        "/api/v1/sync/device/revoke",
        "/api/v1/sync/pull",
        "/api/v1/sync/push",
        "/api/v1/sync/conflicts/{conflict_id}/resolve",
        "/api/v1/sync/documents/{document_id}",
        "/api/v1/sync/documents/{document_id}/v{number}/pages/{page}",
    }
    assert schema["components"]["securitySchemes"]["DeviceHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Casework-Device",
    }
    for path, ops in paths.items():
        for op in ops.values():
            assert op.get("description"), path
            for status in ("400", "403", "404", "413", "422", "500"):
                assert op["responses"][status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }, (path, status)
            unauthorised = op["responses"]["401"]
            assert unauthorised["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RefusalOut"}
            assert "wipe" in unauthorised["description"], path
    pull = paths["/api/v1/sync/pull"]["get"]
    assert {"DeviceHeader": []} in pull["security"]
    push = schema["components"]["schemas"]["PushIn"]["properties"]["mutations"]
    assert push["maxItems"] == 100


def test_opening_a_document_documents_its_page_image_and_why_it_is_not_found(alice: Any) -> None:
    schema = client_for(alice).get("/api/v1/openapi.json").json()
    page = schema["paths"]["/api/v1/sync/documents/{document_id}/v{number}/pages/{page}"]["get"]
    assert "image/png" in page["responses"]["200"]["content"]
    opened = schema["paths"]["/api/v1/sync/documents/{document_id}"]["get"]
    assert "restricted" in opened["responses"]["404"]["description"]
    assert {"DeviceHeader": []} in page["security"] and {"DeviceHeader": []} in opened["security"]
