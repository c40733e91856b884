"""The one place that decides who may see what.

Pages, the API, search results, exports and reports all ask here. The rule (security.md, legitimate relationship):
- a user sees a person's full record when they have a legitimate relationship with it that holds now
  (people.models.Involvement: allocated worker, and for allocation_grace_days after; the team holding the case, and
  for last_team_days after it closes; the reviewing officer chairing the child's reviews; the front door while a
  contact awaits a decision; an explicit, unexpired grant; a break-glass, for break_glass_hours);
- everyone else with a role who finds the person in search sees a minimal summary, and may break the glass;
- a restricted record (adoption, staff as clients, high-profile people) opens only by an explicit grant;
- a declared conflict hides the record from that user, even by break-glass;
- a user with no role sees nothing, and a signed-out visitor sees nothing.
`visible_people` is the one filter (one indexed condition); `explain` says why, in words.

What each role may *do* is one table, `PERMISSIONS` (role -> what it may do), asked through `may(user, Can.X)` and
`may_for_person(user, Can.X, person)`; the README shows the same table. A user holds the union of their roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import AccessSettings, Membership, Role

if TYPE_CHECKING:
    from people.models import Person


class Can(StrEnum):
    """Something a role may do. The value is how the README and error pages say it."""

    SEE_RECORDS = "see people's records"
    ADD_PEOPLE = "add people and change their details, addresses, relationships and warnings"
    CHANGE_IDENTIFIERS = "add, correct and end identifiers (NHS number, UPN)"
    RECORD_CONTACTS = "record contacts"
    RECORD_CASE_NOTES = "record case notes, letters and calls"
    RECORD_VISITS = "record visits"
    RECORD_JOURNEY = "record the steps of a child's journey"
    MANAGE_CASES = "decide contacts, allocate, authorise assessments, close cases, start and end care"
    SEE_ACCESS_LOG = "see who has viewed a record"
    SEE_REVIEWS_DUE = "see the reviews coming due across the authority"
    SEE_PERFORMANCE = "see the performance dashboards"
    RUN_RETURNS = "produce statutory returns and work through their data quality list"
    CHAIR_REVIEWS = "chair looked-after reviews and child protection conferences"
    REVIEW_BREAK_GLASS = "review break-glass uses of records"
    EXPLAIN_ACCESS = "see why a user could see a record"
    MERGE_RECORDS = "review possible duplicates, merge two records of one person and undo a merge"
    REVIEW_IMPORTS = "match a scanning bureau's unmatched rows to people, or reject them"
    ADMINISTER = "manage users, teams, settings, tokens, grants and declared conflicts"
    MANAGE_RETENTION = "change the retention rules, place and release legal holds, see the records due for review"
    APPROVE_DISPOSAL = "decide whether a record due for review is disposed of or kept"
    MAKE_BUNDLES = "make court and conference bundles from a record, and download them"


_PRACTICE = frozenset(
    {Can.SEE_RECORDS, Can.ADD_PEOPLE, Can.CHANGE_IDENTIFIERS}
    | {Can.RECORD_CONTACTS, Can.RECORD_CASE_NOTES, Can.RECORD_VISITS, Can.RECORD_JOURNEY}
)

PERMISSIONS: dict[str, frozenset[Can]] = {
    Role.SOCIAL_WORKER: _PRACTICE | {Can.MAKE_BUNDLES},
    Role.TEAM_MANAGER: _PRACTICE
    | {
        Can.MAKE_BUNDLES,
        Can.MANAGE_CASES,
        Can.SEE_ACCESS_LOG,
        Can.SEE_REVIEWS_DUE,
        Can.SEE_PERFORMANCE,
        Can.REVIEW_BREAK_GLASS,
    },
    # Business support: the front door's contacts, new people, the letters and calls they handle, and keeping the
    # person index clean (possible duplicates reviewed, merged and unmerged).
    Role.BUSINESS_SUPPORT: frozenset(
        {Can.SEE_RECORDS, Can.ADD_PEOPLE, Can.CHANGE_IDENTIFIERS, Can.RECORD_CONTACTS, Can.RECORD_CASE_NOTES}
        | {Can.MERGE_RECORDS, Can.REVIEW_IMPORTS}
    ),
    # Independent reviewing officers record the reviews they chair (journey steps), notes and visits; they read
    # the dashboards that time their reviews.
    Role.INDEPENDENT_REVIEWING_OFFICER: frozenset(
        {Can.SEE_RECORDS, Can.RECORD_CASE_NOTES, Can.RECORD_VISITS, Can.RECORD_JOURNEY, Can.CHAIR_REVIEWS}
        | {Can.SEE_REVIEWS_DUE, Can.SEE_PERFORMANCE}
    ),
    # The performance team reads records (to put data right through the people who own it), dashboards and returns,
    # and puts identifiers right themselves: a missing or wrong UPN is the commonest issue on the data quality list.
    Role.PERFORMANCE: frozenset({Can.SEE_RECORDS, Can.CHANGE_IDENTIFIERS, Can.SEE_PERFORMANCE, Can.RUN_RETURNS}),
    # Information governance: who looked at what and why; reviews break-glass; answers "why could she see this?".
    Role.INFORMATION_GOVERNANCE: frozenset(
        {Can.SEE_RECORDS, Can.SEE_ACCESS_LOG, Can.REVIEW_BREAK_GLASS, Can.EXPLAIN_ACCESS}
        # Retention and disposal (retention app, decision 0026): the schedule, legal holds, disposal decisions.
        | {Can.MANAGE_RETENTION, Can.APPROVE_DISPOSAL}
    ),
    # Administrators manage users and settings; they read records by the same relationship rule as everyone else.
    Role.ADMINISTRATOR: frozenset(Can) - {Can.CHAIR_REVIEWS},
}


def _memberships(user: Any) -> list[tuple[str, int]]:
    """(role, team id) of the user's current memberships: one query, memoised on the user for the request."""
    cached = getattr(user, "_casework_memberships", None)
    if cached is None:
        cached = list(Membership.objects.current().filter(user_id=user.pk).values_list("role", "team_id"))
        user._casework_memberships = cached
    return list(cached)


def roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {role for role, _ in _memberships(user)}


def has_any_role(user: Any) -> bool:
    return bool(roles(user))


def may(user: Any, what: Can) -> bool:
    """Whether any of the user's roles may do `what` (PERMISSIONS)."""
    return any(what in PERMISSIONS.get(role, frozenset()) for role in roles(user))


def may_for_person(user: Any, what: Can, person: Person) -> bool:
    """`may`, for a record this user may see."""
    return may(user, what) and can_view_person(user, person)


def may_correct(user: Any, entry_author_id: int | None, person: Person, what: Can = Can.RECORD_CASE_NOTES) -> bool:
    """Whether `user` may correct a note or visit written by `entry_author_id` (None: written by the system) on
    `person`'s record: its author, or a team manager of a team holding the person's case now (an open team
    Involvement), and in either case only someone who may do `what` (record case notes, record visits) for this
    record. Everyone else asks one of them. One query beyond `may_for_person` for a manager who is not the author."""
    if not may_for_person(user, what, person):
        return False
    if entry_author_id is not None and user.pk == entry_author_id:
        return True
    managed = sorted({team for role, team in _memberships(user) if role == Role.TEAM_MANAGER})
    if not managed:
        return False
    from people.models import Basis, Involvement

    now = timezone.now()
    return Involvement.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=now), person_id=person.pk, basis=Basis.TEAM, team_id__in=managed
    ).exists()


# Filling in a form (issue 12) needs what recording its structured record needs on the journey's own pages, by the
# form's binding target (forms.bindings); a form that writes no structured record (a pathway plan, a return home
# interview) is practice recorded on the child's journey.
FORM_RECORDS: dict[str, Can] = {"visit": Can.RECORD_VISITS, "case_note": Can.RECORD_CASE_NOTES}


def form_permission(record: str | None) -> Can:
    """What a user must be allowed to do to fill in, save and submit a form that writes `record`."""
    return FORM_RECORDS.get(record or "", Can.RECORD_JOURNEY)


def may_fill_form(user: Any, record: str | None, person: Person) -> bool:
    """Whether `user` may fill in (draft, submit) a form writing `record` about `person`: their roles allow it and
    they see the person's full record. Authorising or returning one is `Can.MANAGE_CASES` (`may_for_person`)."""
    return may_for_person(user, form_permission(record), person)


CORRECTION_REFUSED = (
    "Only the person who recorded this {what}, or a manager of the team holding the case, can correct it. "
    "Ask one of them to correct it."
)


