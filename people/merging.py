"""Merging two records of one person, and undoing a merge exactly.

`person_merge` moves EVERYTHING attached to the merged record to the survivor in one transaction. What is attached is
found by introspection, not by a list: every concrete foreign key to Person in every installed model
(`person_links`), so apps above people (recording, cases, forms, documents, sync) are covered without people
importing them. A few links stay where they are, each for a stated reason (`stay_reason`): the row history
(django-pghistory's event tables) and the audit log are history and are never rewritten; the merge log points at
both records on purpose. `casework/tests` holds the list of links as it was last reviewed, so a new foreign key to
Person fails a test until someone has looked at what a merge does with it.

Before the generic move, the rows a plain move would break are handled explicitly:
- names: the survivor keeps one current name (the one chosen); the other current name becomes "also known as";
- identifiers: two current UPNs (the chosen one stays current, the other ends: the returns' former UPN); two
  different NHS numbers refuse the merge;
- addresses: two current addresses (the chosen one stays current, the other ends the day before);
- relationships: a relationship between the two records would become a relationship to oneself, and a relationship
  both records have with the same person (both list Mary as parent) would be there twice: those rows are ended and
  stay with the merged record;
- the duplicate pair itself is marked merged and stays.
A row that still cannot move (a unique constraint a higher app has, like one row per person) stays with the merged
record and is listed on the merge's page ("left").

Every moved row is a PersonMergeMove (model, primary key, field, old and new value) and every overwritten value a
PersonMergeChange, so `person_unmerge` puts every row back and every value the merge chose back to its owner. Work
recorded on the survivor since the merge (rows above the merge's high-water mark for each model) is assigned by a
person, item by item.

Rules that refuse a merge, or need a manager's confirmation, come from people (different NHS numbers; different dates
of birth need a manager) and from apps above through `register_check` (cases: two open looked-after episodes, two
open child protection plans). What each record has open (episodes, plans, tasks) comes through `register_open_work`.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.actors import Actor, actor_or_none
from core.errors import ConfirmationNeeded, RuleError

from . import involvement
from .models import (
    DuplicateCandidate,
    IdentifierType,
    Person,
    PersonAddress,
    PersonIdentifier,
    PersonMerge,
    PersonMergeChange,
    PersonMergeMove,
    PersonName,
    Relationship,
)

# --- what is attached to a person --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One foreign key to Person: `model.field`."""

    model: type[models.Model]
    field: models.ForeignKey[Any, Any]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def model_label(self) -> str:
        return self.model._meta.label


_stay: dict[str, str] = {
    "audit.AuditEvent.person": "The audit log is append-only: what happened to a record stays as it was recorded",
    "people.PersonMerge.survivor": "The merge log names both records",
    "people.PersonMerge.merged": "The merge log names both records",
}
# Links whose rows are derived from others and rebuilt, never offered to a person when a merge is undone.
_derived: set[str] = {"people.Involvement.person"}
# Links whose rows may stay with the merged record when a constraint refuses the move, because the survivor already
# has what they say (its own access row, its own declared conflict for that user, a pair already proposed). For every
# other link a row that cannot move refuses the whole merge, with the reason.
_may_stay: set[str] = {
    "people.Involvement.person",
    "people.DeclaredConflict.person",
    "people.DuplicateCandidate.person",
    "people.DuplicateCandidate.possible_match",
}


def register_stay(label: str, reason: str) -> None:
    """Keep the rows of `app.Model.field` with the merged record, for `reason` (called from an AppConfig.ready)."""
    _stay[label] = reason


def register_derived(label: str, *, may_stay: bool = False) -> None:
    """Rows of `app.Model.field` are rebuilt from others: they move, but are not offered when a merge is undone.
    With `may_stay`, a row a constraint will not let move (the survivor has its own) stays with the merged record."""
    _derived.add(label)
    if may_stay:
        _may_stay.add(label)


# Links whose rows summarise another row (a chronology entry summarises its case note): when a merge is undone they
# are not a separate thing to assign, they go where the row they summarise goes. label -> the row's source as
# (model name, primary key), or None when it summarises nothing that can be assigned.
Source = Callable[[Any], tuple[str, Any] | None]  # a row of the link's model
_follows: dict[str, Source] = {}


