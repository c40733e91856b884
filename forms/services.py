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
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import Notification
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


RETURNED_IS_KEPT = (
    "This form was returned to the worker and is kept as it was sent: reopen it as a new draft to change it"
)


@transaction.atomic
def draft_save(
    *,
    actor: Actor,
    definition: FormDefinition,
    person: Person,
    answers: dict[str, Any],
    response: FormResponse | None = None,
) -> FormResponse:
    """Create a draft response, or save the answers of one. Drafts are not validated beyond what could not be stored
    (control characters, unknown questions). A response returned to the worker is kept as it was submitted: the
    worker reopens it as a new draft (`response_reopen`)."""
    form = form_of(definition)
    _refuse_bad_characters(form, answers)
    if response is None:
        response = FormResponse.objects.create(
            definition=definition, person=person, author=actor_or_none(actor), answers=answers
        )
        created = True
    else:
        response = FormResponse.objects.select_for_update().get(pk=response.pk)
        if response.status == ResponseStatus.RETURNED:
            raise RuleError(RETURNED_IS_KEPT)
        if response.status != ResponseStatus.DRAFT:
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


def person_answers(form: Form, answers: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every answer to a person question, with its key ("qid", "group.qid" or "group.0.qid")."""
    out: list[tuple[str, Any]] = []
    for q in form.questions.values():
        if q.type != "person":
            continue
        if q.group is None:
            if q.id in answers:
                out.append((q.id, answers[q.id]))
            continue
        held = answers.get(q.group)
        if isinstance(held, dict) and q.id in held:
            out.append((f"{q.group}.{q.id}", held[q.id]))
        elif isinstance(held, list):
            out += [
                (f"{q.group}.{i}.{q.id}", item[q.id])
                for i, item in enumerate(held)
                if isinstance(item, dict) and q.id in item
            ]
    return out


def _refuse_people_not_seen(actor: Actor, form: Form, answers: dict[str, Any]) -> None:
    """A person answer must be someone on the record this user may see (accounts.access.can_view_person); a record
    number that is not, or that the user may not open, is refused on its question, in the same words (saying which
    would tell whether the record exists)."""
    if not getattr(actor, "is_authenticated", False):
        return  # the system itself (a command run with no user) sees everyone
    chosen = person_answers(form, answers)
    if not chosen:
        return
    people = Person.objects.in_bulk([pk for _, pk in chosen if isinstance(pk, int)])
    errors = {}
    for key, pk in chosen:
        found = people.get(pk)
        if found is None or not access.can_view_person(actor, found):
            label = validation.named(form.questions[key.rsplit(".", 1)[-1]].spec["label"])
            errors[key] = f"{label}: choose someone on the record whom you may see (record {pk} is not one)"
    if errors:
        raise RuleError(errors)


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
    _refuse_people_not_seen(actor, form, result.answers)
    if response is None:
        response = FormResponse(definition=definition, person=person, author=actor_or_none(actor))
    else:
        response = FormResponse.objects.select_for_update().get(pk=response.pk)
        if response.status == ResponseStatus.RETURNED:
            raise RuleError(RETURNED_IS_KEPT)
        if response.status != ResponseStatus.DRAFT:
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


# Authorisation, return and correction --------------------------------------------------------------------------


def needs_authorisation(definition: FormDefinition) -> bool:
    """Whether a submitted response of this form goes to a manager to authorise (`"authorisation": true`)."""
    return bool(definition.body.get("authorisation"))


def target_of(definition: FormDefinition) -> bindings.Target | None:
    record = definition.body.get("record")
    return bindings.target_for(record) if record else None


def _locked(response: FormResponse) -> FormResponse:
    return (
        FormResponse.objects.select_for_update(of=("self",)).select_related("definition", "person").get(pk=response.pk)
    )


def _awaiting_decision(response: FormResponse, actor: Actor, doing: str) -> None:
    """The refusals shared by authorising and returning: a manager's decision (`Can.MANAGE_CASES`: PermissionDenied,
    as the journey's manager-only steps), on a form that needs one and waits for it, submitted by someone else."""
    if actor is not None and not access.may(actor, access.Can.MANAGE_CASES):
        raise PermissionDenied("Only a team manager can decide on a form. Ask your manager to do it.")
    if not needs_authorisation(response.definition):
        raise RuleError("This form does not need a manager's authorisation")
    if response.status != ResponseStatus.SUBMITTED:
        state = ResponseStatus(response.status).label.lower()
        raise RuleError(f"Only a submitted form waiting for authorisation can be {doing}: this one is {state}")
    if response.superseded_by.exists():
        raise RuleError(f"This form has a newer version: that one can be {doing}")
    if actor is not None and response.submitted_by_id == getattr(actor, "pk", None):
        raise RuleError("You submitted this form: another manager must decide on it")


def _decided(response: FormResponse, actor: Actor, status: str, comments: str) -> None:
    response.status = status
    response.decided_at = timezone.now()
    response.decided_by = actor_or_none(actor)
    response.decision_comments = comments
    response.save(update_fields=["status", "decided_at", "decided_by", "decision_comments", "updated_at"])


@transaction.atomic
def response_authorise(*, actor: Actor, response: FormResponse, comments: str = "") -> FormResponse:
    """A manager authorises a submitted form (not one they submitted), with their comments: the form is authorised
    and its target's `authorise` carries the decision to the record (the assessment is authorised and the journey
    moves on), in one transaction with the response_authorise event. Who may is the caller's question
    (`Can.MANAGE_CASES` for this person); the journey's services ask again."""
    response = _locked(response)
    _awaiting_decision(response, actor, "authorised")
    comments = comments.strip()
    target = target_of(response.definition)
    if target is not None and target.authorise is not None:
        target.authorise(actor=actor, response=response, comments=comments)
    _decided(response, actor, ResponseStatus.AUTHORISED, comments)
    audit_record(
        actor=actor,
        action=AuditAction.RESPONSE_AUTHORISE,
        object_type="form_response",
        object_id=str(response.pk),
        person_id=response.person_id,
        changes={"form": response.definition.name, "version": response.definition.version, "comments": comments},
    )
    return response


@transaction.atomic
def response_return(*, actor: Actor, response: FormResponse, reason: str) -> FormResponse:
    """A manager returns a submitted form to the worker with the reason (required). The returned response is kept
    as it was sent; the worker reopens it as a new draft (`response_reopen`). Its target's `return_` carries the
    decision to the record (the assessment is in progress again, and the worker's task says why)."""
    response = _locked(response)
    reason = reason.strip()
    if not reason:
        raise RuleError({"reason": "Enter what the worker needs to change"})
    _awaiting_decision(response, actor, "returned")
    if response.supersedes_id is not None and response.correction_reason:
        raise RuleError("A correction cannot be returned: correct the form again to change it")
    target = target_of(response.definition)
    if target is not None and response.records:
        if target.return_ is None:
            raise RuleError(f"This form has written {target.record_words}, which cannot be returned")
        target.return_(actor=actor, response=response, reason=reason)
    _decided(response, actor, ResponseStatus.RETURNED, reason)
    _tell_worker(response, actor, reason)
    audit_record(
        actor=actor,
        action=AuditAction.RESPONSE_RETURN,
        object_type="form_response",
        object_id=str(response.pk),
        person_id=response.person_id,
        changes={"form": response.definition.name, "version": response.definition.version, "reason": reason},
    )
    return response


def _tell_worker(response: FormResponse, actor: Actor, reason: str) -> None:
    """A notification to whoever submitted the form: what came back, from whom, and why."""
    if response.submitted_by_id is None:
        return
    by = getattr(actor, "display_name", "") or "A manager"
    Notification.objects.create(
        user_id=response.submitted_by_id,
        subject=f"{by} returned the {response.definition.title.lower()} for {response.person.full_name}",
        body=f"What to change: {reason}\n\nOpen the form to reopen it as a draft.",
        url=reverse("forms:response", args=[response.pk]),
    )


@transaction.atomic
def response_reopen(*, actor: Actor, response: FormResponse) -> FormResponse:
    """The worker reopens a form returned to them: a new draft with the same answers, on the same version of the
    definition, that supersedes the returned one (which is kept as it was sent). Reopening again gives the same
    draft."""
    response = _locked(response)
    if response.status != ResponseStatus.RETURNED:
        raise RuleError("Only a form returned to the worker can be reopened")
    existing = response.superseded_by.order_by("-pk").first()
    if existing is not None:
        if existing.status == ResponseStatus.DRAFT:
            return existing
        raise RuleError("This form has been reopened and sent again: open its newer version")
    draft = FormResponse.objects.create(
        definition=response.definition,
        person_id=response.person_id,
        author=actor_or_none(actor),
        answers=response.answers,
        supersedes=response,
    )
    audit_record(
        actor=actor,
        action=AuditAction.RESPONSE_REOPEN,
        object_type="form_response",
        object_id=str(draft.pk),
        person_id=response.person_id,
        changes={"form": response.definition.name, "version": response.definition.version, "reopens": response.pk},
    )
    return draft


@dataclass(frozen=True)
class Change:
    """One answer that differs between two versions of a response. `before`/`after`: the stored answers (None when
    unanswered)."""

    question: str
    label: str
    page: str
    before: Any
    after: Any


def response_changes(old: FormResponse, new: FormResponse) -> list[Change]:
    """What changed from `old` to `new` (two versions of a response on the same definition), in the form's order."""
    form = form_of(new.definition)
    titles = {page["id"]: page["title"] for page in form.pages()}
    out = []
    for q in form.questions.values():
        if q.group is not None:
            continue  # a group is compared whole
        before, after = old.answers.get(q.id), new.answers.get(q.id)
        if canonical(before) != canonical(after):
            out.append(Change(q.id, q.label, titles.get(q.page, ""), before, after))
    return out


def response_history(response: FormResponse) -> list[FormResponse]:
    """Every version of this response, oldest first: the ones it supersedes and the ones that supersede it (a
    correction, or a draft reopened after a return)."""
    chain = [response]
    while chain[0].supersedes_id is not None:
        chain.insert(0, FormResponse.objects.select_related("submitted_by", "author").get(pk=chain[0].supersedes_id))
    while (nxt := FormResponse.objects.filter(supersedes_id=chain[-1].pk).order_by("pk").first()) is not None:
        chain.append(nxt)
    return chain


@transaction.atomic
def response_correct(*, actor: Actor, response: FormResponse, answers: dict[str, Any], reason: str) -> FormResponse:
    """Correct a submitted or authorised form: the response is never changed; the correction is a NEW response on
    the same version of the definition that supersedes it, with the reason, checked as a submission is. A changed
    answer that is bound to the record goes through the target's `correct`; a target without one refuses it (the
    other answers may still be corrected). A form waiting for a manager is not corrected: the manager returns it.
    A correction of a form that needs authorisation goes to the manager again."""
    old = _locked(response)
    definition = old.definition
    if old.status not in (ResponseStatus.SUBMITTED, ResponseStatus.AUTHORISED):
        raise RuleError("Only a submitted or authorised form can be corrected")
    if old.superseded_by.exists():
        raise RuleError("This form has a newer version: correct that one")
    if needs_authorisation(definition) and old.status == ResponseStatus.SUBMITTED:
        raise RuleError("This form is waiting for a manager's authorisation: ask them to return it to change it")
    form = form_of(definition)
    _refuse_bad_characters(form, answers)
    result = validation.validate(form, answers)
    errors = dict(result.errors)
    reason = reason.strip()
    if not reason:
        errors["correction_reason"] = "Enter why you are correcting this form"
    elif validation.CONTROL.search(reason.replace("\r\n", "\n")):
        errors["correction_reason"] = "The reason must not contain control characters (such as a NUL byte): delete them"
    if errors:
        raise RuleError(errors)
    _refuse_people_not_seen(actor, form, result.answers)
    if canonical(result.answers) == canonical(old.answers):
        raise RuleError("You have not changed any answers: change at least one, or leave the form as it is")
    target = target_of(definition)
    bound = form.bound()
    changed = {f: q for f, q in bound.items() if canonical(result.answers.get(q)) != canonical(old.answers.get(q))}
    if changed and target is not None:
        if target.correct is None:
            message = (
                f"This answer was written to {target.record_words} when the form was submitted, and {target.record_words} "
                "cannot be changed by a correction: put it back as it was"
            )
            raise RuleError(dict.fromkeys(changed.values(), message))
        try:
            with transaction.atomic():
                target.correct(
                    actor=actor,
                    response=old,
                    values=bindings.values_for(target, form, result.answers),
                    changed=sorted(changed),
                )
        except RuleError as e:
            raise RuleError(bindings.errors_for_questions(form, e.errors)) from e
    now = timezone.now()
    correction = FormResponse.objects.create(
        definition=definition,
        person_id=old.person_id,
        author=actor_or_none(actor),
        status=ResponseStatus.SUBMITTED,
        answers=result.answers,
        submitted_at=now,
        submitted_by=actor_or_none(actor),
        sha256=hashlib.sha256(canonical(result.answers)).hexdigest(),
        records=old.records,
        supersedes=old,
        correction_reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.RESPONSE_CORRECT,
        object_type="form_response",
        object_id=str(correction.pk),
        person_id=old.person_id,
        changes={
            "form": definition.name,
            "version": definition.version,
            "corrects": old.pk,
            "reason": reason,
            "sha256": correction.sha256,
            "changed": [c.question for c in response_changes(old, correction)],
        },
    )
    return correction