def may_change_identifiers(user: Any, person: Person) -> bool:
    """Adding, correcting and ending a person's identifiers: whoever may change identifiers and sees the record; and
    the performance team (who produce the returns) on any record they may find, because a missing or wrong UPN is the
    commonest issue on the returns' data quality list. They reach only the identifiers page, never the story."""
    if may_for_person(user, Can.CHANGE_IDENTIFIERS, person):
        return True
    return (
        may(user, Can.CHANGE_IDENTIFIERS)
        and may(user, Can.RUN_RETURNS)
        and findable_people(user).filter(pk=person.pk).exists()
        and not conflicted_people(user, [person.pk])
    )


def what_user_may_do(user: Any) -> list[Can]:
    """Everything the user's roles let them do, in the order of `Can` (the 403 page lists them)."""
    held = roles(user)
    return [what for what in Can if any(what in PERMISSIONS.get(role, frozenset()) for role in held)]


def role_names(user: Any) -> list[str]:
    """The user's roles as people say them ("Social worker"), in the order of `Role`."""
    held = roles(user)
    return [str(role.label) for role in Role if role in held]


def is_manager(user: Any) -> bool:
    """Manager-only steps of the journey: team managers and administrators."""
    return may(user, Can.MANAGE_CASES)


def holds_caseload(user: Any) -> bool:
    """Whether the user can have children allocated or named to them (social workers, managers, reviewing officers):
    the others (business support, the performance team, information governance) have no "My caseload"."""
    return may(user, Can.RECORD_VISITS)


def is_reviewing_officer(user: Any) -> bool:
    """An independent reviewing officer who holds no caseload (no social worker or manager role): their home is the
    reviews they chair."""
    held = roles(user)
    return Role.INDEPENDENT_REVIEWING_OFFICER in held and not held & {Role.SOCIAL_WORKER, Role.TEAM_MANAGER}


def access_settings(user: Any = None) -> AccessSettings:
    """The authority's access settings (one row; made with the defaults the first time), memoised on `user` for the
    request."""
    cached = getattr(user, "_casework_access_settings", None) if user is not None else None
    if cached is None:
        cached, _ = AccessSettings.objects.get_or_create(pk=1)
        if user is not None:
            user._casework_access_settings = cached
    return cached


def load_access(user: Any, extra: dict[str, tuple[str, list[Any]]] | None = None) -> dict[str, Any]:
    """What every signed-in request asks about its user, in one query, memoised on the user for the request as the
    one-question forms do (`access_settings`, the current memberships behind `roles` and `team_ids`, whether they
    have declared a conflict), with the caller's `extra` questions (name -> a scalar SQL expression and its
    parameters) answered by name (accounts.request_facts: the layout's and the middleware's). Falls back to the
    one-question forms when the settings row is missing (it is made with its defaults then)."""
    from people.models import DeclaredConflict

    today = timezone.localdate()
    fields = list(AccessSettings._meta.concrete_fields)
    columns = ", ".join(f's."{f.column}"' for f in fields)
    extra = extra or {}
    asked = "".join(f", ({sql})" for sql, _ in extra.values())
    # Only table and column names and fixed SQL are formatted in; every value is a parameter.
    sql = (
        f"SELECT {columns}, "  # noqa: S608  # nosec B608
        "(SELECT COALESCE(json_agg(json_build_array(m.role, m.team_id)), '[]'::json) "
        f'FROM "{Membership._meta.db_table}" m WHERE m.user_id = %s AND m.started_on <= %s '
        "AND (m.ended_on IS NULL OR m.ended_on >= %s)), "
        f'EXISTS (SELECT 1 FROM "{DeclaredConflict._meta.db_table}" c WHERE c.user_id = %s AND c.withdrawn_at IS NULL)'
        f'{asked} FROM (SELECT 1) AS one LEFT JOIN "{AccessSettings._meta.db_table}" s ON s.id = 1'
    )
    params: list[Any] = [user.pk, today, today, user.pk]
    for _, values in extra.values():
        params += values
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    settings_values, (memberships, conflicts), answers = (
        row[: len(fields)],
        row[len(fields) : len(fields) + 2],
        row[len(fields) + 2 :],
    )
    if settings_values[0] is not None:
        user._casework_access_settings = AccessSettings.from_db(
            "default", [f.attname for f in fields], list(settings_values)
        )
    else:
        access_settings(user)
    if isinstance(memberships, str):
        import json

        memberships = json.loads(memberships)
    user._casework_memberships = [(role, team) for role, team in memberships]
    user._casework_has_conflicts = bool(conflicts)
    return dict(zip(extra, answers, strict=True))


def team_ids(user: Any) -> list[int]:
    """The teams the user is a current member of (any role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return sorted({team_id for _, team_id in _memberships(user)})


def managed_team_ids(user: Any) -> list[int]:
    """The teams the user is a current team manager of."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return sorted({team_id for role, team_id in _memberships(user) if role == Role.TEAM_MANAGER})


