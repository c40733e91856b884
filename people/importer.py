"""Loading people from a CSV file: `casework people import FILE.csv [--dry-run]`.

Header (exactly these columns, any order): source_id,given_name,family_name,date_of_birth,sex,nhs_number,postcode.
Every column but one of the two names may be blank; dates are YYYY-MM-DD.

Each row is checked by the same rules as the add-a-person page (people.services.validate_person_fields, NHS number
check digit, postcode). A bad row is reported with its line number and reason and not loaded. A row whose
source_id was loaded before is skipped, so loading the same file again adds nothing. A row whose NHS number is
already known is matched to that person (its source_id is recorded there) rather than creating a second record.
A row that looks like someone already known (same sound-alike names and close date of birth, scored by
people.matching) is loaded and flagged as a possible duplicate for review.

Rows are processed in batches, each in one transaction: bulk inserts, one audit event per created person (written
by audit.services.audit_bulk in the same transaction), and one set-based query per batch to find possible
duplicates, so a million rows load in minutes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from audit.models import AuditAction
from audit.services import audit_bulk, audit_record
from core.actors import Actor, actor_or_none

from .matching import name_keys, score_candidate
from .models import DuplicateCandidate, IdentifierType, Person, PersonIdentifier, PersonName, Sex
from .services import validate_person_fields
from .validators import nhs_number_error, normalise_nhs_number, normalise_postcode, postcode_error

HEADER = ["source_id", "given_name", "family_name", "date_of_birth", "sex", "nhs_number", "postcode"]
BATCH = 5000
DUPLICATE_SCORE = 0.8
SEX_VALUES = {"M": "M", "F": "F", "U": "U", "MALE": "M", "FEMALE": "F", "": "U", "1": "M", "2": "F", "0": "U"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, wrong header). Nothing was loaded."""


@dataclass
class RowError:
    line: int
    source_id: str
    reason: str


@dataclass
class ImportResult:
    rows: int = 0
    loaded: int = 0
    already_loaded: int = 0
    matched_by_nhs_number: int = 0
    possible_duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Row:
    line: int
    source_id: str
    given: str
    family: str
    dob: date | None
    sex: str
    nhs: str
    postcode: str


def _parse(line: int, raw: dict[str, str]) -> tuple[_Row | None, str | None]:
    source_id = (raw.get("source_id") or "").strip()
    if not source_id:
        return None, "source_id is empty: every row needs the identifier it has in the system it came from"
    if len(source_id) > 40:
        return None, "source_id must be 40 characters or fewer"
    dob: date | None = None
    dob_text = (raw.get("date_of_birth") or "").strip()
    if dob_text:
        try:
            dob = date.fromisoformat(dob_text)
        except ValueError:
            return None, f"date_of_birth '{dob_text}' is not a real date in the form YYYY-MM-DD"
    sex_text = (raw.get("sex") or "").strip().upper()
    if sex_text not in SEX_VALUES:
        return None, f"sex '{raw.get('sex')}' must be M, F or U (or blank)"
    nhs = normalise_nhs_number(raw.get("nhs_number") or "")
    if nhs and (err := nhs_number_error(nhs)):
        return None, f"nhs_number '{raw.get('nhs_number')}': {err}"
    postcode = (raw.get("postcode") or "").strip()
    if postcode:
        if err := postcode_error(postcode):
            return None, f"postcode '{postcode}': {err}"
        postcode = normalise_postcode(postcode)
    row = _Row(
        line,
        source_id,
        (raw.get("given_name") or "").strip(),
        (raw.get("family_name") or "").strip(),
        dob,
        SEX_VALUES[sex_text],
        nhs,
        postcode,
    )
    errors = validate_person_fields(
        {"given_name": row.given, "family_name": row.family, "date_of_birth": dob, "sex": row.sex}
    )
    if errors:
        return None, "; ".join(errors.values())
    return row, None