def register_follows(label: str, source: Source, *, may_stay: bool = False) -> None:
    """Rows of `app.Model.field` go with the row `source(row)` names (its model's name, any case, underscores
    ignored: "case_note" is CaseNote; and its primary key) when a merge is undone, shown and assigned as one thing
    with it; a row whose source is not among the things to assign is shown on its own. With `may_stay`, a row a
    constraint will not let move (the survivor has its own) stays with the merged record."""
    _follows[label] = source
    if may_stay:
        _may_stay.add(label)


def person_links() -> list[Link]:
    """Every concrete foreign key (and one-to-one) to Person in every installed model, in a stable order."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            if f.is_relation and f.remote_field is not None and f.remote_field.model is Person:
                found.append(Link(model, f))  # type: ignore[arg-type]
    return sorted(found, key=lambda link: link.label)


def stay_reason(link: Link) -> str | None:
    """Why this link's rows stay with the merged record, or None: they move."""
    if link.label in _stay:
        return _stay[link.label]
    if any(f.name == "pgh_obj" for f in link.model._meta.concrete_fields):
        return "Row history (earlier versions of a row) is never rewritten"
    return None


# What a page calls the rows of a model, where Django's own plural reads badly ("person addresss").
ROW_WORDS = {
    "people.PersonName": "Names",
    "people.PersonIdentifier": "Identifiers",
    "people.PersonAddress": "Addresses",
    "people.Relationship": "Relationships",
    "people.Warning": "Warnings",
    "people.RestrictedAccessGrant": "Grants to see a restricted record",
    "people.Involvement": "Legitimate relationships (who may see the record)",
    "people.DuplicateCandidate": "Possible duplicate pairs",
    "people.BreakGlass": "Break-glass uses",
    "people.DeclaredConflict": "Declared conflicts",
    "recording.ChronologyEntry": "Chronology entries",
    "documents.Document_concerns": "Documents that concern the person",
}


def rows_called(model_label: str) -> str:
    """The rows of a model in words, for the merge's page."""
    if model_label in ROW_WORDS:
        return ROW_WORDS[model_label]
    name = str(apps.get_model(model_label)._meta.verbose_name_plural)
    return name[:1].upper() + name[1:]


def row_called(model_label: str) -> str:
    """One row of a model in words, lower case ("chronology entry")."""
    return str(apps.get_model(model_label)._meta.verbose_name).lower()


def moving_links() -> list[Link]:
    return [link for link in person_links() if stay_reason(link) is None]


def left_with_merged(merge: PersonMerge) -> list[tuple[str, int]]:
    """What stayed with the merged record of a merge not undone, in words, with how many: the rows a merge leaves on
    purpose (a relationship that would have been to oneself or twice over, the pair itself) and the rows of a
    may-stay link whose survivor already had its own (a document that concerns both records). One query per kind."""
    counts: dict[str, int] = {}
    for link in moving_links():
        if link.label in _derived and link.label not in _follows:
            continue  # rebuilt from the others (who may see the record): not something a person left behind
        n = link.model._base_manager.filter(**{link.field.attname: merge.merged_id}).count()
        if n:
            words = rows_called(link.model_label)
            counts[words] = counts.get(words, 0) + n
    return sorted(counts.items())


# --- rules from the apps above --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a merge is refused (`confirmable` False), or a question a manager must confirm (True)."""

    message: str
    confirmable: bool = False


Check = Callable[[Person, Person], list[Problem]]
OpenWork = Callable[[list[int]], dict[int, list[str]]]
_checks: list[Check] = []
_open_work: list[OpenWork] = []


def register_check(check: Check) -> None:
    """Add a rule `check(survivor, merged) -> problems`, from an AppConfig.ready."""
    if check not in _checks:
        _checks.append(check)


def register_open_work(provider: OpenWork) -> None:
    """Add `provider(person_ids) -> {person_id: ["Open child protection plan since 5 May 2025", ...]}` (a fixed
    number of queries), from an AppConfig.ready."""
    if provider not in _open_work:
        _open_work.append(provider)


