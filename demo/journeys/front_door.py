"""The front door: contacts and the duty manager's decision, referrals and transfers in, allocation and closure."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.models import User
from cases import services as cs
from cases.models import (
    Allocation,
    CINEpisode,
    Contact,
    ReviewingOfficerAssignment,
)

from ..texts import Situation, choose, years_on
from .base import JourneyBase, Kid, between, pick
from .vocabulary import (
    CHANGE_REASONS,
    CONCERNS,
    OTHER_AUTHORITIES,
    REFERRER_ORGANISATIONS,
    REFERRER_PEOPLE,
    REFERRER_SOURCES,
    SOURCES,
)


class FrontDoor(JourneyBase):
    """Contacts, referrals, allocations and closures: the steps every other journey starts or ends with."""

    def contact(self, k: Kid, on: date, need: str, decision: str | None, reason: str = "") -> Contact:
        rng = k.rng
        source = pick(rng, SOURCES)
        orgs = REFERRER_ORGANISATIONS.get(source)
        recorder = rng.choice(k.crew.recorders)
        concern = choose(rng, CONCERNS.get(need, CONCERNS["N1"]), Situation(years_on(k.born, on)))
        referrer, organisation = REFERRER_PEOPLE.get(source, ""), rng.choice(orgs) if orgs else ""
        story = k.cand.story
        if story is not None and on == story.contact_on and story.concern:
            # The contact the child's case notes describe: the same caller and the same worry, not another one.
            source = REFERRER_SOURCES.get(story.referrer_kind, "8")
            concern, referrer, organisation = story.concern, story.referrer[:150], ""
        # Contacts that become referrals are received in the morning: the referral is dated at noon that day.
        c = cs.contact_record(
            actor=recorder,
            person=k.person,
            received_at=self.at(rng, on, 7 if source == "6" else 8, 12 if decision is None else 18),
            source=source,
            concern=concern,
            referrer_name=referrer,
            referrer_organisation=organisation,
        )
        self.log(k, "contact", on, source)
        if decision is not None:
            cs.contact_decide(
                actor=k.crew.decider,
                contact=c,
                decision=decision,
                reason=reason
                or (
                    "Below the threshold for children's social care: advice given to the referrer."
                    if decision == "nfa"
                    else "Family agree to support from early help."
                ),
                decided_at=self.decided(rng, c),
            )
            self.log(k, "contact decision", on, decision)
        return c

    def refer(self, k: Kid, on: date, need: str, why: str = "", *, earlier_contact: bool = True) -> CINEpisode:
        """A contact the duty manager accepts as a referral: opens the episode on the contact's date."""
        if earlier_contact and k.rng.random() < 0.12 and (on - k.born).days > 200:
            # An earlier contact about the same worry, decided without a referral.
            self.contact(k, on - timedelta(days=k.rng.randint(20, 150)), need, "nfa")
        c = self.contact(k, on, need, None)
        episode = cs.contact_decide(
            actor=k.crew.decider,
            contact=c,
            decision="referral",
            reason=why or "Threshold for children's social care met: child and family assessment needed.",
            team=k.crew.team,
            primary_need=need,
            decided_at=self.decided(k.rng, c),
        )
        assert episode is not None
        self.log(k, "referral", on, need)
        return episode

    def name_reviewing_officer(self, k: Kid, on: date) -> None:
        """The manager names the independent reviewing officer who will chair the child's looked-after reviews or
        child protection conferences (and so sees the record and has the child in "My reviews"); the officer already
        chairing goes on doing so."""
        if ReviewingOfficerAssignment.objects.filter(person=k.person, ended_on__isnull=True).exists():
            return
        officer = k.crew.reviewing_officer()
        if officer is None:
            return
        cs.reviewing_officer_assign(actor=k.crew.manager, person=k.person, officer=officer, started_on=on)
        self.log(k, "reviewing officer", on, officer.email)

    def refer_or_transfer(self, k: Kid, on: date, need: str) -> CINEpisode:
        """Most referrals come through the front door; now and then a child known elsewhere moves here."""
        if k.rng.random() >= 0.05:
            return self.refer(k, on, need)
        ep = cs.transfer_in(
            actor=k.crew.manager,
            person=k.person,
            notified_on=on,
            from_la_code=k.rng.choice([c for c in OTHER_AUTHORITIES if c != self.la_code]),
            team=k.crew.team,
            primary_need=need,
            on_child_protection_plan=False,
        )
        self.log(k, "transfer in", on)
        return ep

    def allocate(self, k: Kid, on: date, worker: User, reason: str, change: str = "") -> None:
        if k.worker is not None and (k.worker.pk == worker.pk or (k.allocated_on and on <= k.allocated_on)):
            return
        cs.allocate(
            actor=k.crew.manager,
            person=k.person,
            worker=worker,
            started_on=on,
            reason=reason,
            change_reason=change if k.worker is not None else "",
        )
        k.worker, k.allocated_on = worker, on
        self.log(k, "allocation", on, worker.email)

    def allocate_for_good(self, k: Kid, first_on: date, span_end: date) -> None:
        """Allocate the child to the worker who holds them at the end, sometimes after an earlier worker left or the
        case moved between workers."""
        final = k.crew.least_loaded()
        k.crew.load[final.pk] += 1
        others = [w for w in k.crew.workers if w.pk != final.pk]
        if others and (span_end - first_on).days > 120 and k.rng.random() < 0.3:
            self.allocate(k, first_on, k.rng.choice(others), "Allocated for the child and family assessment")
            moved = between(k.rng, first_on + timedelta(days=45), span_end - timedelta(days=10))
            self.allocate(k, moved, final, "Reallocated within the team", pick(k.rng, CHANGE_REASONS))
        else:
            self.allocate(k, first_on, final, "Allocated for the child and family assessment")

    def allocate_until_closed(self, k: Kid, on: date) -> None:
        """A case that has since closed: its worker is allocated until the closure ends the allocation (so it is not
        counted in anyone's caseload today); every child with an open case has a worker, as the returns expect."""
        author = None
        if self.follow_authors and k.cand.story is not None:
            author = next((w for w in k.crew.workers if w.pk == k.cand.story.author_id), None)
        self.allocate(k, on, author or k.rng.choice(k.crew.workers), "Allocated for the child and family assessment")

    def close(self, k: Kid, episode: CINEpisode, on: date, reason: str) -> None:
        cs.episode_close(actor=k.crew.manager, episode=episode, closure_date=on, reason=reason)
        if k.worker is not None and not Allocation.objects.filter(person=k.person, ended_on__isnull=True).exists():
            k.worker = None  # the closure ended the allocation (a care leaver keeps theirs)
        self.log(k, "closure", on, reason)
