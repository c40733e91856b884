"""The person index: one record per person, their names, identifiers, addresses, relationships and warnings."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Left, Upper

from core.models import TimeStamped


class Sex(models.TextChoices):
    # CIN census and SSDA903 from 2024-25.
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Person(TimeStamped):
    given_name = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(max_length=60, blank=True, help_text="How the person describes their gender")
    ethnicity = models.CharField(max_length=4, blank=True, help_text="CIN census ethnicity code")
    first_language = models.CharField(max_length=60, blank=True)
    disabilities = ArrayField(
        models.CharField(max_length=4), default=list, blank=True, help_text="CIN census disability codes; NONE alone"
    )
    interpreter_needed = models.BooleanField(default=False)
    # Restricted records (adoption, staff as clients, high-profile people) need an explicit grant to view.
    is_restricted = models.BooleanField(default=False)
    # Derived from the current address, for search and duplicate checks; set by services.
    current_postcode = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~(Q(given_name="") & Q(family_name="")), name="person_has_a_name"),
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=F("date_of_birth")),
                name="person_death_after_birth",
            ),
        ]
        # Covering (id included) so the search's date-of-birth route is an index-only scan.
        indexes = [models.Index(fields=["date_of_birth"], include=["id"], name="person_dob")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None


class PersonName(models.Model):
    """Every name a person is or was known by. The current name is also on Person; search reads this table.

    The `*_norm` and `*_key` columns are search keys computed by `people.matching.name_keys`.
    """

    class Kind(models.TextChoices):
        CURRENT = "current", "Current name"
        PREVIOUS = "previous", "Previous name"
        ALIAS = "alias", "Also known as"
        BIRTH = "birth", "Name at birth"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="names")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    used_from = models.DateField(null=True, blank=True)
    used_to = models.DateField(null=True, blank=True)
    given_norm = models.CharField(max_length=100, blank=True)
    family_norm = models.CharField(max_length=100, blank=True)
    given_key = models.CharField(max_length=20, blank=True)
    family_key = models.CharField(max_length=20, blank=True)
    full_norm = models.CharField(max_length=201, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["family_key", "given_key"], name="name_keys"),
            models.Index(fields=["family_key", "given_norm"], name="name_family_given"),
            # The exact-name route of search: the person of that very name is a candidate however many share a date
            # of birth with the query or sound like them.
            models.Index(fields=["family_norm", "given_norm"], name="name_family_given_exact"),
            models.Index(F("given_key"), Left("family_norm", 2), name="name_given_key_family_start"),
            models.Index(F("family_key"), Left("given_norm", 2), name="name_family_key_given_start"),
            GinIndex(OpClass("full_norm", name="gin_trgm_ops"), name="name_full_trgm"),
            models.Index(fields=["person"], name="name_person"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(kind="current"), name="one_current_name_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class IdentifierType(models.TextChoices):
    NHS = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number"
    FORMER_UPN = "former_upn", "Former UPN"
    NI = "ni", "National Insurance number"
    HOME_OFFICE = "home_office", "Home Office reference"
    LEGACY = "legacy", "Previous system ID"
    SOURCE = "source", "Imported record ID"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PersonIdentifier(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identifiers")
    type = models.CharField(max_length=20, choices=IdentifierType.choices)
    value = models.CharField(max_length=40)
    # An identifier that no longer applies is ended, never deleted (a correction changes `value`; the row history
    # keeps the old one). Returns, search and the record read current identifiers.
    ended_on = models.DateField(null=True, blank=True)
    # A database default too: the demo loader and the importer write rows with COPY, naming the columns they fill.
    end_reason = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            # A current NHS number or UPN belongs to one person; a second record with it is a duplicate.
            models.UniqueConstraint(
                fields=["type", "value"],
                condition=Q(type__in=["nhs", "upn", "source"], ended_on__isnull=True),
                name="identifier_unique",
            ),
            # One current NHS number and one current UPN each (a new UPN ends the old one, or corrects it).
            models.UniqueConstraint(
                fields=["person", "type"],
                condition=Q(type__in=["nhs", "upn"], ended_on__isnull=True),
                name="identifier_one_current_per_person",
            ),
        ]
        indexes = [models.Index(Upper("value"), "type", name="identifier_value")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.value}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PersonAddress(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="addresses")
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    lived_from = models.DateField(null=True, blank=True)
    lived_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-lived_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lived_to__isnull=True) | Q(lived_from__isnull=True) | Q(lived_to__gte=F("lived_from")),
                name="address_dates_in_order",
            )
        ]
        indexes = [models.Index(fields=["postcode", "line1"], name="address_postcode")]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.town, self.postcode) if p)

    @property
    def is_current(self) -> bool:
        return self.lived_to is None


class RelationshipType(models.TextChoices):
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    STEP_PARENT = "step_parent", "Step-parent"
    STEP_CHILD = "step_child", "Step-child"
    GRANDPARENT = "grandparent", "Grandparent"
    GRANDCHILD = "grandchild", "Grandchild"
    CARER = "carer", "Carer"
    CARED_FOR = "cared_for", "Cared for by"
    PARTNER = "partner", "Partner"
    HOUSEHOLD_MEMBER = "household_member", "Household member"


# Each type and the type the other person holds back.
RECIPROCAL = {
    RelationshipType.PARENT: RelationshipType.CHILD,
    RelationshipType.CHILD: RelationshipType.PARENT,
    RelationshipType.SIBLING: RelationshipType.SIBLING,
    RelationshipType.HALF_SIBLING: RelationshipType.HALF_SIBLING,
    RelationshipType.STEP_PARENT: RelationshipType.STEP_CHILD,
    RelationshipType.STEP_CHILD: RelationshipType.STEP_PARENT,
    RelationshipType.GRANDPARENT: RelationshipType.GRANDCHILD,
    RelationshipType.GRANDCHILD: RelationshipType.GRANDPARENT,
    RelationshipType.CARER: RelationshipType.CARED_FOR,
    RelationshipType.CARED_FOR: RelationshipType.CARER,
    RelationshipType.PARTNER: RelationshipType.PARTNER,
    RelationshipType.HOUSEHOLD_MEMBER: RelationshipType.HOUSEHOLD_MEMBER,
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Relationship(TimeStamped):
    """On `person`'s record, `other` is their `type`: (person=Sam, other=Mary, type=parent) reads "Mary is Sam's
    parent", and `parental_responsibility` says whether Mary holds it for Sam. Always written in reciprocal pairs by
    people.services.relationship_create, so each record lists its own relationships with one query."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships")
    other = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=20, choices=RelationshipType.choices)
    parental_responsibility = models.BooleanField(default=False)
    lives_with = models.BooleanField(default=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(person=F("other")), name="relationship_not_to_self"),
            models.UniqueConstraint(
                fields=["person", "other", "type"],
                condition=Q(ended_on__isnull=True),
                name="relationship_unique_current",
            ),
        ]
        indexes = [models.Index(fields=["person", "type"], name="relationship_person")]

    def __str__(self) -> str:
        return f"{self.person} is {self.get_type_display().lower()} of {self.other}"


