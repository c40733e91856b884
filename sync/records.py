"""What a device holds: each kind of record in a device's scope, in the shape of docs/sync-protocol.md.

A record is `{"type", "id", "version", "person_id", "data"}`; data values are words, not codes (the app shows them as
they are), and the fields a worker may edit offline are also given raw under `data.editable`. Each kind says which
rows of it are in a scope (`rows`), and how a row reads (`build`). Reads are a fixed number of queries per kind and
page, whatever the size of the caseload.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from cases.models import ChildInNeedPlan, ChildProtectionPlan, Task
from core import codes
from core.dates import age_text, long_date
from documents.models import Document, DocumentType, DocumentVersion, RenditionStatus, Sensitivity
from forms.models import FormDefinition, FormResponse, ResponseStatus
from people.models import IdentifierType, Person, Relationship, Sex, Warning
from recording.models import CaseNote, ChronologyEntry, Visit

from .models import Conflict, RecordVersion

Record = dict[str, Any]

# The fields of a person a worker may change offline (through people.services.person_update), and how they are said.
PERSON_EDITABLE: dict[str, str] = {
    "preferred_name": "Preferred name",
    "gender": "Gender",
    "first_language": "First language",
    "interpreter_needed": "Interpreter needed",
}


@dataclass(frozen=True)
class Context:
    """Who is asking and when: a record's words can depend on both (an age, a task for a manager or a worker)."""

    user: Any
    today: Any


def _when(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{long_date(local.date())} at {local:%H:%M}"


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _day(day: Any) -> str:
    return long_date(day) if day else ""


# --- each kind ------------------------------------------------------------------------------------------------------


def _person_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return Person.objects.filter(pk__in=person_ids)


def _person_build(rows: list[Any], ctx: Context) -> list[Record]:
    ids = [p.pk for p in rows]
    from people.models import PersonAddress, PersonIdentifier

    nhs = dict(
        PersonIdentifier.objects.filter(person_id__in=ids, type=IdentifierType.NHS, ended_on__isnull=True).values_list(
            "person_id", "value"
        )
    )
    addresses: dict[int, str] = {}
    for a in PersonAddress.objects.filter(person_id__in=ids, lived_to__isnull=True).order_by("lived_from", "pk"):
        addresses[a.person_id] = str(a)
    warnings: dict[int, list[str]] = {}
    for w in Warning.objects.filter(person_id__in=ids, ended_on__isnull=True).order_by("pk"):
        text = w.get_type_display() + (f": {w.details}" if w.details else "")
        warnings.setdefault(w.person_id, []).append(text)
    out = []
    for p in rows:
        born = p.date_of_birth
        out.append(
            {
                "type": "person",
                "id": str(p.pk),
                "person_id": p.pk,
                "data": {
                    "name": p.full_name,
                    "given_name": p.given_name,
                    "family_name": p.family_name,
                    "date_of_birth": _day(born),
                    "expected_date_of_birth": _day(p.expected_date_of_birth),
                    "age": age_text(born, ctx.today) if born else "",
                    "gender": p.gender or (Sex(p.sex).label if p.sex != Sex.UNKNOWN else ""),
                    "nhs_number": nhs.get(p.pk, ""),
                    "address": addresses.get(p.pk, ""),
                    "warnings": warnings.get(p.pk, []),
                    "first_language": p.first_language,
                    "interpreter_needed": "Yes" if p.interpreter_needed else "No",
                    "editable": {f: getattr(p, f) for f in PERSON_EDITABLE},
                },
            }
        )
    return out


def _relationship_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return Relationship.objects.filter(person_id__in=person_ids, ended_on__isnull=True).select_related("other")


def _relationship_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "relationship",
            "id": str(r.pk),
            "person_id": r.person_id,
            "data": {
                "other_id": r.other_id,
                "other_name": r.other.full_name,
                "relationship": r.get_type_display(),
                "parental_responsibility": "Yes" if r.parental_responsibility else "No",
                "lives_with": "Yes" if r.lives_with else "No",
                "since": _day(r.started_on),
            },
        }
        for r in rows
    ]


def _chronology_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return ChronologyEntry.objects.filter(person_id__in=person_ids)


def _chronology_build(rows: list[Any], ctx: Context) -> list[Record]:
    out = []
    for e in rows:
        data: dict[str, Any] = {
            "occurred_at": _iso(e.occurred_at),
            "when": _when(e.occurred_at),
            "kind": e.get_entry_type_display(),
            "title": e.title,
            "summary": e.summary,
            "recorded_by": e.recorded_by_name,
            "significant": e.significant,
        }
        # A note's or visit's whole text is in its own record; the others carry theirs when the summary cut it.
        if e.source_type in ("case_note", "visit"):
            data["source"] = {"type": e.source_type, "id": str(e.source_id)}
        elif e.text and e.text != e.summary:
            data["text"] = e.text
        out.append({"type": "chronology_entry", "id": str(e.pk), "person_id": e.person_id, "data": data})
    return out


def _case_note_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return CaseNote.objects.filter(person_id__in=person_ids)


