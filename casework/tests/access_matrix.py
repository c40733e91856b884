"""The access test matrix (issue 10): every URL pattern and every API route, and who may reach it.

`test_access_matrix.py` walks Django's URL resolver and the API's routes and fails when one is missing here, so a new
page or endpoint cannot skip the access rule: whoever adds it says here who may reach it, and the matrix then checks
that it answers so for every kind of user (anonymous, no role, the holding team's social worker, a social worker of
another team, the holding team's manager, an administrator without a relationship, the performance team) and for a
restricted record without and with a grant.

Rules (`Rule.kind`):
- `public`: anyone, signed in or not (the health check).
- `sign_in`: allauth's sign-in flow and the invitation link: open to visitors by design, tested by accounts' tests.
- `signed_in`: any signed-in user, with a role or not (the home page, their own notifications).
- `role`: any user with a role (search, caseload).
- `can`: users whose roles may `can` (accounts.access.PERMISSIONS); 403 for the rest.
- `record`: needs a legitimate relationship with the person in the URL (accounts.access.person_for): 403 for a
  colleague without one, 404 for a restricted record without a grant; with `can`, the role must also allow it.
- `record_page`: the record itself: a colleague without a relationship gets the minimal summary (200).
- `findable`: needs only to find the person (break-glass, declaring a conflict): 404 for a restricted record.
- `manager_of`: the manager of the team (or of the worker's team) in the URL.
- `reviewer`: who may review the break-glass (the holding team's managers, information governance, administrators).
- `owner`: the signed-in user's own object (their notification): 404 for anyone else's.
- `identifiers`: as `record`, and also the performance team (and administrators), who produce the returns, on any
  record they may find (accounts.access.may_change_identifiers: the data quality list's missing UPNs).
- `corrector`: as `record`, and only the entry's author or a manager of the team holding the case
  (accounts.access.may_correct).

`audit` says what a GET writes to the audit log: "person" (a view of the person in the URL), "people" (one event
naming the people listed, context["people"]), "export" (an export event), "search" (a search event naming the people
found), or "" for a page that shows no one's personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.access import Can


@dataclass(frozen=True)
class Rule:
    kind: str
    can: Can | None = None
    audit: str = ""
    # Statuses that mean "let in" for this endpoint (200 unless the page redirects or the world has no file).
    ok: frozenset[int] = field(default_factory=lambda: frozenset({200}))
    query: str = ""  # what the GET sends (a search, a filter)
    post: bool = False  # also POST an empty form where the GET is refused: the refusal comes before the form
    methods: tuple[str, ...] = ("GET",)


def rule(kind: str, can: Can | None = None, *, audit: str = "", ok: set[int] | None = None, **kw: object) -> Rule:
    return Rule(kind, can, audit, frozenset(ok or {200}), **kw)


RECORD_POST = {"post": True}

# Pages, by URL name (namespace:name).
PAGES: dict[str, Rule] = {
    "home": rule("signed_in"),
    "notifications": rule("signed_in"),
    "notification_open": rule("owner", ok={302}, methods=("POST",)),
    "api_docs": rule("signed_in"),
    "api:openapi-json": rule("signed_in"),
    "api:api-root": rule("public", ok={404}),  # django-ninja's root answers nothing: 404 for everyone
    # The offline app (sync.app_views): its shell for anyone with a role; the manifest and service worker name
    # only static files, and browsers fetch a manifest without cookies.
    "mobile:shell": rule("role"),
    "mobile:manifest": rule("public"),
    "mobile:service_worker": rule("public"),
    # People
    "people:search": rule("role", audit="search", query="q=Hughes"),
    "people:create": rule("can", Can.ADD_PEOPLE),
    "people:detail": rule("record_page", audit="person"),
    "people:edit": rule("record", Can.ADD_PEOPLE, audit="person", **RECORD_POST),
    "people:warning_add": rule("record", Can.ADD_PEOPLE, audit="person", **RECORD_POST),
    "people:relationship_add": rule("record", Can.ADD_PEOPLE, audit="person", **RECORD_POST),
    "people:identifiers": rule("identifiers", audit="person"),
    "people:identifier_add": rule("identifiers", Can.CHANGE_IDENTIFIERS, audit="person", **RECORD_POST),
    "people:identifier_correct": rule("identifiers", Can.CHANGE_IDENTIFIERS, audit="person", **RECORD_POST),
    "people:identifier_end": rule("identifiers", Can.CHANGE_IDENTIFIERS, audit="person", **RECORD_POST),
    "people:address_add": rule("record", Can.ADD_PEOPLE, audit="person", **RECORD_POST),
    "people:address_correct": rule("record", Can.ADD_PEOPLE, audit="person", **RECORD_POST),
    "people:access_log": rule("record", Can.SEE_ACCESS_LOG, audit="person"),
    "people:break_glass": rule("findable", ok={200, 302}, **RECORD_POST),  # 302: already open, on to the record
    "people:conflict_declare": rule("findable", **RECORD_POST),
    "people:break_glass_list": rule("can", Can.REVIEW_BREAK_GLASS, audit="people"),
    "people:break_glass_review": rule("reviewer", audit="person", **RECORD_POST),
    "people:access_admin": rule("can", Can.ADMINISTER, audit="people"),
    "people:explain": rule("can", Can.EXPLAIN_ACCESS, audit="person", query="email={alice_email}&person={pk}"),
    "people:grant_add": rule("can", Can.ADMINISTER, **RECORD_POST),
    "people:grant_revoke": rule("can", Can.ADMINISTER, **RECORD_POST),
    # Possible duplicates and merges: business support and administrators, about people they may find.
    "people:duplicates": rule("can", Can.MERGE_RECORDS, audit="people"),
    "people:duplicate_compare": rule("can", Can.MERGE_RECORDS, audit="person"),
    "people:duplicate_not_same": rule("can", Can.MERGE_RECORDS, ok={302}, methods=("POST",)),
    "people:merge": rule("can", Can.MERGE_RECORDS, audit="person", **RECORD_POST),
    # The merge's pages name the two merged records (audited as views of the survivor), not the child.
    "people:merge_detail": rule("can", Can.MERGE_RECORDS),
    "people:merge_undo": rule("can", Can.MERGE_RECORDS, **RECORD_POST),
    "people:conflict_record": rule("can", Can.ADMINISTER, **RECORD_POST),
    "people:conflict_withdraw": rule("can", Can.ADMINISTER, **RECORD_POST),
    # Recording
    "recording:case_note_add": rule("record", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    # Forms: filled in under the permission of what the form writes (forms.fill_access); the world's example form
    # writes no record, so recording case notes is the permission (every practice role and business support).
    "forms:person_forms": rule("record", Can.RECORD_CASE_NOTES, audit="person"),
    "forms:start": rule("record", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "forms:record_visit": rule("record", Can.RECORD_VISITS, audit="person", ok={302}),
    "forms:record_case_note": rule("record", Can.RECORD_CASE_NOTES, audit="person", ok={302}),
    "forms:resume": rule("record", Can.RECORD_CASE_NOTES, audit="person", ok={302}),
    "forms:page": rule("record", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "forms:autosave": rule("record", Can.RECORD_CASE_NOTES, methods=("POST",)),
    "forms:remove_item": rule("record", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "forms:check": rule("record", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "recording:entry": rule("record", audit="person"),
    "recording:correct": rule("corrector", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    # The children's journey
    "cases:caseload": rule("role", audit="people"),
    "cases:worker_caseload": rule("manager_of", audit="people"),
    "cases:my_team": rule("manager_of", ok={302}),
    "cases:team_dashboard": rule("manager_of", audit="people"),
    "cases:contact_queue": rule("can", Can.MANAGE_CASES, audit="people"),
    "cases:reviews_due": rule("can", Can.SEE_REVIEWS_DUE, audit="people"),
    "cases:contact_decide": rule("record", Can.MANAGE_CASES, audit="person", **RECORD_POST),
    "cases:contact_add": rule("record", Can.RECORD_CONTACTS, audit="person", **RECORD_POST),
    "cases:visit_add": rule("record", Can.RECORD_VISITS, audit="person", **RECORD_POST),
    "cases:step": rule("record", Can.RECORD_JOURNEY, audit="person", **RECORD_POST),
    # Forms: the submitted form's pages (forms.urls_review)
    "forms:to_authorise": rule("can", Can.MANAGE_CASES, audit="people"),
    "forms:returned": rule("role", audit="people"),
    "forms:response": rule("record", audit="person"),
    "forms:response_pdf": rule("record", audit="person"),
    "forms:response_authorise": rule("record", Can.MANAGE_CASES, audit="person", **RECORD_POST),
    "forms:response_return": rule("record", Can.MANAGE_CASES, audit="person", **RECORD_POST),
    "forms:response_correct": rule("record", Can.RECORD_JOURNEY, audit="person", **RECORD_POST),
    # POST only; the world's form is not returned, so reopening it is refused with a message on its page (302).
    "forms:response_reopen": rule("record", Can.RECORD_JOURNEY, ok={302}, methods=("POST",)),
    # Documents (documents.urls): the record rule, then a restricted document needs its own grant (documents' own
    # tests); changing one or adding a version is for its uploader (alice) or a manager of the holding team.
    "documents:list": rule("record", audit="person"),
    "documents:upload": rule("record", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "documents:document": rule("record", audit="person"),
    "documents:change": rule("corrector", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "documents:version_add": rule("corrector", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "documents:grant": rule("record", audit="person", **RECORD_POST),  # the world's documents are not restricted
    "documents:evidence": rule("record", audit="person"),
    "documents:original": rule("record", audit="export"),
    "documents:archival": rule("record", audit="export"),
    "documents:thumbnail": rule("record", audit="person"),
    "documents:page_image": rule("record", audit="person"),
    "documents:fixity": rule("can", Can.ADMINISTER),
    # The scanning bureau's review list: business support and administrators, choosing among people they may find.
    "documents:import_review": rule("can", Can.REVIEW_IMPORTS),
    "documents:import_review_row": rule("can", Can.REVIEW_IMPORTS, audit="people"),
    "documents:import_review_reject": rule("can", Can.REVIEW_IMPORTS),
    # Redaction before disclosure: marking and applying as changing the document; seeing and downloading as seeing it.
    "documents:redaction_start": rule("corrector", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "documents:redaction": rule("record", audit="person"),
    "documents:redaction_apply": rule("corrector", Can.RECORD_CASE_NOTES, audit="person", **RECORD_POST),
    "documents:redaction_page": rule("record", audit="person"),
    "documents:redaction_download": rule("record", audit="export"),
    # Retention and disposal (retention.urls): information governance and administrators, on any record they find
    # (the disposal review is theirs, not the case's). The world has no record due, so the due list names no one
    # (retention's tests check its one event); the child has a hold and a disposal waiting for a second approval.
    "retention:due": rule("can", Can.MANAGE_RETENTION),
    "retention:rules": rule("can", Can.MANAGE_RETENTION),
    "retention:rule": rule("can", Can.MANAGE_RETENTION, **RECORD_POST),
    "retention:holds": rule("can", Can.MANAGE_RETENTION, audit="people"),
    "retention:release": rule("can", Can.MANAGE_RETENTION, audit="person", **RECORD_POST),
    "retention:person": rule("can", Can.MANAGE_RETENTION, audit="person"),
    "retention:hold": rule("can", Can.MANAGE_RETENTION, audit="person", **RECORD_POST),
    "retention:decide": rule("can", Can.APPROVE_DISPOSAL, audit="person", **RECORD_POST),
    "retention:certificate": rule("can", Can.MANAGE_RETENTION, audit="person", ok={404}),
    "retention:approve": rule("can", Can.APPROVE_DISPOSAL, audit="person", **RECORD_POST),
    # Court and conference bundles (bundles.urls): the record rule, and a role that may make bundles.
    "bundles:list": rule("record", Can.MAKE_BUNDLES, audit="person"),
    "bundles:new": rule("record", Can.MAKE_BUNDLES, audit="person", **RECORD_POST),
    "bundles:bundle": rule("record", Can.MAKE_BUNDLES, audit="person"),
    "bundles:status": rule("record", Can.MAKE_BUNDLES, audit="person"),
    "bundles:download": rule("record", Can.MAKE_BUNDLES, audit="export"),
    # Returns and performance: whole-authority extracts
    "returns:index": rule("can", Can.RUN_RETURNS),
    "returns:run": rule("can", Can.RUN_RETURNS),
    "returns:run_status": rule("can", Can.RUN_RETURNS),
    # The matrix's run has no file on disk: 410 Gone is past the access check (returns' tests download files).
    "returns:download": rule("can", Can.RUN_RETURNS, ok={410}),
    "returns:data_quality": rule("can", Can.RUN_RETURNS, audit="people"),
    "performance:dashboard": rule("can", Can.SEE_PERFORMANCE),
    "performance:download": rule("can", Can.SEE_PERFORMANCE, audit="export"),
    # Administration
    "api_tokens:index": rule("can", Can.ADMINISTER),
    "api_tokens:issue": rule("can", Can.ADMINISTER, **RECORD_POST),
    "api_tokens:issued": rule("can", Can.ADMINISTER),
    "api_tokens:revoke": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:index": rule("can", Can.ADMINISTER),
    "administration:users": rule("can", Can.ADMINISTER),
    "administration:invite": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:user": rule("can", Can.ADMINISTER),
    "administration:invited": rule("can", Can.ADMINISTER),
    "administration:invite_again": rule("can", Can.ADMINISTER, ok={302}, methods=("POST",)),
    "administration:user_edit": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:user_disable": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:user_enable": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:mfa_reset": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:membership_add": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:membership_end": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:teams": rule("can", Can.ADMINISTER),
    "administration:team_create": rule("can", Can.ADMINISTER, **RECORD_POST),
    "administration:team": rule("can", Can.ADMINISTER),
    "administration:settings": rule("can", Can.ADMINISTER, **RECORD_POST),
    # Offline sync: the user's own devices (removing one of someone else's is refused in the service), and the
    # conflicts they (or, for a manager, their teams' workers) made offline (one event naming the people shown, when
    # there are any: the matrix's world has none; sync/tests/test_pages.py checks it).
    "sync:devices": rule("signed_in"),
    "sync:conflicts": rule("role"),
}

# allauth's sign-in flow (and the invitation link): open to visitors by design; the second factor and the throttle
# are accounts' tests.
SIGN_IN_FLOW = frozenset(
    {
        "invite_accept",
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_reauthenticate",
        "account_email",
        "account_email_verification_sent",
        "account_change_password",
        "account_set_password",
        "account_reset_password",
        "account_confirm_login_code",
        "account_confirm_email",
        "account_reset_password_from_key_done",
        "account_reset_password_from_key",
        "account_reset_password_done",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_remove_webauthn",
        "mfa_edit_webauthn",
    }
)

_JOURNEY = Can.RECORD_JOURNEY
_MANAGE = Can.MANAGE_CASES

# API routes, "METHOD /api/v1/path" as the OpenAPI schema names them. A write's rule is checked for anonymous
# callers (401) on every route, and in full (with a valid body) for the key ones in test_access_matrix.
API: dict[str, Rule] = {
    "GET /api/v1/people/search": rule("role", audit="search", query="q=Hughes"),
    "GET /api/v1/people/{person_id}": rule("record", audit="person"),
    "POST /api/v1/people": rule("can", Can.ADD_PEOPLE),
    "GET /api/v1/people/{person_id}/chronology": rule("record", audit="person"),
    "GET /api/v1/people/{person_id}/chronology/{entry_id}": rule("record", audit="person"),
    "POST /api/v1/people/{person_id}/case-notes": rule("record", Can.RECORD_CASE_NOTES),
    "POST /api/v1/people/{person_id}/case-notes/{note_id}/corrections": rule("record", Can.RECORD_CASE_NOTES),
    "POST /api/v1/people/{person_id}/visits": rule("record", Can.RECORD_VISITS),
    "POST /api/v1/people/{person_id}/visits/{visit_id}/corrections": rule("record", Can.RECORD_VISITS),
    "POST /api/v1/people/{person_id}/identifiers": rule("record", Can.CHANGE_IDENTIFIERS),
    "POST /api/v1/people/{person_id}/identifiers/{identifier_id}/corrections": rule("record", Can.CHANGE_IDENTIFIERS),
    "POST /api/v1/people/{person_id}/identifiers/{identifier_id}/end": rule("record", Can.CHANGE_IDENTIFIERS),
    "POST /api/v1/people/{person_id}/addresses": rule("record", Can.ADD_PEOPLE),
    "POST /api/v1/people/{person_id}/addresses/{address_id}/corrections": rule("record", Can.ADD_PEOPLE),
    "POST /api/v1/people/{person_id}/relationships": rule("record", Can.ADD_PEOPLE),
    "POST /api/v1/cases/people/{person_id}/contacts": rule("record", Can.RECORD_CONTACTS),
    "POST /api/v1/cases/contacts/{contact_id}/decision": rule("record", _MANAGE),
    "POST /api/v1/cases/people/{person_id}/referrals": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/allocations": rule("record", _MANAGE),
    "POST /api/v1/cases/episodes/{episode_id}/assessments": rule("record", _JOURNEY),
    "PUT /api/v1/cases/assessments/{assessment_id}": rule("record", _JOURNEY),
    "POST /api/v1/cases/assessments/{assessment_id}/submit": rule("record", _JOURNEY),
    "POST /api/v1/cases/assessments/{assessment_id}/authorise": rule("record", _MANAGE),
    "POST /api/v1/cases/assessments/{assessment_id}/return": rule("record", _MANAGE),
    "POST /api/v1/cases/episodes/{episode_id}/strategy-discussions": rule("record", _JOURNEY),
    "POST /api/v1/cases/section-47-enquiries/{enquiry_id}/complete": rule("record", _JOURNEY),
    "POST /api/v1/cases/section-47-enquiries/{enquiry_id}/initial-conference": rule("record", _JOURNEY),
    "POST /api/v1/cases/child-protection-plans/{plan_id}/core-groups": rule("record", _JOURNEY),
    "POST /api/v1/cases/child-protection-plans/{plan_id}/review-conferences": rule("record", _JOURNEY),
    "POST /api/v1/cases/episodes/{episode_id}/child-in-need-plans": rule("record", _JOURNEY),
    "POST /api/v1/cases/child-in-need-plans/{plan_id}/end": rule("record", _JOURNEY),
    "POST /api/v1/cases/child-in-need-plans/{plan_id}/reviews": rule("record", _JOURNEY),
    "POST /api/v1/cases/episodes/{episode_id}/close": rule("record", _MANAGE),
    "GET /api/v1/cases/caseload": rule("role", audit="people"),
    "POST /api/v1/cases/people/{person_id}/looked-after": rule("record", _MANAGE),
    "POST /api/v1/cases/people/{person_id}/looked-after/changes": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/looked-after/end": rule("record", _MANAGE),
    "POST /api/v1/cases/people/{person_id}/looked-after/reviews": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/missing-episodes": rule("record", _JOURNEY),
    "POST /api/v1/cases/missing-episodes/{episode_id}/return": rule("record", _JOURNEY),
    "PUT /api/v1/cases/people/{person_id}/uasc": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/previous-permanence": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/adoptions": rule("record", _JOURNEY),
    "POST /api/v1/cases/adoptions/{adoption_id}/milestones": rule("record", _JOURNEY),
    "PUT /api/v1/cases/adoptions/{adoption_id}/adopters": rule("record", _JOURNEY),
    "POST /api/v1/cases/adoptions/{adoption_id}/reversal": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/health-records": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/health-assessments": rule("record", _JOURNEY),
    "POST /api/v1/cases/people/{person_id}/care-leaver-contacts": rule("record", _JOURNEY),
    # Forms (issue 12): definitions for anyone with a role; a person's drafts and responses by the record rule, and
    # filling one in by accounts.access.may_fill_form (the matrix's form writes no record: RECORD_JOURNEY).
    "GET /api/v1/forms/definitions": rule("role"),
    "GET /api/v1/forms/definitions/{name}": rule("role"),
    "GET /api/v1/forms/definitions/{name}/versions/{version}": rule("role"),
    "GET /api/v1/forms/definitions/{name}/versions/{version}/fhir": rule("role"),
    "GET /api/v1/people/{person_id}/forms/drafts": rule("record", audit="person"),
    "POST /api/v1/people/{person_id}/forms/drafts": rule("record", _JOURNEY),
    "GET /api/v1/people/{person_id}/forms/drafts/{draft_id}": rule("record", audit="person"),
    "PUT /api/v1/people/{person_id}/forms/drafts/{draft_id}": rule("record", _JOURNEY),
    "POST /api/v1/people/{person_id}/forms/drafts/{draft_id}/submit": rule("record", _JOURNEY),
    "POST /api/v1/people/{person_id}/forms/responses": rule("record", _JOURNEY),
    "GET /api/v1/people/{person_id}/forms/responses/{response_id}": rule("record", audit="person"),
    "GET /api/v1/people/{person_id}/forms/responses/{response_id}/fhir": rule("record", audit="person"),
    "POST /api/v1/people/{person_id}/forms/responses/{response_id}/authorise": rule("record", _MANAGE),
    "POST /api/v1/people/{person_id}/forms/responses/{response_id}/return": rule("record", _MANAGE),
    "POST /api/v1/people/{person_id}/forms/responses/{response_id}/reopen": rule("record", _JOURNEY),
    "POST /api/v1/people/{person_id}/forms/responses/{response_id}/corrections": rule("record", _JOURNEY),
    "GET /api/v1/people/{person_id}/forms/responses/{response_id}/pdf": rule("record", audit="person"),
    # Offline sync (sync.api): every call but these two needs a registered device (X-Casework-Device), checked
    # before who is signed in, so without one everybody is answered 401; sync/tests cover who may do what.
    "GET /api/v1/sync/session": rule("signed_in"),
    "POST /api/v1/sync/devices": rule("role"),
    "POST /api/v1/sync/device/revoke": rule("role"),
    "GET /api/v1/sync/pull": rule("public", ok={401}),
    "POST /api/v1/sync/push": rule("role"),
    "POST /api/v1/sync/conflicts/{conflict_id}/resolve": rule("role"),
    # A document opened in the offline app (sync/tests/test_documents.py checks the record rule and the grant).
    "GET /api/v1/sync/documents/{document_id}": rule("public", ok={401}),
    "GET /api/v1/sync/documents/{document_id}/v{number}/pages/{page}": rule("public", ok={401}),
}