class WarningType(models.TextChoices):
    DOG = "dog", "Dog at address"
    LONE_WORKER = "lone_worker", "Risk to lone workers"
    VIOLENCE = "violence", "History of violence or aggression"
    WEAPONS = "weapons", "Weapons at address"
    INFECTION = "infection", "Infection control"
    SAFEGUARDING = "safeguarding", "Safeguarding concern: do not disclose address"
    OTHER = "other", "Other"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Warning(TimeStamped):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="warnings")
    type = models.CharField(max_length=20, choices=WarningType.choices)
    details = models.TextField(blank=True)
    review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person"], name="warning_person", condition=Q(ended_on__isnull=True))]

    def __str__(self) -> str:
        return self.get_type_display()


class RestrictedAccessGrant(TimeStamped):
    """An explicit permission for one user to see one record (the only way into a restricted one), until revoked or
    expired. Granted and revoked by administrators through people.services.access_grant_*, audited."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.user} may see {self.person_id}"


class DuplicateCandidate(TimeStamped):
    """Two records that may be the same person, waiting for someone to review (import, or a user's override)."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        NOT_DUPLICATE = "not_duplicate", "Not the same person"
        MERGED = "merged", "Merged"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    possible_match = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    source = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # Why the pair was proposed, in words ("same surname, same date of birth"); the sweep fills it.
    reasons = models.JSONField(default=list, blank=True, db_default=[])

    SOURCES = {
        "import": "Imported",
        "created_despite_match": "Added despite a close match",
        "sweep": "Found by the nightly check",
    }

    @property
    def source_label(self) -> str:
        return self.SOURCES.get(self.source, self.source)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "possible_match"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=~Q(person=F("possible_match")), name="duplicate_not_self"),
        ]


