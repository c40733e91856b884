"""Writes to the person index. Each service validates its rules, writes rows and the audit event in one transaction.

Services do not check who may call them: views and the API check access (accounts.access) before calling. Every
service raises core.errors.RuleError, with a message per field, when a rule refuses the change; nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record, diff, snapshot
from core.actors import Actor, actor_or_none
from core.errors import ConfirmationNeeded, RuleError

from . import involvement, rules
from .matching import name_keys
from .models import (
    RECIPROCAL,
    DuplicateCandidate,
    IdentifierType,
    Person,
    PersonAddress,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipType,
    Sex,
    Warning,
    WarningType,
)
from .validators import (
    nhs_number_error,
    normalise_nhs_number,
    normalise_postcode,
    postcode_error,
    upn_error,
)

PERSON_FIELDS = [
    "given_name",
    "middle_names",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "expected_date_of_birth",
    "date_of_death",
    "sex",
    "gender",
    "ethnicity",
    "first_language",
    "disabilities",
    "interpreter_needed",
    "is_restricted",
]


@dataclass
class AddressInput:
    line1: str
    postcode: str
    line2: str = ""
    town: str = ""
    lived_from: date | None = None


def _today() -> date:
    return timezone.localdate()


def validate_person_fields(data: dict[str, Any]) -> dict[str, str]:
    """Field errors for person details, in plain English. Shared by create, update and import."""
    errors: dict[str, str] = {}
    given = (data.get("given_name") or "").strip()
    family = (data.get("family_name") or "").strip()
    if not given and not family:
        errors["family_name"] = "Enter a first name or last name"
    for key, label in (
        ("given_name", "First name"),
        ("family_name", "Last name"),
        ("middle_names", "Middle names"),
    ):
        if len(data.get(key) or "") > 100:
            errors[key] = f"{label} must be 100 characters or fewer"
    dob, edd, dod = data.get("date_of_birth"), data.get("expected_date_of_birth"), data.get("date_of_death")
    today = _today()
    if dob and dob > today:
        errors["date_of_birth"] = "Date of birth must be today or in the past"
    elif dob and dob.year < 1900:
        errors["date_of_birth"] = "Date of birth must be after 1900"
    if edd and dob:
        errors["expected_date_of_birth"] = "Enter either a date of birth or an expected date of birth, not both"
    elif edd and edd < today - timedelta(days=31):
        errors["expected_date_of_birth"] = "Expected date of birth must be no more than a month ago"
    elif edd and edd > today + timedelta(days=300):
        errors["expected_date_of_birth"] = "Expected date of birth must be within the next 10 months"
    if dod and dod > today:
        errors["date_of_death"] = "Date of death must be today or in the past"
    elif dod and dob and dod < dob:
        errors["date_of_death"] = "Date of death must be on or after the date of birth"
    if data.get("sex") and data["sex"] not in Sex.values:
        errors["sex"] = "Select male, female or not known"
    from core.codes import choices

    if data.get("ethnicity") and data["ethnicity"] not in {c for c, _ in choices("ethnicity")}:
        errors["ethnicity"] = "Select the ethnicity from the list"
    if len(data.get("first_language") or "") > 60:
        errors["first_language"] = "First language must be 60 characters or fewer"
    if len(data.get("gender") or "") > 60:
        errors["gender"] = "Gender must be 60 characters or fewer"
    disabilities = list(data.get("disabilities") or [])
    if disabilities:
        valid = {c for c, _ in choices("disability")}
        if any(d not in valid for d in disabilities):
            errors["disabilities"] = "Select disabilities from the list"
        elif "NONE" in disabilities and len(disabilities) > 1:
            errors["disabilities"] = "Select 'No disability' on its own, or the disabilities the person has"
    return errors


def _write_name(person: Person, kind: str, given: str, family: str, **extra: Any) -> PersonName:
    k = name_keys(given, family)
    return PersonName.objects.create(
        person=person,
        kind=kind,
        given_name=given,
        family_name=family,
        given_norm=k.given_norm,
        family_norm=k.family_norm,
        given_key=k.given_key,
        family_key=k.family_key,
        full_norm=k.full_norm,
        **extra,
    )


def _check_identifier(type_: str, value: str) -> tuple[str, str | None]:
    if type_ == IdentifierType.NHS:
        value = normalise_nhs_number(value)
        return value, nhs_number_error(value)
    if type_ in (IdentifierType.UPN, IdentifierType.FORMER_UPN):
        value = value.strip().upper()
        return value, upn_error(value)
    value = value.strip()
    if not value:
        return value, "Enter the identifier"
    if len(value) > 40:
        return value, "Identifier must be 40 characters or fewer"
    return value, None


# Identifiers a person has at most one of at a time, and identifiers no two people share (as the constraints).
ONE_PER_PERSON = (IdentifierType.NHS, IdentifierType.UPN)
UNIQUE_TYPES = (IdentifierType.NHS, IdentifierType.UPN, IdentifierType.SOURCE)


def _identifier_taken(type_: str, value: str, exclude_identifier: int | None = None) -> Person | None:
    """The person who holds this identifier now (for the types no two people share), if anyone."""
    if type_ not in UNIQUE_TYPES:
        return None
    qs = PersonIdentifier.objects.filter(type=type_, value=value, ended_on__isnull=True).select_related("person")
    if exclude_identifier:
        qs = qs.exclude(pk=exclude_identifier)
    found = qs.first()
    return found.person if found else None


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    given_name: str,
    family_name: str,
    middle_names: str = "",
    preferred_name: str = "",
    date_of_birth: date | None = None,
    expected_date_of_birth: date | None = None,
    sex: str = Sex.UNKNOWN,
    gender: str = "",
    ethnicity: str = "",
    first_language: str = "",
    nhs_number: str = "",
    upn: str = "",
    address: AddressInput | None = None,
    is_restricted: bool = False,
    disabilities: list[str] | None = None,
    possible_duplicates_considered: list[int] | None = None,
) -> Person:
    """Create a person with their current name, identifiers and address. Audited as `create`.

    `possible_duplicates_considered` lists the people the user was shown as possible matches and decided were
    someone else; they are kept as duplicate candidates for review, so a wrong decision can still be caught.
    """
    data: dict[str, Any] = {
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "middle_names": middle_names.strip(),
        "preferred_name": preferred_name.strip(),
        "date_of_birth": date_of_birth,
        "expected_date_of_birth": expected_date_of_birth,
        "sex": sex or Sex.UNKNOWN,
        "gender": gender.strip(),
        "ethnicity": ethnicity,
        "first_language": first_language.strip(),
        "is_restricted": is_restricted,
        "disabilities": list(disabilities or []),
    }
    errors = validate_person_fields(data)
    identifiers: list[tuple[str, str]] = []
    type_: str
    for type_, raw, field in (
        (IdentifierType.NHS, nhs_number, "nhs_number"),
        (IdentifierType.UPN, upn, "upn"),
    ):
        if raw and raw.strip():
            value, err = _check_identifier(type_, raw)
            if err:
                errors[field] = err
            elif (other := _identifier_taken(type_, value)) is not None:
                errors[field] = (
                    f"This {IdentifierType(type_).label} already belongs to {other.full_name} (record {other.pk}). "
                    "Open that record instead of creating a new one"
                )
            else:
                identifiers.append((type_, value))
    if address is not None:
        errors.update(_address_errors(address))
    if errors:
        raise RuleError(errors)

    person = Person.objects.create(created_by=_uid(actor), modified_by=_uid(actor), **data)
    _write_name(person, PersonName.Kind.CURRENT, data["given_name"], data["family_name"])
    for type_, value in identifiers:
        PersonIdentifier.objects.create(person=person, type=type_, value=value, created_by=_uid(actor))
    if address is not None:
        _address_write(actor, person, address)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person",
        object_id=str(person.pk),
        person_id=person.pk,
        changes={
            "new": {
                **snapshot(person, PERSON_FIELDS),
                "identifiers": [{"type": t, "value": v} for t, v in identifiers],
            }
        },
    )
    considered = [pid for pid in possible_duplicates_considered or [] if pid != person.pk]
    if considered:
        from .duplicates import score_pairs

        scores = score_pairs([(person.pk, pid) for pid in considered])
        for other_id in considered:
            score = scores.get((person.pk, other_id))
            DuplicateCandidate.objects.get_or_create(
                person=person,
                possible_match_id=other_id,
                defaults={
                    "score": score.value if score else 0.0,
                    "reasons": score.reasons if score else [],
                    "source": "created_despite_match",
                    "created_by": _uid(actor),
                },
            )
    involvement.refresh([person.pk])
    return person


_uid = actor_or_none


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **changes: Any) -> Person:
    """Change a person's details. A change of name keeps the old one as a previous name. Audited with old and new."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise RuleError(f"These details cannot be changed here: {', '.join(sorted(unknown))}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    old = snapshot(person, PERSON_FIELDS)
    merged: dict[str, Any] = {**old, **{k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}}
    for k in ("date_of_birth", "expected_date_of_birth", "date_of_death"):
        if isinstance(merged.get(k), str):
            merged[k] = date.fromisoformat(merged[k])
    errors = validate_person_fields(merged)
    if errors:
        raise RuleError(errors)
    name_changed = (merged["given_name"], merged["family_name"]) != (person.given_name, person.family_name)
    for k in PERSON_FIELDS:
        setattr(person, k, merged[k])
    person.modified_by = _uid(actor)
    person.save()
    if name_changed:
        current = PersonName.objects.get(person=person, kind=PersonName.Kind.CURRENT)
        current.kind = PersonName.Kind.PREVIOUS
        current.used_to = _today()
        current.save(update_fields=["kind", "used_to"])
        _write_name(person, PersonName.Kind.CURRENT, person.given_name, person.family_name, used_from=_today())
    changed = diff(old, snapshot(person, PERSON_FIELDS))
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="person",
            object_id=str(person.pk),
            person_id=person.pk,
            changes=changed,
        )
    return person


