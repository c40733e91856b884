"""A child with a chronology, a submitted form and documents with archival copies, for the bundles' tests."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any

from documents import renditions
from documents.models import Document
from documents.services import Upload, documents_add
from forms.definition import Form
from forms.services import definition_load, response_submit
from forms.tests.definitions import minimal
from recording.services import chronology_add


def chronology(child: Any, actor: Any) -> None:
    for day, kind, title in (
        (date(2026, 3, 2), "case_note", "Phone call with mum"),
        (date(2026, 4, 10), "visit", "Home visit: Amelia seen alone"),
        (date(2026, 6, 1), "meeting", "Core group meeting"),
        (date(2025, 1, 1), "case_note", "Before the period"),
    ):
        chronology_add(
            person=child,
            occurred_at=datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC),
            entry_type=kind,
            title=title,
            summary=title,
            source_type="test",
            source_id=1,
            actor=actor,
        )


def form_response(child: Any, actor: Any) -> Any:
    definition = definition_load(actor=None, form=Form(minimal())).definition
    answers = {"seen": True, "outcome": "nfa", "health": "Well, asthma managed", "actions": [{"what": "GP visit"}]}
    return response_submit(actor=actor, definition=definition, person=child, answers=answers).response


def document(child: Any, actor: Any, title: str, sensitivity: str = "ordinary", text: str = "") -> Document:
    [doc] = documents_add(
        actor=actor,
        person=child,
        uploads=[Upload(f"{title}.txt", (text or f"{title}.\nThe text of the letter.\n").encode())],
        document_type="letter",
        document_date=date(2026, 5, 1),
        title=title,
        sensitivity=sensitivity,
    )
    renditions.make(doc.versions.get().pk)
    return doc


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, as pdftotext reads it (pages split on form feeds)."""
    from core.printing import pdf_text

    return [re.sub(r"\s+", " ", page) for page in pdf_text(pdf).split("\f")][: page_count(pdf)]


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as p:
        return len(p.pages)
