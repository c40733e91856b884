"""Forms as FHIR R4, so health partners can read what was asked and answered (issue 12, "Export").

`questionnaire(definition)` is a definition as a FHIR Questionnaire; `questionnaire_response(response)` a response as
a QuestionnaireResponse that points at it (`questionnaire`: the canonical URL with `|version`). `checked(resource)`
builds the resource with `fhir.resources` and returns its JSON, or raises `pydantic.ValidationError`.

FHIR version: R4 (4.0.1) is what the issue asks for. `fhir.resources` 8 has no R4 package: its top level is R5 and it
ships `fhir.resources.R4B` (4.3.0) and `STU3`. R4B changed neither Questionnaire nor QuestionnaireResponse from R4
(its changes are to medicinal products, subscriptions and a few others), so the R4B models are the R4 check we can
run here. They check the structure (elements, cardinality, primitive formats such as dates and ids); they do not
check codes against value sets, so the item types and enableWhen operators we emit are held to R4's value sets below.

The mapping (docs/forms-format.md's answer types):
- every page is a `group` item (linkId `page-<page id>`: page ids have a hyphen, question ids never do, so the two
  cannot collide); a question's linkId is its id; an address's parts are `<id>.line_1` and so on;
- text -> string (maxLength), long_text -> text, number -> decimal, date -> date, datetime -> dateTime,
  yes_no -> boolean, single_choice -> choice with answerOption, multiple_choice -> choice with repeats, code_list ->
  choice with answerOption from the code list (repeats when `multiple`), person -> reference (to a Patient), address
  -> a group of four strings, group -> group (repeats, with minOccurs and maxOccurs when it repeats);
- `hint` is a display item inside the question with the itemControl "prompt"; `guidance` (markdown) a display item
  with the itemControl "help" and its text also as markdown (the rendering-markdown extension);
- `show_if` becomes enableWhen when it is one simple test (==, != or whether answered, on one question; `in` a list
  of values; an `and` or `or` of those); any other condition is kept whole, as JSON Logic, in the extension
  `SHOW_IF` (so nothing of the definition is lost), and the item has no enableWhen;
- constraints: minLength, regex, minValue and maxValue extensions; not_in_future and on_or_after in our own ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings

from .definition import Form
from .models import FormDefinition, FormResponse, ResponseStatus

# Our own extensions (nothing in FHIR says these things). URNs: they name the rule, not a place on the web.
SHOW_IF = "urn:casework:forms:show-if"  # valueString: the JSON Logic condition, whole
NOT_IN_FUTURE = "urn:casework:forms:not-in-future"  # valueBoolean
ON_OR_AFTER = "urn:casework:forms:on-or-after"  # valueString: the linkId of the earlier date
RESPONSE_SHA256 = "urn:casework:forms:response-sha256"  # valueString: the SHA-256 of the canonical answers
PERSON_RECORD = "urn:casework:person-record-number"  # identifier system for a person without an NHS number
# HL7's.
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"
RENDERING_MARKDOWN = "http://hl7.org/fhir/StructureDefinition/rendering-markdown"
MIN_LENGTH = "http://hl7.org/fhir/StructureDefinition/minLength"
REGEX = "http://hl7.org/fhir/StructureDefinition/regex"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MIN_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs"
MAX_OCCURS = "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs"
REFERENCE_RESOURCE = "http://hl7.org/fhir/StructureDefinition/questionnaire-referenceResource"

# R4's value sets for what fhir.resources does not check (item-type, questionnaire-enable-operator).
ITEM_TYPES = frozenset(
    {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string", "text", "url"}
    | {"choice", "open-choice", "attachment", "reference", "quantity"}
)
ENABLE_OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})

FHIR_TYPE = {
    "text": "string",
    "long_text": "text",
    "number": "decimal",
    "date": "date",
    "datetime": "dateTime",
    "yes_no": "boolean",
    "single_choice": "choice",
    "multiple_choice": "choice",
    "code_list": "choice",
    "person": "reference",
    "address": "group",
    "group": "group",
}
ADDRESS_PARTS = {"line_1": "Address line 1", "line_2": "Address line 2", "town": "Town or city", "postcode": "Postcode"}
TEXT_LIMITS = {"text": 500, "long_text": 20_000}
ADDRESS_LIMIT = 200

CodeLabels = Callable[[str], dict[str, str]]


def _labels_from_database(list_name: str) -> dict[str, str]:
    from core.codes import labels

    return labels(list_name)


def canonical_url(name: str) -> str:
    """The Questionnaire's canonical URL: the authority's Casework address (CASEWORK_BASE_URL) and the form's name,
    the same for every version (a response names its version after a `|`)."""
    return f"{settings.CASEWORK_BASE_URL}/fhir/Questionnaire/{name}"


def option_system(form_name: str, question_id: str) -> str:
    return f"urn:casework:forms:{form_name}:{question_id}"


def code_list_system(list_name: str) -> str:
    return f"urn:casework:code-list:{list_name}"


def _computer_name(slug: str) -> str:
    """FHIR's `name` (computer-friendly, starting with a capital): child-and-family-assessment ->
    ChildAndFamilyAssessment."""
    name = "".join(part[:1].upper() + part[1:] for part in slug.split("-"))
    return name if name[:1].isalpha() else f"Form{name}"


# The Questionnaire ---------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, form: Form, codes: CodeLabels) -> None:
        self.form = form
        self.codes = codes

    def display(self, link_id: str, text: str, control: str, *, markdown: bool = False) -> dict[str, Any]:
        item: dict[str, Any] = {
            "linkId": link_id,
            "type": "display",
            "text": text,
            "extension": [
                {
                    "url": ITEM_CONTROL,
                    "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_CODES, "code": control}]},
                }
            ],
        }
        if markdown:
            item["_text"] = {"extension": [{"url": RENDERING_MARKDOWN, "valueMarkdown": text}]}
        return item

    def help_items(self, owner: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
        items = []
        if spec.get("hint"):
            items.append(self.display(f"{owner}.hint", spec["hint"], "prompt"))
        if spec.get("guidance"):
            items.append(self.display(f"{owner}.guidance", spec["guidance"], "help", markdown=True))
        return items

    def condition(self, item: dict[str, Any], show_if: Any) -> None:
        simple = enable_when(self.form, show_if)
        if simple is None:
            item.setdefault("extension", []).append({"url": SHOW_IF, "valueString": json.dumps(show_if)})
            return
        tests, behaviour = simple
        item["enableWhen"] = tests
        if len(tests) > 1:
            item["enableBehavior"] = behaviour

    def page(self, page: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"linkId": f"page-{page['id']}", "type": "group", "text": page["title"]}
        if "show_if" in page:
            self.condition(item, page["show_if"])
        children = []
        if page.get("guidance"):
            children.append(self.display(f"page-{page['id']}.guidance", page["guidance"], "help", markdown=True))
        children += [self.question(spec) for spec in page["questions"]]
        item["item"] = children
        return item

    def question(self, spec: dict[str, Any]) -> dict[str, Any]:
        kind, qid = spec["type"], spec["id"]
        item: dict[str, Any] = {"linkId": qid, "text": spec["label"], "type": FHIR_TYPE[kind]}
        if spec.get("required"):
            item["required"] = True
        extensions: list[dict[str, Any]] = []
        children = self.help_items(qid, spec)
        constraints = spec.get("constraints", {})
        if kind in TEXT_LIMITS:
            item["maxLength"] = min(constraints.get("maxLength", TEXT_LIMITS[kind]), TEXT_LIMITS[kind])
            if "minLength" in constraints:
                extensions.append({"url": MIN_LENGTH, "valueInteger": constraints["minLength"]})
            if "pattern" in constraints:
                extensions.append({"url": REGEX, "valueString": constraints["pattern"]})
        elif kind == "number":
            for key, url in (("minimum", MIN_VALUE), ("maximum", MAX_VALUE)):
                if key in constraints:
                    extensions.append({"url": url, "valueDecimal": constraints[key]})
        elif kind in ("date", "datetime"):
            if spec.get("not_in_future"):
                extensions.append({"url": NOT_IN_FUTURE, "valueBoolean": True})
            if spec.get("on_or_after"):
                extensions.append({"url": ON_OR_AFTER, "valueString": spec["on_or_after"]})
        elif kind in ("single_choice", "multiple_choice"):
            system = option_system(self.form.name, qid)
            item["answerOption"] = [
                {"valueCoding": {"system": system, "code": o["value"], "display": o["label"]}} for o in spec["options"]
            ]
            if kind == "multiple_choice":
                item["repeats"] = True
        elif kind == "code_list":
            system = code_list_system(spec["code_list"])
            item["answerOption"] = [
                {"valueCoding": {"system": system, "code": code, "display": words}}
                for code, words in self.codes(spec["code_list"]).items()
            ]
            if spec.get("multiple"):
                item["repeats"] = True
        elif kind == "person":
            extensions.append({"url": REFERENCE_RESOURCE, "valueCode": "Patient"})
        elif kind == "address":
            children += [
                {"linkId": f"{qid}.{part}", "text": words, "type": "string", "maxLength": ADDRESS_LIMIT}
                for part, words in ADDRESS_PARTS.items()
            ]
        elif kind == "group":
            if spec.get("repeats"):
                item["repeats"] = True
                least = spec.get("min", 1 if spec.get("required") else 0)
                extensions.append({"url": MIN_OCCURS, "valueInteger": least})
                extensions.append({"url": MAX_OCCURS, "valueInteger": spec.get("max", 100)})
            children += [self.question(sub) for sub in spec["questions"]]
        if "show_if" in spec:
            self.condition(item, spec["show_if"])
        if extensions:
            item["extension"] = [*item.get("extension", []), *extensions]
        if children:
            item["item"] = children
        return item


def questionnaire(definition: FormDefinition, *, codes: CodeLabels | None = None) -> dict[str, Any]:
    """The definition as a FHIR R4 Questionnaire (a dict ready for JSON). Reads each code list the form uses (one
    query per list)."""
    form = Form(definition.body)
    builder = _Builder(form, codes or _labels_from_database)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{form.name}-{form.version}"[:64],
        "url": canonical_url(form.name),
        "identifier": [{"system": "urn:casework:forms:definition-sha256", "value": definition.sha256}],
        "version": str(form.version),
        "name": _computer_name(form.name),
        "title": definition.body["title"],
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": settings.CASEWORK_AUTHORITY_NAME,
        "item": [builder.page(page) for page in form.pages()],
    }
    if definition.loaded_at is not None:
        resource["date"] = definition.loaded_at.isoformat()
    if definition.body.get("description"):
        resource["description"] = definition.body["description"]
    if not definition.sha256:
        del resource["identifier"]
    return resource


# enableWhen from the simple conditions ---------------------------------------------------------------------------

_NOT_EXACT_FOR_TRUTHINESS = ("yes_no", "number")  # false and 0 are answers, but JSON Logic's !! reads them as false


def _var(value: Any) -> str | None:
    if isinstance(value, dict) and set(value) == {"var"}:
        target = value["var"]
        if isinstance(target, list) and len(target) == 1:
            target = target[0]
        return target if isinstance(target, str) else None
    return None


def _literal(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _answer(form: Form, qid: str, value: Any) -> dict[str, Any] | None:
    """The enableWhen answer[x] for a literal compared with question `qid`, or None when there is no exact one."""
    q = form.questions.get(qid)
    if q is None:
        return None
    kind = q.type
    if kind == "yes_no" and isinstance(value, bool):
        return {"answerBoolean": value}
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"answerDecimal": value}
    if kind in ("text", "long_text") and isinstance(value, str):
        return {"answerString": value}
    if kind == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return {"answerDate": value}
    if kind == "single_choice" and isinstance(value, str):
        return {"answerCoding": {"system": option_system(form.name, qid), "code": value}}
    if kind == "code_list" and not q.spec.get("multiple") and isinstance(value, str):
        return {"answerCoding": {"system": code_list_system(q.spec["code_list"]), "code": value}}
    return None


def _exists(qid: str, answered: bool) -> dict[str, Any]:
    return {"question": qid, "operator": "exists", "answerBoolean": answered}


def _tests(form: Form, expr: Any) -> list[dict[str, Any]] | None:
    """One simple test as enableWhen entries (several for `in` a list: any of them), or None."""
    if not isinstance(expr, dict) or len(expr) != 1:
        return None
    ((op, args),) = expr.items()
    items = args if isinstance(args, list) else [args]
    if op in ("==", "!=") and len(items) == 2:
        a, b = items
        qid, value = (_var(a), b) if _var(a) else (_var(b), a)
        if qid is None or not _literal(value):
            return None
        if value is None:  # == null: unanswered; != null: answered
            return [_exists(qid, op == "!=")]
        answer = _answer(form, qid, value)
        if answer is None:
            return None
        return [{"question": qid, "operator": "=" if op == "==" else "!=", **answer}]
    if op == "!!" and len(items) == 1:
        qid = _var(items[0])
        q = form.questions.get(qid or "")
        if q is None or q.type in _NOT_EXACT_FOR_TRUTHINESS:
            return None
        return [_exists(q.id, True)]
    if op == "!" and len(items) == 1:
        inner = items[0]
        if isinstance(inner, dict) and set(inner) == {"missing"}:  # !missing: answered
            names = inner["missing"] if isinstance(inner["missing"], list) else [inner["missing"]]
            if len(names) == 1 and isinstance(names[0], str) and names[0] in form.questions:
                return [_exists(names[0], True)]
        qid = _var(inner)
        q = form.questions.get(qid or "")
        if q is None or q.type in _NOT_EXACT_FOR_TRUTHINESS:
            return None
        return [_exists(q.id, False)]
    if op == "missing":
        names = args if isinstance(args, list) else [args]
        if len(names) == 1 and isinstance(names[0], str) and names[0] in form.questions:
            return [_exists(names[0], False)]
        return None
    if op == "in" and len(items) == 2:
        needle, haystack = items
        qid = _var(needle)
        if qid is not None and isinstance(haystack, list) and haystack and all(map(_literal, haystack)):
            answers = [_answer(form, qid, v) for v in haystack]
            if any(a is None for a in answers):
                return None
            return [{"question": qid, "operator": "=", **a} for a in answers if a is not None]
        qid = _var(haystack)
        q = form.questions.get(qid or "")
        if q is not None and isinstance(needle, str):  # a value among a multiple choice's answers
            if q.type == "multiple_choice":
                return [
                    {
                        "question": q.id,
                        "operator": "=",
                        "answerCoding": {"system": option_system(form.name, q.id), "code": needle},
                    }
                ]
            if q.type == "code_list" and q.spec.get("multiple"):
                coding = {"system": code_list_system(q.spec["code_list"]), "code": needle}
                return [{"question": q.id, "operator": "=", "answerCoding": coding}]
        return None
    return None


def enable_when(form: Form, show_if: Any) -> tuple[list[dict[str, Any]], str] | None:
    """(enableWhen entries, enableBehavior) for a condition FHIR can say exactly, or None."""
    if isinstance(show_if, dict) and len(show_if) == 1:
        ((op, args),) = show_if.items()
        if op in ("and", "or") and isinstance(args, list) and args:
            parts = [_tests(form, a) for a in args]
            if any(p is None for p in parts):
                return None
            if op == "and" and any(len(p or []) > 1 for p in parts):
                return None  # an `in` inside an `and` would need nesting FHIR does not have
            return [t for p in parts for t in p or []], "all" if op == "and" else "any"
    tests = _tests(form, show_if)
    if tests is None:
        return None
    return tests, "any"


# The QuestionnaireResponse ---------------------------------------------------------------------------------------


RESPONSE_STATUS = {
    ResponseStatus.DRAFT: "in-progress",
    ResponseStatus.RETURNED: "in-progress",
    ResponseStatus.SUBMITTED: "completed",
    ResponseStatus.AUTHORISED: "completed",
}


def _person_reference(person: Any, nhs: str | None) -> dict[str, Any]:
    identifier = {"system": NHS_NUMBER, "value": nhs} if nhs else {"system": PERSON_RECORD, "value": str(person.pk)}
    return {"type": "Patient", "identifier": identifier, "display": person.full_name}


class _Answers:
    def __init__(self, form: Form, codes: CodeLabels, people: dict[int, dict[str, Any]]) -> None:
        self.form = form
        self.codes = codes
        self.people = people

    def values(self, spec: dict[str, Any], value: Any) -> list[dict[str, Any]]:
        kind, qid = spec["type"], spec["id"]
        if kind in ("text", "long_text"):
            return [{"valueString": value}]
        if kind == "number":
            return [{"valueDecimal": value}]
        if kind == "date":
            return [{"valueDate": value}]
        if kind == "datetime":
            return [{"valueDateTime": value}]
        if kind == "yes_no":
            return [{"valueBoolean": value}]
        if kind in ("single_choice", "multiple_choice"):
            words = {o["value"]: o["label"] for o in spec["options"]}
            chosen = value if isinstance(value, list) else [value]
            system = option_system(self.form.name, qid)
            return [{"valueCoding": {"system": system, "code": v, "display": words.get(v, v)}} for v in chosen]
        if kind == "code_list":
            words = self.codes(spec["code_list"])
            chosen = value if isinstance(value, list) else [value]
            system = code_list_system(spec["code_list"])
            return [{"valueCoding": {"system": system, "code": v, "display": words.get(v, v)}} for v in chosen]
        if kind == "person":
            return [
                {
                    "valueReference": self.people.get(value)
                    or {"identifier": {"system": PERSON_RECORD, "value": str(value)}}
                }
            ]
        raise ValueError(kind)  # pragma: no cover - address and group are items, not values

    def items(self, spec: dict[str, Any], value: Any) -> Iterator[dict[str, Any]]:
        kind, qid = spec["type"], spec["id"]
        if value is None or value == "" or value == [] or value == {}:
            return
        if kind == "address":
            parts = [
                {"linkId": f"{qid}.{part}", "text": words, "answer": [{"valueString": value[part]}]}
                for part, words in ADDRESS_PARTS.items()
                if value.get(part)
            ]
            if parts:
                yield {"linkId": qid, "text": spec["label"], "item": parts}
            return
        if kind == "group":
            entries = value if isinstance(value, list) else [value]
            for entry in entries:
                inner = [i for sub in spec["questions"] for i in self.items(sub, entry.get(sub["id"]))]
                if inner:
                    yield {"linkId": qid, "text": spec["label"], "item": inner}
            return
        yield {"linkId": qid, "text": spec["label"], "answer": self.values(spec, value)}


def questionnaire_response(response: FormResponse, *, codes: CodeLabels | None = None) -> dict[str, Any]:
    """The response as a FHIR R4 QuestionnaireResponse: its answers under their pages, the questionnaire and version
    it answers, the person (by NHS number when they have one), who wrote it and when. A correction (a response that
    supersedes another) is `amended`; a draft or a returned response is `in-progress`."""
    from people.models import IdentifierType, Person, PersonIdentifier

    definition = response.definition
    form = Form(definition.body)
    person_ids = {response.person_id}
    for q in form.questions.values():
        if q.type == "person" and q.group is None and isinstance(response.answers.get(q.id), int):
            person_ids.add(response.answers[q.id])
        elif q.type == "person" and q.group is not None:
            group_value = response.answers.get(q.group)
            entries = group_value if isinstance(group_value, list) else [group_value or {}]
            person_ids |= {e[q.id] for e in entries if isinstance(e, dict) and isinstance(e.get(q.id), int)}
    people = Person.objects.in_bulk(person_ids)
    nhs = dict(
        PersonIdentifier.objects.filter(
            person_id__in=person_ids, type=IdentifierType.NHS, ended_on__isnull=True
        ).values_list("person_id", "value")
    )
    references = {pk: _person_reference(p, nhs.get(pk)) for pk, p in people.items()}
    answers = _Answers(form, codes or _labels_from_database, references)
    pages = []
    for page in form.pages():
        inner = [i for spec in page["questions"] for i in answers.items(spec, response.answers.get(spec["id"]))]
        if inner:
            pages.append({"linkId": f"page-{page['id']}", "text": page["title"], "item": inner})
    status = RESPONSE_STATUS[ResponseStatus(response.status)]
    if status == "completed" and response.supersedes_id is not None:
        status = "amended"
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": f"form-response-{response.pk}",
        "questionnaire": f"{canonical_url(form.name)}|{form.version}",
        "status": status,
        "subject": references[response.person_id],
        "authored": (response.submitted_at or response.updated_at).isoformat(),
        "item": pages,
    }
    author = response.submitted_by or response.author
    if author is not None:
        resource["author"] = {"type": "Practitioner", "display": author.get_full_name() or author.get_username()}
    if response.sha256:
        resource["extension"] = [{"url": RESPONSE_SHA256, "valueString": response.sha256}]
    return resource


# Checking --------------------------------------------------------------------------------------------------------


def walk_items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from walk_items(item.get("item", []))
        for answer in item.get("answer", []):
            yield from walk_items(answer.get("item", []))


def checked(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as fhir.resources (R4B, the R4 models it has) reads it back: raises pydantic's ValidationError
    for anything FHIR does not allow, and ValueError for an item type or enableWhen operator outside R4's value
    sets (which fhir.resources does not check)."""
    from fhir.resources.R4B.questionnaire import Questionnaire
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    models: dict[str, Any] = {"Questionnaire": Questionnaire, "QuestionnaireResponse": QuestionnaireResponse}
    model = models[resource["resourceType"]]
    if model is Questionnaire:
        for item in walk_items(resource.get("item", [])):
            if item["type"] not in ITEM_TYPES:
                raise ValueError(f"{item['linkId']}: {item['type']!r} is not a FHIR R4 item type")
            for test in item.get("enableWhen", []):
                if test["operator"] not in ENABLE_OPERATORS:
                    raise ValueError(f"{item['linkId']}: {test['operator']!r} is not a FHIR R4 enableWhen operator")
    parsed = model.model_validate(resource)
    return json.loads(parsed.model_dump_json())
