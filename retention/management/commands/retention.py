"""`casework retention due [--json]`: the records due for disposal review, with their rule (exit 0).
`casework retention hold --person ID --kind KIND --reason TEXT`: place a legal hold.
`casework retention release --hold ID --reason TEXT`: release one.
`casework retention recalculate`: work out every record's class and review date again (after a bulk load).
Disposal itself is never done from here: it is a person's decision on the pages (docs/evidence/procedure-disposal.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.dates import long_date
from core.errors import RuleError
from people.models import Person
from retention import selectors, services
from retention.models import HoldKind, LegalHold


class Command(BaseCommand):
    help = "Retention and disposal: records due for review, legal holds, recalculation."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser(
            "due",
            help="List the records due for disposal review, with their rule",
            description="Records past their disposal review date, with no legal hold, not disposed of. Disposal "
            "is decided by a person on the Records due for disposal review page.",
        )
        due.add_argument("--json", action="store_true", help="print the list as JSON")
        hold = sub.add_parser("hold", help="Place a legal hold on a record")
        hold.add_argument("--person", type=int, required=True, metavar="ID", help="the record number")
        hold.add_argument("--kind", required=True, choices=HoldKind.values, help="why the record must be kept")
        hold.add_argument("--reason", required=True, help="the claim, inquiry or request")
        release = sub.add_parser("release", help="Release a legal hold")
        release.add_argument("--hold", type=int, required=True, metavar="ID", help="the hold's number")
        release.add_argument("--reason", required=True, help="why it can be released")
        sub.add_parser("recalculate", help="Work out every record's retention class and review date again")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, options["action"])(options)
        except RuleError as refused:
            raise CommandError("; ".join(refused.errors.values())) from refused

    def due(self, options: dict[str, Any]) -> None:
        rows = selectors.due_for_review(timezone.localdate(), limit=100_000)
        if options["json"]:
            out = [
                {
                    "person_id": r.person_id,
                    "class": r.retention_class,
                    "class_label": r.get_retention_class_display(),
                    "due_on": r.due.isoformat(),  # type: ignore[attr-defined]
                    "why": r.why,
                    "rule": services.rule_text(r.rule),
                    "documents": r.documents,  # type: ignore[attr-defined]
                    "awaiting_second_approval": r.awaiting is not None,  # type: ignore[attr-defined]
                }
                for r in rows
            ]
            self.stdout.write(json.dumps({"due": out, "count": len(out)}, indent=2))
            return
        if not rows:
            self.stdout.write("No records are due for disposal review.")
            return
        for r in rows:
            self.stdout.write(
                f"Record {r.person_id}: {r.get_retention_class_display()}, due {long_date(r.due)}. "  # type: ignore[attr-defined]
                f"{r.why}. Rule: {services.rule_text(r.rule)}"
            )
        self.stdout.write(f"{len(rows)} record{'' if len(rows) == 1 else 's'} due for disposal review.")

    def hold(self, options: dict[str, Any]) -> None:
        person = Person.objects.filter(pk=options["person"]).first()
        if person is None:
            raise CommandError(f"There is no record {options['person']}")
        made = services.hold_place(actor=None, person=person, kind=options["kind"], reason=options["reason"])
        self.stdout.write(
            f"Legal hold {made.pk} placed on record {person.pk}: it cannot be disposed of until released."
        )

    def release(self, options: dict[str, Any]) -> None:
        hold = LegalHold.objects.filter(pk=options["hold"]).first()
        if hold is None:
            raise CommandError(f"There is no legal hold {options['hold']}")
        services.hold_release(actor=None, hold=hold, reason=options["reason"])
        self.stdout.write(f"Legal hold {hold.pk} on record {hold.person_id} released.")

    def recalculate(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            done = services.retention_recalculate()
            audit_record(actor=None, action=AuditAction.UPDATE, object_type="retention", changes={"recalculated": done})
        self.stdout.write(f"Retention worked out for {done} record{'' if done == 1 else 's'}.")
