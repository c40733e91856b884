"""Checking a return with DfE's own validation rules, as implemented by Data to Insight (csc-validator-be-cin and
csc-validator-be-903). They need pandas<2 and numpy<2, so they live in their own virtual environment
(scripts/install-validators.sh) and run as a subprocess: returns/validator_runner.py, run by that environment's
python, prints the issues as JSON.

Each issue names the rule, its message, the child (LAchildID or CHILD: the person's record number, so
`issue.person_id` links to the child's record), the table and fields. Rules that crash on the data are not issues:
they are listed in `failed_to_run` (the SSDA903 validator 0.1.17 always fails to run rule 231).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from .common import ReturnError, check_year
from .ssda903 import PREVIOUS_FOLDER

RUNNER = Path(__file__).resolve().parent / "validator_runner.py"
TIMEOUT_SECONDS = 1800
INSTALL_HINT = "run scripts/install-validators.sh"


class ValidatorsMissing(ReturnError):
    """The validators' virtual environment is not installed."""


@dataclass(frozen=True)
class Issue:
    """One failure of one DfE rule. `child_id` is None for a rule about the whole return."""

    rule: str
    message: str
    severity: str = "error"  # "error" or "query" (the CIN census has queries; the SSDA903 validator does not)
    child_id: str | None = None
    table: str = ""
    fields: tuple[str, ...] = ()
    row: int | None = None

    @property
    def person_id(self) -> int | None:
        """The record number of the child, to link to their record."""
        return int(self.child_id) if self.child_id and self.child_id.isdigit() else None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"child {self.child_id}" if self.child_id else "return"
        fields = f" [{self.table}: {', '.join(self.fields)}]" if self.table or self.fields else ""
        return f"{self.rule} ({self.severity}) {where}{fields}: {self.message}"


