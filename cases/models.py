"""The children's journey: contacts, children-in-need episodes (referrals), assessments, section 47 enquiries,
conferences, plans, looked-after episodes, allocations and the tasks that statutory timescales create.

Field names follow social work terms; where a field is a statutory code its code list is named in `help_text`
(the lists live in core.Code, loaded by migration cases/0002). Rows are written only by cases.services.
"""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from accounts.models import Team
from core.models import TimeStamped
from people.models import Person


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


class ContactDecision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    EARLY_HELP = "early_help", "Early help"
    REFERRAL = "referral", "Referral to children's social care"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Contact(TimeStamped):
    """A concern raised about a child at the front door. Decided within 1 working day."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    received_at = models.DateTimeField()
    source = models.CharField(max_length=3, help_text="Code list referral_source (CIN census ReferralSource)")
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_organisation = models.CharField(max_length=150, blank=True)
    concern = models.TextField()
    decision_due_on = models.DateField()
    decision = models.CharField(max_length=20, choices=ContactDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="contact_awaiting", condition=Q(decision=""))]

    def __str__(self) -> str:
        return f"Contact about {self.person} on {self.received_at:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CINEpisode(TimeStamped):
    """A children-in-need episode, opened by a referral and ended by closure (CIN census CINdetails).
    `transferred_from` holds the code of the authority a child moved from (a transfer in)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cin_episodes")
    contact = models.OneToOneField(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="episode")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    referral_date = models.DateField(db_index=True)
    referral_source = models.CharField(max_length=3, help_text="Code list referral_source")
    primary_need = models.CharField(max_length=2, help_text="Code list primary_need (N0-N9)")
    is_re_referral = models.BooleanField(default=False, help_text="Within 12 months of a previous referral")
    referral_nfa = models.BooleanField(default=False, help_text="Referral closed with no further action")
    transferred_from = models.CharField(max_length=3, blank=True, help_text="Previous authority's 3-digit LA code")
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, blank=True, help_text="Code list closure_reason (RC1-RC9)")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(closure_date__isnull=True), name="one_open_cin_episode_per_child"
            ),
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True) | Q(closure_date__gte=F("referral_date")),
                name="cin_closure_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.referral_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None


class AssessmentOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action: close"
    EARLY_HELP = "early_help", "Step down to early help"
    CIN_PLAN = "cin_plan", "Child in need plan"
    STRATEGY = "strategy", "Strategy discussion (significant harm suspected)"
    LOOKED_AFTER = "looked_after", "Child to become looked after"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Assessment(TimeStamped):
    """A child and family assessment. Due 45 working days from the referral; a manager authorises it."""

    episode = models.ForeignKey(CINEpisode, on_delete=models.PROTECT, related_name="assessments")
    started_on = models.DateField()
    due_on = models.DateField()
    factors = ArrayField(models.CharField(max_length=3), default=list, blank=True, help_text="assessment_factor")
    summary = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_on = models.DateField(null=True, blank=True, db_index=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorisation_comments = models.TextField(blank=True, help_text="The authorising manager's comments")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(authorised_on__isnull=True) | Q(submitted_on__isnull=False),
                name="assessment_authorised_after_submitted",
            )
        ]

    def __str__(self) -> str:
        return f"Assessment started {self.started_on:%d/%m/%Y}"

    @property
    def status(self) -> str:
        if self.authorised_on:
            return "Authorised"
        if self.submitted_on:
            return "Awaiting authorisation"
        return "In progress"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class StrategyDiscussion(TimeStamped):
    episode = models.ForeignKey(CINEpisode, on_delete=models.PROTECT, related_name="strategy_discussions")
    held_on = models.DateField()
    agencies = models.CharField(max_length=300, help_text="Agencies present, e.g. police, health, school")
    start_section_47 = models.BooleanField()
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Strategy discussion {self.held_on:%d/%m/%Y}"


