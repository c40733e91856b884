"""Fitting the match score's weights on the authority's own people, offline, with splink (the Ministry of
Justice's probabilistic record linkage library) on DuckDB: `casework people fit-match-weights`.

A sample of people (their current name, date of birth, sex, postcode, NHS number and UPN) is copied into an
in-memory DuckDB database. Every comparison has the same levels as the online score (people.matching), written in
SQL so that what splink counts is exactly what search scores. Without labels:
- u (how often two different people agree at a level) is estimated by random sampling of pairs, which are almost
  all different people;
- m (how often two records of the same person agree at a level) by expectation maximisation over pairs blocked on
  the date of birth (which estimates the names' m) and over pairs blocked on the sound of both names (which
  estimates the date of birth's m, the others being estimated by both);
- the prior is one in the number of people in the index (search looks for one person among them all).
The fitted m and u are stored as the next MatchModel version (people.match_store). Before they are used they are
checked (`check_weights`): a few hundred of the authority's people are searched for as a person misremembering them
would, with the new weights and with the defaults; the new weights are used (details["used"]) only if they find the
person in the top five as often as the defaults do, less half a point. Scoring reads the newest model in use; splink
is never imported when a search runs. Names are compared here without term frequencies: the online score replaces
u of an exact name by that name's share (people.NameFrequency), which the fit refreshes first.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection

from .match_store import match_model_save, name_frequencies_refresh
from .matching import (
    DEFAULT_WEIGHTS,
    DOB,
    GIVEN,
    NHS,
    POSTCODE,
    SEX,
    SURNAME,
    UPN,
    MatchWeights,
    name_variants,
)
from .models import MatchModel

MIN_PEOPLE = 200
DEFAULT_SAMPLE = 200_000
U_PAIRS = 5_000_000


class FitError(ValueError):
    """The weights could not be fitted (too few people, say). The message is for the user."""


_SAMPLE_SQL = """
SELECT p.id, split_part(n.given_norm, ' ', 1), n.family_norm, n.given_key, n.family_key, p.date_of_birth, p.sex,
       p.current_postcode,
       (SELECT value FROM people_personidentifier i WHERE i.person_id = p.id AND i.type = 'nhs' LIMIT 1),
       (SELECT value FROM people_personidentifier i WHERE i.person_id = p.id AND i.type = 'upn' LIMIT 1)
  FROM people_person p
  JOIN people_personname n ON n.person_id = p.id AND n.kind = 'current'
 ORDER BY md5(p.id::text || %(seed)s)
 LIMIT %(sample)s
