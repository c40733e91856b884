"""The duplicates' commands (`casework people duplicates|sweep|merge|unmerge`), with the pages' rules: the user
named must be allowed to merge records (accounts.access), a refusal is printed with its reason and changes nothing,
and a question a manager must confirm needs `--confirm` from a user who may confirm it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts import access
from accounts.models import User
from core.errors import ConfirmationNeeded, RuleError

from .duplicates import SOURCES, duplicates_sweep, pairs_for_review
from .merging import KEEP, TAKE, differing_choices, person_merge, person_unmerge, work_since
from .models import Person, PersonMerge
from .services import people_list_view_record


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise CommandError(f"No active user has the email {email}")
    if not access.may_review_duplicates(user):
        raise CommandError(f"{user.email} may not merge records: that is business support's or an administrator's job")
    return user


def duplicates(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    if not 1 <= opts["limit"] <= 10000:
        raise CommandError("--limit must be between 1 and 10000")
    pairs = pairs_for_review(None, limit=opts["limit"])
    people_list_view_record(
        actor=None,
        what="duplicate_candidates",
        people=[pid for c in pairs for pid in (c.person_id, c.possible_match_id)],
        context={"channel": "command line"},
    )
    if opts["json"]:
        cmd.stdout.write(
            json.dumps(
                [
                    {
                        "pair": c.pk,
                        "first": c.person_id,
                        "second": c.possible_match_id,
                        "score": c.score,
                        "source": c.source,
                        "reasons": c.reasons,
                    }
                    for c in pairs
                ]
            )
        )
        return
    if not pairs:
        cmd.stdout.write("No possible duplicates are waiting for review.")
    for c in pairs:
        cmd.stdout.write(
            f"{c.score:5.2f}  pair {c.pk}: #{c.person_id} {c.person.full_name} and #{c.possible_match_id} "
            f"{c.possible_match.full_name}  ({SOURCES.get(c.source, c.source)}"
            + (f": {', '.join(c.reasons)})" if c.reasons else ")")
        )


def sweep(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    result = duplicates_sweep(dry_run=opts["dry_run"], progress=lambda m: cmd.stderr.write(m))
    verb = "Would propose" if opts["dry_run"] else "Proposed"
    cmd.stdout.write(
        f"Pairs in the same block: {sum(result.blocked_pairs.values()):,}; not yet known: "
        f"{result.candidates_considered:,}. {verb}: {result.proposed:,}. "
        f"({result.seconds_sql:.1f} s in the database, {result.seconds_scoring:.1f} s scoring, "
        f"{result.cpu_seconds:.1f} s CPU)"
    )


def _person(pk: int, what: str) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise CommandError(f"There is no record {pk} ({what})")
    return person


def merge(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    user = _user(opts["user"])
    keep, gone = _person(opts["keep"], "--keep"), _person(opts["merge"], "--merge")
    allowed = set(differing_choices(keep, gone)) if keep.pk != gone.pk else set()
    unknown = [f for f in opts["take"] if f not in allowed]
    if unknown:
        raise CommandError(
            f"--take {', '.join(unknown)}: the records do not differ there. Fields that differ: "
            + (", ".join(sorted(allowed)) or "none")
        )
    if opts["confirm"] and not access.may_confirm_merge(user):
        raise CommandError(f"{user.email} may not confirm a merge that needs a manager: ask an administrator")
    try:
        outcome = person_merge(
            actor=user,
            keep=keep,
            merge=gone,
            choices=dict.fromkeys(opts["take"], TAKE),
            confirmed=opts["confirm"],
        )
    except ConfirmationNeeded as e:
        raise CommandError(" ".join(e.questions) + ". Run again with --confirm as a manager to merge anyway") from e
    except RuleError as e:
        raise CommandError(str(e)) from e
    moved = sum(outcome.moved.values())
    if opts["json"]:
        cmd.stdout.write(
            json.dumps(
                {
                    "merge": outcome.merge.pk,
                    "survivor": keep.pk,
                    "merged": gone.pk,
                    "rows_moved": moved,
                    "values_overwritten": outcome.changed,
                    "left": outcome.left,
                }
            )
        )
        return
    cmd.stdout.write(
        f"Merge {outcome.merge.pk}: record {gone.pk} merged into record {keep.pk}; {moved:,} rows moved, "
        f"{outcome.changed} values overwritten. Undo with: casework people unmerge {outcome.merge.pk} --user EMAIL"
    )


def unmerge(cmd: BaseCommand, opts: dict[str, Any]) -> None:
    user = _user(opts["user"])
    record = PersonMerge.objects.filter(pk=opts["merge_id"]).first()
    if record is None:
        raise CommandError(f"There is no merge {opts['merge_id']}")
    assignments: dict[str, str] = {}
    for a in opts["assign"]:
        key, _, whose = a.rpartition("=")
        if whose not in (KEEP, TAKE) or not key:
            raise CommandError(f"--assign {a}: write ITEM=survivor or ITEM=merged")
        assignments[key] = whose
    try:
        outcome = person_unmerge(actor=user, merge=record, assignments=assignments)
    except RuleError as e:
        since = work_since(record) if record.undone_at is None else []
        listed = "".join(f"\n  {i.key}  {i.what}" for i in since if i.key not in assignments)
        raise CommandError(
            str(e) + (f"\nItems to assign (--assign ITEM=survivor|merged):{listed}" if listed else "")
        ) from e
    cmd.stdout.write(
        f"Merge {record.pk} undone: record {record.merged_id} is its own record again; {outcome.moved_back:,} rows "
        f"moved back, {outcome.restored} values restored."
    )