class Section47Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    ICPC_REQUIRED = "icpc", "Initial child protection conference required"
    ICPC_NOT_REQUIRED = "no_icpc", "Concerns substantiated, conference not required"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Section47Enquiry(TimeStamped):
    episode = models.ForeignKey(CINEpisode, on_delete=models.PROTECT, related_name="section47_enquiries")
    strategy_discussion = models.OneToOneField(StrategyDiscussion, on_delete=models.PROTECT, related_name="enquiry")
    started_on = models.DateField()
    icpc_due_on = models.DateField(help_text="15 working days from the strategy discussion")
    outcome = models.CharField(max_length=10, choices=Section47Outcome.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Section 47 enquiry started {self.started_on:%d/%m/%Y}"


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    REVIEW = "review", "Review child protection conference"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChildProtectionConference(TimeStamped):
    episode = models.ForeignKey(CINEpisode, on_delete=models.PROTECT, related_name="conferences")
    kind = models.CharField(max_length=10, choices=ConferenceKind.choices)
    enquiry = models.ForeignKey(
        Section47Enquiry, null=True, blank=True, on_delete=models.PROTECT, related_name="conferences"
    )
    plan = models.ForeignKey(
        "ChildProtectionPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="review_conferences"
    )
    held_on = models.DateField()
    child_protection_plan_decided = models.BooleanField(help_text="Initial: a plan is needed; review: it continues")
    category = models.CharField(max_length=3, blank=True, help_text="Code list abuse_category")
    chair = models.CharField(max_length=150, blank=True, help_text="Who chaired the conference")

    class Meta:
        indexes = [models.Index(fields=["kind", "held_on"], name="conference_kind_held")]  # dashboards

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChildProtectionPlan(TimeStamped):
    episode = models.ForeignKey(CINEpisode, on_delete=models.PROTECT, related_name="cp_plans")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cp_plans")
    initial_conference = models.OneToOneField(
        ChildProtectionConference, on_delete=models.PROTECT, related_name="plan_started"
    )
    started_on = models.DateField()
    initial_category = models.CharField(max_length=3, help_text="abuse_category")
    latest_category = models.CharField(max_length=3, help_text="abuse_category")
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True), name="one_open_cp_plan"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="cp_plan_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Child protection plan from {self.started_on:%d/%m/%Y}"


