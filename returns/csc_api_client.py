"""Posting the children's social care API payloads to DfE (returns/csc_api.py makes them).

Configuration, read from the environment each time a post starts (nothing is kept in settings, so a secret can be
changed without a restart and never sits in a settings dump):

    CASEWORK_CSC_API_ENDPOINT       DfE's API base, e.g. https://pp-api.education.gov.uk/children-in-social-care-data-receiver-test/1
    CASEWORK_CSC_API_TOKEN_URL      the OAuth token endpoint from DfE's API portal
    CASEWORK_CSC_API_CLIENT_ID      the OAuth client id
    CASEWORK_CSC_API_CLIENT_SECRET  the OAuth client secret
    CASEWORK_CSC_API_SCOPE          the OAuth scope
    CASEWORK_CSC_API_SUPPLIER_KEY   the subscription (supplier) key, sent as the SupplierKey header
    CASEWORK_CSC_API_BATCH_SIZE     optional: records per request, default 100
    CASEWORK_CSC_API_TIMEOUT        optional: seconds to wait for DfE, default 60

A post takes one token (OAuth2 client credentials: a form POST of client_id, client_secret, scope and
grant_type=client_credentials, answered with JSON holding access_token), then sends the records in batches: a JSON
array of children (each the `Children` object of a payload) to {endpoint}/children_social_care_data/{LA}/children,
with `Authorization: Bearer <token>` and `SupplierKey: <key>`. When DfE answers a batch with a JSON list, it must hold
one reference per record.

Each batch DfE accepts is recorded at once (returns.csc_api.csc_api_record_sent: the hashes sent, purges, an audit
event per child), so children already with DfE are not sent again. A batch that fails records nothing, stops the
post and raises CscApiError saying which batch failed, why, and what was recorded before it; running again sends
whatever is still new or changed. The standard library does the HTTP (urllib.request): no extra dependency.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from core.actors import Actor

from .common import ReturnError
from .csc_api import ChildPayload, CscApiRun, canonical_json, csc_api_record_sent

ENV = {
    "endpoint": "CASEWORK_CSC_API_ENDPOINT",
    "token_url": "CASEWORK_CSC_API_TOKEN_URL",
    "client_id": "CASEWORK_CSC_API_CLIENT_ID",
    "client_secret": "CASEWORK_CSC_API_CLIENT_SECRET",
    "scope": "CASEWORK_CSC_API_SCOPE",
    "supplier_key": "CASEWORK_CSC_API_SUPPLIER_KEY",
}
BATCH_SIZE_ENV = "CASEWORK_CSC_API_BATCH_SIZE"
TIMEOUT_ENV = "CASEWORK_CSC_API_TIMEOUT"
DEFAULT_BATCH_SIZE = 100
DEFAULT_TIMEOUT = 60
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_DETAIL = 300

# What DfE's answers mean, in words a user can act on (Data to Insight's sender reads them the same way).
STATUS_MEANING = {
    400: "DfE could not read the records (malformed payload)",
    401: "the token was not accepted",
    403: "access is not allowed: check the supplier key and the LA code",
    404: "there is no such address: check CASEWORK_CSC_API_ENDPOINT and the LA code",
    413: f"the batch is too large: lower {BATCH_SIZE_ENV}",
    429: "too many requests: try again later",
}


class CscApiError(ReturnError):
    """Posting to DfE failed; the message says where, why, and what was recorded."""


class CscApiNotConfigured(CscApiError):
    """The environment does not say where or how to post."""


@dataclass(frozen=True)
class CscApiConfig:
    endpoint: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str
    supplier_key: str
    batch_size: int = DEFAULT_BATCH_SIZE
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> CscApiConfig:
        """The configuration in the environment now, or CscApiNotConfigured naming every variable missing or
        wrong."""
        env = os.environ if environ is None else environ
        values = {name: env.get(var, "").strip() for name, var in ENV.items()}
        missing = [ENV[name] for name, value in values.items() if not value]
        if missing:
            raise CscApiNotConfigured(
                "Posting to DfE's children's social care API is not configured: set "
                + ", ".join(missing)
                + " (the values come from DfE's API portal; see returns/README.md)"
            )
        problems = [
            f"{ENV[name]} must be an https:// address (http:// only for this machine): {values[name]!r} is not"
            for name in ("endpoint", "token_url")
            if not _allowed_url(values[name])
        ]
        batch_size = _whole_number(env, BATCH_SIZE_ENV, DEFAULT_BATCH_SIZE, problems)
        timeout = _whole_number(env, TIMEOUT_ENV, DEFAULT_TIMEOUT, problems)
        if problems:
            raise CscApiNotConfigured("; ".join(problems))
        return cls(batch_size=batch_size, timeout=timeout, **values)

    def children_url(self, la_code: str) -> str:
        return f"{self.endpoint.rstrip('/')}/children_social_care_data/{la_code}/children"


def _allowed_url(url: str) -> bool:
    """https anywhere; plain http only to this machine (children's records never cross a network unencrypted)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS)


def _whole_number(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        problems.append(f"{name} must be a whole number of 1 or more: {raw!r} is not")
        return default
    return int(raw)


def _user_agent() -> str:
    try:
        return f"Casework/{version('casework')}"
    except PackageNotFoundError:  # pragma: no cover - a checkout that was never installed
        return "Casework"


def _send(url: str, data: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST `data` to `url`: the status and body of the answer (an HTTP error status is an answer too). An address
    that is not https (or http to this machine), or one that cannot be reached: CscApiError."""
    if not _allowed_url(url):
        raise CscApiError(f"Refusing to send to {url}: only https:// addresses (http:// for this machine)")
    # The scheme is checked just above: never file:// or another scheme urllib would also open.
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)  # noqa: S310
    try:
        # nosec B310: CscApiConfig allows only https:// addresses (http:// only to this machine), never file:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise CscApiError(f"Could not reach {url}: {reason}") from e


def _detail(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    return text[:MAX_DETAIL] + ("…" if len(text) > MAX_DETAIL else "")


def fetch_token(config: CscApiConfig) -> str:
    """An access token by OAuth2 client credentials, or CscApiError saying why not."""
    form = urllib.parse.urlencode(
        {
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "scope": config.scope,
            "grant_type": "client_credentials",
        }
    ).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "User-Agent": _user_agent(),
    }
    status, body = _send(config.token_url, form, headers, config.timeout)
    if not 200 <= status < 300:
        raise CscApiError(
            f"The token service at {config.token_url} refused the request (HTTP {status}): check "
            f"{ENV['client_id']}, {ENV['client_secret']} and {ENV['scope']}. It said: {_detail(body) or 'nothing'}"
        )
    try:
        token = json.loads(body)["access_token"]
    except (ValueError, KeyError, TypeError) as e:
        raise CscApiError(
            f"The token service at {config.token_url} answered without an access_token: {_detail(body)}"
        ) from e
    if not isinstance(token, str) or not token.strip():
        raise CscApiError(f"The token service at {config.token_url} answered with an empty access_token")
    return token.strip()


@dataclass(frozen=True)
class PostResult:
    url: str
    batches: int
    records: int


def _references(body: bytes) -> list[str] | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    return [str(item) for item in answer] if isinstance(answer, list) else None


def post_csc_api(run: CscApiRun, *, actor: Actor = None, config: CscApiConfig | None = None) -> PostResult:
    """Post the run's payloads to send (new, changed, purges) and record each batch DfE accepts. The configuration
    is read from the environment now unless given. Raises CscApiNotConfigured or CscApiError; see the module
    docstring for what is recorded when."""
    config = config or CscApiConfig.from_environment()
    url = config.children_url(run.la_code)
    payloads = run.to_send
    if not payloads:
        return PostResult(url=url, batches=0, records=0)
    token = fetch_token(config)
    headers = {
        "Authorization": f"Bearer {token}",
        "SupplierKey": config.supplier_key,
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": _user_agent(),
    }
    batches = [payloads[i : i + config.batch_size] for i in range(0, len(payloads), config.batch_size)]
    recorded = 0
    for number, batch in enumerate(batches, start=1):
        _post_batch(url, headers, config.timeout, batch, number, len(batches), recorded)
        recorded += csc_api_record_sent(actor=actor, sent=batch, endpoint=url)
    return PostResult(url=url, batches=len(batches), records=recorded)


def _post_batch(
    url: str,
    headers: dict[str, str],
    timeout: float,
    batch: Sequence[ChildPayload],
    number: int,
    of: int,
    recorded: int,
) -> None:
    body = canonical_json([p.child for p in batch])
    before = f"{recorded:,} records sent before it were accepted and recorded" if number > 1 else "nothing was recorded"
    what = f"batch {number} of {of} ({len(batch):,} records)"
    try:
        status, answer = _send(url, body, headers, timeout)
    except CscApiError as e:
        raise CscApiError(f"{e}, sending {what}; {before}. Post again to send the rest.") from e
    if not 200 <= status < 300:
        meaning = STATUS_MEANING.get(status, "unexpected answer")
        raise CscApiError(
            f"DfE refused {what}: HTTP {status}, {meaning}. It said: {_detail(answer) or 'nothing'}. "
            f"Nothing in this batch was recorded; {before}. Post again to send the rest."
        )
    references = _references(answer)
    if references is not None and len(references) != len(batch):
        raise CscApiError(
            f"DfE acknowledged {len(references):,} of the {len(batch):,} records in {what}, so none of them is "
            f"recorded as sent; {before}. Post again to send the rest."
        )
