"""The API's documentation as a GOV.UK page (/api/v1/docs), built from the OpenAPI schema the API itself serves.

Swagger UI, which django-ninja offers, fails axe (no page language, no main landmark, nested controls); a page of our
own reads the same schema, passes axe, works at 320 pixels and loads nothing but our own stylesheet. The schema
itself stays at /api/v1/openapi.json for tools. Both need a signed-in user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from casework.api import api

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Field:
    name: str
    where: str
    type: str
    required: bool
    description: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    fields: list[Field] = field(default_factory=list)
    responses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "").strip("-").lower()


def type_in_words(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A schema's type as a person says it: "text", "whole number", "date (2026-12-05)", "list of ..."."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_in_words(s, components) for s in schema["anyOf"] if s.get("type") != "null") or "any"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_in_words(schema.get('items', {}), components)}"
    if schema.get("format") == "date":
        return "date (2026-12-05)"
    if schema.get("format") == "date-time":
        return "date and time (2026-12-05T14:30:00Z)"
    return {"string": "text", "integer": "whole number", "boolean": "true or false", "number": "number"}.get(kind, kind)


def _body_fields(operation: dict[str, Any], components: dict[str, Any]) -> list[Field]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    required = set(schema.get("required", []))
    return [
        Field(name, "body", type_in_words(prop, components), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]


def operations_by_tag(schema: dict[str, Any]) -> dict[str, list[Operation]]:
    """Every operation of the schema, grouped by its tag, in the schema's order."""
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            fields = [
                Field(
                    p["name"],
                    p.get("in", ""),
                    type_in_words(p.get("schema", {}), components),
                    bool(p.get("required")),
                    p.get("description", ""),
                )
                for p in op.get("parameters", [])
            ]
            fields += _body_fields(op, components)
            responses = [(code, r.get("description", "")) for code, r in op.get("responses", {}).items()]
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(
                Operation(method.upper(), path, op.get("summary", ""), op.get("description", ""), fields, responses)
            )
    return groups


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    return render(
        request,
        "api_docs.html",
        {"info": schema.get("info", {}), "groups": operations_by_tag(schema)},
    )
