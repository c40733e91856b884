"""`casework tokens issue|revoke|list`: API tokens from the command line (accounts.tokens), acting as the system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import ApiToken, TokenScope, User
from accounts.tokens import DEFAULT_DAYS, token_issue, token_list, token_revoke, token_status
from core.dates import long_date
from core.errors import RuleError


def _when(moment: Any) -> str:
    if moment is None:
        return "-"
    local = timezone.localtime(moment)
    return f"{long_date(local.date())} {local:%H:%M}"


def _user(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user has the email address {email}")
    return user


def _refused(e: RuleError) -> CommandError:
    return CommandError("\n".join(e.errors.values()))


class Command(BaseCommand):
    help = "API tokens for integrations and service users: issue one (shown once), revoke one, list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser(
            "issue",
            help="Issue a token to a user or service account; it is printed once and never shown again",
            description="Issue an API token. The token acts as its user (it never sees more than the user would) "
            "and may do only what its scopes allow: read (GET), record (changes), returns, sync. It is printed "
            "once: only a hash is kept.",
        )
        issue.add_argument("--user", required=True, help="email address of the user or service account")
        issue.add_argument("--name", required=True, help="what will use the token, e.g. 'Case management integration'")
        issue.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help=f"what the token may do: {', '.join(TokenScope.values)} (repeat for more than one; default read)",
        )
        issue.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"days until it expires (default {DEFAULT_DAYS}, at most 365)",
        )
        revoke = sub.add_parser("revoke", help="Revoke a token: it stops working at once")
        revoke.add_argument("id", type=int, help="the token's id (casework tokens list)")
        revoke.add_argument("--reason", required=True, help="why it is revoked (kept in the audit log)")
        listing = sub.add_parser("list", help="List tokens: id, name, user, scopes, dates; never the token itself")
        listing.add_argument("--user", help="only this user's tokens (email address)")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"do_{opts['action']}")(opts)

    def do_issue(self, opts: dict[str, Any]) -> None:
        user = _user(opts["user"])
        try:
            token, secret = token_issue(
                actor=None, user=user, name=opts["name"], scopes=opts["scopes"] or ["read"], days=opts["days"]
            )
        except RuleError as e:
            raise _refused(e) from e
        self.stdout.write(
            f"Issued token {token.pk}, “{token.name}”, to {user.email}: {', '.join(token.scopes)}; "
            f"expires {_when(token.expires_at)}."
        )
        self.stdout.write(secret)
        self.stdout.write(
            "Copy it now: it will not be shown again (only a hash is kept). Send it as the header "
            "'Authorization: Bearer <token>'."
        )

    def do_revoke(self, opts: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=opts["id"]).first()
        if token is None:
            raise CommandError(f"There is no token {opts['id']} (casework tokens list shows them)")
        try:
            token_revoke(actor=None, token=token, reason=opts["reason"])
        except RuleError as e:
            raise _refused(e) from e
        self.stdout.write(f"Revoked token {token.pk}, “{token.name}”, of {token.user.email}: it no longer works.")

    def do_list(self, opts: dict[str, Any]) -> None:
        tokens = list(token_list(user=_user(opts["user"]) if opts["user"] else None))
        if not tokens:
            self.stdout.write("No tokens" + (f" for {opts['user']}" if opts["user"] else "") + ".")
            return
        headers = ("id", "name", "user", "scopes", "created", "expires", "last used", "revoked", "status")
        rows = [
            (
                str(t.pk),
                t.name,
                t.user.email,
                ",".join(t.scopes),
                _when(t.created_at),
                _when(t.expires_at),
                _when(t.last_used_at),
                _when(t.revoked_at),
                token_status(t),
            )
            for t in tokens
        ]
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
        for row in [headers, *rows]:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(f"{len(rows)} token{'s' if len(rows) != 1 else ''}.")