@dataclass
class ValidationReport:
    validator: str
    version: str
    ruleset: str
    rules: int
    issues: list[Issue] = field(default_factory=list)
    failed_to_run: dict[str, str] = field(default_factory=dict)
    la_code: str | None = None
    la_code_inferred: bool = False
    previous_year_files: int = 0

    @property
    def child_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.child_id is not None]

    @property
    def return_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.child_id is None]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def queries(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    def by_rule(self) -> dict[str, list[Issue]]:
        out: dict[str, list[Issue]] = {}
        for issue in self.issues:
            out.setdefault(issue.rule, []).append(issue)
        return dict(sorted(out.items()))


# --- where in the record to put an issue right ----------------------------------------------------------------
#
# Each field of the returns comes from one part of the child's record (see the docstrings of cin_census.py and
# ssda903.py). A person's own details are changed on their "Change details" page, at the field; a UPN on their "Add an
# identifier" page (which offers to correct one already recorded); family is on their record page; everything about their journey (referrals, plans, conferences, periods of care)
# is on their record page, in the chronology filtered to that kind of entry. Casework has no page yet to correct a
# journey row itself (a plan's start date, say): when cases/ gains one, point the record here at it.


@dataclass(frozen=True)
class RecordPart:
    """A part of the child's record: its name in words and where it is shown."""

    name: str
    page: str  # "edit": the person's Change details page; "identifiers": their Add an identifier page; "record"
    entry_types: tuple[str, ...] = ()  # chronology filter on the record page


PERSON = RecordPart("Personal details", "edit")
IDENTIFIERS = RecordPart("Identifiers (UPN)", "identifiers")
FAMILY = RecordPart("Family and household", "record")
REFERRAL = RecordPart("Referral", "record", ("referral", "closure"))
ASSESSMENT = RecordPart("Assessment", "record", ("assessment",))
CIN_PLAN = RecordPart("Child in need plan", "record", ("plan",))
SECTION_47 = RecordPart("Section 47 enquiry", "record", ("strategy", "section_47"))
CONFERENCE = RecordPart("Initial child protection conference", "record", ("conference",))
CP_PLAN = RecordPart("Child protection plan", "record", ("conference", "plan"))
CP_REVIEW = RecordPart("Child protection review conference", "record", ("conference",))
PERIOD_OF_CARE = RecordPart("Period of care (looked after)", "record", ("looked_after",))
LAC_REVIEW = RecordPart("Looked-after review", "record", ("looked_after",))
UASC = RecordPart("Unaccompanied asylum-seeking child", "record", ("looked_after",))
HEALTH = RecordPart("Health record for the year", "record", ("looked_after",))
CARE_LEAVER = RecordPart("Care leaver contact", "record", ("looked_after",))
ADOPTION = RecordPart("Adoption", "record", ("looked_after",))
PREVIOUS_PERMANENCE = RecordPart("Previous permanence", "record", ("looked_after",))
MISSING = RecordPart("Missing or away from placement", "record", ("looked_after",))
ALLOCATION = RecordPart("Allocated worker (social worker episode)", "record", ("allocation",))

# The person's own fields: the form field on the Change details page each is entered in (its element id).
PERSON_FIELDS: dict[str, tuple[str, str]] = {
    "PersonBirthDate": ("date of birth", "id_date_of_birth"),
    "ExpectedPersonBirthDate": ("expected date of birth", "id_date_of_birth"),
    "PersonDeathDate": ("date of death", "id_date_of_death"),
    "Sex": ("sex", "id_sex_0"),
    "GenderCurrent": ("sex", "id_sex_0"),
    "Ethnicity": ("ethnicity", "id_ethnicity"),
    "Disability": ("disabilities", "id_disabilities_0"),
    "Disabilities": ("disabilities", "id_disabilities_0"),
    "SEX": ("sex", "id_sex_0"),
    "DOB": ("date of birth", "id_date_of_birth"),
    "ETHNIC": ("ethnicity", "id_ethnicity"),
}

# The other fields, by the table they are in (a field name can be in several: DateOfInitialCPC, DOB).
TABLE_FIELDS: dict[str, tuple[RecordPart, dict[str, str]]] = {
    # CIN census
    "ChildIdentifiers": (
        IDENTIFIERS,
        {"LAchildID": "record number", "UPN": "UPN", "FormerUPN": "former UPN", "UPNunknown": "reason UPN unknown"},
    ),
    "CINdetails": (
        REFERRAL,
        {
            "CINreferralDate": "referral date",
            "ReferralSource": "source of referral",
            "PrimaryNeedCode": "primary need",
            "CINclosureDate": "closure date",
            "ReasonForClosure": "reason for closure",
            "ReferralNFA": "no further action",
            "DateOfInitialCPC": "initial conference date",
        },
    ),
    "Assessments": (
        ASSESSMENT,
        {
            "AssessmentActualStartDate": "start date",
            "AssessmentInternalReviewDate": "internal review date",
            "AssessmentAuthorisationDate": "authorisation date",
            "AssessmentFactors": "factors identified",
        },
    ),
    "AssessmentFactorsList": (ASSESSMENT, {"AssessmentFactor": "factors identified"}),
    "CINplanDates": (CIN_PLAN, {"CINPlanStartDate": "start date", "CINPlanEndDate": "end date"}),
    "Section47": (
        SECTION_47,
        {
            "S47ActualStartDate": "start date",
            "InitialCPCtarget": "initial conference due date",
            "DateOfInitialCPC": "initial conference date",
            "ICPCnotRequired": "outcome (conference not required)",
        },
    ),
    "ChildProtectionPlans": (
        CP_PLAN,
        {
            "CPPstartDate": "start date",
            "CPPendDate": "end date",
            "InitialCategoryOfAbuse": "initial category of abuse",
            "LatestCategoryOfAbuse": "latest category of abuse",
            "NumberOfPreviousCPP": "earlier plans",
        },
    ),
    "Reviews": (CP_REVIEW, {"CPPreviewDate": "date"}),
    # SSDA903 (the validator names its tables as the return does)
    "Header": (IDENTIFIERS, {"UPN": "UPN"}),
    "Episodes": (
        PERIOD_OF_CARE,
        {
            "DECOM": "episode start date",
            "RNE": "reason for new episode",
            "LS": "legal status",
            "CIN": "category of need",
            "PLACE": "placement type",
            "PLACE_PROVIDER": "placement provider",
            "DEC": "episode end date",
            "REC": "reason episode ended",
            "REASON_PLACE_CHANGE": "reason for placement change",
            "HOME_POST": "home postcode",
            "PL_POST": "placement postcode",
            "URN": "placement's Ofsted URN",
        },
    ),
    "UASC": (UASC, {"DUC": "date ceased to be UASC"}),
    "OC2": (
        HEALTH,
        {
            "SDQ_SCORE": "SDQ score",
            "SDQ_REASON": "reason SDQ not done",
            "CONVICTED": "convicted",
            "HEALTH_CHECK": "health check",
            "IMMUNISATIONS": "immunisations",
            "TEETH_CHECK": "teeth check",
            "HEALTH_ASSESSMENT": "health assessment",
            "SUBSTANCE_MISUSE": "substance misuse",
            "INTERVENTION_RECEIVED": "intervention received",
            "INTERVENTION_OFFERED": "intervention offered",
        },
    ),
    "OC3": (CARE_LEAVER, {"IN_TOUCH": "in touch", "ACTIV": "activity", "ACCOM": "accommodation"}),
    "AD1": (
        ADOPTION,
        {
            "DATE_INT": "date of decision to place",
            "DATE_MATCH": "date matched",
            "FOSTER_CARE": "fostered by the adopters",
            "NB_ADOPTR": "number of adopters",
            "SEX_ADOPTR": "sex of adopters",
            "LS_ADOPTR": "legal status of adopters",
        },
    ),
    "PlacedAdoption": (
        ADOPTION,
        {
            "DATE_PLACED": "date of decision to place",
            "DATE_PLACED_CEASED": "date the decision ceased",
            "REASON_PLACED_CEASED": "reason the decision ceased",
        },
    ),
    "PrevPerm": (PREVIOUS_PERMANENCE, {"PREV_PERM": "arrangement", "LA_PERM": "authority", "DATE_PERM": "date"}),
    "Missing": (MISSING, {"MISSING": "missing or away", "MIS_START": "start date", "MIS_END": "end date"}),
    "SWEpisodes": (
        ALLOCATION,
        {"SW_ID": "worker", "SW_DECOM": "start date", "SW_DEC": "end date", "SW_REASON": "reason for change"},
    ),
}
# Fields that belong to another part of the record than the rest of their table: the initial conference's date is
# written in the Section47 and CINdetails modules, but it is the conference that is recorded with it; a mother's
# child (SSDA903 header) is a relationship in her family, not an identifier.
FIELD_PARTS: dict[str, tuple[RecordPart, str]] = {
    "DateOfInitialCPC": (CONFERENCE, "date"),
    "MOTHER": (FAMILY, "is a mother"),
    "MC_DOB": (FAMILY, "her child's date of birth"),
}
# A looked-after review's fields share the CIN census's "Reviews" table name: the SSDA903's are told by their names.
SSDA903_REVIEW_FIELDS = {"REVIEW": "date", "REVIEW_CODE": "participation"}


@dataclass(frozen=True)
class Fix:
    """Where to put an issue right: the part of the record and its fields, in words, and the page (None when the
    issue is about the whole return, not a child)."""

    record: str
    fields: str
    url: str | None

    @property
    def label(self) -> str:
        return f"{self.record}: {self.fields}" if self.fields else self.record


def where_to_fix(issue: Issue) -> Fix:
    """The part of the child's record an issue points at, from the validator's table and fields: the child's own
    details on their Change details page at the field, anything else on their record page (with the chronology
    filtered to it). An issue without a child (about the whole return) has no page."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if not issue.child_id:
        return Fix(record="The whole return", fields="", url=None)
    person_id = issue.person_id
    part: RecordPart | None = None
    labels: list[str] = []
    anchor = ""
    own = [PERSON_FIELDS[f] for f in issue.fields if f in PERSON_FIELDS]
    known = TABLE_FIELDS.get(issue.table)
    if issue.table == "Reviews" and any(f in SSDA903_REVIEW_FIELDS for f in issue.fields):
        known = (LAC_REVIEW, SSDA903_REVIEW_FIELDS)
    if known is not None and any(f in known[1] and f not in FIELD_PARTS for f in issue.fields):
        part = known[0]
        labels = [known[1][f] for f in issue.fields if f in known[1] and f not in FIELD_PARTS]
    elif any(f in FIELD_PARTS for f in issue.fields):
        part = next(FIELD_PARTS[f][0] for f in issue.fields if f in FIELD_PARTS)
        labels = [FIELD_PARTS[f][1] for f in issue.fields if f in FIELD_PARTS and FIELD_PARTS[f][0] == part]
    elif own:
        part = PERSON
        labels = [label for label, _ in own]
        anchor = own[0][1]
    elif known is not None:
        part = known[0]
    if part is None:
        part = RecordPart("The child's record", "record")
    fields = ", ".join(dict.fromkeys(labels))
    if person_id is None:
        return Fix(record=part.name, fields=fields, url=None)
    if part.page == "edit":
        return Fix(part.name, fields, reverse("people:edit", args=[person_id]) + (f"#{anchor}" if anchor else ""))
    if part.page == "identifiers":
        # A missing or wrong UPN is put right where it can be added (the page shows one already recorded, with a
        # link to correct it); the record number is not an identifier anyone types, so it goes to the list.
        kind = (
            "former_upn" if "FormerUPN" in issue.fields else "upn" if {"UPN", "UPNunknown"} & set(issue.fields) else ""
        )
        if kind:
            return Fix(part.name, fields, reverse("people:identifier_add", args=[person_id]) + f"?type={kind}")
        return Fix(part.name, fields, reverse("people:identifiers", args=[person_id]))
    url = reverse("people:detail", args=[person_id])
    if part.entry_types:
        url += "?" + urlencode([("type", t) for t in part.entry_types]) + "#chronology"
    return Fix(part.name, fields, url)


def validators_venv() -> Path:
    """The validators' virtual environment: one per checkout (settings.CASEWORK_VALIDATORS_DIR, default .validators
    at the repository root, or $CASEWORK_VALIDATORS_DIR), whatever data folder Casework runs on."""
    return Path(settings.CASEWORK_VALIDATORS_DIR) / "venv"


def validators_python() -> Path:
    python = validators_venv() / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    if not python.exists():
        raise ValidatorsMissing(f"The DfE validators are not installed in {validators_venv()}: {INSTALL_HINT}")
    return python


def validators_installed() -> bool:
    try:
        validators_python()
    except ValidatorsMissing:
        return False
    return True


def la_ons_code() -> str | None:
    """The authority's ONS code (E06..., E08..., E09..., E10...), which the SSDA903 validator compares placements
    with: settings.CASEWORK_LA_ONS_CODE or the environment variable of that name, if set."""
    return getattr(settings, "CASEWORK_LA_ONS_CODE", None) or os.environ.get("CASEWORK_LA_ONS_CODE") or None


def _run(args: list[str]) -> dict[str, Any]:
    python = validators_python()
    try:
        done = subprocess.run(  # noqa: S603  (fixed program and arguments, no shell)
            [str(python), str(RUNNER), *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    except subprocess.TimeoutExpired as e:
        raise ReturnError(f"The validator did not finish within {TIMEOUT_SECONDS // 60} minutes") from e
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReturnError(f"The validator stopped without a result ({detail}). Is the venv complete? {INSTALL_HINT}")
    result: dict[str, Any] = json.loads(lines[-1])
    if "fatal" in result:
        raise ReturnError(f"The validator could not read the return: {result['fatal']}")
    return result


def report(result: dict[str, Any]) -> ValidationReport:
    """A ValidationReport from the validator runner's JSON result (issues with rule, message, child and field)."""
    issues = [
        Issue(
            rule=str(i["rule"]),
            message=i.get("message", ""),
            severity=i.get("severity", "error"),
            child_id=i.get("child_id"),
            table=i.get("table", ""),
            fields=tuple(i.get("fields", [])),
            row=i.get("row"),
        )
        for i in [*result.get("issues", []), *result.get("return_issues", [])]
    ]
    return ValidationReport(
        validator=result["validator"],
        version=result["version"],
        ruleset=result["ruleset"],
        rules=result["rules"],
        issues=issues,
        failed_to_run={str(f["rule"]): f.get("error", "") for f in result.get("failed_to_run", [])},
        la_code=result.get("la"),
        la_code_inferred=bool(result.get("la_inferred")),
        previous_year_files=int(result.get("previous_year_files", 0)),
    )


