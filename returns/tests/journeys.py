"""Children with known journeys, made through the services (never by writing journey rows), for the returns' tests.

`build_world()` makes the children below; the tests assert every field of the returns against these facts. The
collection year is 2025-26 (2026): 1 April 2025 to 31 March 2026.

- nadia: referral from a school closed the next day without an assessment (a referral with no further action);
  no UPN, of school age.
- callum: referral from a GP, assessment (factors 4B, 6B) leading to a child in need plan, plan ended and case
  closed in January 2026.
- priya: an earlier child protection plan in 2023 (closed episode). In 2025: referral from the police, assessment,
  strategy discussion and section 47 enquiry, ICPC with a plan for neglect, a review in December changing the
  category to multiple, another in March, and a review after the year (April 2026) ending the plan.
- leo: referral, assessment, looked after from July 2025 under section 20 (V2) in foster care, an interim care
  order in August (RNE L), a move to a children's home in November (RNE P, reason CARPL), a review, a day missing,
  a change of social worker (LEFTRL), previous permanence Z1.
- maya: looked after since 2023 in long-term foster care, two reviews in the year, the year's health record (OC2).
- oscar: looked after since 2024, placement order (E1, 2024), matched and placed for adoption (A6) in May 2025,
  adopted (E11) in November 2025: AD1 and PlacedAdoption. Aged 3: UPN UN1.
- jade: looked after from age 14 until her 18th birthday on 15 October 2025 (left E6), a mother since February
  2025; a care leaver contact after her birthday, which is not reported: she was looked after on her birthday.
- kaya: looked after from 2020 to her 18th birthday in June 2024; her 19th birthday in June 2025, contact
  recorded (OC3 only: not looked after in the year).
- samir: an unaccompanied asylum-seeking child from August 2025, looked after (V2) in supported accommodation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from accounts.models import Role, Team, User
from accounts.services import membership_add
from cases import services as cin
from cases import services as lac
from cases.models import CINEpisode
from cases.rules.looked_after import Placement
from people.models import Person
from people.services import relationship_create
from people.tests.factories import person
from people.validators import upn_check_letter

YEAR = 2026
LA = "383"  # Leeds: the UPNs below are Leeds UPNs and the postcodes Leeds postcodes
LA_ONS = "E08000035"
HOME = "LS7 3QB"
FOSTER = Placement("U6", "PR1", "LS8 2QP", "SC123456")
LONG_TERM_FOSTER = Placement("U4", "PR1", "LS6 2AA", "SC123456")
CHILDRENS_HOME = Placement("K2", "PR4", "LS11 5DR", "SC654321")
ADOPTERS = Placement("A6", "PR1", "LS16 6NL", "XXXXXXX")
SUPPORTED = Placement("K3", "PR4", "LS9 8AB", "SC765432")


def upn(serial: int, la: str = LA) -> str:
    """A valid UPN: check letter, LA code, establishment 2001, year 15, a 3-digit serial."""
    tail = f"{la}200115{serial:03d}"
    return upn_check_letter(tail) + tail


@dataclass
class World:
    worker: User
    other_worker: User
    manager: User
    team: Team
    nadia: Person
    callum: Person
    priya: Person
    leo: Person
    maya: Person
    oscar: Person
    jade: Person
    kaya: Person
    samir: Person
    ruby: Person  # jade's daughter


def make_staff() -> tuple[User, User, User, Team]:
    team = Team.objects.create(name="Returns team")
    other_team = Team.objects.create(name="Returns team B")
    staff = []
    for email, role, in_team in (
        ("wendy.worker@example.test", Role.SOCIAL_WORKER, team),
        ("owen.other@example.test", Role.SOCIAL_WORKER, other_team),
        ("mina.manager@example.test", Role.TEAM_MANAGER, team),
    ):
        user = User.objects.create_user(username=email, email=email, password="not used here 123")
        membership_add(actor=None, user=user, team=in_team, role=role)
        staff.append(user)
    return staff[0], staff[1], staff[2], team


def assess(
    worker: User, manager: User, episode: CINEpisode, start: date, done: date, factors: list[str], outcome: str
) -> None:
    assessment = cin.assessment_start(actor=worker, episode=episode, started_on=start)
    cin.assessment_record(actor=worker, assessment=assessment, factors=factors, summary="Assessed", outcome=outcome)
    cin.assessment_submit(actor=worker, assessment=assessment, submitted_on=done)
    cin.assessment_authorise(actor=manager, assessment=assessment, authorised_on=done)


def cp_plan(worker: User, episode: CINEpisode, strategy: date, icpc: date, category: str) -> Any:
    cin.strategy_discussion_record(
        actor=worker, episode=episode, held_on=strategy, agencies="Police, health, school", start_section_47=True
    )
    enquiry = episode.section47_enquiries.order_by("-started_on").first()
    cin.section47_complete(actor=worker, enquiry=enquiry, completed_on=icpc, outcome="icpc")
    cin.initial_conference_record(actor=worker, enquiry=enquiry, held_on=icpc, plan_needed=True, category=category)
    return episode.cp_plans.order_by("-started_on").first()


def start_care(
    manager: User, child: Person, on: date, legal_status: str, placement: Placement, home: str = HOME
) -> None:
    lac.looked_after_start(
        actor=manager,
        person=child,
        started_on=on,
        legal_status=legal_status,
        category_of_need="N1",
        placement_type=placement.type,
        placement_provider=placement.provider,
        placement_postcode=placement.postcode,
        home_postcode=home,
        urn=placement.urn,
    )


def build_world() -> World:
    worker, other_worker, manager, team = make_staff()

    # A referral with no further action.
    nadia = person("Nadia", "Ahmed", date(2016, 5, 12), sex="F", ethnicity="APKN")
    episode = cin.referral_create(
        actor=manager, person=nadia, referral_date=date(2025, 6, 2), source="2A", primary_need="N4", team=team
    )
    cin.episode_close(actor=manager, episode=episode, closure_date=date(2025, 6, 3), reason="RC8")

    # Assessment to a child in need plan.
    callum = person("Callum", "Doyle", date(2012, 9, 1), sex="M", ethnicity="WIRI", upn=upn(1))
    episode = cin.referral_create(
        actor=manager, person=callum, referral_date=date(2025, 4, 14), source="3A", primary_need="N3", team=team
    )
    assess(worker, manager, episode, date(2025, 4, 15), date(2025, 5, 22), ["6B", "4B"], "cin_plan")
    plan = cin.cin_plan_start(actor=worker, episode=episode, started_on=date(2025, 5, 23))
    cin.cin_plan_end(actor=worker, plan=plan, ended_on=date(2026, 1, 16))
    cin.episode_close(actor=manager, episode=episode, closure_date=date(2026, 1, 16), reason="RC7")

    # Child protection: an earlier plan, then strategy, section 47, ICPC, plan and reviews.
    priya = person("Priya", "Shah", date(2019, 2, 10), sex="F", ethnicity="AIND", upn=upn(2))
    old = cin.referral_create(
        actor=manager, person=priya, referral_date=date(2023, 1, 9), source="3B", primary_need="N1", team=team
    )
    old_plan = cp_plan(worker, old, date(2023, 1, 10), date(2023, 1, 27), "EMO")
    cin.review_conference_record(
        actor=worker, plan=old_plan, held_on=date(2023, 7, 21), plan_continues=False, end_reason="Safe at home"
    )
    cin.episode_close(actor=manager, episode=old, closure_date=date(2023, 8, 1), reason="RC7")
    episode = cin.referral_create(
        actor=manager, person=priya, referral_date=date(2025, 9, 1), source="6", primary_need="N1", team=team
    )
    assess(worker, manager, episode, date(2025, 9, 2), date(2025, 9, 5), ["16A", "3A"], "strategy")
    plan = cp_plan(worker, episode, date(2025, 9, 3), date(2025, 9, 19), "NEG")
    cin.review_conference_record(
        actor=worker, plan=plan, held_on=date(2025, 12, 12), plan_continues=True, category="MUL"
    )
    cin.review_conference_record(actor=worker, plan=plan, held_on=date(2026, 3, 13), plan_continues=True)
    cin.review_conference_record(
        actor=worker, plan=plan, held_on=date(2026, 4, 17), plan_continues=False, end_reason="Risks reduced"
    )

    # Looked after: a change of legal status, then of placement.
    leo = person(
        "Leo", "Campbell", date(2014, 7, 3), sex="M", ethnicity="BCRB", upn=upn(3), disabilities=["AUT", "COMM"]
    )
    episode = cin.referral_create(
        actor=manager, person=leo, referral_date=date(2025, 7, 1), source="5A", primary_need="N1", team=team
    )
    cin.allocate(actor=manager, person=leo, worker=worker, started_on=date(2025, 7, 1), reason="New referral")
    assess(worker, manager, episode, date(2025, 7, 2), date(2025, 7, 8), ["2B", "3B"], "looked_after")
    start_care(manager, leo, date(2025, 7, 10), "V2", FOSTER)
    lac.previous_permanence_record(actor=manager, person=leo, arrangement="Z1")
    lac.lac_review_record(actor=worker, person=leo, held_on=date(2025, 8, 5), participation="PN1")
    lac.looked_after_change(actor=worker, person=leo, changed_on=date(2025, 8, 20), legal_status="C1")
    lac.looked_after_change(
        actor=worker, person=leo, changed_on=date(2025, 11, 3), placement=CHILDRENS_HOME, reason_place_change="CARPL"
    )
    cin.allocate(
        actor=manager,
        person=leo,
        worker=other_worker,
        started_on=date(2025, 11, 10),
        reason="Worker left",
        change_reason="LEFTRL",
    )
    missing = lac.missing_episode_record(actor=worker, person=leo, kind="M", started_on=date(2025, 12, 1))
    lac.missing_episode_end(
        actor=worker,
        episode=missing,
        ended_on=date(2025, 12, 2),
        return_interview_offered=True,
        return_interview_accepted=True,
    )

    # Looked after for years: reviews and the year's health record.
    maya = person("Maya", "Evans", date(2017, 3, 15), sex="F", ethnicity="MWBC", upn=upn(4))
    cin.allocate(actor=manager, person=maya, worker=worker, started_on=date(2023, 6, 5), reason="Care proceedings")
    start_care(manager, maya, date(2023, 6, 5), "C2", LONG_TERM_FOSTER)
    lac.previous_permanence_record(actor=manager, person=maya, arrangement="Z1")
    for held_on in (date(2025, 6, 20), date(2025, 12, 15)):
        lac.lac_review_record(actor=worker, person=maya, held_on=held_on, participation="PN1")
    lac.health_record_for_year(
        actor=worker,
        person=maya,
        year_ending=date(2026, 3, 31),
        sdq_score=14,
        immunisations=True,
        teeth_check=True,
        health_assessment=True,
        substance_misuse=False,
    )

    # Adopted in the year.
    oscar = person("Oscar", "Brown", date(2022, 1, 20), sex="M", ethnicity="WBRI")
    cin.allocate(actor=manager, person=oscar, worker=worker, started_on=date(2024, 2, 1), reason="Care proceedings")
    start_care(manager, oscar, date(2024, 2, 1), "C2", FOSTER)
    adoption = lac.adoption_decision_record(actor=worker, person=oscar, decided_on=date(2024, 6, 3))
    lac.adoption_milestone_record(actor=worker, adoption=adoption, milestone="placement_order", on=date(2024, 9, 2))
    lac.looked_after_change(actor=worker, person=oscar, changed_on=date(2024, 9, 2), legal_status="E1")
    lac.adoption_milestone_record(actor=worker, adoption=adoption, milestone="matched", on=date(2025, 5, 1))
    lac.looked_after_change(
        actor=worker, person=oscar, changed_on=date(2025, 5, 12), placement=ADOPTERS, reason_place_change="CARPL"
    )
    lac.adoption_milestone_record(actor=worker, adoption=adoption, milestone="placed", on=date(2025, 5, 12))
    lac.lac_review_record(actor=worker, person=oscar, held_on=date(2025, 7, 1), participation="PN0")
    lac.adoption_adopters_record(
        actor=worker,
        adoption=adoption,
        foster_care=False,
        number_of_adopters=2,
        sex_of_adopters="MF",
        legal_status_of_adopters="L11",
    )
    lac.looked_after_end(actor=manager, person=oscar, ended_on=date(2025, 11, 20), reason_ceased="E11")

    # A care leaver who left at 18 in the year, and is a mother.
    jade = person("Jade", "Walker", date(2007, 10, 15), sex="F", ethnicity="WBRI", upn=upn(5))
    ruby = person("Ruby", "Walker", date(2025, 2, 3), sex="F", ethnicity="WBRI")
    relationship_create(actor=None, person=jade, other=ruby, type="parent", parental_responsibility=True)
    cin.allocate(actor=manager, person=jade, worker=worker, started_on=date(2021, 11, 1), reason="Accommodated")
    start_care(manager, jade, date(2021, 11, 1), "V2", FOSTER)
    lac.lac_review_record(actor=worker, person=jade, held_on=date(2025, 5, 14), participation="PN1")
    lac.looked_after_end(actor=manager, person=jade, ended_on=date(2025, 10, 15), reason_ceased="E6")
    lac.care_leaver_contact_record(
        actor=worker, person=jade, contact_on=date(2025, 10, 28), in_touch="YES", activity="F2", accommodation="D1"
    )

    # A care leaver not looked after in the year (OC3 only).
    kaya = person("Kaya", "Mensah", date(2006, 6, 20), sex="F", ethnicity="BAFR", upn=upn(6))
    cin.allocate(actor=manager, person=kaya, worker=worker, started_on=date(2020, 9, 1), reason="Care proceedings")
    start_care(manager, kaya, date(2020, 9, 1), "C2", FOSTER)
    lac.looked_after_end(actor=manager, person=kaya, ended_on=date(2024, 6, 20), reason_ceased="E6")
    lac.care_leaver_contact_record(
        actor=worker, person=kaya, contact_on=date(2025, 6, 25), in_touch="YES", activity="P5", accommodation="B1"
    )

    # An unaccompanied asylum-seeking child.
    samir = person("Samir", "Haddad", date(2009, 5, 5), sex="M", ethnicity="OOTH", upn=upn(7))
    lac.uasc_record(actor=worker, person=samir, became_uasc_on=date(2025, 8, 1))
    cin.allocate(actor=manager, person=samir, worker=worker, started_on=date(2025, 8, 1), reason="Arrived")
    start_care(manager, samir, date(2025, 8, 1), "V2", SUPPORTED, home="")
    lac.previous_permanence_record(actor=manager, person=samir, arrangement="Z1")
    lac.lac_review_record(actor=worker, person=samir, held_on=date(2025, 8, 28), participation="PN1")

    return World(
        worker=worker,
        other_worker=other_worker,
        manager=manager,
        team=team,
        nadia=nadia,
        callum=callum,
        priya=priya,
        leo=leo,
        maya=maya,
        oscar=oscar,
        jade=jade,
        kaya=kaya,
        samir=samir,
        ruby=ruby,
    )