"""


def _levels(comparison: str, conditions: list[tuple[str, str]], null: str) -> dict[str, Any]:
    """A splink comparison whose levels carry our level names (label_for_charts) in our order."""
    levels: list[dict[str, Any]] = [{"sql_condition": null, "label_for_charts": "missing", "is_null_level": True}]
    levels += [{"sql_condition": sql, "label_for_charts": label} for label, sql in conditions]
    levels.append({"sql_condition": "ELSE", "label_for_charts": "different"})
    return {"output_column_name": comparison, "comparison_levels": levels}


def _ymd(side: str) -> str:
    return f"strftime(dob_{side}, '%Y%m%d')"


COMPARISONS: list[Any] = [
    _levels(
        SURNAME,
        [
            ("exact", "family_l = family_r"),
            ("similar", "family_key_l = family_key_r OR jaro_winkler_similarity(family_l, family_r) >= 0.92"),
            (
                "shares_part",
                "(family_l LIKE '% %' OR family_r LIKE '% %') AND "
                "list_has_any(string_split(family_l, ' '), string_split(family_r, ' '))",
            ),
            ("partly_similar", "jaro_winkler_similarity(family_l, family_r) >= 0.8"),
        ],
        "family_l = '' OR family_r = ''",
    ),
    _levels(
        GIVEN,
        [
            ("exact", "given_l = given_r"),
            ("nickname", "list_contains(nicknames_l, given_r)"),
            ("initial", "(length(given_l) = 1 OR length(given_r) = 1) AND left(given_l, 1) = left(given_r, 1)"),
            ("similar", "given_key_l = given_key_r OR jaro_winkler_similarity(given_l, given_r) >= 0.9"),
            ("partly_similar", "jaro_winkler_similarity(given_l, given_r) >= 0.8"),
        ],
        "given_l = '' OR given_r = ''",
    ),
    _levels(
        DOB,
        [
            ("exact", "dob_l = dob_r"),
            (
                "swapped",
                "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) AND day(dob_l) = month(dob_r)",
            ),
            ("one_digit", f"hamming({_ymd('l')}, {_ymd('r')}) = 1"),
            ("year_differs", "month(dob_l) = month(dob_r) AND day(dob_l) = day(dob_r)"),
            ("month_differs", "year(dob_l) = year(dob_r) AND day(dob_l) = day(dob_r)"),
            ("day_differs", "year(dob_l) = year(dob_r) AND month(dob_l) = month(dob_r)"),
            ("same_year", "year(dob_l) = year(dob_r)"),
        ],
        "dob_l IS NULL OR dob_r IS NULL",
    ),
    _levels(SEX, [("same", "sex_l = sex_r")], "sex_l IN ('', 'U') OR sex_r IN ('', 'U')"),
    _levels(
        POSTCODE,
        [
            ("exact", "postcode_l = postcode_r"),
            (
                "same_sector",
                "length(postcode_l) > 3 AND length(postcode_r) > 3 AND "
                "left(postcode_l, length(postcode_l) - 2) = left(postcode_r, length(postcode_r) - 2)",
            ),
        ],
        "postcode_l = '' OR postcode_r = ''",
    ),
    _levels(NHS, [("exact", "nhs_l = nhs_r")], "nhs_l = '' OR nhs_r = ''"),
    _levels(UPN, [("exact", "upn_l = upn_r")], "upn_l = '' OR upn_r = ''"),
]
# "sex": the level "different" is the ELSE above; the online score has "same" and "different" only.


@dataclass
class FitResult:
    model: MatchModel
    weights: MatchWeights
    seconds: float
    names: dict[str, int]


def _sample(sample: int, seed: int) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(_SAMPLE_SQL, {"sample": sample, "seed": str(seed)})
        rows = cur.fetchall()
    out = []
    for pid, given, family, gk, fk, dob, sex, pc, nhs, upn in rows:
        nick = sorted(name_variants(given) - {given}) if given else []
        pc = (pc or "").replace(" ", "").upper()
        out.append((pid, given or "", family or "", gk or "", fk or "", nick, dob, sex or "", pc, nhs or "", upn or ""))
    return out


def _fitted(levels: dict[str, dict[str, tuple[float, float]]], settings: dict[str, Any]) -> dict[str, Any]:
    """m and u of each level from splink's model where splink estimated them; elsewhere the default, with the
    fitted values of that comparison scaled so that its m (and its u) still add up to one. (A level no pair
    reached, such as two different people with one NHS number among the sampled pairs, keeps its default.)"""
    report: dict[str, Any] = {}
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        ours = levels.get(name, {})
        fitted: dict[str, tuple[float | None, float | None]] = {}
        for level in comparison["comparison_levels"]:
            label = level.get("label_for_charts", "")
            if level.get("is_null_level") or label not in ours:
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            fitted[label] = (m if _usable(m) else None, u if _usable(u) else None)
            report.setdefault(name, {})[label] = {"m_fitted": _usable(m), "u_fitted": _usable(u)}
        for i in (0, 1):  # m, then u
            unfitted = sum(ours[label][i] for label, pair in fitted.items() if pair[i] is None)
            total = sum(pair[i] or 0.0 for pair in fitted.values())
            if total <= 0:
                continue
            scale = max(1.0 - unfitted, 0.0) / total
            for label, pair in fitted.items():
                value = pair[i]
                if value is not None and value * scale > 0:
                    new = list(ours[label])
                    new[i] = min(value * scale, 1.0)
                    ours[label] = (new[0], new[1])
    return report


def _usable(p: object) -> bool:
    return isinstance(p, int | float) and 0 < p <= 1 and not math.isnan(p)


def fit_match_weights(*, sample: int = DEFAULT_SAMPLE, seed: int = 1, u_pairs: float = U_PAIRS) -> FitResult:
    """Refresh the name frequencies, fit m and u on a sample of `sample` people with splink, and store them as the
    next MatchModel version. Raises FitError when the index holds too few people to fit anything."""
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM people_person")
        people = cur.fetchone()[0]
    if people < MIN_PEOPLE:
        raise FitError(
            f"The index holds {people:,} people: at least {MIN_PEOPLE:,} are needed to fit match weights. "
            "Search uses the default weights until then."
        )
    names = name_frequencies_refresh()
    rows = _sample(sample, seed)
    con = duckdb.connect(":memory:")
    con.execute(
        "CREATE TABLE people (unique_id BIGINT, given VARCHAR, family VARCHAR, given_key VARCHAR, "
        "family_key VARCHAR, nicknames VARCHAR[], dob DATE, sex VARCHAR, postcode VARCHAR, nhs VARCHAR, upn VARCHAR)"
    )
    con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)  # levels EM cannot see keep their defaults (details)
    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=COMPARISONS,
        probability_two_random_records_match=1 / max(people, 1),
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register("people"), settings)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    sessions = 0
    for rule in (block_on("dob"), block_on("family_key", "given_key")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, record_sample_proportion=1.0)
            sessions += 1
        except Exception as e:  # splink raises plain exceptions when a block has no pairs
            logging.getLogger(__name__).warning("Expectation maximisation blocked on %s did not run: %s", rule, e)
    trained = linker.misc.save_model_to_json()
    levels = {c: dict(v) for c, v in DEFAULT_WEIGHTS.items()}
    report = _fitted(levels, trained)
    weights = MatchWeights(levels=levels, prior=math.log2(1 / people), method="splink-em")
    check = check_weights(MatchWeights.from_json(weights.as_json()), seed=seed)
    seconds = round(time.monotonic() - started, 1)
    model = match_model_save(
        weights=weights,
        method=f"splink {_splink_version()}: EM for m, sampling for u",
        people=people,
        sample=len(rows),
        details={
            "seconds": seconds,
            "em_sessions": sessions,
            "u_pairs": u_pairs,
            "seed": seed,
            "levels": report,
            "check": check,
            "used": check["fitted"] >= check["defaults"] - CHECK_TOLERANCE,
        },
    )
    return FitResult(
        model, MatchWeights.from_json(model.weights, version=model.version, method=model.method), seconds, names
    )


CHECK_QUERIES = 300
CHECK_TOLERANCE = 0.005
_CHECK_SQL = """
SELECT id, given_name, family_name, date_of_birth FROM people_person
 WHERE date_of_birth IS NOT NULL AND given_name <> '' AND family_name <> ''
 ORDER BY md5(id::text || %(seed)s) LIMIT %(n)s
