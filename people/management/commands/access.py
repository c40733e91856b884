"""`casework access explain|refresh|grant|revoke`: who may see a record and why, and the relationships table."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.models import User
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import RuleError
from people import access_services, involvement
from people.models import Person, RestrictedAccessGrant


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user has the email address {email}")
    return user


def _person(pk: int) -> Person:
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise CommandError(f"No record has the number {pk}")
    return person


class Command(BaseCommand):
    help = "Who may see a record and why; grants; rebuilding the legitimate-relationship table."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        e = sub.add_parser("explain", help="Whether a user may see a record now, and on what basis")
        e.add_argument("--user", required=True, help="The user's email address")
        e.add_argument("--person", required=True, type=int, help="The record number")
        e.add_argument("--json", action="store_true")
        r = sub.add_parser("refresh", help="Rebuild the legitimate relationships from the records (after an import)")
        r.add_argument("--person", type=int, action="append", help="Only this record (repeatable)")
        g = sub.add_parser("grant", help="Let one user see one record (the only way into a restricted one)")
        g.add_argument("--user", required=True)
        g.add_argument("--person", required=True, type=int)
        g.add_argument("--reason", required=True)
        g.add_argument("--days", type=int, default=30, help="How long the grant lasts (1-366, default 30)")
        v = sub.add_parser("revoke", help="Revoke a grant")
        v.add_argument("grant", type=int)
        v.add_argument("--reason", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _explain(self, opts: dict[str, Any]) -> None:
        user, person = _user(opts["user"]), _person(opts["person"])
        answer = access.explain(user, person)
        audit_record(
            actor=None,
            action=AuditAction.VIEW,
            object_type="access_explanation",
            object_id=str(user.pk),
            person_id=person.pk,
            context={**answer.as_dict(), "via": "command line"},
        )
        if opts["json"]:
            self.stdout.write(json.dumps(answer.as_dict()))
            return
        verdict = "may" if answer.allowed else "may not"
        self.stdout.write(f"{user.display_name} {verdict} see record {person.pk} now.")
        self.stdout.write(f"Basis: {answer.basis}")
        self.stdout.write(answer.reason)
        if not answer.allowed:
            self.stdout.write(f"Break-glass available: {'yes' if answer.break_glass_available else 'no'}")

    def _refresh(self, opts: dict[str, Any]) -> None:
        if opts["person"]:
            written = involvement.refresh([_person(pk).pk for pk in opts["person"]])
        else:

            def progress(done: int, total: int) -> None:
                self.stderr.write(f"\r{done:,} of {total:,} people", ending="")

            written = involvement.refresh_all(progress=progress)
            self.stderr.write("")
        self.stdout.write(f"{written:,} relationship rows written")

    def _grant(self, opts: dict[str, Any]) -> None:
        if not 1 <= opts["days"] <= access_services.MAX_GRANT_DAYS:
            raise CommandError(f"--days must be from 1 to {access_services.MAX_GRANT_DAYS}")
        user, person = _user(opts["user"]), _person(opts["person"])
        try:
            with transaction.atomic():
                grant = access_services.access_grant_create(
                    actor=None,
                    person=person,
                    user=user,
                    reason=opts["reason"],
                    expires_at=timezone.now() + timedelta(days=opts["days"]),
                )
        except RuleError as e:
            raise CommandError("; ".join(str(m) for m in e.errors.values())) from e
        ends = timezone.localtime(grant.expires_at)
        self.stdout.write(
            f"Grant {grant.pk}: {user.display_name} may see record {person.pk} until {ends:%-d %B %Y %H:%M}"
        )

    def _revoke(self, opts: dict[str, Any]) -> None:
        grant = RestrictedAccessGrant.objects.filter(pk=opts["grant"]).first()
        if grant is None:
            raise CommandError(f"No grant has the number {opts['grant']}")
        try:
            access_services.access_grant_revoke(actor=None, grant=grant, reason=opts["reason"])
        except RuleError as e:
            raise CommandError("; ".join(str(m) for m in e.errors.values())) from e
        self.stdout.write(f"Grant {grant.pk} revoked")