class CoreGroupMeeting(TimeStamped):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT, related_name="core_groups")
    held_on = models.DateField()
    notes = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Core group {self.held_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChildInNeedPlan(TimeStamped):
    episode = models.ForeignKey(CINEpisode, on_delete=models.PROTECT, related_name="cin_plans")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cin_plans")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True), name="one_open_cin_plan")
        ]

    def __str__(self) -> str:
        return f"Child in need plan from {self.started_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ChildInNeedPlanReview(TimeStamped):
    """A review of a child in need plan (at the authority's interval, TimescalePolicy cin_review_interval)."""

    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.PROTECT, related_name="reviews")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cin_plan_reviews")
    held_on = models.DateField()
    plan_continues = models.BooleanField(default=True)
    summary = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "held_on"], name="one_cin_review_a_day")]

    def __str__(self) -> str:
        return f"Child in need plan review on {self.held_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class LookedAfterEpisode(TimeStamped):
    """One SSDA903 Episodes row: a new row whenever legal status or placement changes."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="looked_after_episodes")
    started_on = models.DateField(help_text="DECOM")
    reason_new_episode = models.CharField(max_length=1, help_text="reason_new_episode (RNE)")
    legal_status = models.CharField(max_length=2, help_text="legal_status (LS)")
    category_of_need = models.CharField(max_length=2, help_text="la_category_of_need (CIN, N1-N8)")
    placement_type = models.CharField(max_length=3, help_text="placement_type (PLACE)")
    placement_provider = models.CharField(max_length=3, help_text="placement_provider (PLACE_PROVIDER)")
    placement_postcode = models.CharField(max_length=8, blank=True)
    home_postcode = models.CharField(max_length=8, blank=True)
    urn = models.CharField(max_length=10, blank=True, help_text="Ofsted unique reference number of the placement")
    ended_on = models.DateField(null=True, blank=True, help_text="DEC")
    reason_ceased = models.CharField(max_length=4, blank=True, help_text="reason_episode_ceased (REC)")
    reason_place_change = models.CharField(max_length=6, blank=True, help_text="reason_place_change")

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="looked_after_episodes_do_not_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (DateRange("started_on", "ended_on", models.Value("[)")), RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="lac_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Looked after from {self.started_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Allocation(TimeStamped):
    """A child allocated to a worker: each row is a social worker episode (SSDA903 SWEpisodes)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, help_text="Why the child was allocated to this worker")
    end_reason = models.CharField(max_length=6, blank=True, help_text="sw_change_reason (SW_REASON)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True), name="one_current_worker"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="allocation_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["worker"], name="allocation_current", condition=Q(ended_on__isnull=True))]

    def __str__(self) -> str:
        return f"{self.person} allocated to {self.worker}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ReviewingOfficerAssignment(TimeStamped):
    """The independent reviewing officer who chairs a child's looked-after reviews or child protection conferences
    (one at a time). Gives the officer a legitimate relationship with the record and fills their "My reviews"."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reviewing_officers")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_children")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True), name="one_current_iro"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="iro_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["officer"], name="iro_current", condition=Q(ended_on__isnull=True))]

    def __str__(self) -> str:
        return f"{self.officer} chairs reviews for {self.person}"


class TaskKind(models.TextChoices):
    CONTACT_DECISION = "contact_decision", "Decide on contact"
    ASSESSMENT = "assessment", "Complete assessment"
    ASSESSMENT_AUTHORISATION = "assessment_authorisation", "Authorise assessment"
    ICPC = "icpc", "Hold initial child protection conference"
    CORE_GROUP = "core_group", "Hold first core group"
    CP_REVIEW = "cp_review", "Hold child protection review conference"
    CP_VISIT = "cp_visit", "Visit child on a child protection plan"
    CIN_REVIEW = "cin_review", "Review child in need plan"
    LAC_REVIEW = "lac_review", "Looked-after review"
    LAC_VISIT = "lac_visit", "Statutory visit to looked-after child"
    LAC_HEALTH_ASSESSMENT = "lac_health_assessment", "Initial health assessment"
    LAC_HEALTH_REVIEW = "lac_health_review", "Review health assessment"
    TRANSFER_IN_CONFERENCE = "transfer_in_conference", "Hold transfer-in child protection conference"


# The tasks of a period of care: cancelled when it ends.
LOOKED_AFTER_TASKS = (
    TaskKind.LAC_REVIEW,
    TaskKind.LAC_VISIT,
    TaskKind.LAC_HEALTH_ASSESSMENT,
    TaskKind.LAC_HEALTH_REVIEW,
)


# Tasks only a manager does: a social worker's "due next" leaves them out (cases.selectors.due_tasks).
MANAGER_TASKS = (TaskKind.CONTACT_DECISION, TaskKind.ASSESSMENT_AUTHORISATION)


class TaskQuerySet(models.QuerySet["Task"]):
    """The one definition of open and overdue work: every page that lists or counts tasks starts here."""

    def open(self) -> TaskQuerySet:
        return self.filter(completed_on__isnull=True, cancelled_on__isnull=True)

    def overdue(self, today: date) -> TaskQuerySet:
        """Open and due before today (due today is not overdue)."""
        return self.open().filter(due_on__lt=today)

    def for_workers(self) -> TaskQuerySet:
        """Without the tasks only a manager does (MANAGER_TASKS)."""
        return self.exclude(kind__in=MANAGER_TASKS)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Task(models.Model):
    """Something due for a child by a date, made from a statutory or local timescale. Done or cancelled, never
    deleted. The allocated worker sees it; the team's manager sees it when overdue."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tasks")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    due_on = models.DateField()
    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    statutory = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="What the worker needs to know (why it came back)")

    objects = TaskQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["person", "due_on"],
                name="task_open_person",
                condition=Q(completed_on__isnull=True, cancelled_on__isnull=True),
            ),
            models.Index(
                fields=["team", "due_on"],
                name="task_open_team",
                condition=Q(completed_on__isnull=True, cancelled_on__isnull=True),
            ),
            models.Index(fields=["kind", "due_on"], name="task_kind_due"),  # dashboards: what fell due in a period
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id", "due_on"], name="task_unique_per_source_and_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_on:%d/%m/%Y}"


class TimescalePolicy(models.Model):
    """Local-policy intervals an authority may change (statutory ones are constants in cases.rules.timescales)."""

    key = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField()
    unit = models.CharField(
        max_length=12, choices=[("working_days", "working days"), ("months", "months"), ("weeks", "weeks")]
    )
    description = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.description}: {self.value} {self.get_unit_display()}"


from .models_looked_after import *  # noqa: E402, F403