def _has_conflicts(user: Any) -> bool:
    from people.models import DeclaredConflict

    cached = getattr(user, "_casework_has_conflicts", None)
    if cached is None:
        cached = DeclaredConflict.objects.filter(user_id=user.pk, withdrawn_at__isnull=True).exists()
        user._casework_has_conflicts = cached
    return bool(cached)


def _live_involvements(user: Any) -> QuerySet[Any]:
    """The user's legitimate relationships that hold now: their own rows and their teams', open or within the grace
    period that follows their end (allocations: allocation_grace_days; the team that last held a case:
    last_team_days; everything else ends when it ends)."""
    from people.models import Basis, Involvement

    now = timezone.now()
    settings = access_settings(user)
    holder = Q(user_id=user.pk)
    teams = team_ids(user)
    if teams:
        holder |= Q(team_id__in=teams)
    live = (
        Q(ended_at__isnull=True)
        | Q(ended_at__gt=now)
        | Q(basis=Basis.ALLOCATED, ended_at__gt=now - timedelta(days=settings.allocation_grace_days))
        | Q(basis=Basis.TEAM, superseded=False, ended_at__gt=now - timedelta(days=settings.last_team_days))
    )
    return Involvement.objects.filter(holder, live)


def visible_people(user: Any, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """People whose full record this user may see, as a filter on `queryset` (all people when None): one
    legitimate relationship that holds now (an explicit grant for a restricted record), and no declared conflict."""
    from people.models import Basis, DeclaredConflict, Person

    qs = queryset if queryset is not None else Person.objects.all()
    if not may(user, Can.SEE_RECORDS):
        return qs.none()
    related = _live_involvements(user).filter(person_id=OuterRef("pk"))
    qs = qs.filter(Exists(related.filter(Q(person__is_restricted=False) | Q(basis=Basis.GRANT))))
    if _has_conflicts(user):
        qs = qs.exclude(
            Exists(
                DeclaredConflict.objects.filter(user_id=user.pk, person_id=OuterRef("pk"), withdrawn_at__isnull=True)
            )
        )
    return qs


def offline_people(user: Any) -> QuerySet[Person]:
    """The people whose records a user may carry on a device for offline working (issue 13): the children
    allocated to them now, and the family members they need (the relatives through whom the allocation reaches them,
    people.involvement), each one a record they may see (`visible_people`: a restricted child needs a grant, a
    declared conflict hides it). Narrower than what they may open online: no team's cases, no grace periods, no
    break-glass or front door. One query when evaluated."""
    from people.models import Basis, Involvement

    now = timezone.now()
    allocated = Involvement.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=now),
        user_id=user.pk,
        basis=Basis.ALLOCATED,
        person_id=OuterRef("pk"),
    )
    return visible_people(user).filter(Exists(allocated))