IDENTIFIER_FIELDS = ["type", "value", "ended_on", "end_reason"]


def _label(type_: str) -> str:
    return str(IdentifierType(type_).label)


def _taken_message(type_: str, other: Person, person: Person) -> str:
    if other.pk == person.pk:
        return f"{person.full_name} already has this {_label(type_)}"
    return f"This {_label(type_)} already belongs to {other.full_name} (record {other.pk})"


@transaction.atomic
def identifier_add(*, actor: Actor, person: Person, type: str, value: str) -> PersonIdentifier:
    """Add an identifier (checked as at creation: NHS number modulus 11, UPN check letter). An NHS number or UPN
    held by someone else now is refused, as is a second current NHS number or UPN: correct the one recorded, or end
    it first. Audited as `create` on the person's record."""
    if type not in IdentifierType.values:
        raise RuleError({"type": "Select the type of identifier"})
    value, err = _check_identifier(type, value)
    if err:
        raise RuleError({"value": err})
    other = _identifier_taken(type, value)
    if other is not None:
        raise RuleError({"value": _taken_message(type, other, person)})
    if type in ONE_PER_PERSON:
        held = PersonIdentifier.objects.filter(person=person, type=type, ended_on__isnull=True).first()
        if held is not None:
            raise RuleError(
                {
                    "value": f"{person.full_name} already has a {_label(type)} ({held.value}). Correct it if it is "
                    "wrong, or end it first if it no longer applies"
                }
            )
    try:
        with transaction.atomic():
            ident = PersonIdentifier.objects.create(person=person, type=type, value=value, created_by=_uid(actor))
    except IntegrityError as exc:  # a concurrent request took it first
        raise RuleError({"value": f"This {_label(type)} already belongs to someone else"}) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person_identifier",
        object_id=str(ident.pk),
        person_id=person.pk,
        changes={"new": {"type": type, "value": value}},
    )
    return ident