def _case_note_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "case_note",
            "id": str(n.pk),
            "person_id": n.person_id,
            "data": {
                "occurred_at": _iso(n.occurred_at),
                "when": _when(n.occurred_at),
                "kind": n.get_note_type_display(),
                "subject": n.subject,
                "body": n.body,
            },
        }
        for n in rows
    ]


def _visit_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return Visit.objects.filter(person_id__in=person_ids)


def _visit_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "visit",
            "id": str(v.pk),
            "person_id": v.person_id,
            "data": {
                "occurred_at": _iso(v.occurred_at),
                "when": _when(v.occurred_at),
                "kind": v.get_visit_type_display(),
                "child_seen": "Yes" if v.child_seen else "No",
                "seen_alone": "Yes" if v.seen_alone else "No",
                "not_seen_reason": v.not_seen_reason,
                "notes": v.notes,
            },
        }
        for v in rows
    ]


def _task_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    from accounts import access

    tasks = Task.objects.open().filter(person_id__in=person_ids)
    return tasks if access.is_manager(ctx.user) else tasks.for_workers()


def _task_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "task",
            "id": str(t.pk),
            "person_id": t.person_id,
            "data": {
                "what": t.get_kind_display(),
                "due_on": t.due_on.isoformat(),
                "due": _day(t.due_on),
                "overdue": "Yes" if t.due_on < ctx.today else "No",
                "note": t.note,
            },
        }
        for t in rows
    ]


def _cp_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return ChildProtectionPlan.objects.filter(person_id__in=person_ids, ended_on__isnull=True)


def _cp_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "plan",
            "id": f"cp:{p.pk}",
            "person_id": p.person_id,
            "data": {
                "plan": "Child protection plan",
                "since": _day(p.started_on),
                "category": codes.label("abuse_category", p.latest_category),
            },
        }
        for p in rows
    ]


def _cin_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return ChildInNeedPlan.objects.filter(person_id__in=person_ids, ended_on__isnull=True)


def _cin_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "plan",
            "id": f"cin:{p.pk}",
            "person_id": p.person_id,
            "data": {"plan": "Child in need plan", "since": _day(p.started_on), "category": ""},
        }
        for p in rows
    ]


def _draft_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return FormResponse.objects.filter(
        person_id__in=person_ids, status=ResponseStatus.DRAFT, author_id=ctx.user.pk
    ).select_related("definition")


def _draft_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "form_draft",
            "id": str(r.pk),
            "person_id": r.person_id,
            "data": {
                "form": r.definition.name,
                "form_version": r.definition.version,
                "title": r.definition.title,
                "saved": _when(r.updated_at),
                "answers": r.answers,
            },
        }
        for r in rows
    ]


def _definition_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return FormDefinition.objects.all()


def _definition_build(rows: list[Any], ctx: Context) -> list[Record]:
    return [
        {
            "type": "form_definition",
            "id": str(d.pk),
            "person_id": None,
            "data": {"name": d.name, "version": d.version, "title": d.title, "body": d.body},
        }
        for d in rows
    ]


def _conflict_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    return Conflict.objects.filter(user_id=ctx.user.pk, resolved_at__isnull=True, person_id__in=person_ids)


def _conflict_build(rows: list[Any], ctx: Context) -> list[Record]:
    from .words import conflict_words

    return [
        {
            "type": "conflict",
            "id": str(c.pk),
            "person_id": c.person_id,
            "data": conflict_words(c),
        }
        for c in rows
    ]


def _latest_version(field: str) -> Subquery:
    return Subquery(DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values(field)[:1])


def _document_rows(person_ids: list[int], ctx: Context) -> QuerySet[Any]:
    """The documents on the records of the scope that the user may see (a restricted one only with a grant: the
    access rule's `documents_may_see`), as metadata: the files are fetched only when opened (sync.api)."""
    from accounts import access

    documents = Document.objects.filter(person_id__in=person_ids).annotate(
        file_version=_latest_version("number"),
        pages=_latest_version("pages"),
        status=_latest_version("rendition_status"),
    )
    return access.documents_may_see(ctx.user, documents)


def _document_build(rows: list[Any], ctx: Context) -> list[Record]:
    flags = {Sensitivity.THIRD_PARTY: "Sensitive third-party information", Sensitivity.RESTRICTED: "Restricted"}
    return [
        {
            "type": "document",
            "id": str(d.pk),
            "person_id": d.person_id,
            "data": {
                "title": d.title,
                "kind": DocumentType(d.document_type).label if d.document_type in DocumentType.values else "",
                "date": _day(d.document_date),
                "document_date": d.document_date.isoformat(),
                "sensitivity": flags.get(d.sensitivity, ""),
                "file_version": d.file_version or 0,
                "pages": d.pages or 0,
                "readable": "Yes" if d.status == RenditionStatus.DONE and d.pages else "No",
            },
        }
        for d in rows
    ]