def open_work(person_ids: list[int]) -> dict[int, list[str]]:
    """What each person has open, in words, from every registered provider."""
    found: dict[int, list[str]] = defaultdict(list)
    for provider in _open_work:
        for pid, items in provider(person_ids).items():
            found[pid].extend(items)
    return dict(found)


def _when(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def tombstone_of(person_id: int) -> PersonMerge | None:
    """The live merge that made this record a tombstone, if it is one: one query."""
    return PersonMerge.objects.filter(merged_id=person_id, undone_at__isnull=True).select_related("survivor").first()


def _current_nhs(person: Person) -> str | None:
    return (
        PersonIdentifier.objects.filter(person=person, type=IdentifierType.NHS, ended_on__isnull=True)
        .values_list("value", flat=True)
        .first()
    )


def merge_problems(survivor: Person, merged: Person) -> list[Problem]:
    """Everything that refuses this merge or needs a manager's confirmation, people's rules first."""
    problems: list[Problem] = []
    if survivor.pk == merged.pk:
        return [Problem("These are the same record: choose two different records")]
    for p in (survivor, merged):
        live = tombstone_of(p.pk)
        if live is not None:
            problems.append(
                Problem(f"Record {p.pk} was already merged into record {live.survivor_id}: use that record instead")
            )
    if problems:
        return problems
    a, b = _current_nhs(survivor), _current_nhs(merged)
    if a and b and a != b:
        problems.append(
            Problem(
                f"The records have different NHS numbers ({a} and {b}): they are different people, or one number "
                "is wrong. Correct the wrong number first"
            )
        )
    if survivor.date_of_birth and merged.date_of_birth and survivor.date_of_birth != merged.date_of_birth:
        problems.append(
            Problem(
                f"The dates of birth differ ({_when(survivor.date_of_birth)} and {_when(merged.date_of_birth)}): "
                "a manager must confirm that these records are the same person",
                confirmable=True,
            )
        )
    for check in _checks:
        problems.extend(check(survivor, merged))
    return problems


# --- choosing values field by field --------------------------------------------------------------------------


@dataclass(frozen=True)
class Choosable:
    key: str
    label: str
    fields: tuple[str, ...]


CHOOSABLE: tuple[Choosable, ...] = (
    Choosable("name", "Name", ("given_name", "family_name")),
    Choosable("middle_names", "Middle names", ("middle_names",)),
    Choosable("preferred_name", "Preferred name", ("preferred_name",)),
    Choosable("date_of_birth", "Date of birth", ("date_of_birth", "expected_date_of_birth")),
    Choosable("date_of_death", "Date of death", ("date_of_death",)),
    Choosable("sex", "Sex", ("sex",)),
    Choosable("gender", "Gender", ("gender",)),
    Choosable("ethnicity", "Ethnicity", ("ethnicity",)),
    Choosable("first_language", "First language", ("first_language",)),
    Choosable("disabilities", "Disabilities", ("disabilities",)),
    Choosable("interpreter_needed", "Interpreter needed", ("interpreter_needed",)),
)
KEEP, TAKE = "survivor", "merged"


def current_address(person_id: int) -> PersonAddress | None:
    return (
        PersonAddress.objects.filter(person_id=person_id, lived_to__isnull=True).order_by("-lived_from", "-pk").first()
    )


def current_upn(person_id: int) -> PersonIdentifier | None:
    return PersonIdentifier.objects.filter(person_id=person_id, type=IdentifierType.UPN, ended_on__isnull=True).first()


def differing_choices(survivor: Person, merged: Person) -> list[str]:
    """The keys a person must choose between: the fields whose values differ, a current address each, a UPN each."""
    keys = [c.key for c in CHOOSABLE if any(getattr(survivor, f) != getattr(merged, f) for f in c.fields)]
    a, b = current_address(survivor.pk), current_address(merged.pk)
    if a and b and str(a) != str(b):
        keys.append("current_address")
    u, v = current_upn(survivor.pk), current_upn(merged.pk)
    if u and v and u.value != v.value:
        keys.append("upn")
    return keys


# --- recording what moved and what changed -------------------------------------------------------------------


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class _Log:
    def __init__(self, merge: PersonMerge) -> None:
        self.merge = merge
        self.moves: list[PersonMergeMove] = []
        self.changes: list[PersonMergeChange] = []

    def change(self, obj: models.Model, field_name: str, new: Any) -> None:
        """Overwrite one value of one row (by an UPDATE of that column only, so nothing else about the row changes)
        and log its old value."""
        model = type(obj)
        old = getattr(obj, model._meta.get_field(field_name).attname)  # type: ignore[union-attr]
        model._base_manager.filter(pk=obj.pk).update(**{field_name: new})
        setattr(obj, field_name, new)
        self.changes.append(
            PersonMergeChange(
                merge=self.merge,
                model=model._meta.label,
                row=str(obj.pk),
                field=field_name,
                old_value=_json(old),
                new_value=_json(new),
            )
        )

    def save(self) -> None:
        PersonMergeMove.objects.bulk_create(self.moves, batch_size=5000)
        PersonMergeChange.objects.bulk_create(self.changes)


def _today() -> date:
    return timezone.localdate()


# --- merge ------------------------------------------------------------------------------------------------------


@dataclass
class MergeOutcome:
    merge: PersonMerge
    moved: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    left: list[str] = field(default_factory=list)


def _locked(*pks: int) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=sorted(pks)).order_by("pk")}