def _read(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as e:
        raise ImportFileError(f"Cannot open {path}: {e.strerror}") from e
    with fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if sorted(header) != sorted(HEADER):
            missing = [h for h in HEADER if h not in header]
            extra = [h for h in header if h not in HEADER]
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unexpected {', '.join(extra)}")
            raise ImportFileError(
                f"The header must be {','.join(HEADER)} ({'; '.join(detail) or 'empty file'}). Nothing was loaded."
            )
        reader.fieldnames = header
        try:
            for raw in reader:
                if None in raw:
                    yield reader.line_num, {"__error__": "the row has more columns than the header"}
                    continue
                yield reader.line_num, raw
        except (csv.Error, UnicodeDecodeError) as e:
            raise ImportFileError(f"Line {reader.line_num}: the file is not valid UTF-8 CSV ({e})") from e


_DUP_SQL = """
SELECT q.idx, p.id, p.date_of_birth, p.current_postcode,
       array_agg(n.given_norm), array_agg(n.family_norm), array_agg(n.kind::text)
  FROM unnest(%(idx)s::int[], %(fk)s::text[], %(gk)s::text[], %(dob)s::date[]) AS q(idx, fk, gk, dob)
  JOIN people_personname m ON m.family_key = q.fk AND (m.given_key = q.gk OR q.gk = '')
  JOIN people_person p ON p.id = m.person_id
   AND (q.dob IS NULL OR p.date_of_birth IS NULL OR abs(p.date_of_birth - q.dob) <= 366
        OR (extract(day FROM p.date_of_birth) = extract(month FROM q.dob)
            AND extract(month FROM p.date_of_birth) = extract(day FROM q.dob)))
  JOIN people_personname n ON n.person_id = p.id
 WHERE p.id <> ALL(%(exclude)s::bigint[])
 GROUP BY q.idx, p.id
"""


def _possible_duplicates(rows: list[_Row], exclude: list[int]) -> dict[int, tuple[int, float]]:
    """For each row index, the best existing match scoring at least DUPLICATE_SCORE: one query per batch."""
    if not rows:
        return {}
    keys = [name_keys(r.given, r.family) for r in rows]
    with connection.cursor() as cur:
        cur.execute(
            _DUP_SQL,
            {
                "idx": list(range(len(rows))),
                "fk": [k.family_key for k in keys],
                "gk": [k.given_key for k in keys],
                "dob": [r.dob for r in rows],
                "exclude": exclude,
            },
        )
        found = cur.fetchall()
    best: dict[int, tuple[int, float]] = {}
    for idx, pid, dob, pc, gnorms, fnorms, kinds in found:
        r, k = rows[idx], keys[idx]
        s = score_candidate(
            q_given=k.given_norm,
            q_family=k.family_norm,
            q_dob=r.dob,
            q_postcode=r.postcode,
            names=list(zip(gnorms, fnorms, kinds, strict=True)),
            dob=dob,
            postcode=pc,
        )
        if s.value >= DUPLICATE_SCORE and s.value > best.get(idx, (0, 0.0))[1]:
            best[idx] = (pid, s.value)
    return best


def _process_batch(batch: list[_Row], result: ImportResult, dry_run: bool, actor: Actor) -> None:
    source_ids = [r.source_id for r in batch]
    known_sources = set(
        PersonIdentifier.objects.filter(type=IdentifierType.SOURCE, value__in=source_ids).values_list(
            "value", flat=True
        )
    )
    nhs_numbers = [r.nhs for r in batch if r.nhs]
    known_nhs = dict(
        PersonIdentifier.objects.filter(type=IdentifierType.NHS, value__in=nhs_numbers).values_list(
            "value", "person_id"
        )
    )
    seen_in_batch: set[str] = set()
    seen_nhs: dict[str, int] = {}
    new_rows: list[_Row] = []
    matched: list[tuple[_Row, int]] = []
    for r in batch:
        if r.source_id in known_sources or r.source_id in seen_in_batch:
            result.already_loaded += 1
            continue
        seen_in_batch.add(r.source_id)
        if r.nhs and r.nhs in known_nhs:
            matched.append((r, known_nhs[r.nhs]))
            continue
        if r.nhs and r.nhs in seen_nhs:
            result.errors.append(
                RowError(r.line, r.source_id, f"nhs_number {r.nhs} is also on line {seen_nhs[r.nhs]} of this file")
            )
            continue
        if r.nhs:
            seen_nhs[r.nhs] = r.line
        new_rows.append(r)
    dups = _possible_duplicates(new_rows, exclude=[])
    result.matched_by_nhs_number += len(matched)
    result.possible_duplicates += len(dups)
    result.loaded += len(new_rows)
    if dry_run:
        return
    with transaction.atomic():
        user = actor_or_none(actor)
        actor_id = user.pk if user else None
        people = Person.objects.bulk_create(
            [
                Person(
                    given_name=r.given,
                    family_name=r.family,
                    date_of_birth=r.dob,
                    sex=r.sex or Sex.UNKNOWN,
                    current_postcode=r.postcode,
                    created_by_id=actor_id,
                    modified_by_id=actor_id,
                )
                for r in new_rows
            ],
            batch_size=2000,
        )
        names, idents = [], []
        audits: list[dict[str, Any]] = []
        for r, p in zip(new_rows, people, strict=True):
            k = name_keys(r.given, r.family)
            names.append(
                PersonName(
                    person=p,
                    kind=PersonName.Kind.CURRENT,
                    given_name=r.given,
                    family_name=r.family,
                    given_norm=k.given_norm,
                    family_norm=k.family_norm,
                    given_key=k.given_key,
                    family_key=k.family_key,
                    full_norm=k.full_norm,
                )
            )
            idents.append(PersonIdentifier(person=p, type=IdentifierType.SOURCE, value=r.source_id))
            if r.nhs:
                idents.append(PersonIdentifier(person=p, type=IdentifierType.NHS, value=r.nhs))
            audits.append(
                {
                    "actor_id": actor_id,
                    "action": AuditAction.CREATE,
                    "object_type": "person",
                    "object_id": p.pk,
                    "person_id": p.pk,
                    "changes": {
                        "new": {
                            "given_name": r.given,
                            "family_name": r.family,
                            "date_of_birth": r.dob,
                            "sex": r.sex,
                            "nhs_number": r.nhs or None,
                            "postcode": r.postcode or None,
                            "source_id": r.source_id,
                        }
                    },
                    "context": {"channel": "import", "line": r.line},
                }
            )
        for r, pid in matched:
            idents.append(PersonIdentifier(person_id=pid, type=IdentifierType.SOURCE, value=r.source_id))
            audits.append(
                {
                    "actor_id": actor_id,
                    "action": AuditAction.UPDATE,
                    "object_type": "person_identifier",
                    "person_id": pid,
                    "changes": {"new": {"type": "source", "value": r.source_id, "matched_by": "nhs_number"}},
                    "context": {"channel": "import", "line": r.line},
                }
            )
        PersonName.objects.bulk_create(names, batch_size=2000)
        PersonIdentifier.objects.bulk_create(idents, batch_size=2000)
        DuplicateCandidate.objects.bulk_create(
            [
                DuplicateCandidate(
                    person=people[idx], possible_match_id=pid, score=score, source="import", created_by_id=actor_id
                )
                for idx, (pid, score) in dups.items()
            ],
            ignore_conflicts=True,
        )
        audit_bulk(audits)


def import_people(
    path: Path,
    *,
    dry_run: bool = False,
    actor: Actor = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import a CSV of people. Raises ImportFileError when the file as a whole is unusable."""
    result = ImportResult(dry_run=dry_run)
    batch: list[_Row] = []
    for line, raw in _read(path):
        result.rows += 1
        if "__error__" in raw:
            result.errors.append(RowError(line, "", raw["__error__"]))
            continue
        row, err = _parse(line, raw)
        if err:
            result.errors.append(RowError(line, (raw.get("source_id") or "").strip(), err))
            continue
        assert row is not None
        batch.append(row)
        if len(batch) >= BATCH:
            _process_batch(batch, result, dry_run, actor)
            batch = []
            if progress:
                progress(result.rows)
    _process_batch(batch, result, dry_run, actor)
    if progress:
        progress(result.rows)
    if not dry_run:
        # The import's summary: each batch committed with its own rows' events; this one records the whole file.
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="people_import",
                object_id=path.name[:64],
                changes={
                    "rows": result.rows,
                    "loaded": result.loaded,
                    "already_loaded": result.already_loaded,
                    "matched_by_nhs_number": result.matched_by_nhs_number,
                    "possible_duplicates": result.possible_duplicates,
                    "rejected": len(result.errors),
                },
            )
    return result