@dataclass(frozen=True)
class Kind:
    """One kind of record (a `type` of the protocol; a plan comes from two tables, so two kinds)."""

    type: str
    model: builtins.type[Model]
    prefix: str
    rows: Callable[[list[int], Context], QuerySet[Any]]
    build: Callable[[list[Any], Context], list[Record]]

    def record_id(self) -> Any:
        """The record's id as the protocol says it (text), as a database expression over the row."""
        if self.prefix:
            return Concat(Value(self.prefix), Cast("pk", CharField()), output_field=CharField())
        return Cast("pk", CharField())

    def pk_of(self, record_id: str) -> int | None:
        """The row's primary key for a record id of this kind, or None when the id is not one of this kind's."""
        if not record_id.startswith(self.prefix):
            return None
        rest = record_id[len(self.prefix) :]
        return int(rest) if rest.isdigit() else None


# In the order of a first download: who the people are first, then their stories, then the forms.
KINDS: list[Kind] = [
    Kind("person", Person, "", _person_rows, _person_build),
    Kind("relationship", Relationship, "", _relationship_rows, _relationship_build),
    Kind("plan", ChildProtectionPlan, "cp:", _cp_rows, _cp_build),
    Kind("plan", ChildInNeedPlan, "cin:", _cin_rows, _cin_build),
    Kind("task", Task, "", _task_rows, _task_build),
    Kind("conflict", Conflict, "", _conflict_rows, _conflict_build),
    Kind("form_draft", FormResponse, "", _draft_rows, _draft_build),
    Kind("case_note", CaseNote, "", _case_note_rows, _case_note_build),
    Kind("visit", Visit, "", _visit_rows, _visit_build),
    Kind("chronology_entry", ChronologyEntry, "", _chronology_rows, _chronology_build),
    Kind("form_definition", FormDefinition, "", _definition_rows, _definition_build),
    # Last, so that the cursors of downloads under way before documents were added still name the same kinds.
    Kind("document", Document, "", _document_rows, _document_build),
]

TYPES = sorted({k.type for k in KINDS})


def _with_versions(kind: Kind, records: list[Record]) -> list[Record]:
    ids = [r["id"] for r in records]
    found = dict(RecordVersion.objects.filter(type=kind.type, record_id__in=ids).values_list("record_id", "version"))
    for r in records:
        r["version"] = found.get(r["id"], 0)
    return records


def page(kind_index: int, person_ids: list[int], after_pk: int, limit: int, ctx: Context) -> list[tuple[int, Record]]:
    """Up to `limit` records of KINDS[kind_index] in the scope of `person_ids`, after the row `after_pk`, in order:
    (pk, record) pairs. 2 queries (3 for people: their identifiers, addresses and warnings)."""
    kind = KINDS[kind_index]
    rows = list(kind.rows(person_ids, ctx).filter(pk__gt=after_pk).order_by("pk")[:limit])
    records = _with_versions(kind, kind.build(rows, ctx))
    return [(row.pk, record) for row, record in zip(rows, records, strict=True)]


def fetch(keys: Iterable[tuple[str, str]], person_ids: list[int], ctx: Context) -> dict[tuple[str, str], Record]:
    """The records named by (type, id) that are in the scope of `person_ids` now; a key missing from the answer has
    left the scope (a task done, a plan ended, a draft submitted, a conflict resolved): the device drops it."""
    wanted: dict[int, list[int]] = {}
    for type_, record_id in keys:
        for i, kind in enumerate(KINDS):
            if kind.type == type_:
                pk = kind.pk_of(record_id)
                if pk is not None:
                    wanted.setdefault(i, []).append(pk)
                    break
    found: dict[tuple[str, str], Record] = {}
    for i, pks in wanted.items():
        kind = KINDS[i]
        rows = list(kind.rows(person_ids, ctx).filter(pk__in=pks).order_by("pk"))
        for record in _with_versions(kind, kind.build(rows, ctx)):
            found[(record["type"], record["id"])] = record
    return found


def scope_checksum(person_ids: list[int], ctx: Context) -> str:
    """SHA-256 (hex) over every record in the scope: one line "type id version\\n" per record, sorted by type then
    id (as text, code point order). The app computes the same over its store (docs/sync-protocol.md). One query
    per kind."""
    lines: list[tuple[str, str, int]] = []
    for kind in KINDS:
        rid = kind.record_id()
        version = Subquery(
            RecordVersion.objects.filter(type=kind.type, record_id=OuterRef("rid")).values("version")[:1]
        )
        rows = (
            kind.rows(person_ids, ctx)
            .annotate(rid=rid)
            .annotate(v=Coalesce(version, Value(0)))
            .order_by()
            .values_list("rid", "v")
        )
        lines.extend((kind.type, str(r), int(v)) for r, v in rows)
    return checksum_of(lines)


def checksum_of(lines: Iterable[tuple[str, str, int]]) -> str:
    digest = hashlib.sha256()
    for type_, record_id, version in sorted(lines, key=lambda x: (x[0], x[1])):
        digest.update(f"{type_} {record_id} {version}\n".encode())
    return digest.hexdigest()