def findable_people(user: Any, queryset: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """People this user may find in search and see the minimal summary of: everyone not restricted (or restricted with
    a grant). What they may open is `visible_people`."""
    from people.models import Person

    qs = queryset if queryset is not None else Person.objects.all()
    if not may(user, Can.SEE_RECORDS):
        return qs.none()
    return qs.filter(Q(is_restricted=False) | Q(pk__in=visible_people(user).values("pk")))


def conflicted_people(user: Any, person_ids: list[int]) -> set[int]:
    """Which of these people the user has declared a conflict with (no query when they have declared none)."""
    from people.models import DeclaredConflict

    if not person_ids or not getattr(user, "is_authenticated", False) or not _has_conflicts(user):
        return set()
    return set(
        DeclaredConflict.objects.filter(
            user_id=user.pk, person_id__in=person_ids, withdrawn_at__isnull=True
        ).values_list("person_id", flat=True)
    )


def can_view_person(user: Any, person: Person) -> bool:
    """Whether the user may see this person's full record (memoised per user and person for the request)."""
    cache = getattr(user, "_casework_can_view", None)
    if cache is None:
        cache = {}
        if getattr(user, "is_authenticated", False):
            user._casework_can_view = cache
    if person.pk not in cache:
        found = _find_one(user, person.pk)
        cache[person.pk] = found is not None and found[1]
    return bool(cache[person.pk])


def with_full_access(user: Any, queryset: QuerySet[Person]) -> QuerySet[Person]:
    """`findable_people`, each annotated `full_access` (may they open the whole record): one query for a list that
    shows summaries and records side by side (search). `queryset` is a query of people (not a subquery of another)."""
    from people.models import Person

    # The rule as SQL expressions on the queryset's own people (a search asks it of every match; the queryset forms
    # took Django 4 ms to build). A user whose roles see no records finds nobody: both expressions are then false.
    person_id = f'"{Person._meta.db_table}"."id"'
    return queryset.annotate(
        _findable=findable_expression(user, person_id), full_access=visible_expression(user, person_id)
    ).filter(_findable=True)


def _live_involvements_sql(user: Any, person: str) -> tuple[str, list[Any]]:
    """`_live_involvements` for one person (the SQL expression `person`), with `visible_people`'s restricted-record
    and conflict conditions: the same rule, written as SQL for the one-person questions every record page asks
    (`person_for`, `can_view_person`). Django takes milliseconds to build and compile the queryset form, more than
    the query itself; this string is built in microseconds. accounts/tests/test_access_one_person.py holds the two
    forms to the same answers over every basis, end and grace period, restriction and conflict."""
    from people.models import Basis, DeclaredConflict, Involvement

    now = timezone.now()
    settings = access_settings(user)
    teams = team_ids(user)
    involvement, conflict = Involvement._meta.db_table, DeclaredConflict._meta.db_table
    holder = "i.user_id = %s OR i.team_id = ANY(%s)" if teams else "i.user_id = %s"
    # Only table names and fixed SQL are formatted in; every value is a parameter.
    sql = (
        f'EXISTS (SELECT 1 FROM "{involvement}" i WHERE i.person_id = {person} AND ({holder}) AND '  # noqa: S608  # nosec B608
        "(i.ended_at IS NULL OR i.ended_at > %s OR (i.basis = %s AND i.ended_at > %s) "
        "OR (i.basis = %s AND NOT i.superseded AND i.ended_at > %s)) "
        f"AND (NOT p.is_restricted OR i.basis = %s))"
    )
    params: list[Any] = [user.pk, *([teams] if teams else [])]
    params += [now, Basis.ALLOCATED.value, now - timedelta(days=settings.allocation_grace_days)]
    params += [Basis.TEAM.value, now - timedelta(days=settings.last_team_days), Basis.GRANT.value]
    if _has_conflicts(user):
        sql += (
            f' AND NOT EXISTS (SELECT 1 FROM "{conflict}" c WHERE c.user_id = %s AND c.person_id = {person} '  # noqa: S608  # nosec B608
            "AND c.withdrawn_at IS NULL)"
        )
        params.append(user.pk)
    return sql, params


def findable_expression(user: Any, person_id: str) -> Any:
    """`findable_people` for the person whose id is the SQL expression `person_id` (a column of the query it is put
    in, such as '"people_relationship"."other_id"'), as a boolean to annotate a queryset with: the same rule as
    `_live_involvements_sql`, with no queryset to build (the record page asks it of every relative)."""
    return _person_expression(user, person_id, "NOT p.is_restricted OR ")


def visible_expression(user: Any, person_id: str) -> Any:
    """`visible_people` for the person whose id is the SQL expression `person_id`, as `findable_expression`."""
    return _person_expression(user, person_id, "")


def _person_expression(user: Any, person_id: str, findable: str) -> Any:
    from django.db.models import BooleanField, Value
    from django.db.models.expressions import RawSQL

    from people.models import Person

    if not may(user, Can.SEE_RECORDS):
        return Value(False, output_field=BooleanField())
    visible, params = _live_involvements_sql(user, "p.id")
    sql = f'(SELECT {findable}{visible} FROM "{Person._meta.db_table}" p WHERE p.id = {person_id})'  # noqa: S608  # nosec B608
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611  (values are parameters)  # nosec B611


def _find_one(user: Any, pk: int) -> tuple[Person, bool] | None:
    """The person with this pk if `findable_people` holds them, and whether `visible_people` does: one query, which
    also says whether the record was merged into another (`merged_into`)."""
    from people.models import Person, PersonMerge

    if not may(user, Can.SEE_RECORDS):
        return None
    visible, params = _live_involvements_sql(user, "p.id")
    fields = ", ".join(f'p."{f.column}"' for f in Person._meta.concrete_fields)
    merged = (
        f'(SELECT m.survivor_id FROM "{PersonMerge._meta.db_table}" m '  # noqa: S608  # nosec B608
        "WHERE m.merged_id = p.id AND m.undone_at IS NULL)"
    )
    sql = (
        f'SELECT {fields}, ({visible}) AS "_full", {merged} AS "_merged_into" '  # noqa: S608  # nosec B608
        f'FROM "{Person._meta.db_table}" p WHERE p.id = %s AND (NOT p.is_restricted OR ({visible}))'
    )
    rows = list(Person.objects.raw(sql, [*params, pk, *params]))
    if not rows:
        return None
    return rows[0], bool(rows[0]._full)  # type: ignore[attr-defined]


def merged_into(person: Person) -> int | None:
    """The id of the record this person's record was merged into (it is a tombstone: people.merging), or None. No
    query for a person `person_for` found (its one query asked); one otherwise."""
    if hasattr(person, "_merged_into"):
        found: int | None = getattr(person, "_merged_into")  # noqa: B009  (set by the raw query, not a field)
        return found
    from people.models import PersonMerge

    return (
        PersonMerge.objects.filter(merged_id=person.pk, undone_at__isnull=True)
        .values_list("survivor_id", flat=True)
        .first()
    )


def person_for(user: Any, pk: int) -> tuple[Person | None, bool]:
    """The person with this pk if the user may find them (see their summary at least), and whether they may see the
    full record: one query, which also answers `merged_into`. Seeds `can_view_person`'s memo."""
    found = _find_one(user, pk)
    if found is None:
        return None, False
    person, allowed = found
    if getattr(user, "is_authenticated", False):
        if getattr(user, "_casework_can_view", None) is None:
            user._casework_can_view = {}
        user._casework_can_view[person.pk] = allowed
    return person, allowed


def forget(user: Any) -> None:
    """Drop what this request has memoised about the user's access (after a break-glass or a grant)."""
    for name in ("_casework_can_view", "_casework_has_conflicts", "_casework_memberships"):
        if hasattr(user, name):
            delattr(user, name)


# The order in which a basis is named when several hold: the closest relationship first.
BASIS_ORDER = ["allocated", "team", "reviewing_officer", "front_door", "grant", "break_glass"]


@dataclass(frozen=True)
class Explanation:
    """Why a user may (or may not) see a record: what `casework access explain` and its page say."""

    allowed: bool
    basis: str
    break_glass_available: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "basis": self.basis,
            "break_glass_available": self.break_glass_available,
            "reason": self.reason,
        }


