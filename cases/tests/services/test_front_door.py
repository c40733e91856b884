"""Contacts, decisions, referrals and transfers in (cases.services.front_door)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEvent
from cases import services
from cases.models import CINEpisode, Contact, Task, TaskKind
from cases.tests.services.helpers import at
from core.errors import RuleError
from people.tests.factories import person
from recording.models import ChronologyEntry

pytestmark = pytest.mark.django_db


def close_after_nfa(episode, worker, manager, day):
    a = services.assessment_start(actor=worker, episode=episode, started_on=day)
    services.assessment_record(actor=worker, assessment=a, factors=["21"], summary="No concerns found", outcome="nfa")
    services.assessment_submit(actor=worker, assessment=a, submitted_on=day)
    services.assessment_authorise(actor=manager, assessment=a, authorised_on=day)
    return services.episode_close(actor=manager, episode=episode, closure_date=day, reason="RC8")


def test_a_decision_made_earlier_is_recorded_with_its_time(child, support, manager, team_a):
    c = services.contact_record(
        actor=support, person=child, received_at=at(date(2026, 1, 5), 9), source="6", concern="Police call-out"
    )
    with pytest.raises(RuleError, match="before the contact came in"):
        services.contact_decide(
            actor=manager, contact=c, decision="nfa", reason="Advice given", decided_at=at(date(2026, 1, 5), 8)
        )
    with pytest.raises(RuleError, match="now or in the past"):
        services.contact_decide(
            actor=manager, contact=c, decision="nfa", reason="Advice given", decided_at=at(date(2099, 1, 1))
        )
    services.contact_decide(
        actor=manager, contact=c, decision="nfa", reason="Advice given", decided_at=at(date(2026, 1, 6), 16)
    )
    c.refresh_from_db()
    assert timezone.localtime(c.decided_at) == at(date(2026, 1, 6), 16)
    assert Task.objects.get(kind=TaskKind.CONTACT_DECISION).completed_on == date(2026, 1, 6)


def test_referral_more_than_40_weeks_before_the_expected_birth_is_refused(manager, team_a):
    from datetime import timedelta

    today = timezone.localdate()
    unborn = person("Baby", "Cole", None, expected_date_of_birth=today + timedelta(days=100))
    with pytest.raises(RuleError) as e:
        services.referral_create(
            actor=manager, person=unborn, referral_date=today - timedelta(days=200), source="3E", primary_need="N1",
            team=team_a,
        )  # fmt: skip
    assert (
        "cannot be before the start of pregnancy, 40 weeks before the child's expected birth"
        in e.value.errors["referral_date"]
    )
    episode = services.referral_create(
        actor=manager, person=unborn, referral_date=today - timedelta(days=30), source="3E", primary_need="N1",
        team=team_a,
    )  # fmt: skip
    assert episode.referral_date == today - timedelta(days=30)


def test_contact_is_due_for_decision_next_working_day(child, support):
    c = services.contact_record(
        actor=support, person=child, received_at=at(date(2025, 12, 24)), source="2A", concern="Bruise seen at school",
        referrer_organisation="Hillside Primary",
    )  # fmt: skip
    assert c.decision_due_on == date(2025, 12, 29)  # Christmas, Boxing Day and the weekend skipped
    task = Task.objects.get(kind=TaskKind.CONTACT_DECISION)
    assert task.due_on == date(2025, 12, 29) and task.completed_on is None
    assert ChronologyEntry.objects.get(person=child).title == "Contact from Hillside Primary"
    assert AuditEvent.objects.filter(object_type="contact", action="create").exists()


def test_contact_refuses_bad_input(child, support):
    with pytest.raises(RuleError) as e:
        services.contact_record(actor=support, person=child, received_at=None, source="ZZ", concern=" ")
    assert set(e.value.errors) == {"received_at", "source", "concern"}
    assert not Contact.objects.exists()


def test_only_managers_decide_contacts(child, support, alice, manager, team_a):
    c = services.contact_record(
        actor=support, person=child, received_at=at(date(2026, 1, 5)), source="6", concern="Police call-out"
    )
    for worker in (support, alice):
        with pytest.raises(PermissionDenied, match="Only a team manager"):
            services.contact_decide(
                actor=worker, contact=c, decision="referral", reason="x", team=team_a, primary_need="N1"
            )
    episode = services.contact_decide(
        actor=manager, contact=c, decision="referral", reason="Threshold met", team=team_a, primary_need="N1"
    )
    assert episode.referral_date == date(2026, 1, 5) and episode.referral_source == "6"
    assert Task.objects.get(kind=TaskKind.CONTACT_DECISION).completed_on is not None
    assessment_task = Task.objects.get(kind=TaskKind.ASSESSMENT)
    assert assessment_task.due_on == date(2026, 3, 9)  # 45 working days after Monday 5 January 2026
    with pytest.raises(RuleError, match="already decided"):
        services.contact_decide(actor=manager, contact=c, decision="nfa", reason="x")


def test_referral_needs_valid_codes_and_no_open_episode(child, manager, team_a):
    with pytest.raises(RuleError) as e:
        services.referral_create(
            actor=manager, person=child, referral_date=date(2026, 1, 5), source="XX", primary_need="N99", team=team_a
        )
    assert set(e.value.errors) == {"source", "primary_need"}
    services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 1, 5), source="2A", primary_need="N1", team=team_a
    )
    with pytest.raises(RuleError, match="already has an open referral"):
        services.referral_create(
            actor=manager, person=child, referral_date=date(2026, 1, 6), source="2A", primary_need="N1", team=team_a
        )


def test_future_referral_is_refused(child, manager, team_a):
    with pytest.raises(RuleError) as e:
        services.referral_create(
            actor=manager,
            person=child,
            referral_date=timezone.localdate() + timedelta(days=1),
            source="2A",
            primary_need="N1",
            team=team_a,
        )
    assert "today or in the past" in e.value.errors["referral_date"]


def test_re_referral_within_twelve_months_is_flagged(child, alice, manager, team_a):
    first = services.referral_create(
        actor=manager, person=child, referral_date=date(2025, 2, 3), source="2A", primary_need="N1", team=team_a
    )
    close_after_nfa(first, alice, manager, date(2025, 2, 20))
    assert CINEpisode.objects.get(pk=first.pk).referral_nfa
    second = services.referral_create(
        actor=manager, person=child, referral_date=date(2026, 2, 3), source="3A", primary_need="N1", team=team_a
    )
    assert second.is_re_referral
    close_after_nfa(second, alice, manager, date(2026, 2, 10))
    assert CINEpisode.objects.get(pk=second.pk).closure_reason == "RC8"


def test_transfer_in_of_a_child_on_a_plan(child, manager, team_a):
    with pytest.raises(RuleError) as e:
        services.transfer_in(
            actor=manager,
            person=child,
            notified_on=date(2026, 4, 2),
            from_la_code="99",
            team=team_a,
            primary_need="N1",
            on_child_protection_plan=True,
        )
    assert "3-digit code" in e.value.errors["from_la_code"]
    episode = services.transfer_in(
        actor=manager,
        person=child,
        notified_on=date(2026, 4, 2),
        from_la_code="201",
        team=team_a,
        primary_need="N1",
        on_child_protection_plan=True,
    )
    assert (episode.referral_source, episode.transferred_from) == ("5C", "201")
    task = Task.objects.get(kind=TaskKind.TRANSFER_IN_CONFERENCE)
    assert task.due_on == date(2026, 4, 27)  # 15 working days, Good Friday and Easter Monday 2026 skipped


def test_re_referral_after_a_referral_on_29_february(child, alice, manager, team_a):
    first = services.referral_create(
        actor=manager, person=child, referral_date=date(2024, 2, 29), source="2A", primary_need="N1", team=team_a
    )
    close_after_nfa(first, alice, manager, date(2024, 3, 5))
    second = services.referral_create(
        actor=manager, person=child, referral_date=date(2025, 2, 28), source="2A", primary_need="N1", team=team_a
    )
    assert second.is_re_referral


def test_a_contact_for_the_childrens_front_door_is_refused_for_an_adult(alice):
    adult = person("Pat", "Jones", date(1980, 5, 1))
    with pytest.raises(RuleError) as e:
        services.contact_record(
            actor=alice, person=adult, received_at=timezone.now(), source="1B", concern="Getting into cars"
        )
    assert str(e.value).startswith("Pat Jones is 46 years old. Children's social care works with children under 18")
    assert not Contact.objects.exists()
    unborn = person("Baby", "Jones", None, expected_date_of_birth=timezone.localdate() + timedelta(days=60))
    services.contact_record(actor=alice, person=unborn, received_at=timezone.now(), source="3D", concern="Pre-birth")


def test_a_care_leaver_referred_as_a_child_keeps_the_referral_but_no_new_one_as_an_adult(manager, team_a):
    young = person("Kai", "Brown", date(2008, 1, 10))
    services.referral_create(
        actor=manager, person=young, referral_date=date(2025, 12, 1), source="1B", primary_need="N1", team=team_a
    )  # recorded now, made when he was 17
    adult = person("Lee", "Brown", date(2000, 1, 10))
    with pytest.raises(RuleError, match="Lee Brown is 26 years old"):
        services.referral_create(
            actor=manager, person=adult, referral_date=timezone.localdate(), source="1B", primary_need="N1", team=team_a
        )


@pytest.mark.parametrize("kind", ["performance", "reviewing", "front_door", "adults"])
def test_only_teams_that_hold_cases_receive_referrals(child, manager, kind):
    from accounts.models import Team

    team = Team.objects.create(name="Performance and Intelligence", kind=kind)
    with pytest.raises(RuleError) as e:
        services.referral_create(
            actor=manager, person=child, referral_date=date(2026, 1, 5), source="1B", primary_need="N1", team=team
        )
    assert e.value.errors["team"].startswith("Performance and Intelligence does not hold cases (")
    assert e.value.errors["team"].endswith("): select a team that does")
    assert not CINEpisode.objects.exists()
