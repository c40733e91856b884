"""The error services raise when a domain rule refuses a change."""

from __future__ import annotations


class RuleError(Exception):
    """A change refused by a domain rule. `errors` maps field names (or "__all__") to plain-English messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"__all__": errors}
        self.errors = errors
        super().__init__("; ".join(errors.values()))