def validate_cin(path: Path, year: int) -> ValidationReport:
    """Check a CIN census XML file with DfE's rules for the collection year ending 31 March `year`."""
    check_year(year)
    path = Path(path)
    if not path.is_file():
        raise ReturnError(f"There is no file {path}")
    return report(_run(["cin", str(path.resolve()), "--year", str(year)]))


def validate_ssda903(directory: Path, year: int, *, la_code: str | None = None) -> ValidationReport:
    """Check the SSDA903 CSV files in `directory` (and last year's, in `directory/previous`, if there) with DfE's
    rules for the collection year ending 31 March `year`. `la_code` is the authority's ONS code (see la_ons_code);
    without one the validator's runner infers it from the children's home postcodes."""
    check_year(year)
    directory = Path(directory)
    if not directory.is_dir():
        raise ReturnError(f"There is no folder {directory}")
    if not any(directory.glob("*.csv")):
        raise ReturnError(f"{directory} holds no SSDA903 tables: make them with `casework returns ssda903`")
    args = ["ssda903", str(directory.resolve()), "--year", str(year)]
    code = la_code or la_ons_code()
    if code:
        args += ["--la", code]
    return report(_run(args))


__all__ = [
    "PREVIOUS_FOLDER",
    "Fix",
    "Issue",
    "ValidationReport",
    "ValidatorsMissing",
    "la_ons_code",
    "validate_cin",
    "validate_ssda903",
    "validators_installed",
    "validators_python",
    "where_to_fix",
]