def _names(log: _Log, survivor: Person, merged: Person, take_name: bool) -> None:
    mine = PersonName.objects.filter(person=survivor, kind=PersonName.Kind.CURRENT).first()
    theirs = PersonName.objects.filter(person=merged, kind=PersonName.Kind.CURRENT).first()
    loser = mine if take_name else theirs
    if loser is not None and theirs is not None and mine is not None:
        log.change(loser, "kind", PersonName.Kind.ALIAS)


def _identifiers(log: _Log, survivor: Person, merged: Person, take_upn: bool) -> None:
    u, v = current_upn(survivor.pk), current_upn(merged.pk)
    if u and v and u.value != v.value:
        loser = u if take_upn else v
        log.change(loser, "ended_on", _today())
        log.change(loser, "end_reason", f"Records {survivor.pk} and {merged.pk} merged: the other UPN was kept")


def _addresses(log: _Log, survivor: Person, merged: Person, take_address: bool) -> str:
    """End the current address not chosen; the survivor's current postcode afterwards."""
    a, b = current_address(survivor.pk), current_address(merged.pk)
    if a and b:
        loser, winner = (a, b) if take_address else (b, a)
        end = _today() - timedelta(days=1)
        if loser.lived_from and end < loser.lived_from:
            end = loser.lived_from
        log.change(loser, "lived_to", end)
        return winner.postcode
    either = a or b
    return either.postcode if either is not None else survivor.current_postcode


def _relationships(log: _Log, survivor: Person, merged: Person) -> set[int]:
    """End the relationships that would become a relationship to oneself or be there twice; they stay with the
    merged record. Returns their primary keys."""
    stay: set[int] = set()
    today = _today()
    pair = Relationship.objects.filter(Q(person=merged, other=survivor) | Q(person=survivor, other=merged)).order_by(
        "pk"
    )
    for r in pair:
        stay.add(r.pk)
        if r.ended_on is None:
            log.change(r, "ended_on", max(today, r.started_on or today))
    current = Relationship.objects.filter(ended_on__isnull=True)
    kept = {(r.other_id, r.type): r for r in current.filter(person=survivor)}
    kept_back = {(r.person_id, r.type): r for r in current.filter(other=survivor)}
    for r in current.filter(person=merged).exclude(pk__in=stay).order_by("pk"):
        twin = kept.get((r.other_id, r.type))
        if twin is not None:
            stay.add(r.pk)
            log.change(r, "ended_on", max(today, r.started_on or today))
            for flag in ("parental_responsibility", "lives_with"):
                if getattr(r, flag) and not getattr(twin, flag):
                    log.change(twin, flag, True)
    for r in current.filter(other=merged).exclude(pk__in=stay).order_by("pk"):
        twin = kept_back.get((r.person_id, r.type))
        if twin is not None:
            stay.add(r.pk)
            log.change(r, "ended_on", max(today, r.started_on or today))
            for flag in ("parental_responsibility", "lives_with"):
                if getattr(r, flag) and not getattr(twin, flag):
                    log.change(twin, flag, True)
    return stay


