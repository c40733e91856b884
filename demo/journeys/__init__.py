"""Children's social care histories for the generated authority, made only through the real services.

`generate_journeys` picks children from the people already loaded (`load_candidates`) and walks each one through
cases.services and recording.services exactly as users would: contacts and the duty
manager's decision, referrals (and now and then a transfer in from another authority), allocation, assessments
submitted and authorised, strategy discussions, section 47 enquiries, conferences, child protection and child in need
plans, periods of care with their moves and changes of legal status, reviews, statutory visits, missing episodes,
adoption, previous permanence, health outcomes, care leavers' contacts, and closure. Unaccompanied asylum-seeking
children, who have no family on the index, are new records made through people.services.person_create. Nothing here
writes a journey record itself: every step passes the same rules a user meets, and the services write the chronology
entries, tasks and audit events. A refused step is a bug in this generator: it is counted and reported, and that
child's history rolled back, never worked around.

What the authority holds at the end (volumes.md, "large"; the demo's few thousand people get the same kinds):
- open children-in-need episodes (being assessed, in a section 47 enquiry, on child in need plans, child protection
  plans or looked after), each child allocated to a social worker of the episode's team, 15 to 25 children each;
- care leavers (looked after until 18, their episode closed, still allocated), with contacts around birthdays;
- closed histories over several years: referrals closed after assessment or before it, ended plans, ended periods
  of care (home, special guardianship, adoption), re-referrals within 12 months (about a fifth of referrals);
- contacts decided without a referral, and some waiting for the duty manager's decision.
Children whose case notes (written by demo.generator) tell a story get the journey the notes describe, on the
notes' dates; in the demo, by the worker who wrote them.

Dates are backdated from `today`; services refuse future dates, so everything happens up to yesterday. Overdue tasks
arise naturally when the last visit or review was long ago. Randomness comes from the caller's random.Random only:
the same seed, day and people give the same journeys (database ids aside): see JourneyResult.digest.

Speed: a service call costs 5 to 20 ms (most of it the database: each writes its rows, a chronology entry, tasks,
an audit event and history rows). Children are processed 10 to a transaction: every audit event updates the audit
chain's head row, and many updates of one row inside one long transaction (each service call a savepoint) slow
each other down, so short batches are faster than long ones; commits do not wait for the disk (a seed that crashes
is started again).

Contact decisions are made within hours of the contact; child in need plans are reviewed about every three months,
children on child protection plans are visited (the visits complete the plan's visit tasks), and looked-after children
have their initial and review health assessments, each now and then late, so dashboards have something to show.

The package, by stage of the journey (each stage a class the next builds on, so a step calls only steps of its own
or an earlier stage):
- base: one child's history in a savepoint, the digest, times of day (JourneyBase, Kid);
- front_door < assessment < child_in_need < protection (which also uses visits); looked_after (uses assessment,
  visits, adoption and care_leavers);
- histories: each kind of child's whole history, composed from the stages; stories: histories that follow the case
  notes already written;
- orchestrator: who gets which history (assign), the batches, the counts (generate_journeys);
- profiles, vocabulary, candidates, staff, placements: the numbers, words, children, teams and placements.
"""

from .candidates import Candidate, load_candidates
from .orchestrator import JourneyResult, Journeys, assign, generate_journeys
from .profiles import PROFILES, Profile, Targets, targets_for
from .staff import Crew, ensure_staff, staff_plan

__all__ = [
    "PROFILES",
    "Candidate",
    "Crew",
    "JourneyResult",
    "Journeys",
    "Profile",
    "Targets",
    "assign",
    "ensure_staff",
    "generate_journeys",
    "load_candidates",
    "staff_plan",
    "targets_for",
]