def _current_identifier(identifier: PersonIdentifier) -> PersonIdentifier:
    ident = PersonIdentifier.objects.select_for_update().select_related("person").get(pk=identifier.pk)
    if ident.ended_on is not None:
        raise RuleError(f"This {_label(ident.type)} ended on {ident.ended_on:%-d %B %Y}: add a new one instead")
    return ident


@transaction.atomic
def identifier_correct(*, actor: Actor, identifier: PersonIdentifier, value: str, reason: str = "") -> PersonIdentifier:
    """Put right an identifier recorded wrongly (a mistyped NHS number). The new value is checked as a new one
    would be; the old value stays in the row's history and in the audit event (`update`, old and new)."""
    ident = _current_identifier(identifier)
    value, err = _check_identifier(ident.type, value)
    if err:
        raise RuleError({"value": err})
    if value == ident.value:
        raise RuleError({"value": f"This is the {_label(ident.type)} already recorded: enter the right one"})
    other = _identifier_taken(ident.type, value, exclude_identifier=ident.pk)
    if other is not None:
        raise RuleError({"value": _taken_message(ident.type, other, ident.person)})
    if len(reason.strip()) > 200:
        raise RuleError({"reason": "What was wrong must be 200 characters or fewer"})
    old = snapshot(ident, IDENTIFIER_FIELDS)
    ident.value = value
    ident.modified_by = _uid(actor)
    try:
        with transaction.atomic():
            ident.save(update_fields=["value", "modified_by", "modified_at"])
    except IntegrityError as exc:
        raise RuleError({"value": f"This {_label(ident.type)} already belongs to someone else"}) from exc
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person_identifier",
        object_id=str(ident.pk),
        person_id=ident.person_id,
        changes={**diff(old, snapshot(ident, IDENTIFIER_FIELDS)), "reason": reason.strip()},
    )
    return ident


