from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts import access, request_facts
from accounts.models import Notification
from core.site import demo_mode

_MEMO = "_casework_context"


def casework(request: HttpRequest) -> dict[str, object]:
    """What every page's layout needs (the navigation, the demo banner, the unread count). Worked out once a request:
    a page built from several templates (the record page renders each app's section with the request) asks for it
    once per template."""
    memo = getattr(request, _MEMO, None)
    if memo is None:
        memo = _casework(request)
        setattr(request, _MEMO, memo)
    return memo


def _casework(request: HttpRequest) -> dict[str, object]:
    sections = navigation_sections(request)
    return {
        "authority_name": settings.CASEWORK_AUTHORITY_NAME,
        "demo_mode": demo_mode(request),
        "can_add_people": access.may(request.user, access.Can.ADD_PEOPLE),
        "can_review_duplicates": access.may_review_duplicates(request.user),
        "can_review_imports": access.may_review_imports(request.user),
        "is_manager": access.is_manager(request.user),
        "is_reviewing_officer": access.is_reviewing_officer(request.user),
        "holds_caseload": access.holds_caseload(request.user),
        "can_see_performance": access.can_see_performance(request.user),
        "can_run_returns": access.can_run_returns(request.user),
        "can_see_reviews_due": access.can_see_reviews_due(request.user),
        "can_review_break_glass": access.may(request.user, access.Can.REVIEW_BREAK_GLASS),
        "unread_notifications": _unread(request),
        "can_administer": access.may(request.user, access.Can.ADMINISTER),
        # Retention and disposal (retention app): its own item for information governance; administrators reach it
        # from a record's Retention section, so their navigation stays on one line.
        "can_manage_retention": access.may(request.user, access.Can.MANAGE_RETENTION),
        "nav_sections": sections,
        "section_nav": next((s for s in sections.values() if s.current and len(s.links) > 1), None),
    }


def _unread(request: HttpRequest) -> int:
    if not request.user.is_authenticated:
        return 0
    known = request_facts.unread_notifications(request.user)
    if known is not None:
        return known
    return Notification.objects.filter(user_id=request.user.pk, read_at__isnull=True).count()


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Section:
    """A top-level item of the service navigation that groups several pages ("My team": the team dashboard, the
    contact queue, reviews due, break-glass uses): the pages show its links under the navigation (`section_nav`),
    and the item is marked current on any of them. Grouping keeps the navigation on one line from 641 pixels (where
    it stops collapsing into "Menu") upwards, whatever the user's roles."""

    label: str
    links: tuple[Link, ...]
    current: bool

    @property
    def url(self) -> str:
        return self.links[0].url


def _section(label: str, path: str, pages: list[tuple[str, str, tuple[str, ...]]]) -> Section | None:
    """`pages`: (label, url, other path prefixes that belong to the page). None when there are none; a section of one
    page is shown as a plain item, with no links under the navigation."""
    links = tuple(
        Link(name, url, path == url or any(path.startswith(prefix) for prefix in prefixes))
        for name, url, prefixes in pages
    )
    if not links:
        return None
    return Section(label, links, any(link.current for link in links))


def navigation_sections(request: HttpRequest) -> dict[str, Section]:
    """The grouped items of the navigation this user has: "team" (managers) and "performance" (dashboards and
    returns, for those who may see either)."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {}
    path = request.path
    sections: dict[str, Section] = {}
    if access.is_manager(user):
        pages = [
            ("Team dashboard", reverse("cases:my_team"), ("/cases/team/", "/cases/caseload/")),
            ("Contacts", reverse("cases:contact_queue"), ("/cases/contacts/",)),
        ]
        if access.may(user, access.Can.MANAGE_CASES):
            pages.append(("Forms to authorise", reverse("forms:to_authorise"), ()))
        if access.can_see_reviews_due(user):
            pages.append(("Reviews due", reverse("cases:reviews_due"), ()))
        if access.may(user, access.Can.REVIEW_BREAK_GLASS):
            pages.append(("Break-glass uses", reverse("people:break_glass_list"), ("/people/break-glass/",)))
        if team := _section("My team", path, pages):
            sections["team"] = team
    pages = []
    if access.can_see_performance(user):
        pages.append(("Dashboards", reverse("performance:dashboard"), ("/performance/",)))
    if access.can_run_returns(user):
        pages.append(("Returns", reverse("returns:index"), ("/returns/runs/",)))
        pages.append(("Data quality", reverse("returns:data_quality"), ()))
    if pages and (
        performance := _section("Performance" if access.can_see_performance(user) else "Returns", path, pages)
    ):
        sections["performance"] = performance
    return sections
