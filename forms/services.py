"""Writes of the forms app: loading definitions, saving drafts, submitting responses. Each is keyword-only and writes
its audit event in the same transaction (form_load, draft_save, response_submit).

Who may fill in a form for whom is the caller's question (pages and the API ask `accounts.access` before calling);
the services check the answers, the definition's rules and, through the binding target's services, every rule of the
record it writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.errors import RuleError
from people.models import Person

from . import bindings, validation
from .definition import DefinitionError, Form, canonical, check, known_code_lists, read
from .models import FormDefinition, FormResponse, ResponseStatus


def definitions_dir() -> Path:
    return Path(getattr(settings, "CASEWORK_FORMS_DIR", settings.BASE_DIR / "forms" / "definitions"))


def body_sha256(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


@dataclass(frozen=True)
class Loaded:
    definition: FormDefinition
    created: bool  # False: this version was already published, unchanged


def published_conflict(form: Form, source: str) -> str | None:
    """The refusal for a file whose name and version are published with different content, or None."""
    existing = FormDefinition.objects.filter(name=form.name, version=form.version).only("sha256").first()
    if existing is not None and existing.sha256 != body_sha256(form.body):
        return (
            f"{source}: version {form.version} of {form.name} is already published and differs; "
            f"publish it as version {form.version + 1}"
        )
    return None


@transaction.atomic
def definitions_load(*, actor: Actor, paths: list[Path] | None = None) -> list[Loaded]:
    """Load definition files (default: every forms/definitions/*.json) as immutable numbered versions. All or
    nothing: any refused file (`DefinitionError`, with every problem of every file) loads none. A version already
    published with the same content is left as it is; with different content it is refused."""
    if paths is None:
        paths = sorted(definitions_dir().glob("*.json"))
    problems: list[str] = []
    forms: list[Form] = []
    lists = None
    for path in paths:
        lists = lists if lists is not None else known_code_lists()
        source = display_path(path)
        try:
            form = read(path, source=source, code_lists=lists)
        except DefinitionError as e:
            problems += e.problems
            continue
        conflict = published_conflict(form, source)
        if conflict:
            problems.append(conflict)
        forms.append(form)
    if problems:
        raise DefinitionError(problems)
    return [definition_load(actor=actor, form=form) for form in forms]


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


@transaction.atomic
def definition_load(*, actor: Actor, form: Form) -> Loaded:
    """Publish one checked definition (from `definition.read`). Idempotent for the same content; a different body
    under a published name and version is refused (RuleError)."""
    sha = body_sha256(form.body)
    existing = FormDefinition.objects.filter(name=form.name, version=form.version).first()
    if existing is not None:
        if existing.sha256 != sha:
            raise RuleError(
                f"Version {form.version} of {form.name} is already published and differs; "
                f"publish it as version {form.version + 1}"
            )
        return Loaded(existing, created=False)
    definition = FormDefinition.objects.create(
        name=form.name, version=form.version, title=form.body["title"], body=form.body, sha256=sha
    )
    audit_record(
        actor=actor,
        action=AuditAction.FORM_LOAD,
        object_type="form_definition",
        object_id=str(definition.pk),
        changes={"name": form.name, "version": form.version, "sha256": sha},
    )
    return Loaded(definition, created=True)


def definition_check(*, body: Any, source: str, file_name: str | None = None) -> list[str]:
    """Every problem with a definition (as `casework forms check` prints them), including a published conflict."""
    problems = check(body, source=source, file_name=file_name)
    if not problems:
        conflict = published_conflict(Form(body), source)
        if conflict:
            problems.append(conflict)
    return problems


def form_of(definition: FormDefinition) -> Form:
    return Form(definition.body)


def _refuse_bad_characters(form: Form, answers: Any) -> None:
    """Drafts are kept as typed, but never with a character the database cannot hold (NUL) or any other control
    character (hidden answers too: they are stored until the form is submitted), and never under a key the form
    does not have."""
    if not isinstance(answers, dict):
        raise RuleError("The answers must be a JSON object keyed by question id")
    errors: dict[str, str] = {}

    def walk(value: Any, key: str, label: str) -> None:
        if isinstance(value, str) and validation.CONTROL.search(value.replace("\r\n", "\n")):
            errors.setdefault(
                key, f"{validation.named(label)} must not contain control characters (such as a NUL byte): delete them"
            )
        elif isinstance(value, list | dict):
            for v in value.values() if isinstance(value, dict) else value:
                walk(v, key, label)

    for key, value in answers.items():
        q = form.questions.get(key)
        if q is None or q.group is not None:
            errors[key] = f'This form has no question "{key}"'
        elif q.type == "group" and isinstance(value, list | dict):
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                for sub_key, sub in item.items() if isinstance(item, dict) else []:
                    sub_q = form.questions.get(sub_key)
                    where = f"{key}.{i}.{sub_key}" if isinstance(value, list) else f"{key}.{sub_key}"
                    walk(sub, where, sub_q.label if sub_q is not None else sub_key)
        else:
            walk(value, key, q.label)
    if errors:
        raise RuleError(errors)


@transaction.atomic
def draft_save(
    *,
    actor: Actor,
    definition: FormDefinition,
    person: Person,
    answers: dict[str, Any],
    response: FormResponse | None = None,
) -> FormResponse:
    """Create a draft response, or save the answers of one (a draft, or one returned to the worker). Drafts are not
    validated beyond what could not be stored (control characters, unknown questions)."""
    form = form_of(definition)
    _refuse_bad_characters(form, answers)
    if response is None:
        response = FormResponse.objects.create(
            definition=definition, person=person, author=actor_or_none(actor), answers=answers
        )
        created = True
    else:
        response = FormResponse.objects.select_for_update().get(pk=response.pk)
        if response.status not in (ResponseStatus.DRAFT, ResponseStatus.RETURNED):
            raise RuleError("This form has been submitted: it cannot be changed (make a correction instead)")
        if response.definition_id != definition.pk or response.person_id != person.pk:
            raise RuleError("This draft belongs to another form or another person")
        response.answers = answers
        response.save(update_fields=["answers", "updated_at"])
        created = False
    audit_record(
        actor=actor,
        action=AuditAction.DRAFT_SAVE,
        object_type="form_response",
        object_id=str(response.pk),
        person_id=person.pk,
        changes={"form": definition.name, "version": definition.version, "created": created},
    )
    return response


@dataclass(frozen=True)
class Submitted:
    response: FormResponse
    records: list[Model]


def record_ref(instance: Model) -> dict[str, Any]:
    return {"type": instance._meta.label_lower, "id": instance.pk}


@transaction.atomic
def response_submit(
    *,
    actor: Actor,
    definition: FormDefinition,
    person: Person,
    answers: dict[str, Any],
    response: FormResponse | None = None,
) -> Submitted:
    """Submit a response (a new one, or the draft `response`): validate the answers (RuleError keyed by question id,
    or "group.index.id"), keep only the visible ones, write the form's record through its binding target's
    services, and store the response as submitted with the SHA-256 of its canonical answers, all in one transaction
    with the response_submit audit event. A service's RuleError comes back on the bound question."""
    form = form_of(definition)
    result = validation.validate(form, answers)
    if result.errors:
        raise RuleError(result.errors)
    if response is None:
        response = FormResponse(definition=definition, person=person, author=actor_or_none(actor))
    else:
        response = FormResponse.objects.select_for_update().get(pk=response.pk)
        if response.status not in (ResponseStatus.DRAFT, ResponseStatus.RETURNED):
            raise RuleError("This form has already been submitted")
        if response.definition_id != definition.pk or response.person_id != person.pk:
            raise RuleError("This draft belongs to another form or another person")
    now = timezone.now()
    records: list[Model] = []
    if form.record:
        target = bindings.target_for(form.record)
        context = bindings.WriteContext(response=response, form=form, submitted_on=timezone.localdate(now))
        try:
            with transaction.atomic():
                records = target.write(
                    actor=actor,
                    person=person,
                    values=bindings.values_for(target, form, result.answers),
                    context=context,
                )
        except RuleError as e:
            raise RuleError(bindings.errors_for_questions(form, e.errors)) from e
    response.answers = result.answers
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now
    response.submitted_by = actor_or_none(actor)
    response.sha256 = hashlib.sha256(canonical(result.answers)).hexdigest()
    response.records = [record_ref(r) for r in records]
    response.save()
    audit_record(
        actor=actor,
        action=AuditAction.RESPONSE_SUBMIT,
        object_type="form_response",
        object_id=str(response.pk),
        person_id=person.pk,
        changes={
            "form": definition.name,
            "version": definition.version,
            "sha256": response.sha256,
            "records": response.records,
        },
    )
    return Submitted(response, records)