@transaction.atomic
def identifier_end(
    *, actor: Actor, identifier: PersonIdentifier, reason: str, ended_on: date | None = None
) -> PersonIdentifier:
    """End an identifier that no longer applies (a previous system's ID, a UPN the school replaced). It stays on the
    record as ended; returns and search read current identifiers only. Audited as `close`."""
    ident = _current_identifier(identifier)
    errors = {}
    if not reason.strip():
        errors["reason"] = f"Enter why the {_label(ident.type)} no longer applies"
    elif len(reason.strip()) > 200:
        errors["reason"] = "The reason must be 200 characters or fewer"
    ended_on = ended_on or _today()
    if ended_on > _today():
        errors["ended_on"] = "The date it ended must be today or in the past"
    if errors:
        raise RuleError(errors)
    old = snapshot(ident, IDENTIFIER_FIELDS)
    ident.ended_on = ended_on
    ident.end_reason = reason.strip()
    ident.modified_by = _uid(actor)
    ident.save(update_fields=["ended_on", "end_reason", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        object_type="person_identifier",
        object_id=str(ident.pk),
        person_id=ident.person_id,
        changes=diff(old, snapshot(ident, IDENTIFIER_FIELDS)),
    )
    return ident


def _address_errors(address: AddressInput) -> dict[str, str]:
    errors = {}
    if not address.line1.strip():
        errors["line1"] = "Enter the first line of the address"
    for key, value, label in (("line1", address.line1, "Address line 1"), ("line2", address.line2, "Address line 2")):
        if len(value.strip()) > 120 and key not in errors:
            errors[key] = f"{label} must be 120 characters or fewer"
    if len(address.town.strip()) > 80:
        errors["town"] = "Town or city must be 80 characters or fewer"
    if address.postcode.strip() and (err := postcode_error(address.postcode)):
        errors["postcode"] = err
    if address.lived_from and address.lived_from > _today():
        errors["lived_from"] = "The date they moved in must be today or in the past"
    return errors


def _address_write(actor: Actor, person: Person, address: AddressInput) -> PersonAddress:
    moved_in = address.lived_from or _today()
    current = list(PersonAddress.objects.filter(person=person, lived_to__isnull=True))
    for old in current:
        if old.lived_from and old.lived_from > moved_in:
            raise RuleError({"lived_from": "They moved in here before they moved into their current address"})
        old.lived_to = max(moved_in - timedelta(days=1), old.lived_from) if old.lived_from else moved_in
        old.modified_by = _uid(actor)
        old.save(update_fields=["lived_to", "modified_by", "modified_at"])
    new = PersonAddress.objects.create(
        person=person,
        line1=address.line1.strip(),
        line2=address.line2.strip(),
        town=address.town.strip(),
        postcode=normalise_postcode(address.postcode) if address.postcode.strip() else "",
        lived_from=moved_in,
        created_by=_uid(actor),
    )
    Person.objects.filter(pk=person.pk).update(current_postcode=new.postcode)
    person.current_postcode = new.postcode
    return new


@transaction.atomic
def address_add(*, actor: Actor, person: Person, address: AddressInput) -> PersonAddress:
    """A new current address; the previous current address ends the day before the move."""
    errors = _address_errors(address)
    if errors:
        raise RuleError(errors)
    new = _address_write(actor, person, address)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person_address",
        object_id=str(new.pk),
        person_id=person.pk,
        changes={"new": snapshot(new, ["line1", "line2", "town", "postcode", "lived_from"])},
    )
    return new


