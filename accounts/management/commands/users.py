"""`casework users invite ...`: invite a user from the command line (the first administrator of a new authority, or
a script), as the Users page does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Role, Team
from accounts.services import user_invite
from core.errors import RuleError


class Command(BaseCommand):
    help = "Invite a user: create them with a role in a team and print their one-time sign-in link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        i = sub.add_parser("invite", help="Create a user with a role in a team; print and email their one-time link")
        i.add_argument("--email", required=True)
        i.add_argument("--first-name", required=True)
        i.add_argument("--last-name", required=True)
        i.add_argument("--team", required=True, help="The team's name, as on the Teams page")
        i.add_argument("--role", required=True, choices=Role.values)
        i.add_argument("--job-title", default="")
        i.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Casework's address, for the link (%(default)s)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        team = Team.objects.filter(name__iexact=opts["team"].strip()).first()
        if team is None:
            names = ", ".join(Team.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No team is called '{opts['team']}'. Teams: {names}")
        try:
            with transaction.atomic():
                invitation = user_invite(
                    actor=None,
                    email=opts["email"],
                    first_name=opts["first_name"],
                    last_name=opts["last_name"],
                    job_title=opts["job_title"],
                    team=team,
                    role=opts["role"],
                    base_url=opts["base_url"],
                )
        except RuleError as e:
            raise CommandError("; ".join(e.errors.values())) from e
        user = invitation.user
        self.stdout.write(f"Invited {user.display_name} <{user.email}> as {Role(opts['role']).label} in {team.name}.")
        self.stdout.write(f"Their one-time link (works once, until {invitation.expires_at:%Y-%m-%d %H:%M %Z}):")
        self.stdout.write(invitation.link)