def _move(log: _Log, link: Link, source: int, target: int, exclude: set[Any], outcome: MergeOutcome) -> None:
    """Move every row of `link` from `source` to `target`: one UPDATE in a savepoint; if a constraint refuses it,
    row by row, and the rows still refused stay (listed in `outcome.left`)."""
    manager = link.model._base_manager
    attname = link.field.attname
    rows = list(manager.filter(**{attname: source}).exclude(pk__in=exclude).values_list("pk", flat=True).order_by("pk"))
    if not rows:
        return
    moved = rows
    try:
        with transaction.atomic():
            manager.filter(pk__in=rows).update(**{attname: target})
    except IntegrityError as exc:
        if link.label not in _may_stay:
            name = link.model._meta.verbose_name_plural
            raise RuleError(
                f"Both records have {name} that cannot be combined on one record ({str(exc).splitlines()[0]}): "
                "correct or end the wrong one first"
            ) from exc
        moved = []
        for pk in rows:
            try:
                with transaction.atomic():
                    manager.filter(pk=pk).update(**{attname: target})
                moved.append(pk)
            except IntegrityError:
                outcome.left.append(f"{link.model._meta.verbose_name} {pk}")
    for pk in moved:
        log.moves.append(
            PersonMergeMove(
                merge=log.merge,
                model=link.model_label,
                row=str(pk),
                field=link.field.name,
                old_value=source,
                new_value=target,
            )
        )
    if moved:
        outcome.moved[link.label] = outcome.moved.get(link.label, 0) + len(moved)


def _high_water(links: list[Link]) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    for model in {link.model for link in links}:
        if isinstance(model._meta.pk, (models.AutoField, models.BigAutoField, models.IntegerField)):
            marks[model._meta.label] = model._base_manager.aggregate(m=Max("pk"))["m"] or 0
    return marks