def explain(user: Any, person: Person) -> Explanation:
    """Whether `user` may see `person`'s record now and on what basis, in words an information governance officer
    can give to the person asking."""
    from people.models import Basis, DeclaredConflict

    name = getattr(user, "display_name", str(user))
    if not getattr(user, "is_active", False):
        return Explanation(False, "none", False, f"{name}'s account is disabled.")
    if not may(user, Can.SEE_RECORDS):
        return Explanation(False, "none", False, f"{name} holds no role that sees records.")
    conflict = DeclaredConflict.objects.filter(user_id=user.pk, person_id=person.pk, withdrawn_at__isnull=True).first()
    if conflict is not None:
        return Explanation(
            False, "none", False, f"{name} has declared a conflict with this person ({conflict.connection})."
        )
    rows = list(_live_involvements(user).filter(person_id=person.pk).select_related("team"))
    if person.is_restricted:
        rows = [r for r in rows if r.basis == Basis.GRANT]
    if rows:
        rows.sort(key=lambda r: (BASIS_ORDER.index(r.basis), r.started_at))
        # Every relationship that holds, the closest first; one sentence for a team however many rows it has.
        distinct = {(r.basis, r.team_id, "@" in r.source, r.source if r.team_id is None else ""): r for r in rows[::-1]}
        chosen = sorted(distinct.values(), key=lambda r: (BASIS_ORDER.index(r.basis), r.started_at))
        return Explanation(True, rows[0].basis, False, " ".join(_basis_sentence(name, r) for r in chosen))
    if person.is_restricted:
        return Explanation(
            False, "none", False, "This is a restricted record: only an explicit grant opens it, never break-glass."
        )
    return Explanation(
        False,
        "none",
        True,
        f"{name} has no legitimate relationship with this record: they see its summary and may open it by "
        "break-glass, giving a reason.",
    )


