"""Binding targets: what a submitted form writes to the structured record, through the same services the journey uses.

A form with `"record": NAME` writes the target NAME when it is submitted; each question with `"bind": FIELD` gives
that field's value. The loader refuses a field the target does not have, or a question whose type the field cannot
take (`Field.refuses`), and a form that leaves a `required` field unbound.

Adding a target (the next wave: visit, case note, conference, plans, looked-after review...) is one `register` call
in this module (or in a module this one imports):

    def visit_write(*, actor, person, values, context):
        visit = cases.services.visit_record(actor=actor, person=person, visited_on=values["visited_on"], ...)
        return [visit]

    register(Target(
        name="visit",
        title="A statutory visit",
        fields={"visited_on": Field("date"), "child_seen": Field("yes_no"), ...},
        required=frozenset({"visited_on", "child_seen"}),
        write=visit_write,
    ))

`write` receives `values` keyed by field, already validated against the definition and converted to Python
(`date`, `datetime`, `bool`, `int`, `str`, lists); a field whose question was unanswered or hidden is absent. It
calls the services (inside the submit's transaction) and returns the model instances it wrote, which the response
keeps (`FormResponse.records`). A `RuleError` from a service comes back to the worker on the question bound to the
field the service named (`errors_for_questions`); a field it names that no question binds goes to "__all__".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from cases import services as case_services
from cases.models import Assessment, AssessmentOutcome, CINEpisode
from core.actors import Actor
from core.dates import long_date
from core.errors import RuleError

if TYPE_CHECKING:
    from people.models import Person

    from .definition import Form
    from .models import FormResponse


@dataclass(frozen=True)
class Field:
    """A field of a target, and the question that may bind to it: `type` (or one of `also`), with the same code list
    and `multiple`, and for a choice only option values among `choices`."""

    type: str
    also: tuple[str, ...] = ()
    code_list: str | None = None
    multiple: bool = False
    choices: tuple[str, ...] | None = None
    label: str = ""

    def refuses(self, question_type: str, spec: dict[str, Any]) -> list[str]:
        """Why a question cannot bind to this field ([] when it can)."""
        takes = (self.type, *self.also)
        if question_type not in takes:
            return [f"a {question_type} question cannot bind to this field (it takes {' or '.join(takes)})"]
        out = []
        if self.code_list is not None and spec.get("code_list") != self.code_list:
            out.append(f'this field takes the code list "{self.code_list}", not "{spec.get("code_list")}"')
        if question_type == "code_list" and bool(spec.get("multiple")) != self.multiple:
            out.append(
                f'this field takes {"several codes" if self.multiple else "one code"}: set "multiple": {str(self.multiple).lower()}'
            )
        if self.choices is not None:
            unknown = [o["value"] for o in spec.get("options", []) if o["value"] not in self.choices]
            if unknown:
                out.append(
                    f"this field cannot take the option{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(repr(u) for u in unknown)} (it takes {', '.join(self.choices)})"
                )
        return out


@dataclass(frozen=True)
class WriteContext:
    """What a target's `write` may need beyond the values: the response being submitted and its definition."""

    response: FormResponse
    form: Form
    submitted_on: date


Write = Callable[..., list[Model]]
# authorise(*, actor, response, comments) and return_(*, actor, response, reason): the manager's decision on a form
# that needs authorisation, carried to the records the response wrote (`response.records`), through the journey's
# own services. correct(*, actor, response, values, changed): a correction whose bound answers differ, applied to
# those records; `changed` names the fields that differ. Each raises RuleError (keyed by field) when it cannot.
Decide = Callable[..., None]


@dataclass(frozen=True)
class Target:
    """A binding target. `authorise` and `return_` carry a manager's decision to the record (a target of a form
    with `"authorisation": true` whose record waits for a manager, as an assessment does); `correct` re-applies
    changed bound answers after submission. A target without `correct` refuses a correction that changes a bound
    answer (the other answers may still be corrected)."""

    name: str
    title: str
    fields: dict[str, Field]
    write: Write
    required: frozenset[str] = field(default_factory=frozenset)
    authorise: Decide | None = None
    return_: Decide | None = None
    correct: Decide | None = None
    # How the record reads in a sentence ("the child's assessment"), for refusals.
    record_words: str = "the record"


TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    if target.name in TARGETS and TARGETS[target.name] is not target:
        raise ValueError(f"A binding target named {target.name!r} is already registered")
    unknown = target.required - set(target.fields)
    if unknown:
        raise ValueError(f"Target {target.name!r} requires fields it does not have: {sorted(unknown)}")
    TARGETS[target.name] = target
    return target