@transaction.atomic
def person_merge(
    *,
    actor: Actor,
    keep: Person,
    merge: Person,
    choices: dict[str, str] | None = None,
    confirmed: bool = False,
) -> MergeOutcome:
    """Merge the record `merge` into `keep` (the survivor). `choices` says, for each key of `differing_choices`,
    whose value to keep ("survivor", the default, or "merged"). Refused (RuleError) for the rules of
    `merge_problems`; a question only a manager may confirm raises ConfirmationNeeded until `confirmed` (the caller
    asks accounts.access.may_confirm_merge first). Audited on both records."""
    choices = dict(choices or {})
    bad = {k: v for k, v in choices.items() if v not in (KEEP, TAKE)}
    if bad:
        raise RuleError(dict.fromkeys(bad, "Choose which record's value to keep"))
    locked = _locked(keep.pk, merge.pk)
    if keep.pk == merge.pk:
        raise RuleError("These are the same record: choose two different records")
    survivor, merged = locked[keep.pk], locked[merge.pk]
    problems = merge_problems(survivor, merged)
    refusals = [p.message for p in problems if not p.confirmable]
    if refusals:
        raise RuleError(" ".join(refusals))
    questions = [p.message for p in problems if p.confirmable]
    if questions and not confirmed:
        raise ConfirmationNeeded(questions)
    links = person_links()
    record = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        merged_by=actor_or_none(actor),
        merged_at=timezone.now(),
        choices={k: v for k, v in choices.items() if k in differing_choices(survivor, merged)},
        confirmed=questions,
        high_water=_high_water(links),
    )
    log = _Log(record)
    outcome = MergeOutcome(record)
    take = {k for k, v in record.choices.items() if v == TAKE}

    # Values chosen from the merged record, and the survivor's derived ones.
    for c in CHOOSABLE:
        if c.key in take:
            for f in c.fields:
                if getattr(survivor, f) != getattr(merged, f):
                    log.change(survivor, f, getattr(merged, f))
    if merged.is_restricted and not survivor.is_restricted:  # a restricted record stays restricted
        log.change(survivor, "is_restricted", True)
    _names(log, survivor, merged, "name" in take)
    _identifiers(log, survivor, merged, "upn" in take)
    postcode = _addresses(log, survivor, merged, "current_address" in take)
    if postcode != survivor.current_postcode:
        log.change(survivor, "current_postcode", postcode)
    for cand in DuplicateCandidate.objects.filter(
        Q(person=survivor, possible_match=merged) | Q(person=merged, possible_match=survivor)
    ).order_by("pk"):
        if cand.status != DuplicateCandidate.Status.MERGED:
            log.change(cand, "status", DuplicateCandidate.Status.MERGED)
    exclude: dict[str, set[Any]] = {
        "people.Relationship.person": set(),
        "people.Relationship.other": set(),
    }
    stay_rel = _relationships(log, survivor, merged)
    exclude["people.Relationship.person"] |= stay_rel
    exclude["people.Relationship.other"] |= stay_rel
    pair_ids = set(
        DuplicateCandidate.objects.filter(
            Q(person=survivor, possible_match=merged) | Q(person=merged, possible_match=survivor)
        ).values_list("pk", flat=True)
    )
    exclude["people.DuplicateCandidate.person"] = pair_ids
    exclude["people.DuplicateCandidate.possible_match"] = pair_ids

    for link in links:
        if stay_reason(link) is None:
            _move(log, link, merged.pk, survivor.pk, exclude.get(link.label, set()), outcome)
    log.save()
    outcome.changed = len(log.changes)
    summary = {
        "survivor": survivor.pk,
        "merged": merged.pk,
        "chosen": record.choices,
        "moved": outcome.moved,
        "overwritten": outcome.changed,
        "left": outcome.left,
        "confirmed": questions,
    }
    for pid in (survivor.pk, merged.pk):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="person_merge",
            object_id=str(record.pk),
            person_id=pid,
            changes=summary,
        )
    return outcome


# --- unmerge --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SinceItem:
    """A row attached to the survivor since the merge: whose it is is for a person to say when the merge is undone.
    `with_it` are the rows that summarise it (register_follows: a case note's chronology entry), assigned with it."""

    key: str  # "app.Model.field:pk"
    link_label: str
    pk: Any
    what: str
    when: date | None
    with_it: tuple[SinceItem, ...] = ()


def _since_links(merge: PersonMerge) -> list[Link]:
    return [
        link for link in moving_links() if link.label not in _derived and link.model._meta.label in merge.high_water
    ]


def _model_word(name: str) -> str:
    """A model's name as sources name it ("CaseNote", "casenote", "case_note" are one)."""
    return name.replace("_", "").lower()


def work_since(merge: PersonMerge) -> list[SinceItem]:
    """Rows attached to the survivor since the merge (above the merge's high-water mark for their model), oldest
    first: one query per kind of record. A row that summarises another listed row (register_follows) is not listed
    on its own: it is in that row's `with_it`."""
    items: list[SinceItem] = []
    sources: dict[str, tuple[str, Any]] = {}
    for link in _since_links(merge):
        mark = merge.high_water[link.model._meta.label]
        rows = link.model._base_manager.filter(**{link.field.attname: merge.survivor_id}, pk__gt=mark).order_by("pk")
        for row in rows:
            when = getattr(row, "created_at", None)
            day = timezone.localdate(when) if when else None
            name = str(link.model._meta.verbose_name)
            text = str(row)
            what = f"{name[:1].upper()}{name[1:]}" + (
                f": {text}" if text and not text.startswith(link.model.__name__) else ""
            )
            items.append(SinceItem(f"{link.label}:{row.pk}", link.label, row.pk, what, day))
            source = _follows[link.label](row) if link.label in _follows else None
            if source is not None:
                sources[items[-1].key] = (_model_word(source[0]), str(source[1]))
    by_row = {(_model_word(i.link_label.rsplit(".", 1)[0].split(".")[-1]), str(i.pk)): i for i in items}
    followers: dict[str, list[SinceItem]] = defaultdict(list)
    for item in items:
        lead = by_row.get(sources[item.key]) if item.key in sources else None
        if lead is not None and lead.key != item.key and lead.key not in sources:
            followers[lead.key].append(item)
    following = {f.key for group in followers.values() for f in group}
    items = [dataclasses.replace(i, with_it=tuple(followers.get(i.key, ()))) for i in items if i.key not in following]
    return sorted(items, key=lambda i: (i.when or date.min, i.key))


