"""The access test matrix (issue 10): every URL pattern and API route is in casework/tests/access_matrix.py, and each
answers every kind of user as the matrix says; a restricted record never shows through a page or an answer to anyone
without a grant; every page and answer that shows a person's data is audited.

One world (access_world.py) is made per module inside a transaction rolled back at the end; each test runs in a
savepoint within it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import access
from accounts.access import Can
from audit.models import AuditAction, AuditEvent
from casework.api import api

from .access_matrix import API, PAGES, SIGN_IN_FLOW, Rule
from .access_world import RESTRICTED_NAME, World, build_world

pytestmark = pytest.mark.django_db

# Who each persona is to the two people of the world (declared here, not asked of accounts.access, so the matrix
# checks the rule rather than repeating it).
PERSONAS = ["anonymous", "charlie", "alice", "bob", "manager", "admin", "pat", "gina"]
FULL = {"child": {"alice", "manager"}, "restricted": {"gina"}}  # a legitimate relationship (or a grant)
FINDABLE = {"child": {"alice", "bob", "manager", "admin", "pat", "gina"}, "restricted": {"gina"}}
MANAGES_TEAM_A = {"manager"}
# Who may correct the entries (alice wrote them; the manager manages team A, which holds the child's case).
CORRECTORS = {"child": {"alice", "manager"}, "restricted": set()}
MANAGES_A_TEAM = {"manager", "admin"}  # an administrator manages the administration team
REVIEWERS = {"manager", "admin"}  # the holding team's managers, information governance and administrators
# Who is asked about the restricted record: its worker and manager (no grant), an administrator, and Gina (a grant).
RESTRICTED_PERSONAS = ["alice", "manager", "admin", "gina"]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from _walk(p, prefix + str(p.pattern), inner or "")
        elif isinstance(p, URLPattern):
            yield f"{ns}:{p.name}" if ns else str(p.name), prefix + str(p.pattern)


def _as_openapi(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def url_patterns() -> list[tuple[str, str]]:
    return list(_walk(get_resolver()))


def api_routes() -> set[str]:
    return {f"{method.upper()} {path}" for path, ops in api.get_openapi_schema()["paths"].items() for method in ops}


def test_every_url_pattern_is_in_the_matrix() -> None:
    api_paths = {key.split(" ", 1)[1] for key in api_routes()}
    pages = set()
    for name, route in url_patterns():
        if name.startswith("api:") and _as_openapi(route) in api_paths:
            continue  # an API route: API below
        pages.add(name)
    missing = sorted(pages - set(PAGES) - SIGN_IN_FLOW)
    assert not missing, f"URL patterns missing from casework/tests/access_matrix.py PAGES: {missing}"
    gone = sorted(set(PAGES) - pages)
    assert not gone, f"PAGES names URL patterns that no longer exist: {gone}"


def test_every_api_route_is_in_the_matrix() -> None:
    routes = api_routes()
    missing = sorted(routes - set(API))
    assert not missing, f"API routes missing from casework/tests/access_matrix.py API: {missing}"
    assert not sorted(set(API) - routes), "API names routes that no longer exist"


# The expected answer -----------------------------------------------------------------------------------------------


def user_may(world: World, who: str, can: Any) -> bool:
    return can is None or access.may(type(world.users[who]).objects.get(pk=world.users[who].pk), can)


def expected(world: World, rule: Rule, who: str, target: str, *, api_route: bool) -> set[int]:
    """The statuses the matrix allows for `who` asking for this endpoint about `target` ("child", "restricted")."""
    if rule.kind == "public":
        return set(rule.ok)
    if who == "anonymous":
        return {401} if api_route else {302}
    if rule.kind == "signed_in":
        return set(rule.ok)
    if rule.kind == "owner":  # their own notification; anyone else's does not exist for them
        return set(rule.ok) if who == "manager" else {404}
    if who == "charlie":  # signed in, no role
        return {403}
    if rule.kind == "role":
        return set(rule.ok)
    if rule.kind == "can":
        return set(rule.ok) if user_may(world, who, rule.can) else {403}
    if rule.kind == "manager_of":
        allowed = MANAGES_A_TEAM if rule.ok == {302} else MANAGES_TEAM_A
        return set(rule.ok) if who in allowed else {403, 404}
    if rule.kind == "reviewer":
        return set(rule.ok) if who in REVIEWERS else {403}
    # About the person in the URL.
    findable, full = who in FINDABLE[target], who in FULL[target]
    role_refuses = not user_may(world, who, rule.can)
    if not findable:
        return {403, 404} if role_refuses else {404}  # a role that cannot do this may be told so first
    if rule.kind == "record_page":
        return set(rule.ok)  # the full record, or the minimal summary
    if rule.kind == "findable":
        return set(rule.ok)
    if rule.kind == "identifiers" and not full:
        data_quality = user_may(world, who, Can.RUN_RETURNS) and user_may(world, who, Can.CHANGE_IDENTIFIERS)
        return set(rule.ok) if data_quality else {403}
    if rule.kind == "corrector":
        return set(rule.ok) if full and not role_refuses and who in CORRECTORS[target] else {403}
    assert rule.kind in ("record", "identifiers"), rule.kind
    if not full or role_refuses:
        return {403}
    return set(rule.ok)


# Asking ------------------------------------------------------------------------------------------------------------


def client(world: World, who: str) -> Client:
    return world.clients[who]


def page_url(world: World, name: str, target: str) -> str:
    pattern = dict(url_patterns())[name]
    params = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    values = {**world.fixed, **getattr(world, target).kwargs()}
    if name == "notification_open":
        values["pk"] = world.fixed["notification_pk"]
    rule = PAGES[name]
    url = reverse(name, kwargs={p: values[p] for p in params})
    query = rule.query.format(pk=values["pk"], alice_email=world.users["alice"].email)
    return f"{url}?{query}" if query else url


def api_url(world: World, key: str, target: str) -> str:
    values = {**world.fixed, **getattr(world, target).kwargs()}
    path = key.split(" ", 1)[1]
    path = re.sub(r"{(\w+)}", lambda m: str(values.get(m.group(1), 999999)), path)
    query = API[key].query
    return f"{path}?{query}" if query else path


def _about_person(pattern: str) -> bool:
    return any(p in pattern for p in ("<int:pk>", "person_id", "contact_id", "entry_id", "response_id"))


def _asks(name: str, pattern: str) -> list[tuple[str, str]]:
    """(persona, target) pairs to ask: everyone about the ordinary child, and, for a URL about a person, the
    restricted child's worker and manager (no grant), an administrator and Gina (a grant)."""
    pairs = [(who, "child") for who in PERSONAS]
    if _about_person(pattern):
        pairs += [(who, "restricted") for who in RESTRICTED_PERSONAS]
    return pairs


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_answers_each_user_as_the_matrix_says(world: World, name: str) -> None:
    """Every persona GETs the page (and POSTs an empty form where the GET is refused: the refusal comes first)."""
    rule = PAGES[name]
    wrong = []
    for who, target in _asks(name, dict(url_patterns())[name]):
        url = page_url(world, name, target)
        want = expected(world, rule, who, target, api_route=False)
        c = client(world, who)
        asked = list(rule.methods)
        if rule.post and "POST" not in asked and not want & set(rule.ok):
            asked.append("POST")
        for method in asked:
            got = c.get(url).status_code if method == "GET" else c.post(url, {}).status_code
            if got not in want:
                wrong.append(f"{method} {url} as {who} about the {target}: {got}, the matrix says {sorted(want)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("key", list(API))
def test_each_api_route_answers_each_user_as_the_matrix_says(world: World, key: str) -> None:
    """A GET for every persona; a write for anonymous callers (401; in full with a valid body below)."""
    rule = API[key]
    method, path = key.split(" ", 1)
    pairs = _asks(key, path) if method == "GET" else [("anonymous", "child")]
    wrong = []
    for who, target in pairs:
        url = api_url(world, key, target)
        want = expected(world, rule, who, target, api_route=True)
        c = client(world, who)
        got = c.get(url) if method == "GET" else getattr(c, method.lower())(url, {}, content_type="application/json")
        if got.status_code not in want:
            wrong.append(f"{key} as {who} about the {target}: {got.status_code}, the matrix says {sorted(want)}")
    assert not wrong, "\n".join(wrong)


def _note(when: Any = None) -> dict[str, Any]:
    return {"occurred_at": (when or timezone.now() - timedelta(hours=1)).isoformat(), "subject": "Call", "body": "x"}


def _visit() -> dict[str, Any]:
    """Whole answers to the example visit note (forms/tests/fixtures/example-visit-note.v1.json)."""
    seen_on = (timezone.localdate() - timedelta(days=1)).isoformat()
    return {"visited_on": seen_on, "seen": True, "seen_alone": True, "observations": "Calm and chatty."}


KEY_WRITES = [
    ("POST /api/v1/people/{person_id}/case-notes", _note),
    (
        "POST /api/v1/people/{person_id}/visits",
        lambda: {
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "visit_type": "home",
            "child_seen": True,
            "seen_alone": True,
            "notes": "x",
        },
    ),
    (
        "POST /api/v1/cases/people/{person_id}/contacts",
        lambda: {"received_at": (timezone.now() - timedelta(hours=1)).isoformat(), "source": "2A", "concern": "x"},
    ),
    ("POST /api/v1/cases/contacts/{contact_id}/decision", lambda: {"decision": "nfa", "reason": "No concerns"}),
    ("POST /api/v1/people/{person_id}/forms/drafts", lambda: {"form": "example-visit-note", "answers": {"seen": True}}),
    ("POST /api/v1/people/{person_id}/forms/responses", lambda: {"form": "example-visit-note", "answers": _visit()}),
    ("POST /api/v1/people/{person_id}/forms/responses/{response_id}/authorise", lambda: {"comments": "Agreed"}),
]


@pytest.mark.parametrize(("key", "body"), KEY_WRITES, ids=[k for k, _ in KEY_WRITES])
@pytest.mark.parametrize(
    ("who", "target"),
    [("charlie", "child"), ("bob", "child"), ("admin", "child"), ("alice", "restricted"), ("manager", "restricted")],
)
def test_key_api_writes_refuse_as_the_pages_do(world: World, key: str, body: Any, who: str, target: str) -> None:
    """With a valid body, so the answer is the access rule's, not the schema's: the same status as the page."""
    url = api_url(world, key, target)
    want = expected(world, API[key], who, target, api_route=True)
    got = client(world, who).post(url, body(), content_type="application/json").status_code
    assert got in want, f"{key} as {who} about {target}: {got}, the matrix says {sorted(want)}"


def test_a_manager_only_action_is_refused_with_403_by_page_and_api_alike(world: World) -> None:
    alice = client(world, "alice")
    contact = world.child.contact_id
    page = alice.post(reverse("cases:contact_decide", args=[contact]), {"decision": "nfa", "decision_reason": "x"})
    answer = alice.post(
        f"/api/v1/cases/contacts/{contact}/decision",
        {"decision": "nfa", "reason": "No concerns"},
        content_type="application/json",
    )
    assert page.status_code == answer.status_code == 403


# Restricted records never leak ------------------------------------------------------------------------------------


def _leaks(world: World, body: str, *, echoed: str = "") -> list[str]:
    """Where the restricted child shows in `body`: its name (other than the text the user searched for, which the
    page repeats) or its record number (distinctive: access_world.RESTRICTED_ID)."""
    if echoed:
        body = body.replace(echoed, "")
    found = [needle for needle in ("Zephyrine", "Quillfeather") if needle.lower() in body.lower()]
    if re.search(rf"\b{world.restricted.person.pk}\b", body):
        found.append(f"record number {world.restricted.person.pk}")
    return found


# Pages that name restricted records to administrators by design: the grants they manage.
ADMIN_NAMES_RESTRICTED = {("admin", "people:access_admin"), ("admin", "people:grant_revoke")}


@pytest.mark.parametrize("who", ["alice", "bob", "manager", "admin", "pat", "charlie"])
def test_a_restricted_record_never_shows_to_a_user_without_a_grant(world: World, who: str) -> None:
    """Every GET of the matrix about the ordinary child (the restricted child's sibling, recorded with it), every
    list, and searches for the restricted child by name: neither its name nor its record number appears."""
    c = client(world, who)
    leaks = []
    urls = [
        (page_url(world, name, "child"), "")
        for name, rule in PAGES.items()
        if "GET" in rule.methods and (who, name) not in ADMIN_NAMES_RESTRICTED
    ]
    urls += [(api_url(world, key, "child"), "") for key in API if key.startswith("GET ")]
    for q in ("Quillfeather", "Zephyrine Quillfeather"):
        urls += [
            (reverse("people:search") + "?q=" + q.replace(" ", "+"), q),
            ("/api/v1/people/search?q=" + q.replace(" ", "+"), q),
            (reverse("people:relationship_add", args=[world.child.person.pk]) + "?q=" + q.replace(" ", "+"), q),
        ]
    for url, echoed in urls:
        response = c.get(url)
        raw = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        found = _leaks(world, raw.decode(errors="replace"), echoed=echoed)
        if found:
            leaks.append(f"{url}: {found}")
    assert not leaks, "The restricted record shows to a user without a grant:\n" + "\n".join(leaks)


def test_with_a_grant_the_restricted_record_shows(world: World) -> None:
    c = client(world, "gina")
    page = c.get(reverse("people:detail", args=[world.child.person.pk])).content.decode()
    assert RESTRICTED_NAME not in page  # Gina has no relationship with the child: the summary, no family
    record = c.get(reverse("people:detail", args=[world.restricted.person.pk])).content.decode()
    assert RESTRICTED_NAME in record and "Amelia Hughes" in record  # her family, as she may find them
    alice = client(world, "alice")
    html = alice.get(reverse("people:detail", args=[world.child.person.pk])).content.decode()
    assert "A person whose record is restricted" in html
    answer = alice.get(f"/api/v1/people/{world.child.person.pk}").json()
    assert {"other_id": None, "other_name": "A person whose record is restricted"}.items() <= answer["relationships"][
        0
    ].items()


# Every view of personal data is audited ---------------------------------------------------------------------------

# Who asks, for each kind of endpoint, to be let in and see the ordinary child.
AUDIT_ASKER = {
    "people:duplicates": "admin",
    "documents:import_review_row": "admin",
    "people:duplicate_compare": "admin",
    "people:merge": "admin",
    "people:break_glass_list": "manager",
    "people:break_glass_review": "manager",
    "people:access_admin": "admin",
    "people:explain": "admin",
    "cases:worker_caseload": "manager",
    "cases:team_dashboard": "manager",
    "cases:contact_queue": "manager",
    "cases:reviews_due": "manager",
    "cases:contact_decide": "manager",
    "people:access_log": "manager",
    "returns:data_quality": "pat",
    "forms:to_authorise": "manager",
    "forms:response_authorise": "manager",
    "forms:response_return": "manager",
    "performance:download": "pat",
    "retention:holds": "admin",
    "retention:release": "admin",
    "retention:person": "admin",
    "retention:hold": "admin",
    "retention:decide": "admin",
    "retention:certificate": "admin",
    "retention:approve": "admin",
}

AUDITED = [(n, r) for n, r in PAGES.items() if r.audit] + [(k, r) for k, r in API.items() if r.audit]


def test_a_users_break_glass_uses_on_their_administration_page_are_audited(world: World) -> None:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    page = client(world, "admin").get(reverse("administration:user", args=[world.fixed["dee_id"]]))
    assert page.status_code == 200 and "Amelia Hughes" in page.content.decode()
    event = AuditEvent.objects.get(id__gt=before, object_type="user_break_glass_uses")
    assert event.context["people"] == [world.child.person.pk]


@pytest.mark.parametrize(("name", "rule"), AUDITED, ids=[n for n, _ in AUDITED])
def test_every_page_and_answer_that_shows_a_person_is_audited(world: World, name: str, rule: Rule) -> None:
    who = AUDIT_ASKER.get(name, "alice")
    url = api_url(world, name, "child") if name in API else page_url(world, name, "child")
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client(world, who).get(url)
    assert response.status_code in rule.ok, f"{url} as {who}: {response.status_code}"
    events = list(AuditEvent.objects.filter(id__gt=before, actor=world.users[who]))
    child = world.child.person.pk
    if rule.audit == "export":
        assert [e for e in events if e.action == AuditAction.EXPORT], f"{url}: no export event"
        return
    if rule.audit == "search":
        named = [e for e in events if e.action == AuditAction.SEARCH and child in e.context.get("people", [])]
    elif rule.audit == "people":
        named = [e for e in events if e.action == AuditAction.VIEW and child in e.context.get("people", [])]
        assert len([e for e in events if e.action == AuditAction.VIEW]) == 1, f"{url}: a list writes ONE event"
    else:
        named = [e for e in events if e.action == AuditAction.VIEW and e.person_id == child]
    assert named, (
        f"{url} as {who} wrote no {rule.audit} event naming the child: {[(e.action, e.object_type, e.context) for e in events]}"
    )