ADDRESS_FIELDS = ["line1", "line2", "town", "postcode", "lived_from", "lived_to"]


@transaction.atomic
def address_correct(
    *,
    actor: Actor,
    address: PersonAddress,
    line1: str,
    postcode: str,
    line2: str = "",
    town: str = "",
    lived_from: date | None = None,
    lived_to: date | None = None,
) -> PersonAddress:
    """Put right an address recorded wrongly (a mistyped postcode, the wrong dates). A move is not a correction:
    that is `address_add`. The current address keeps no end date. The old values stay in the row's history and in
    the audit event (`update`, old and new)."""
    addr = PersonAddress.objects.select_for_update().get(pk=address.pk)
    errors = _address_errors(
        AddressInput(line1=line1, postcode=postcode, line2=line2, town=town, lived_from=lived_from)
    )
    if addr.is_current:
        lived_to = None
    elif lived_to is None:
        errors["lived_to"] = "Enter the date they moved out"
    elif lived_to > _today():
        errors["lived_to"] = "The date they moved out must be today or in the past"
    elif lived_from and lived_to < lived_from:
        errors["lived_to"] = "The date they moved out must be the same as or after the date they moved in"
    if errors:
        raise RuleError(errors)
    old = snapshot(addr, ADDRESS_FIELDS)
    addr.line1, addr.line2, addr.town = line1.strip(), line2.strip(), town.strip()
    addr.postcode = normalise_postcode(postcode) if postcode.strip() else ""
    addr.lived_from, addr.lived_to = lived_from, lived_to
    changed = diff(old, snapshot(addr, ADDRESS_FIELDS))
    if not changed:
        raise RuleError("Nothing was changed: correct the address, or go back to the record")
    addr.modified_by = _uid(actor)
    addr.save()
    if addr.is_current:
        Person.objects.filter(pk=addr.person_id).update(current_postcode=addr.postcode)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person_address",
        object_id=str(addr.pk),
        person_id=addr.person_id,
        changes=changed,
    )
    return addr


def _someone(p: Person) -> rules.Someone:
    return rules.Someone(name=p.full_name, born=p.date_of_birth, expected=p.expected_date_of_birth)


def _relatives(person: Person, types: tuple[str, ...]) -> list[rules.Someone]:
    """The people recorded (now) as `person`'s `types`, for the plausibility rules: one query."""
    return [
        _someone(r.other)
        for r in Relationship.objects.filter(person=person, type__in=types, ended_on__isnull=True)
        .select_related("other")
        .order_by("other__date_of_birth", "other_id")
    ]


def relationship_plausibility(*, person: Person, other: Person, type: str) -> rules.Plausibility:
    """What `people.rules` says of "`person` is `type` of `other`", given the parents and grandparents already
    recorded for the younger of the two."""
    younger = person if RECIPROCAL.get(RelationshipType(type)) in rules.ELDER_TYPES else other
    return rules.relationship_plausibility(
        first=_someone(person),
        type=type,
        second=_someone(other),
        second_parents=_relatives(younger, (RelationshipType.PARENT,)),
        second_grandparents=_relatives(younger, (RelationshipType.GRANDPARENT,)),
        today=_today(),
    )


