"""Users, teams and the roles users hold in them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def _today():
    return timezone.localdate()


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    BUSINESS_SUPPORT = "business_support", "Business support"
    ADMINISTRATOR = "administrator", "Administrator"
    INDEPENDENT_REVIEWING_OFFICER = "independent_reviewing_officer", "Independent reviewing officer"
    PERFORMANCE = "performance", "Performance and intelligence"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"


class CaseworkUserManager(UserManager["User"]):
    def create_user(self, username=None, email=None, password=None, **extra_fields):
        return super().create_user(username or (email or "").lower(), email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff. Signs in with email, password and a second factor.

    `username` mirrors the email (Django needs a unique username); nobody types it.
    """

    email = models.EmailField(unique=True)
    job_title = models.CharField(max_length=120, blank=True)
    # Shown on a record's summary to colleagues without a relationship to it ("who to contact").
    phone = models.CharField(max_length=30, blank=True)
    # Set when an administrator resets the second factor: the user must set up a new one at next sign-in.
    mfa_reset_at = models.DateTimeField(null=True, blank=True)

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


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        """Memberships held today: started, and not yet ended."""
        today = timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today), started_on__lte=today)


class Membership(models.Model):
    """A user's role in a team, from `started_on` to `ended_on`. A user with no current membership has no role and
    sees nothing."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    started_on = models.DateField(default=_today)
    # The last day the user holds the role; null while they still hold it. Ended memberships are kept.
    ended_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role"],
                condition=Q(ended_on__isnull=True),
                name="membership_unique_role_in_team",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.team}"


class AccessSettings(models.Model):
    """The authority's settings for access and sessions: one row (pk=1), changed by administrators
    (accounts.services.access_settings_update, audited) and read through `accounts.access.access_settings()`."""

    allocation_grace_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days a worker keeps seeing a record after their allocation ends"
    )
    last_team_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days the team that last held a case keeps seeing the record after it closes"
    )
    break_glass_hours = models.PositiveSmallIntegerField(
        default=4, help_text="Hours a record opened by break-glass stays open"
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="Minutes without activity before a user is signed out"
    )
    absolute_timeout_hours = models.PositiveSmallIntegerField(
        default=10, help_text="Hours after signing in that a user is signed out, however active"
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "access settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="access_settings_one_row")]

    def __str__(self) -> str:
        return "Access settings"


class TokenScope(models.TextChoices):
    READ = "read", "Read records"
    RECORD = "record", "Record (write) to records"
    RETURNS = "returns", "Produce statutory returns"
    SYNC = "sync", "Synchronise the offline app"


class ApiToken(models.Model):
    """A bearer token for an integration or service user. Only a hash is stored; the token is shown once. A token acts
    as its user: it never sees more than the user would."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=120)
    scopes = ArrayField(models.CharField(max_length=20, choices=TokenScope.choices), default=list)
    # The first characters of the token, shown in lists so a token can be recognised; not secret on its own.
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(models.Model):
    """An in-app message to one user (a break-glass into a record their team holds, say). Read when opened."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True))]

    def __str__(self) -> str:
        return self.subject


class SignInThrottle(models.Model):
    """Failed sign-ins counted per address ("ip:...") and per account ("account:..."), to slow an attacker with a
    growing delay without ever locking the real user out."""

    key = models.CharField(max_length=300, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