def _when(moment: Any) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _basis_sentence(name: str, row: Any) -> str:
    """One legitimate relationship in words: what it is, since and until when, and where it comes from."""
    from people.models import Basis, BreakGlass, RestrictedAccessGrant

    kind, _, rest = row.source.partition(":")
    ref = rest.split("@")[0]
    through = " (through a relative's case)" if "@" in row.source else ""
    since = timezone.localtime(row.started_at).date()
    since_text = f"{since.day} {since:%B %Y}"
    ended = ""
    if row.ended_at is not None and row.ended_at <= timezone.now():
        end = timezone.localtime(row.ended_at).date()
        ended = f" It ended on {end.day} {end:%B %Y}; access lasts for a while after (the grace period)."
    if row.basis == Basis.BREAK_GLASS and ref.isdigit():
        glass = BreakGlass.objects.filter(pk=int(ref)).first()
        if glass is not None:
            return (
                f"{name} opened the record by break-glass on {_when(glass.started_at)}, giving the reason "
                f"\u201c{glass.get_reason_display()}\u201d, until {_when(glass.ends_at)}."
            )
    if row.basis == Basis.GRANT and ref.isdigit():
        grant = RestrictedAccessGrant.objects.filter(pk=int(ref)).select_related("created_by").first()
        if grant is not None:
            by = f"{grant.created_by.display_name} granted" if grant.created_by else "An administrator granted"
            end = timezone.localtime(grant.expires_at).date()
            return (
                f"{by} {name} access on {since_text}, until {end.day} {end:%B %Y}, because \u201c{grant.reason}\u201d."
            )
    team = row.team.name if row.team_id else ""
    if row.basis == Basis.ALLOCATED:
        return f"{name} is the allocated worker{through}, since {since_text}.{ended}"
    if row.basis == Basis.TEAM:
        return f"{name} is in {team}, which holds the case{through}, since {since_text}.{ended}"
    if row.basis == Basis.REVIEWING_OFFICER:
        return f"{name} chairs the child's reviews or conferences{through}, since {since_text}.{ended}"
    if row.basis == Basis.FRONT_DOOR:
        if kind == "added":
            return f"{name} added this person on {since_text}, and may go on working with the record for a week."
        holder = f"{name} is in {team}, the front door" if team else f"{name} works at the front door"
        return f"{holder}: a contact about this person{through} awaits a decision, since {since_text}."
    holder = team or name
    return f"{Basis(row.basis).label}: {holder}{through}, since {since_text}.{ended}"


def can_record_for_person(user: Any, person: Person) -> bool:
    """Recording the steps of a child's journey for this person (the journey panel's steps)."""
    return may_for_person(user, Can.RECORD_JOURNEY, person)


def may_review_duplicates(user: Any) -> bool:
    """The possible duplicates list, comparing two records, merging them and undoing a merge: business support and
    administrators. They see, for two people they may *find* (a restricted record only with a grant), who each is
    (names, dates of birth, identifiers, addresses, relationships, warnings) and what is open, in words; not the
    story (case notes, assessments), which still needs a legitimate relationship. docs/decisions/0024."""
    return may(user, Can.MERGE_RECORDS)


def may_confirm_merge(user: Any) -> bool:
    """Confirming a merge that a rule lets a manager allow (records with different dates of birth): someone who may
    manage cases (a team manager, an administrator) as well as merge records."""
    return may(user, Can.MERGE_RECORDS) and may(user, Can.MANAGE_CASES)


def can_see_access_log(user: Any) -> bool:
    return may(user, Can.SEE_ACCESS_LOG)


def can_see_performance(user: Any) -> bool:
    """Dashboards of timeliness and caseloads: managers, the performance team and independent reviewing officers
    (who chair the reviews the dashboards time)."""
    return may(user, Can.SEE_PERFORMANCE)


def can_see_reviews_due(user: Any) -> bool:
    """The list of looked-after reviews and child protection review conferences coming due, across the authority:
    independent reviewing officers, who chair them, and managers."""
    return may(user, Can.SEE_REVIEWS_DUE)


def can_run_returns(user: Any) -> bool:
    """Producing and downloading statutory returns (whole-authority extracts of children's records) and working
    through their data quality list: the performance team and administrators only."""
    return may(user, Can.RUN_RETURNS)


def permissions_table() -> str:
    """PERMISSIONS as the Markdown table the README shows (a test keeps the two the same)."""
    order = [
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.BUSINESS_SUPPORT,
        Role.INDEPENDENT_REVIEWING_OFFICER,
        Role.PERFORMANCE,
        Role.INFORMATION_GOVERNANCE,
        Role.ADMINISTRATOR,
    ]
    header = "| may | " + " | ".join(Role(r).label for r in order) + " |"
    rule = "| --- |" + " --- |" * len(order)
    rows = [
        f"| {what.value[0].upper()}{what.value[1:]} | "
        + " | ".join("yes" if what in PERMISSIONS[r] else "" for r in order)
        + " |"
        for what in Can
    ]
    return "\n".join([header, rule, *rows])


