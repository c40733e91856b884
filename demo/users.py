"""Demo users for each role in two teams, with TOTP secrets printed so a newcomer can sign in with any
authenticator app. Secrets are derived from the seed so they are stable across restarts of the same demo."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import Role, Team, TeamKind, User
from accounts.services import membership_add, team_create, team_set_kind, user_create
from core.site import is_demo_database

DEMO_PASSWORD = "casework-demo-2026"  # noqa: S105  (demo authority only; printed on start)
TEAMS = ["Assessment Team North", "Assessment Team South"]  # practice teams (the journeys generator staffs these)
SERVICE_TEAMS = ["Safeguarding and Reviewing Unit", "Performance and Intelligence", "Children's Front Door"]
FRONT_DOOR = 4  # index of the front door in TEAMS + SERVICE_TEAMS
# What kind of team each is: only the assessment teams hold cases (receive referrals); the front door receives
# contacts and its manager decides them (the front door sees a child's record while a contact awaits a decision).
TEAM_KINDS = {
    "Assessment Team North": TeamKind.ASSESSMENT,
    "Assessment Team South": TeamKind.ASSESSMENT,
    "Safeguarding and Reviewing Unit": TeamKind.REVIEWING,
    "Performance and Intelligence": TeamKind.PERFORMANCE,
    "Children's Front Door": TeamKind.FRONT_DOOR,
}
DEMO_USERS = [
    # email, first, last, role, index into TEAMS + SERVICE_TEAMS, job title
    ("sam.social-worker@demo.casework.test", "Sam", "Okafor", Role.SOCIAL_WORKER, 0, "Social worker"),
    ("priya.social-worker@demo.casework.test", "Priya", "Shah", Role.SOCIAL_WORKER, 1, "Social worker"),
    ("tom.manager@demo.casework.test", "Tom", "Reilly", Role.TEAM_MANAGER, 0, "Team manager"),
    ("grace.manager@demo.casework.test", "Grace", "Mensah", Role.TEAM_MANAGER, 1, "Team manager"),
    (
        "ben.support@demo.casework.test",
        "Ben",
        "Kowalski",
        Role.BUSINESS_SUPPORT,
        FRONT_DOOR,
        "Business support officer",
    ),
    ("fola.front-door@demo.casework.test", "Fola", "Adeyemi", Role.TEAM_MANAGER, FRONT_DOOR, "Front door manager"),
    ("alex.admin@demo.casework.test", "Alex", "Morgan", Role.ADMINISTRATOR, 3, "Casework administrator"),
    (
        "iris.iro@demo.casework.test",
        "Iris",
        "Bello",
        Role.INDEPENDENT_REVIEWING_OFFICER,
        2,
        "Independent reviewing officer",
    ),
    ("pat.performance@demo.casework.test", "Pat", "Lindqvist", Role.PERFORMANCE, 3, "Performance analyst"),
]


@dataclass
class DemoUser:
    email: str
    role: str
    team: str
    totp_secret: str


def totp_secret_for(email: str, seed: int) -> str:
    digest = hashlib.sha256(f"casework-demo:{seed}:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


class NotADemoDatabase(Exception):
    """Demo users were asked for in a database that `casework seed` did not make."""


def ensure_demo_users(seed: int = 1) -> list[DemoUser]:
    """Create the demo teams and users if missing; return their sign-in details. Only in a database that
    `casework seed` made (core.site): their password is printed and their TOTP secrets are derived from their e-mail
    addresses, the same on every install, so on real records they would be a way in for anyone."""
    if not is_demo_database():
        raise NotADemoDatabase(
            "This database was not made by `casework seed`: demo users are never created on real records."
        )
    teams = []
    for name in TEAMS + SERVICE_TEAMS:
        team = Team.objects.filter(name=name).first() or team_create(actor=None, name=name, kind=TEAM_KINDS[name])
        teams.append(team_set_kind(actor=None, team=team, kind=TEAM_KINDS[name]))  # a demo made before teams had kinds
    out = []
    for email, first, last, role, team_idx, title in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                actor=None,
                email=email,
                first_name=first,
                last_name=last,
                password=DEMO_PASSWORD,
                team=teams[team_idx],
                role=role,
                job_title=title,
            )
        else:
            membership_add(actor=None, user=user, team=teams[team_idx], role=role)
        secret = totp_secret_for(email, seed)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
        out.append(DemoUser(email=email, role=Role(role).label, team=teams[team_idx].name, totp_secret=secret))
    return out
