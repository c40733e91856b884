"""How much of each kind of history an authority gets, by size, and the numbers scaled to the people loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """End-of-history numbers for an authority of `people` people (scaled to the people actually loaded)."""

    people: int
    in_assessment: int  # open episodes still at assessment
    in_enquiry: int  # open episodes in a strategy discussion or section 47 enquiry
    cin_plans: int  # open child in need plans
    cp_plans: int  # open child protection plans
    looked_after: int  # looked after today
    care_leavers: int  # looked after until 18, now 18 to 21
    closed_only: int  # children whose every episode is closed
    contacts_only: int  # children with contacts that never became referrals
    awaiting_contacts: int  # contacts waiting for the duty manager
    earlier_episode_rate: float  # open children with an earlier, closed episode
    caseload: int  # children per social worker to aim for
    workers_per_team: int
    lac_visit_months: int | None  # statutory visits recorded for the last N months of care only (None: all)
    cp_visit_months: int  # visits to children on plans, recorded for the last N months


PROFILES: dict[str, Profile] = {
    # About 150 open cases, 20 plans, 30 looked after, 20 care leavers for 4,000 people: every demo social worker
    # has 10 to 25 children, every demo manager contacts to decide and assessments to authorise.
    "demo": Profile(
        people=4000,
        in_assessment=32,
        in_enquiry=8,
        cin_plans=60,
        cp_plans=20,
        looked_after=30,
        care_leavers=20,
        closed_only=80,
        contacts_only=30,
        awaiting_contacts=8,
        earlier_episode_rate=0.35,
        caseload=17,
        workers_per_team=16,
        lac_visit_months=4,
        cp_visit_months=2,
    ),
    # The large county of volumes.md: 12,000 open children-in-need cases (1,500 on plans, 2,500 looked after),
    # 1,500 care leavers. Contacts and closed histories are fewer than a real county's ten years (about 100,000
    # contacts and 20,000 referrals a year) so the stage runs in tens of minutes, not hours.
    "large": Profile(
        people=1_000_000,
        in_assessment=2400,
        in_enquiry=600,
        cin_plans=5000,
        cp_plans=1500,
        looked_after=2500,
        care_leavers=1500,
        closed_only=6000,
        contacts_only=6000,
        awaiting_contacts=300,
        earlier_episode_rate=0.5,
        caseload=21,
        workers_per_team=16,
        lac_visit_months=3,
        cp_visit_months=1,
    ),
}


@dataclass(frozen=True)
class Targets:
    in_assessment: int
    in_enquiry: int
    cin_plans: int
    cp_plans: int
    looked_after: int
    care_leavers: int
    closed_only: int
    contacts_only: int
    awaiting_contacts: int

    @property
    def open_cases(self) -> int:
        return self.in_assessment + self.in_enquiry + self.cin_plans + self.cp_plans + self.looked_after

    @property
    def allocated(self) -> int:
        return self.open_cases + self.care_leavers


def targets_for(size: str, people: int) -> Targets:
    """The profile's numbers scaled to `people` (at least one of each, so a small test authority has every kind)."""
    p = PROFILES[size]
    scale = people / p.people

    def n(x: int) -> int:
        return max(1, round(x * scale)) if x else 0

    return Targets(
        in_assessment=n(p.in_assessment),
        in_enquiry=n(p.in_enquiry),
        cin_plans=n(p.cin_plans),
        cp_plans=n(p.cp_plans),
        looked_after=n(p.looked_after),
        care_leavers=n(p.care_leavers),
        closed_only=n(p.closed_only),
        contacts_only=n(p.contacts_only),
        awaiting_contacts=max(2, n(p.awaiting_contacts)),
    )
