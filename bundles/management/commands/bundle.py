"""`casework bundle --person ID --from DATE --to DATE --out FILE.pdf [--types TYPE ...] [--documents all|none]
[--forms all|none] [--as USER] [--purpose court|conference|other] [--title TITLE]`: make a court or conference bundle
from the shell, as the page does (bundles.services.bundle_request and bundles.building.bundle_build), and write it to
FILE.pdf. Exit 1 with the reason, writing nothing, for an unknown person or user, a bad date, a period that ends
before it starts, an output that cannot be written, or anything the service refuses."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import access
from accounts.models import User
from bundles import building, selectors, services
from bundles.models import Purpose
from core.errors import RuleError
from documents import storage
from people.models import Person
from recording.models import EntryType


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} must be a date written YYYY-MM-DD, for example 2026-04-01 (not {value!r})"
        ) from None


class Command(BaseCommand):
    help = "Make a court or conference bundle from a person's record and write it to a PDF/A-2b file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--person", type=int, required=True, metavar="ID", help="the person's record number")
        parser.add_argument(
            "--from", dest="date_from", required=True, metavar="DATE", help="start of the period, YYYY-MM-DD"
        )
        parser.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="end of the period, YYYY-MM-DD")
        parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="where to write the bundle")
        parser.add_argument(
            "--types",
            nargs="+",
            default=[],
            metavar="TYPE",
            help="chronology entry types to include (default: all): " + ", ".join(EntryType.values),
        )
        parser.add_argument(
            "--documents", choices=["all", "none"], default="all", help="the record's documents (default all)"
        )
        parser.add_argument(
            "--forms", choices=["all", "none"], default="all", help="forms submitted in the period (default all)"
        )
        parser.add_argument("--as", dest="user", default=None, metavar="USER", help="the officer producing it (email)")
        parser.add_argument("--purpose", choices=Purpose.values, default=Purpose.COURT)
        parser.add_argument("--title", default="", help="the title on the cover")

    def handle(self, *args: Any, **options: Any) -> None:
        period_from = _date(options["date_from"], "--from")
        period_to = _date(options["date_to"], "--to")
        if period_from > period_to:
            raise CommandError(f"--from ({period_from}) is after --to ({period_to}): the period must start first")
        out: Path = options["out"]
        folder = out.resolve().parent
        if out.is_dir():
            raise CommandError(f"{out} is a folder: give a file name, for example {out / 'bundle.pdf'}")
        if not folder.is_dir() or not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
            raise CommandError(f"Cannot write {out}: the folder {folder} does not exist or cannot be written to")
        person = Person.objects.filter(pk=options["person"]).first()
        if person is None:
            raise CommandError(f"There is no person {options['person']}")
        user = None
        if options["user"]:
            user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"There is no active user {options['user']}")
            if not access.may_make_bundle(user, person):
                raise CommandError(f"{user.email} cannot make bundles from record {person.pk}")
        documents = []
        if options["documents"] == "all":
            if user is not None:
                documents = [c.document.pk for c in selectors.document_choices(user, person) if c.offered]
            else:  # the operator, as the system: every document with an archival copy, but no restricted one
                documents = [
                    c.document.pk for c in selectors.document_choices_for_system(person) if c.has_copy and c.may_see
                ]
        forms = []
        if options["forms"] == "all":
            forms = [
                r.pk
                for r in selectors.form_choices(person)
                if r.submitted_at and period_from <= r.submitted_at.date() <= period_to
            ]
        name = user.display_name if user else "The operator of Casework"
        try:
            bundle = services.bundle_request(
                actor=user,
                person=person,
                purpose=options["purpose"],
                title=options["title"] or f"{Purpose(options['purpose']).label}: {person.full_name}",
                period_from=period_from,
                period_to=period_to,
                entry_types=list(options["types"]),
                form_response_ids=forms,
                document_ids=documents,
                officer_name=name,
                officer_role=", ".join(access.role_names(user)) if user else "Operator (command line)",
                officer_organisation=settings.CASEWORK_AUTHORITY_NAME,
                second_factor=False,
                queue=False,
            )
        except RuleError as refused:
            raise CommandError("Nothing was made: " + "; ".join(refused.errors.values())) from refused
        bundle = building.bundle_build(bundle.pk)
        if bundle.error_message:
            raise CommandError(f"Bundle {bundle.pk} could not be made: {bundle.error_message}")
        data = storage.read_stored(bundle.storage_name)
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}") from error
        services.bundle_downloaded(actor=user, bundle=bundle)
        exhibits = bundle.exhibits.count()
        self.stdout.write(
            f"Bundle {bundle.pk}: {bundle.pages} pages, {exhibits} exhibit{'s' if exhibits != 1 else ''}"
            f"{f', {bundle.flagged} flagged for third-party information' if bundle.flagged else ''}; "
            f"SHA-256 {bundle.sha256}; written to {out}"
        )
