"""The error services raise when a domain rule refuses a change."""

from __future__ import annotations


class RuleError(Exception):
    """A change refused by a domain rule. `errors` maps field names (or "__all__") to plain-English messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"__all__": errors}
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class ConfirmationNeeded(RuleError):
    """A change that is unusual but possible: nothing is saved until the user confirms each question (a form's
    `confirm` field; the service's `confirmed=True`). The questions also go on `errors["confirm"]`, so a form shows
    them the GOV.UK way, in the error summary and at the checkbox that confirms them."""

    def __init__(self, questions: list[str]) -> None:
        self.questions = list(questions)
        super().__init__({"confirm": " ".join(self.questions)})