@transaction.atomic
def relationship_create(
    *,
    actor: Actor,
    person: Person,
    other: Person,
    type: str,
    parental_responsibility: bool = False,
    lives_with: bool = False,
    started_on: date | None = None,
    confirmed: bool = False,
) -> Relationship:
    """Record that `person` is `type` of `other` ("Sarah is parent of Amelia"), with parental responsibility if
    given. Two rows are written, one read from each person's record (see Relationship). Audited on both records.

    The ages are checked by `people.rules`: an impossible relationship (a 7-year-old parent) raises RuleError; an
    unusual one (a parent 13 years older) raises ConfirmationNeeded unless `confirmed`, and the questions the user
    confirmed are kept in the audit event."""
    if type not in RelationshipType.values:
        raise RuleError({"type": "Select how they are related"})
    if person.pk == other.pk:
        raise RuleError({"other": "A person cannot be related to themselves: choose someone else"})
    rtype = RelationshipType(type)
    if parental_responsibility and rtype not in (
        RelationshipType.PARENT,
        RelationshipType.STEP_PARENT,
        RelationshipType.GRANDPARENT,
        RelationshipType.CARER,
    ):
        raise RuleError(
            {
                "parental_responsibility": "Only a parent, step-parent, grandparent or carer can hold parental responsibility"
            }
        )
    if started_on and started_on > _today():
        raise RuleError({"started_on": "The start date must be today or in the past"})
    if Relationship.objects.filter(person=other, other=person, type=rtype, ended_on__isnull=True).exists():
        raise RuleError(
            {"other": f"{person.full_name} is already recorded as {rtype.label.lower()} of {other.full_name}"}
        )
    found = relationship_plausibility(person=person, other=other, type=rtype)
    if found.refusals:
        raise RuleError(found.refusals)
    if found.questions and not confirmed:
        raise ConfirmationNeeded(found.questions)
    # Each row reads from its own person's record: "on `person`'s record, `other` is their `type`".
    rel = Relationship.objects.create(
        person=other,
        other=person,
        type=rtype,
        parental_responsibility=parental_responsibility,
        lives_with=lives_with,
        started_on=started_on,
        created_by=_uid(actor),
    )
    back = Relationship.objects.create(
        person=person,
        other=other,
        type=RECIPROCAL[rtype],
        lives_with=lives_with,
        started_on=started_on,
        created_by=_uid(actor),
    )
    for r in (rel, back):
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="relationship",
            object_id=str(r.pk),
            person_id=r.person_id,
            changes={
                "new": snapshot(r, ["other", "type", "parental_responsibility", "lives_with", "started_on"]),
                **({"confirmed": found.questions} if found.questions else {}),
            },
        )
    involvement.refresh([person.pk, other.pk])
    return rel


@transaction.atomic
def warning_add(
    *, actor: Actor, person: Person, type: str, details: str = "", review_on: date | None = None
) -> Warning:
    """A warning shown at the top of the record until it ends; it must be reviewed by `review_on`."""
    errors = {}
    if type not in WarningType.values:
        errors["type"] = "Select the type of warning"
    if type == WarningType.OTHER and not details.strip():
        errors["details"] = "Describe the warning"
    if review_on is None:
        review_on = _today() + timedelta(days=182)
    elif review_on <= _today():
        errors["review_on"] = "The review date must be in the future"
    if errors:
        raise RuleError(errors)
    warning = Warning.objects.create(
        person=person, type=type, details=details.strip(), review_on=review_on, created_by=_uid(actor)
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="warning",
        object_id=str(warning.pk),
        person_id=person.pk,
        changes={"new": snapshot(warning, ["type", "details", "review_on"])},
    )
    return warning


@transaction.atomic
def warning_end(*, actor: Actor, warning: Warning, reason: str) -> Warning:
    if warning.ended_on is not None:
        raise RuleError("This warning has already ended")
    if not reason.strip():
        raise RuleError({"reason": "Enter why the warning no longer applies"})
    warning.ended_on = _today()
    warning.end_reason = reason.strip()
    warning.modified_by = _uid(actor)
    warning.save(update_fields=["ended_on", "end_reason", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CLOSE,
        object_type="warning",
        object_id=str(warning.pk),
        person_id=warning.person_id,
        changes={
            "ended_on": {"old": None, "new": warning.ended_on.isoformat()},
            "end_reason": {"new": reason},
        },
    )
    return warning


def person_view_record(*, actor: Actor, person: Person, section: str = "summary") -> None:
    """Audit that `actor` viewed `person`'s record. Called by every page and endpoint that shows a record."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="person",
        object_id=str(person.pk),
        person_id=person.pk,
        context={"section": section},
    )


def people_list_view_record(
    *,
    actor: Actor,
    what: str,
    people: Iterable[int | None],
    action: AuditAction = AuditAction.VIEW,
    context: dict[str, Any] | None = None,
) -> None:
    """Audit that `actor` was shown a list of people (a queue, a caseload, a dashboard, a data quality list, an
    export): ONE event naming everyone shown (`context["people"]`, record numbers), whatever the length of the list.
    `action` is EXPORT for a download."""
    audit_record(
        actor=actor,
        action=action,
        object_type=what,
        context={**(context or {}), "people": sorted({pk for pk in people if pk is not None})},
    )