class Basis(models.TextChoices):
    """Why a user has a legitimate relationship with a record (accounts.access explains access in these words)."""

    ALLOCATED = "allocated", "Allocated worker"
    TEAM = "team", "Member of the team that holds the case"
    REVIEWING_OFFICER = "reviewing_officer", "Chairs the child's reviews or conferences"
    FRONT_DOOR = "front_door", "Front door: a contact awaits a decision"
    GRANT = "grant", "Explicit grant"
    BREAK_GLASS = "break_glass", "Break-glass"


class Involvement(models.Model):
    """One legitimate relationship between a record and a user or a team, from `started_at` until `ended_at` (null:
    still open). accounts.access reads only this table to decide who sees a record, so the rule is one indexed
    condition on any query of people.

    Rows are kept in step with the record: the relationship providers that higher apps register (allocations, the
    team holding a case, reviewing officers, contacts awaiting a decision) are re-read by people.involvement.refresh in
    the transaction of every change to them; grants and break-glass write their own rows. Rows are ended, never
    deleted; a grace period after the end (allocations, the last team) is applied by the access rule, from settings.
    `source` names what the row comes from ("allocation:12"), unique per person and holder.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=20, choices=Basis.choices)
    source = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # A team's row ended because another team took the case over: no last-team grace period.
    superseded = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(team__isnull=False), name="involvement_has_a_holder"
            ),
            models.UniqueConstraint(
                fields=["person", "source", "user", "team"], nulls_distinct=False, name="involvement_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "person"], name="involvement_user", condition=Q(user__isnull=False)),
            models.Index(fields=["team", "person"], name="involvement_team", condition=Q(team__isnull=False)),
            models.Index(fields=["person"], name="involvement_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()}: {self.user_id or self.team_id} for {self.person_id}"


class BreakGlassReason(models.TextChoices):
    DUTY = "duty", "Duty or out of hours enquiry"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    COURT = "court", "Court or legal"
    OTHER = "other", "Other"


class BreakGlassReview(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    JUSTIFIED = "justified", "Justified"
    REFERRED = "referred", "Referred to information governance"


class BreakGlass(models.Model):
    """A user opened a record they have no relationship with, giving a reason, for a limited time. The holding team's
    manager is told; managers and information governance review each one."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=BreakGlassReason.choices)
    details = models.TextField()
    started_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The team holding the case when the glass was broken (whose manager is told and reviews it); null if none.
    holding_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review = models.CharField(max_length=20, choices=BreakGlassReview.choices, default=BreakGlassReview.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["review", "started_at"], name="break_glass_review")]

    def __str__(self) -> str:
        return f"Break-glass by {self.user_id} into {self.person_id}"


