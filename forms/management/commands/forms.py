"""`casework forms list [--json]`, `casework forms check FILE...`, `casework forms load [FILE...]`: form definitions
from the command line (docs/forms-format.md), acting as the system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import RuleError
from forms.definition import DefinitionError, Form
from forms.models import FormDefinition, FormResponse
from forms.printing import response_print
from forms.services import definition_check, definitions_dir, definitions_load, display_path


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
        pdf = sub.add_parser(
            "pdf",
            help="Print a submitted form to PDF/A-2b",
            description="Print a submitted form response to a PDF/A-2b file: the authority, the person, the answers, "
            "the form's version and the response's SHA-256. Audited as a print by the system.",
        )
        pdf.add_argument("response_id", type=int, metavar="RESPONSE_ID")
        pdf.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help="where to write the PDF")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"do_{opts['action']}")(opts)

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
