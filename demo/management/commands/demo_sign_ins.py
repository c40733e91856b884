"""`casework demo_sign_ins [--seed N]`: make sure the demo teams and users exist and print how to sign in as each.
Only in a demo database (one `casework seed` made: core.site); anywhere else it refuses and creates nothing.

`casework serve` calls it by name (`call_command("demo_sign_ins")`) when it starts on a demo database that is already
loaded, so core never imports the demo app: the command is found through INSTALLED_APPS like any other."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Create the demo teams and users if missing and print their sign-ins (password and TOTP secrets), with the "
        "children each may open and one they can only break the glass into."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="The seed the TOTP secrets are derived from")

    def handle(self, *args: Any, **options: Any) -> None:
        from demo.sign_ins import write_sign_ins
        from demo.users import DEMO_PASSWORD, NotADemoDatabase, ensure_demo_users

        try:
            users = ensure_demo_users(options["seed"])
        except NotADemoDatabase as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("Add the TOTP secret to any authenticator app, then enter its 6-digit code when asked.")
        self.stdout.write(
            "Each user opens the records of the children they or their team hold (and their families); anyone else "
            "they find in search shows only a summary, which they may open by break-glass, giving a reason.\n"
        )
        write_sign_ins(self.stdout.write, users)
