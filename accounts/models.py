"""Users, teams and the roles users hold in them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    BUSINESS_SUPPORT = "business_support", "Business support"
    ADMINISTRATOR = "administrator", "Administrator"
    INDEPENDENT_REVIEWING_OFFICER = "independent_reviewing_officer", "Independent reviewing officer"
    PERFORMANCE = "performance", "Performance and intelligence"


class CaseworkUserManager(UserManager["User"]):
    def create_user(self, username=None, email=None, password=None, **extra_fields):
        return super().create_user(username or (email or "").lower(), email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff. Signs in with email, password and a second factor.

    `username` mirrors the email (Django needs a unique username); nobody types it.
    """

    email = models.EmailField(unique=True)
    job_title = models.CharField(max_length=120, blank=True)

    objects = CaseworkUserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class TeamKind(models.TextChoices):
    """What a team does. Only the teams that hold cases (`CASE_HOLDING`) receive referrals and have children
    allocated to them; the others read, review or report."""

    ASSESSMENT = "assessment", "Assessment"
    SAFEGUARDING = "safeguarding", "Safeguarding (child protection)"
    LOOKED_AFTER = "looked_after", "Looked after children"
    LEAVING_CARE = "leaving_care", "Leaving care"
    REVIEWING = "reviewing", "Reviewing (independent reviewing officers)"
    FRONT_DOOR = "front_door", "Front door (contacts and decisions)"
    PERFORMANCE = "performance", "Performance and intelligence"
    ADULTS = "adults", "Adults' services"


# Teams that hold children's cases. The front door decides contacts and passes referrals on to one of these;
# reviewing officers chair reviews of cases other teams hold; performance reads; adults' teams hold adults' work.
CASE_HOLDING = (TeamKind.ASSESSMENT, TeamKind.SAFEGUARDING, TeamKind.LOOKED_AFTER, TeamKind.LEAVING_CARE)


class TeamQuerySet(models.QuerySet["Team"]):
    def holding_cases(self) -> TeamQuerySet:
        """The teams a referral can go to (CASE_HOLDING)."""
        return self.filter(kind__in=CASE_HOLDING)


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    service_area = models.CharField(
        max_length=20,
        choices=[("children", "Children's services"), ("adults", "Adults' services")],
        default="children",
    )
    kind = models.CharField(max_length=20, choices=TeamKind.choices, default=TeamKind.ASSESSMENT)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def holds_cases(self) -> bool:
        return self.kind in CASE_HOLDING


class Membership(models.Model):
    """A user's role in a team. A user with no membership has no role and sees nothing."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    started_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team", "role"], name="membership_unique_role_in_team")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.team}"
