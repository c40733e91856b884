"""The looked-after part of the children's journey beyond the episode rows: reviews, annual health outcomes (SSDA903
OC2), missing and away-from-placement periods, adoption (AD1 and PlacedAdoption), unaccompanied asylum-seeking
children, previous permanence, and contact with care leavers (OC3).

Statutory codes are checked by cases.services.looked_after against the code lists in core.Code (loaded by migration
cases/0004); the database holds what it can on its own: date order, ranges, combinations that can never be valid
and periods that must not overlap. Rows are written only by cases.services.looked_after.
"""

from __future__ import annotations

import pghistory
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q

from core.models import TimeStamped
from people.models import Person

from .models import DateRange, LookedAfterEpisode

__all__ = [
    "AdoptionRecord",
    "CareLeaverContact",
    "HealthAssessment",
    "HealthAssessmentKind",
    "HealthRecord",
    "LookedAfterReview",
    "MissingEpisode",
    "MissingKind",
    "PreviousPermanence",
    "UnaccompaniedAsylumSeekingChild",
]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class LookedAfterReview(TimeStamped):
    """A looked-after review chaired by an independent reviewing officer (SSDA903 Reviews)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="looked_after_reviews")
    held_on = models.DateField(help_text="REVIEW")
    participation = models.CharField(max_length=3, help_text="review_participation (REVIEW_CODE, PN0-PN7)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "held_on"], name="one_lac_review_a_day")]

    def __str__(self) -> str:
        return f"Looked-after review {self.held_on:%d/%m/%Y}"


class HealthAssessmentKind(models.TextChoices):
    INITIAL = "initial", "Initial health assessment"
    REVIEW = "review", "Review health assessment"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class HealthAssessment(TimeStamped):
    """A looked-after child's statutory health assessment: the initial one (due 20 working days after the child
    becomes looked after), then reviews every 6 months under 5 and every 12 months from 5."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="lac_health_assessments")
    episode = models.ForeignKey(LookedAfterEpisode, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=HealthAssessmentKind.choices)
    assessed_on = models.DateField()
    assessed_by = models.CharField(max_length=200, blank=True, help_text="Doctor or nurse, and their service")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "assessed_on"], name="one_health_assessment_a_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.assessed_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class HealthRecord(TimeStamped):
    """A year's health and outcomes for a child looked after continuously for 12 months at 31 March (SSDA903 OC2).
    Flags are yes/no, or empty where the item does not apply to the child."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="lac_health_records")
    year_ending = models.DateField(help_text="31 March that ends the collection year")
    sdq_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="SDQ_SCORE, 0-40")
    sdq_reason = models.CharField(max_length=4, blank=True, help_text="sdq_reason (SDQ1-SDQ5): why there is no score")
    convicted = models.BooleanField(null=True, blank=True, help_text="CONVICTED (aged 10 or over)")
    health_check = models.BooleanField(null=True, blank=True, help_text="HEALTH_CHECK (under 5)")
    immunisations = models.BooleanField(null=True, blank=True, help_text="IMMUNISATIONS up to date")
    teeth_check = models.BooleanField(null=True, blank=True, help_text="TEETH_CHECK")
    health_assessment = models.BooleanField(null=True, blank=True, help_text="HEALTH_ASSESSMENT up to date")
    substance_misuse = models.BooleanField(null=True, blank=True, help_text="SUBSTANCE_MISUSE problem identified")
    intervention_received = models.BooleanField(null=True, blank=True, help_text="INTERVENTION_RECEIVED")
    intervention_offered = models.BooleanField(null=True, blank=True, help_text="INTERVENTION_OFFERED")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "year_ending"], name="one_health_record_a_year"),
            models.CheckConstraint(
                condition=Q(year_ending__month=3, year_ending__day=31), name="health_year_ends_31_march"
            ),
            models.CheckConstraint(
                condition=Q(sdq_score__isnull=True) | Q(sdq_score__lte=40), name="health_sdq_score_0_to_40"
            ),
            models.CheckConstraint(
                condition=Q(sdq_score__isnull=True) | Q(sdq_reason=""), name="health_sdq_score_or_reason"
            ),
            models.CheckConstraint(
                condition=Q(substance_misuse=True)
                | Q(intervention_received__isnull=True, intervention_offered__isnull=True),
                name="health_intervention_only_with_substance_misuse",
            ),
            models.CheckConstraint(
                condition=~Q(intervention_received=True) | Q(intervention_offered__isnull=True),
                name="health_offered_only_if_not_received",
            ),
        ]

    def __str__(self) -> str:
        return f"Health and outcomes, year ending {self.year_ending:%d/%m/%Y}"


class MissingKind(models.TextChoices):
    # SSDA903 Missing: MISSING.
    MISSING = "M", "Missing"
    AWAY = "A", "Away from placement without authorisation"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class MissingEpisode(TimeStamped):
    """A period a looked-after child was missing or away from placement without authorisation (SSDA903 Missing),
    with the return interview offered and accepted once it ends. Periods never overlap."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="missing_episodes")
    kind = models.CharField(max_length=1, choices=MissingKind.choices, help_text="missing_type (MISSING)")
    started_on = models.DateField(help_text="MIS_START")
    ended_on = models.DateField(null=True, blank=True, help_text="MIS_END")
    return_interview_offered = models.BooleanField(null=True, blank=True)
    return_interview_accepted = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="missing_episodes_do_not_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    (DateRange("started_on", "ended_on", models.Value("[)")), RangeOperators.OVERLAPS),
                ],
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="one_open_missing_episode"
            ),
            models.CheckConstraint(condition=Q(kind__in=["M", "A"]), name="missing_kind_m_or_a"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="missing_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=False)
                | Q(return_interview_offered__isnull=True, return_interview_accepted__isnull=True),
                name="missing_interview_only_after_return",
            ),
            models.CheckConstraint(
                condition=~Q(return_interview_accepted=True) | Q(return_interview_offered=True),
                name="missing_interview_accepted_only_if_offered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AdoptionRecord(TimeStamped):
    """One decision that a child should be placed for adoption, and what followed: placement order, matching,
    placement with the adopters, the adoption order, or the decision being reversed (SSDA903 AD1 and
    PlacedAdoption). Milestones are in order; a decision either ends in adoption or is reversed, never both.

    SSDA903 names: DATE_INT (AD1) and DATE_PLACED (PlacedAdoption) are both the date of the decision, held here once
    as `date_should_be_placed`; the date the child went to live with the adopters is `placed_on` (the DECOM of the
    A3-A6 episode), and the adoption order is `adopted_on` (the DEC of the episode ended E11 or E12)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="adoption_records")
    date_should_be_placed = models.DateField(help_text="DATE_INT and DATE_PLACED: decision to place for adoption")
    placement_order_on = models.DateField(null=True, blank=True, help_text="Placement order granted")
    date_matched = models.DateField(null=True, blank=True, help_text="DATE_MATCH: child matched with adopters")
    placed_on = models.DateField(null=True, blank=True, help_text="Placed with the adopters")
    adopted_on = models.DateField(null=True, blank=True, help_text="Adoption order made")
    foster_care = models.BooleanField(null=True, blank=True, help_text="FOSTER_CARE: adopted by former foster carers")
    number_of_adopters = models.PositiveSmallIntegerField(null=True, blank=True, help_text="NB_ADOPTR: 1 or 2")
    sex_of_adopters = models.CharField(max_length=2, blank=True, help_text="adopter_sex (SEX_ADOPTR)")
    legal_status_of_adopters = models.CharField(max_length=3, blank=True, help_text="adopter_legal_status (LS_ADOPTR)")
    date_placed_ceased = models.DateField(
        null=True, blank=True, help_text="DATE_PLACED_CEASED: decision that the child should no longer be placed"
    )
    reason_placed_ceased = models.CharField(
        max_length=3, blank=True, help_text="reason_placed_ceased (REASON_PLACED_CEASED, RD1-RD4)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(date_placed_ceased__isnull=True, adopted_on__isnull=True),
                name="one_open_adoption_decision",
            ),
            models.CheckConstraint(
                condition=Q(placement_order_on__isnull=True) | Q(placement_order_on__gte=F("date_should_be_placed")),
                name="adoption_order_after_decision",
            ),
            models.CheckConstraint(
                condition=Q(date_matched__isnull=True) | Q(date_matched__gte=F("date_should_be_placed")),
                name="adoption_matched_after_decision",
            ),
            models.CheckConstraint(
                condition=Q(placed_on__isnull=True) | Q(date_matched__isnull=False, placed_on__gte=F("date_matched")),
                name="adoption_placed_after_matched",
            ),
            models.CheckConstraint(
                condition=Q(adopted_on__isnull=True) | Q(placed_on__isnull=False, adopted_on__gte=F("placed_on")),
                name="adoption_order_after_placed",
            ),
            models.CheckConstraint(
                condition=Q(date_placed_ceased__isnull=True)
                | Q(date_placed_ceased__gte=F("date_should_be_placed"), adopted_on__isnull=True),
                name="adoption_reversal_after_decision_not_adopted",
            ),
            models.CheckConstraint(
                condition=Q(date_placed_ceased__isnull=True, reason_placed_ceased="")
                | Q(date_placed_ceased__isnull=False) & ~Q(reason_placed_ceased=""),
                name="adoption_reversal_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(number_of_adopters__isnull=True) | Q(number_of_adopters__in=[1, 2]),
                name="adoption_one_or_two_adopters",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision to place for adoption {self.date_should_be_placed:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class UnaccompaniedAsylumSeekingChild(TimeStamped):
    """A child's status as an unaccompanied asylum-seeking child (SSDA903 UASC): from when, and when it ceased
    (DUC, at the latest the 18th birthday)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="uasc")
    became_uasc_on = models.DateField()
    ceased_on = models.DateField(null=True, blank=True, help_text="DUC")

    class Meta:
        verbose_name = "unaccompanied asylum-seeking child"
        constraints = [
            models.CheckConstraint(
                condition=Q(ceased_on__isnull=True) | Q(ceased_on__gte=F("became_uasc_on")), name="uasc_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"Unaccompanied asylum-seeking child from {self.became_uasc_on:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PreviousPermanence(TimeStamped):
    """Whether a child starting to be looked after had a permanence arrangement before (SSDA903 PrevPerm): one for
    each period of care, on its first episode."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="previous_permanence")
    episode = models.OneToOneField(
        LookedAfterEpisode, on_delete=models.PROTECT, related_name="previous_permanence", help_text="RNE S episode"
    )
    arrangement = models.CharField(max_length=2, help_text="prev_perm (PREV_PERM: P1-P4, Z1)")
    la_code = models.CharField(max_length=3, blank=True, help_text="LA_PERM: authority that arranged it")
    order_date = models.DateField(null=True, blank=True, help_text="DATE_PERM")

    class Meta:
        verbose_name_plural = "previous permanence"
        constraints = [
            models.CheckConstraint(
                condition=~Q(arrangement="Z1") | Q(la_code="", order_date__isnull=True),
                name="prev_perm_none_has_no_details",
            )
        ]

    def __str__(self) -> str:
        return f"Previous permanence {self.arrangement}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class CareLeaverContact(TimeStamped):
    """Contact with a care leaver around a birthday, recording whether the authority is in touch, their activity
    and their accommodation (SSDA903 OC3). `birthday` is the 17th to 21st birthday the contact counts for, if any."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_leaver_contacts")
    contact_on = models.DateField()
    in_touch = models.CharField(max_length=4, help_text="oc3_in_touch (IN_TOUCH)")
    activity = models.CharField(max_length=2, help_text="oc3_activity (ACTIV), 0 when not applicable")
    accommodation = models.CharField(max_length=2, help_text="oc3_accommodation (ACCOM), 0 when not applicable")
    birthday = models.PositiveSmallIntegerField(null=True, blank=True, help_text="17 to 21, or empty")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "contact_on"], name="one_care_leaver_contact_a_day"),
            models.CheckConstraint(
                condition=~Q(in_touch__in=["DIED", "RHOM"]) | Q(activity="0", accommodation="0"),
                name="care_leaver_died_or_home_has_no_activity",
            ),
            models.CheckConstraint(
                condition=~Q(in_touch="YES") | (~Q(activity="0") & ~Q(accommodation="0")),
                name="care_leaver_in_touch_has_activity",
            ),
            models.CheckConstraint(
                condition=Q(birthday__isnull=True) | Q(birthday__gte=17, birthday__lte=21),
                name="care_leaver_birthday_17_to_21",
            ),
        ]

    def __str__(self) -> str:
        return f"Care leaver contact {self.contact_on:%d/%m/%Y}"
