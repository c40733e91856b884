"""Who did something, as stored on a row: the signed-in user, or None for the system (seed, import, commands)."""

from __future__ import annotations

from typing import Any


def actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