@dataclass
class UnmergeOutcome:
    merge: PersonMerge
    moved_back: int = 0
    restored: int = 0
    assigned_to_merged: int = 0


@transaction.atomic
def person_unmerge(*, actor: Actor, merge: PersonMerge, assignments: dict[str, str] | None = None) -> UnmergeOutcome:
    """Undo `merge` exactly: every moved row goes back to the merged record, every overwritten value returns, the
    merged record is no longer a tombstone. Work recorded on the survivor since the merge is assigned by
    `assignments` ({SinceItem.key: "survivor" | "merged"}): every item must be assigned. Audited on both records."""
    record = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if record.undone_at is not None:
        raise RuleError(f"This merge was already undone on {_when(timezone.localdate(record.undone_at))}")
    later = PersonMerge.objects.filter(merged_id=record.survivor_id, undone_at__isnull=True).first()
    if later is not None:
        raise RuleError(
            f"Record {record.survivor_id} was since merged into record {later.survivor_id}: undo that merge first"
        )
    _locked(record.survivor_id, record.merged_id)
    assignments = dict(assignments or {})
    since = work_since(record)
    missing = [i.what for i in since if assignments.get(i.key) not in (KEEP, TAKE)]
    if missing:
        raise RuleError(
            {"assignments": "Say which record each item recorded since the merge belongs to: " + "; ".join(missing)}
        )
    links = {link.label: link for link in person_links()}
    outcome = UnmergeOutcome(record)
    S, M = record.survivor_id, record.merged_id
    try:
        with transaction.atomic():
            # Rows back first (so no one-per-person rule is broken on the way), then the values, newest first.
            by_link: dict[str, list[str]] = defaultdict(list)
            for mv in record.moves.all().order_by("pk"):
                by_link[f"{mv.model}.{mv.field}"].append(mv.row)
            for item in since:
                if assignments[item.key] == TAKE:
                    for row in (item, *item.with_it):
                        by_link[row.link_label].append(str(row.pk))
                    outcome.assigned_to_merged += 1
            for label, rows in by_link.items():
                link = links[label]
                pk_field = link.model._meta.pk
                pks = [pk_field.to_python(r) for r in rows]
                for start in range(0, len(pks), 5000):
                    outcome.moved_back += link.model._base_manager.filter(
                        pk__in=pks[start : start + 5000], **{link.field.attname: S}
                    ).update(**{link.field.attname: M})
            for ch in record.changes.all().order_by("-pk"):
                model = apps.get_model(ch.model)
                f = model._meta.get_field(ch.field)
                value = None if ch.old_value is None else f.to_python(ch.old_value)
                model._base_manager.filter(pk=model._meta.pk.to_python(ch.row)).update(**{f.attname: value})
                outcome.restored += 1
    except IntegrityError as exc:
        raise RuleError(
            "The merge cannot be undone as things stand: a change made since the merge conflicts with the merged "
            f"record's own details ({exc.__class__.__name__}). Put that change right first"
        ) from exc
    PersonMerge.objects.filter(pk=record.pk).update(undone_at=timezone.now(), undone_by=actor_or_none(actor))
    record.refresh_from_db()
    if outcome.assigned_to_merged:
        involvement.refresh([S, M])
    summary = {
        "survivor": S,
        "merged": M,
        "moved_back": outcome.moved_back,
        "restored": outcome.restored,
        "since_merge": {r.key: assignments[i.key] for i in since for r in (i, *i.with_it)},
    }
    for pid in (S, M):
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="person_unmerge",
            object_id=str(record.pk),
            person_id=pid,
            changes=summary,
        )
    return outcome