def target_for(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise LookupError(f"There is no binding target {name!r}") from None


def python_value(binding: Field, value: Any) -> Any:
    """A validated answer as the service takes it."""
    if binding.type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if binding.type == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def values_for(target: Target, form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """{field: Python value} from the (validated, visible) answers of the bound questions."""
    return {
        name: python_value(target.fields[name], answers[qid])
        for name, qid in form.bound().items()
        if name in target.fields and qid in answers
    }


def errors_for_questions(form: Form, errors: dict[str, str]) -> dict[str, str]:
    """A service's errors (keyed by its field names) keyed by the questions bound to those fields; the rest go on
    "__all__" (a form-level error)."""
    bound = form.bound()
    out: dict[str, str] = {}
    general = []
    for key, message in errors.items():
        if key in bound:
            out[bound[key]] = message
        else:
            general.append(message)
    if general:
        out["__all__"] = " ".join(general)
    return out


# The child and family assessment ---------------------------------------------------------------------------------


def assessment_write(*, actor: Actor, person: Person, values: dict[str, Any], context: WriteContext) -> list[Model]:
    """Start the assessment on the child's open referral (or take the one in progress there, as after a manager
    returned it), record its factors, summary and outcome, and submit it for authorisation: the journey's own
    `assessment_start`, `assessment_record` and `assessment_submit`, so the same rules, tasks and chronology apply."""
    episode = CINEpisode.objects.filter(person=person, closure_date__isnull=True).order_by("-referral_date").first()
    if episode is None:
        raise RuleError("This child has no open referral: make a referral first")
    assessment = episode.assessments.filter(authorised_on__isnull=True).order_by("-started_on", "-pk").first()
    started_on = values.get("started_on")
    if assessment is None:
        assessment = case_services.assessment_start(actor=actor, episode=episode, started_on=started_on)
    elif started_on is not None and started_on != assessment.started_on:
        raise RuleError(
            {
                "started_on": "The assessment in progress for this referral started on "
                f"{long_date(assessment.started_on)}: enter that date"
            }
        )
    case_services.assessment_record(
        actor=actor,
        assessment=assessment,
        factors=list(values.get("factors", [])),
        summary=values.get("summary", ""),
        outcome=values.get("outcome", ""),
    )
    case_services.assessment_submit(
        actor=actor, assessment=assessment, submitted_on=values.get("submitted_on") or context.submitted_on
    )
    return [assessment]


def written(response: FormResponse, model: type[Model]) -> list[Any]:
    """The instances of `model` that the response wrote (`response.records`)."""
    label = model._meta.label_lower
    ids = [ref["id"] for ref in response.records if ref.get("type") == label]
    return list(model._default_manager.filter(pk__in=ids).order_by("pk"))


def assessment_authorise(*, actor: Actor, response: FormResponse, comments: str) -> None:
    """The journey's `assessment_authorise`: the assessment is complete and the journey moves on. A correction of an
    assessment already authorised (its bound answers unchanged) needs nothing more."""
    for assessment in written(response, Assessment):
        if assessment.authorised_on is None:
            case_services.assessment_authorise(actor=actor, assessment=assessment, comments=comments)


def assessment_return(*, actor: Actor, response: FormResponse, reason: str) -> None:
    """The journey's `assessment_return`: the assessment is in progress again and the worker's task says why."""
    for assessment in written(response, Assessment):
        if assessment.authorised_on is not None:
            raise RuleError("The assessment this form wrote is already authorised: it cannot be returned")
        case_services.assessment_return(actor=actor, assessment=assessment, reason=reason)


ASSESSMENT = register(
    Target(
        name="assessment",
        title="Child and family assessment",
        fields={
            "started_on": Field("date", label="The date the assessment started"),
            "factors": Field(
                "code_list", code_list="assessment_factor", multiple=True, label="The factors identified (CIN census)"
            ),
            "summary": Field("long_text", also=("text",), label="Summary of the assessment"),
            "outcome": Field("single_choice", choices=tuple(AssessmentOutcome.values), label="The recommended outcome"),
            "submitted_on": Field("date", label="The date it was completed and submitted (default: today)"),
        },
        required=frozenset({"started_on", "factors", "outcome"}),
        write=assessment_write,
        authorise=assessment_authorise,
        return_=assessment_return,
        # No `correct`: the journey cannot change a submitted or authorised assessment's dates, factors or outcome
        # (a manager returns it to the worker before it is authorised).
        record_words="the child's assessment",
    )
)
