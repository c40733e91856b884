"""A submitted response printed to PDF/A-2b (core.printing): the authority, the person, the answers in words per page
(forms.display), the definition's version and the response's SHA-256. Used by the form's page and by
`casework forms pdf`."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core import printing
from core.actors import Actor
from core.dates import long_date
from core.errors import RuleError

from .definition import Form
from .display import answer_sections
from .models import FormResponse, ResponseStatus


def version_label(response: FormResponse) -> str:
    return f"{response.definition.title}, version {response.definition.version}"


def pdf_file_name(response: FormResponse) -> str:
    return f"{response.definition.name}-{response.pk}.pdf"


def response_pdf_bytes(response: FormResponse) -> bytes:
    person = response.person
    born = f", born {long_date(person.date_of_birth)}" if person.date_of_birth else ""
    return printing.render_pdf(
        title=response.definition.title,
        authority_name=settings.CASEWORK_AUTHORITY_NAME,
        subject_line=f"{person.full_name}{born}, record number {person.pk}",
        sections=answer_sections(Form(response.definition.body), response.answers),
        version_label=version_label(response),
        sha256=response.sha256,
        generated_at=timezone.now(),
    )


@transaction.atomic
def response_print(*, actor: Actor, response: FormResponse) -> bytes:
    """The PDF of a submitted response, and its print event in the audit log (who printed which form, the version
    and the hash printed in its footer)."""
    if response.status == ResponseStatus.DRAFT or not response.sha256:
        raise RuleError("A draft cannot be printed: submit it first")
    pdf = response_pdf_bytes(response)
    audit_record(
        actor=actor,
        action=AuditAction.PRINT,
        object_type="form_response",
        object_id=str(response.pk),
        person_id=response.person_id,
        changes={"form": response.definition.name, "version": response.definition.version, "sha256": response.sha256},
    )
    return pdf