class DeclaredConflict(TimeStamped):
    """A user knows this person or family (a neighbour, a relative, a friend's child). While it stands the record is
    hidden from the user, even by break-glass; search shows only that a conflict exists. Declared by the user or
    recorded for them by an administrator; withdrawn (never deleted) by an administrator."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    connection = models.CharField(max_length=200, help_text="How the user knows the person")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdraw_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"], condition=Q(withdrawn_at__isnull=True), name="one_conflict_per_user"
            )
        ]
        indexes = [
            models.Index(fields=["user", "person"], name="conflict_user", condition=Q(withdrawn_at__isnull=True))
        ]


class NameFrequency(models.Model):
    """How many of the authority's names use each normalised surname and given name (the first word), and that
    count's share of all of them: the term frequencies of the match score (people.matching: agreement on a rare
    name weighs more than on "Smith"). Derived from PersonName, replaced whole by
    `people.match_store.name_frequencies_refresh` (the fit command, the weekly task, `casework people
    refresh-name-frequencies`)."""

    class Kind(models.TextChoices):
        SURNAME = "surname", "Surname"
        GIVEN_NAME = "given_name", "Given name"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=100)
    count = models.PositiveIntegerField()
    share = models.FloatField()
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="name_frequency_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}: {self.count}"


class MatchModel(models.Model):
    """A version of the match score's weights (m and u probabilities of every level of every comparison, and the
    prior), fitted offline on the authority's people by `casework people fit-match-weights`. The newest is used;
    older ones stay as the record of what ranked the searches of their time."""

    version = models.PositiveIntegerField(unique=True)
    method = models.CharField(max_length=60)
    weights = models.JSONField()
    fitted_at = models.DateTimeField()
    people = models.PositiveIntegerField(help_text="People in the index when fitted")
    sample = models.PositiveIntegerField(help_text="People in the sample the weights were fitted on")
    details = models.JSONField(default=dict, blank=True, help_text="How the fit went: pairs, iterations, seconds")

    def __str__(self) -> str:
        return f"Match weights version {self.version} ({self.method}, {self.fitted_at:%d %B %Y})"


class PersonMerge(models.Model):
    """One record merged into another (people.merging.person_merge): `merged` stays as a tombstone that points at
    `survivor` until the merge is undone (`undone_at`). Every row that moved is a PersonMergeMove and every value the
    merge overwrote a PersonMergeChange, so people.merging.person_unmerge can put everything back exactly."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField()
    # What the person chose, field by field: {"date_of_birth": "merged", ...}; "survivor" for the rest.
    choices = models.JSONField(default=dict)
    # The questions a manager confirmed (different dates of birth, two open referrals), empty when none was needed.
    confirmed = models.JSONField(default=list)
    # For each model with a foreign key to Person, the highest primary key at the merge: rows above it attached to
    # the survivor were recorded since, and are assigned by a person when the merge is undone.
    high_water = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("merged")), name="merge_not_self"),
            # A record is merged into one other at a time.
            models.UniqueConstraint(fields=["merged"], condition=Q(undone_at__isnull=True), name="merge_one_live"),
        ]
        indexes = [models.Index(fields=["survivor"], name="merge_survivor")]

    def __str__(self) -> str:
        return f"Record {self.merged_id} merged into {self.survivor_id}"


class PersonMergeMove(models.Model):
    """A row whose foreign key to Person was moved from the merged record to the survivor."""

    merge = models.ForeignKey(PersonMerge, on_delete=models.PROTECT, related_name="moves")
    model = models.CharField(max_length=100)  # "recording.CaseNote"
    row = models.CharField(max_length=40)  # the row's primary key, as text
    field = models.CharField(max_length=100)
    old_value = models.BigIntegerField()
    new_value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["merge", "model"], name="merge_move")]

    def __str__(self) -> str:
        return f"{self.model} {self.row}.{self.field}: {self.old_value} to {self.new_value}"


class PersonMergeChange(models.Model):
    """A value the merge overwrote (a field the person chose from the merged record, a name that became an alias, a
    duplicate relationship ended), with its old value as JSON, in the order written."""

    merge = models.ForeignKey(PersonMerge, on_delete=models.PROTECT, related_name="changes")
    model = models.CharField(max_length=100)
    row = models.CharField(max_length=40)
    field = models.CharField(max_length=100)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)

    def __str__(self) -> str:
        return f"{self.model} {self.row}.{self.field} was {self.old_value}"