"""


def check_weights(weights: MatchWeights, *, seed: int = 1, n: int = CHECK_QUERIES) -> dict[str, Any]:
    """Search for `n` of the authority's people as a person misremembering them would (the exact name with the
    date of birth wrong in the year, in the day, or in the day and month; a nickname with the right date; the name
    alone) with the new weights and with the defaults, and give the share found in the top five by each. The fit
    learns how the authority's duplicate records differ, which may not be how searches differ (a kind of mistake
    no sampled duplicate shows); new weights are used only if they find people as well as the defaults do."""
    from .matching import DEFAULT_MODEL
    from .search import search_people

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute(_CHECK_SQL, {"seed": f"check{seed}", "n": n})
        rows = cur.fetchall()
    queries: list[tuple[str, date | None, int]] = []
    for i, (pid, given, family, dob) in enumerate(rows):
        kind = i % 5
        if kind == 0:
            typed: date | None = _shift(dob, years=rng.choice([-20, -11, -3, 2, 9, 30]))
        elif kind == 1:
            typed = dob.replace(day=rng.choice([d for d in range(1, 29) if d != dob.day]))
        elif kind == 2:
            typed = _shift(dob, days=rng.choice([-40, 35, 70]))
        elif kind == 3:
            nicks = sorted(name_variants(given.lower()) - {given.lower()})
            given = rng.choice(nicks).title() if nicks else given
            typed = dob
        else:
            typed = None
        queries.append((f"{given} {family}", typed, pid))
    found: dict[str, float] = {}
    for label, model in (("defaults", DEFAULT_MODEL), ("fitted", weights)):
        hits = 0
        for name, typed, pid in queries:
            top = search_people(
                user=None, name=name, date_of_birth=typed, limit=5, with_identifiers=False, weights=model
            )
            hits += any(m.id == pid for m in top)
        found[label] = round(hits / max(len(queries), 1), 4)
    return {"queries": len(queries), **found}


def _shift(day: date, *, years: int = 0, days: int = 0) -> date:
    if years:
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + years, day=28)
    return day + timedelta(days=days)


def _splink_version() -> str:
    import splink

    return str(splink.__version__)
