"""What the demo sign-ins print: for each demo user, how to sign in and what the access rule lets them open (a few of
the children they hold, with record numbers, and how many), and one child they can only break the glass into (search
finds the child and shows the minimal summary). Everything here asks accounts.access and people.search, as a page
would: nothing decides access itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import access
from accounts.models import User
from cases.models import Allocation
from people.models import Basis, Involvement, Person
from people.search import search_people

from .users import DemoUser

Write = Callable[[str], None]
SHOWN = 3  # children named for each user


@dataclass
class Reach:
    """What one demo user may open, as the rule says."""

    children: int  # children (under 18, or unborn) whose full record they may open
    records: int  # every record they may open (with the children's families)
    examples: list[tuple[Person, str]]  # a few of those children, each with the basis the rule gives
    break_glass: Person | None  # a child search shows them only the summary of, whom they may break the glass into
    holder: str  # who holds that child (the team to contact)


def _children(today: date) -> Q:
    eighteen_ago = today - relativedelta(years=18)
    return Q(date_of_birth__gt=eighteen_ago) | Q(date_of_birth__isnull=True, expected_date_of_birth__isnull=False)


def reach(user: User, today: date | None = None) -> Reach:
    """What `user` may open, from accounts.access (a few queries)."""
    today = today or timezone.localdate()
    children: QuerySet[Person] = Person.objects.filter(_children(today))
    mine = access.visible_people(user, children)
    # The user's own relationships first (allocated, chairing, the contact they recorded; not through a relative,
    # whose rows' source people.involvement marks with "@"), then their team's: only the order of the examples.
    own = Involvement.objects.filter(
        person_id=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True, source__regex=r"^[^@]*$"
    )
    examples: list[tuple[Person, str]] = []
    for person in mine.annotate(own=Exists(own)).order_by("-own", "family_name", "given_name", "pk")[:SHOWN]:
        explanation = access.explain(user, person)
        examples.append((person, str(Basis(explanation.basis).label).lower()))
    held = Allocation.objects.filter(person_id=OuterRef("pk"), ended_on__isnull=True)
    summary_only = (
        access.with_full_access(user, children.filter(Exists(held)))
        .filter(full_access=False)  # type: ignore[misc]
        .order_by("pk")
    )
    glass, holder = None, ""
    for candidate in summary_only[:5]:
        found = search_people(
            user=user,
            name=f"{candidate.given_name} {candidate.family_name}",
            date_of_birth=candidate.date_of_birth,
            limit=5,
            with_identifiers=False,
        )
        match = next((m for m in found if m.id == candidate.pk), None)
        if match is not None and match.access == "summary" and access.explain(user, candidate).break_glass_available:
            allocation = (
                Allocation.objects.filter(person=candidate, ended_on__isnull=True).select_related("team").first()
            )
            glass, holder = candidate, allocation.team.name if allocation is not None else ""
            break
    return Reach(mine.count(), access.visible_people(user).count(), examples, glass, holder)


def write_sign_ins(write: Write, users: list[DemoUser], *, with_reach: bool = True) -> None:
    """One line a user (role, team, email, TOTP secret), and under it what they may open."""
    by_email = {u.email: u for u in User.objects.filter(email__in=[d.email for d in users])}
    today = timezone.localdate()
    for d in users:
        write(f"  {d.role:<30} {d.team:<32} {d.email:<40} TOTP secret {d.totp_secret}")
        if not with_reach:
            continue
        r = reach(by_email[d.email], today)
        if r.records == 0:
            write("      opens no records: no legitimate relationship with anyone (the rule applies to every role)")
        else:
            named = ", ".join(f"{p.full_name} (record {p.pk}, {basis})" for p, basis in r.examples)
            write(f"      opens {r.children:,} children ({r.records:,} records with their families): {named}")
        if r.break_glass is not None:
            p = r.break_glass
            write(
                f"      break-glass only: {p.full_name} (record {p.pk}, held by {r.holder}): search shows a "
                "summary; opening it asks why"
            )