# Documents (issue 14). A document is seen by whoever sees its person's full record, except a restricted one, which
# opens only to a user holding its own grant (documents.DocumentGrant: the uploader gets one; others are granted one
# with a reason). Sensitive third-party information is shown to the same people, flagged wherever it appears, so it
# is checked before anything is disclosed.
RESTRICTED_DOCUMENT = "restricted"
THIRD_PARTY_DOCUMENT = "third_party"


def may_see_document(user: Any, person: Person, *, sensitivity: str, granted: bool) -> bool:
    """Whether `user` may see a document on `person`'s record (its title, pages, original): they see the full
    record and, for a restricted document, hold an open grant for it (`granted`, read by the caller)."""
    if not can_view_person(user, person):
        return False
    return sensitivity != RESTRICTED_DOCUMENT or granted


def documents_may_see(user: Any, documents: QuerySet[Any]) -> QuerySet[Any]:
    """`may_see_document` as a query, for documents on records the caller already knows `user` may see in full (the
    offline app's scope, accounts.access.offline_people): a restricted one only with an open grant. `documents` is a
    queryset of documents.models.Document (named through the relation, since accounts sits below documents)."""
    grant = documents.model.grants.rel.related_model
    granted = Exists(grant.objects.filter(document=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True))
    return documents.filter(~Q(sensitivity=RESTRICTED_DOCUMENT) | Q(granted))


def may_add_documents(user: Any, person: Person) -> bool:
    """Uploading documents to a record, or a new version of one: who may record case notes, letters and calls."""
    return may_for_person(user, Can.RECORD_CASE_NOTES, person)


def may_change_document(
    user: Any, person: Person, *, uploaded_by_id: int | None, sensitivity: str, granted: bool
) -> bool:
    """Changing a document's details (title, type, date, who it concerns, sensitivity) or adding a version: whoever
    uploaded it, or a manager of the team holding the case (the rule for correcting notes, `may_correct`), if they
    may see the document."""
    return may_see_document(user, person, sensitivity=sensitivity, granted=granted) and may_correct(
        user, uploaded_by_id, person, Can.RECORD_CASE_NOTES
    )


def may_grant_document(user: Any, person: Person, *, uploaded_by_id: int | None, granted: bool) -> bool:
    """Giving someone a grant to a restricted document: its uploader, or a manager who holds a grant to it and may
    manage the person's case."""
    if not may_see_document(user, person, sensitivity=RESTRICTED_DOCUMENT, granted=granted):
        return False
    return user.pk == uploaded_by_id or may_for_person(user, Can.MANAGE_CASES, person)


def may_review_imports(user: Any) -> bool:
    """The scanning bureau's review list (rows that matched no one or several people): business support and
    administrators. They choose among the people they may *find* (a restricted record only with a grant) and see the
    manifest's row, never the story; the document is imported onto the chosen record as any bureau row is."""
    return may(user, Can.REVIEW_IMPORTS)


def may_redact_document(
    user: Any, person: Person, *, uploaded_by_id: int | None, sensitivity: str, granted: bool
) -> bool:
    """Marking and applying a redaction of a document before it is disclosed: whoever may change the document (its
    uploader, or a manager of the team holding the case, who may see it: a restricted one needs its grant). Anyone
    who may see the document may see and download its redacted copy."""
    return may_change_document(user, person, uploaded_by_id=uploaded_by_id, sensitivity=sensitivity, granted=granted)


def may_see_fixity(user: Any) -> bool:
    """The fixity checks' results (which stored files are missing or altered): administrators."""
    return may(user, Can.ADMINISTER)


# Court and conference bundles (issue 14, the bundles app): made by social workers and their managers from the records
# whose whole story they may see; a bundle holding restricted documents opens only to those holding a grant to each.
def may_make_bundle(user: Any, person: Person) -> bool:
    """Making a court or conference bundle from `person`'s record (and listing the bundles made from it)."""
    return may_for_person(user, Can.MAKE_BUNDLES, person)


def may_download_bundle(user: Any, person: Person, *, restricted_without_grant: int) -> bool:
    """Downloading a bundle made from `person`'s record: who may make one, holding a grant to every restricted
    document in it (`restricted_without_grant`: how many they hold none to, counted by the caller)."""
    return may_make_bundle(user, person) and restricted_without_grant == 0
