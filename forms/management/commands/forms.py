"""`casework forms list [--json]`, `casework forms check FILE...`, `casework forms load [FILE...]`: form definitions
from the command line (docs/forms-format.md), acting as the system. `casework forms export-fhir NAME [--version N]`:
a definition as a FHIR R4 Questionnaire. `casework forms submit --form NAME --person ID --user EMAIL --answers
FILE.json [--json]`: answers from another channel (a transcribed paper form) submitted as that user, with the same
access rule, validation, bindings and audit as the page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts import access
from accounts.models import User
from audit.context import current as audit_context
from core.errors import RuleError
from forms import fhir
from forms.definition import DefinitionError, Form
from forms.models import FormDefinition, FormResponse
from forms.printing import response_print
from forms.selectors import NoSuchDefinition, definition_for
from forms.services import definition_check, definitions_dir, definitions_load, display_path, response_submit


def summary(definition: FormDefinition) -> dict[str, Any]:
    form = Form(definition.body)
    return {
        "name": definition.name,
        "version": definition.version,
        "title": definition.title,
        "pages": len(form.pages()),
        "questions": len(form.questions),
        "record": form.record,
        "authorisation": bool(definition.body.get("authorisation")),
        "sha256": definition.sha256,
        "loaded_at": definition.loaded_at.isoformat(),
    }


class Command(BaseCommand):
    help = "Form definitions: list those loaded, check a file, load forms/definitions/*.json."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="The form definitions loaded: name, version, title, questions")
        listing.add_argument("--json", action="store_true", help="print JSON (one object per version)")
        check = sub.add_parser(
            "check",
            help="Check definition files without loading them; exit 1 with the reasons",
            description="Check form definition files (docs/forms-format.md): prints each problem as "
            "'file: JSON path: reason' and exits 1 when there is any.",
        )
        check.add_argument("files", nargs="+", type=Path, metavar="FILE")
        load = sub.add_parser(
            "load",
            help="Load definition files (default: every forms/definitions/*.json) as immutable versions",
            description="Load form definitions. Idempotent: a version already loaded with the same content is left as "
            "it is; one loaded with different content is refused (publish it as the next version). Nothing is "
            "loaded when any file is refused.",
        )
        load.add_argument("files", nargs="*", type=Path, metavar="FILE")
        export = sub.add_parser(
            "export-fhir",
            help="Print a definition as a FHIR R4 Questionnaire (JSON)",
            description="Print a form definition as a FHIR R4 Questionnaire, checked with fhir.resources (forms/fhir.py "
            "says how each answer type maps).",
        )
        export.add_argument("name", metavar="NAME")
        export.add_argument("--version", type=int, default=None, help="the version (default: the latest)")
        submit = sub.add_parser(
            "submit",
            help="Submit answers from another channel (a transcribed paper form) as a user",
            description="Submit a form's answers for a person as the user given: the same access rule, validation, "
            "bindings and audit as the page. Refused answers are listed question by question (exit 1) and nothing "
            "is saved.",
        )
        submit.add_argument("--form", required=True, metavar="NAME", help="the form's name (casework forms list)")
        submit.add_argument("--version", type=int, default=None, help="the form's version (default: the latest)")
        submit.add_argument("--person", required=True, type=int, metavar="ID", help="the person's record number")
        submit.add_argument("--user", required=True, metavar="EMAIL", help="who is submitting it (their email)")
        submit.add_argument(
            "--answers", required=True, type=Path, metavar="FILE.json", help="the answers, keyed by question id"
        )
        submit.add_argument("--json", action="store_true", help="print the response id and the records it wrote")
        pdf = sub.add_parser(
            "pdf",
            help="Print a submitted form to PDF/A-2b",
            description="Print a submitted form response to a PDF/A-2b file: the authority, the person, the answers, "
            "the form's version and the response's SHA-256. Audited as a print by the system.",
        )
        pdf.add_argument("response_id", type=int, metavar="RESPONSE_ID")
        pdf.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="where to write the PDF")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"do_{opts['action'].replace('-', '_')}")(opts)

    def do_list(self, opts: dict[str, Any]) -> None:
        definitions = list(FormDefinition.objects.order_by("name", "version"))
        rows = [summary(d) for d in definitions]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No form definitions are loaded (casework forms load).")
            return
        width = max(len(r["name"]) for r in rows)
        for r, d in zip(rows, definitions, strict=True):
            loaded = timezone.localtime(d.loaded_at)
            extra = f", writes {r['record']}" if r["record"] else ""
            self.stdout.write(
                f"{r['name']:<{width}}  v{r['version']:<3} {r['title']} ({size(r['questions'], r['pages'])}{extra}); "
                f"loaded {loaded:%Y-%m-%d %H:%M}"
            )
        self.stdout.write(f"{len(rows)} form definition{'s' if len(rows) != 1 else ''} loaded.")

    def do_check(self, opts: dict[str, Any]) -> None:
        problems: list[str] = []
        for path in opts["files"]:
            source = display_path(path)
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                problems.append(f"{source}: (file): there is no such file")
                continue
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                where = f"line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else "(file)"
                problems.append(f"{source}: {where}: not JSON ({getattr(e, 'msg', 'not UTF-8 text')})")
                continue
            found = definition_check(body=body, source=source, file_name=path.name)
            if found:
                problems += found
            else:
                form = Form(body)
                self.stdout.write(
                    f"{source}: ok ({form.name} version {form.version}, {size(len(form.questions), len(form.pages()))})"
                )
        if problems:
            raise CommandError(
                "\n".join(problems) + f"\n{len(problems)} problem{'s' if len(problems) != 1 else ''}: not loadable."
            )

    def do_load(self, opts: dict[str, Any]) -> None:
        paths = opts["files"] or None
        try:
            loaded = definitions_load(actor=None, paths=paths)
        except DefinitionError as e:
            raise CommandError("\n".join(e.problems) + "\nNothing was loaded.") from e
        for item in loaded:
            d = item.definition
            self.stdout.write(f"{'Loaded' if item.created else 'Already loaded'}: {d.name} version {d.version}")
        new = sum(1 for i in loaded if i.created)
        where = display_path(definitions_dir()) if paths is None else "the files given"
        self.stdout.write(f"Form definitions: {new} loaded, {len(loaded) - new} unchanged, from {where}.")

    def do_export_fhir(self, opts: dict[str, Any]) -> None:
        try:
            definition = definition_for(opts["name"], opts["version"])
        except NoSuchDefinition as e:
            raise CommandError(str(e)) from e
        self.stdout.write(json.dumps(fhir.checked(fhir.questionnaire(definition)), indent=2, ensure_ascii=False))

    def do_submit(self, opts: dict[str, Any]) -> None:
        try:
            definition = definition_for(opts["form"], opts["version"])
        except NoSuchDefinition as e:
            raise CommandError(str(e)) from e
        answers = read_answers(opts["answers"])
        user = User.objects.filter(email__iexact=opts["user"].strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user has the email address {opts['user']}")
        person, full = access.person_for(user, opts["person"])
        if person is None:
            raise CommandError(f"{user.email} cannot find a record numbered {opts['person']}")
        record = definition.body.get("record")
        if not full or not access.may_fill_form(user, record, person):
            raise CommandError(
                f"{user.email} may not fill in this form for record {person.pk}: it needs a part in the person's case "
                f"and a role that may {access.form_permission(record).value}"
            )
        token = audit_context.set({**(audit_context.get() or {}), "channel": "command", "command": "forms submit"})
        try:
            submitted = response_submit(actor=user, definition=definition, person=person, answers=answers)
        except RuleError as e:
            lines = question_errors(Form(definition.body), e.errors)
            raise CommandError(
                f"The answers were not submitted ({len(lines)} problem{'s' if len(lines) != 1 else ''}); nothing "
                "was saved:\n" + "\n".join(f"  {line}" for line in lines)
            ) from e
        finally:
            audit_context.reset(token)
        response = submitted.response
        if opts["json"]:
            out = {"response": response.pk, "sha256": response.sha256, "records": response.records}
            self.stdout.write(json.dumps(out, indent=2))
            return
        wrote = ", ".join(f"{r['type']} {r['id']}" for r in response.records) or "no structured record"
        self.stdout.write(
            f"Submitted {definition.name} version {definition.version} for {person.full_name} (record {person.pk}) "
            f"as {user.email}: response {response.pk}; wrote {wrote}."
        )

    def do_pdf(self, opts: dict[str, Any]) -> None:
        response = FormResponse.objects.select_related("definition", "person").filter(pk=opts["response_id"]).first()
        if response is None:
            raise CommandError(f"There is no form response {opts['response_id']}")
        try:
            pdf = response_print(actor=None, response=response)
        except RuleError as e:
            raise CommandError(" ".join(e.errors.values())) from e
        out: Path = opts["out"]
        try:
            out.write_bytes(pdf)
        except OSError as e:
            raise CommandError(f"Could not write {out}: {e.strerror}") from e
        self.stdout.write(
            f"Printed {response.definition.title} (version {response.definition.version}) for "
            f"{response.person.full_name} to {out} ({len(pdf):,} bytes; SHA-256 of the answers {response.sha256})."
        )


def size(questions: int, pages: int) -> str:
    """ "12 questions on 3 pages", "4 questions on 1 page"."""
    return f"{questions} question{'s' if questions != 1 else ''} on {pages} page{'s' if pages != 1 else ''}"


def read_answers(path: Path) -> dict[str, Any]:
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: there is no such file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise CommandError(f"{path}: not JSON (line {e.lineno} column {e.colno}: {e.msg})") from None
    if not isinstance(answers, dict):
        raise CommandError(f"{path}: the answers must be a JSON object keyed by question id")
    return answers


def question_errors(form: Form, errors: dict[str, str]) -> list[str]:
    """Each refusal with the question it is about, as the user reads it: "Date of visit (visited_on): ...";
    a repeating group's item by number ("Actions, item 2, What (actions.1.what)"); the form as a whole last."""
    lines = []
    for key, message in errors.items():
        if key == "__all__":
            continue
        parts = key.split(".")
        q = form.questions.get(parts[-1])
        group = form.questions.get(parts[0]) if len(parts) > 1 else None
        if q is None:
            where = key
        elif len(parts) == 3 and group is not None and parts[1].isdigit():
            where = f"{group.label}, item {int(parts[1]) + 1}, {q.label} ({key})"
        elif group is not None and group is not q:
            where = f"{group.label}, {q.label} ({key})"
        else:
            where = f"{q.label} ({key})"
        lines.append(f"{where}: {message}")
    if "__all__" in errors:
        lines.append(f"The form: {errors['__all__']}")
    return lines
