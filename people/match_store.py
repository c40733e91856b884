"""The match score's stored parts: the name frequency table and the fitted weights (people.matching explains the
score). Reads are cached in the process for a few minutes, so a search costs no query for them.

`name_frequencies_refresh` rebuilds NameFrequency from every name in the index (one statement per kind);
`match_model_save` stores a new version of the weights (`people.match_fit` fits them); `current_weights` is what
search and the duplicate checks score with: the newest MatchModel, or `matching.DEFAULT_MODEL` on a fresh install.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record

from .matching import DEFAULT_MODEL, MatchWeights
from .models import MatchModel, NameFrequency

CACHE_SECONDS = 300.0
_cache: dict[str, tuple[float, MatchWeights]] = {}

_REFRESH_SQL = """
INSERT INTO people_namefrequency (kind, name, count, share, refreshed_at)
SELECT %(kind)s, name, count(*), count(*)::float8 / sum(count(*)) OVER (), %(now)s
  FROM (SELECT {expr} AS name FROM people_personname) n
 WHERE name <> ''
 GROUP BY name
"""


def name_frequencies_refresh() -> dict[str, int]:
    """Count every surname and given name (its first word) in the index, replacing the table in one transaction.
    Returns how many different names of each kind there are. Not audited: the table holds counts, no person."""
    now = timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM people_namefrequency")
        for kind, expr in (
            (NameFrequency.Kind.SURNAME, "family_norm"),
            (NameFrequency.Kind.GIVEN_NAME, "split_part(given_norm, ' ', 1)"),
        ):
            cur.execute(_REFRESH_SQL.format(expr=expr), {"kind": str(kind), "now": now})
            counts[str(kind)] = cur.rowcount
    return counts


def current_weights() -> MatchWeights:
    """The weights search scores with: the newest fitted MatchModel that passed its check (details["used"]: people
    .match_fit), or the defaults when none has.
    Cached for CACHE_SECONDS (a new fit reaches every server process within five minutes)."""
    hit = _cache.get("weights")
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    row = MatchModel.objects.filter(details__used=True).order_by("-version").first()
    weights = (
        DEFAULT_MODEL if row is None else MatchWeights.from_json(row.weights, version=row.version, method=row.method)
    )
    _cache["weights"] = (time.monotonic(), weights)
    return weights


def forget_cached_weights() -> None:
    """Read the weights again at the next search (after a fit, and in tests)."""
    _cache.clear()


def match_model_save(
    *, weights: MatchWeights, method: str, people: int, sample: int, details: dict[str, Any]
) -> MatchModel:
    """Store fitted weights as the next version, audited as a system change (no actor: the command line)."""
    with transaction.atomic():
        last = MatchModel.objects.aggregate(v=Max("version"))["v"] or 0  # two fits at once: the unique version
        row = MatchModel.objects.create(
            version=last + 1,
            method=method,
            weights=weights.as_json(),
            fitted_at=timezone.now(),
            people=people,
            sample=sample,
            details=details,
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="match_model",
            object_id=str(row.pk),
            context={"channel": "command line", "version": row.version, "method": method, "sample": sample},
        )
    forget_cached_weights()
    return row
