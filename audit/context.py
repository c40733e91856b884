"""Request context (address, user agent, request id) attached to audit events written during a request."""

from __future__ import annotations

import contextvars
from typing import Any

current: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("casework_audit_ctx", default=None)
