"""Small definitions for the tests: a valid one to break in each refusal test, and one bound to the assessment."""

from __future__ import annotations

import copy
from typing import Any

CODE_LISTS = {"assessment_factor", "ethnicity", "abuse_category"}


def minimal() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "format": 1,
            "name": "x",
            "version": 1,
            "title": "X",
            "subject": "child",
            "pages": [
                {
                    "id": "first",
                    "title": "First",
                    "questions": [
                        {"id": "seen", "type": "yes_no", "label": "Was the child seen?"},
                        {
                            "id": "outcome",
                            "type": "single_choice",
                            "label": "Outcome",
                            "options": [{"value": "nfa", "label": "No further action"}],
                        },
                    ],
                },
                {
                    "id": "second",
                    "title": "Second",
                    "questions": [
                        {"id": "health", "type": "long_text", "label": "Health"},
                        {
                            "id": "actions",
                            "type": "group",
                            "label": "Actions",
                            "repeats": True,
                            "questions": [{"id": "what", "type": "text", "label": "What"}],
                        },
                    ],
                },
            ],
        }
    )


def assessment() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "format": 1,
            "name": "test-assessment",
            "version": 1,
            "title": "Child and family assessment (test)",
            "subject": "child",
            "record": "assessment",
            "authorisation": True,
            "pages": [
                {
                    "id": "dates",
                    "title": "Dates",
                    "questions": [
                        {
                            "id": "started",
                            "type": "date",
                            "label": "Date started",
                            "required": True,
                            "not_in_future": True,
                            "bind": "started_on",
                        },
                        {
                            "id": "completed",
                            "type": "date",
                            "label": "Date completed",
                            "on_or_after": "started",
                            "not_in_future": True,
                            "bind": "submitted_on",
                        },
                    ],
                },
                {
                    "id": "needs",
                    "title": "Developmental needs",
                    "questions": [{"id": "health", "type": "long_text", "label": "Health", "required": True}],
                },
                {
                    "id": "analysis",
                    "title": "Analysis",
                    "questions": [
                        {
                            "id": "factors",
                            "type": "code_list",
                            "code_list": "assessment_factor",
                            "multiple": True,
                            "label": "Factors identified",
                            "required": True,
                            "bind": "factors",
                        },
                        {"id": "analysis", "type": "long_text", "label": "Analysis", "bind": "summary"},
                        {
                            "id": "recommendation",
                            "type": "single_choice",
                            "label": "Recommendation",
                            "required": True,
                            "bind": "outcome",
                            "options": [
                                {"value": "nfa", "label": "No further action"},
                                {"value": "cin_plan", "label": "Child in need plan"},
                            ],
                        },
                    ],
                },
            ],
        }
    )
