"""`casework documents import MANIFEST.csv [--report FILE.csv] [--json]`: load a scanning bureau's output
(documents.importer): every row matched to one person or put on the review list, hashes checked, a re-run adds
nothing, progress printed, the report of every row written; exit 1 when any row was refused or needs review.
`casework documents fixity [--sample N] [--json]`: re-hash the stored originals and renditions, list any missing
or altered by document id, exit 1 when any is (audited; administrators see the result at /documents/fixity).
`casework documents renditions [--all-waiting]`: make the archival copies still waiting, as the task worker does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from documents import fixity, importer, renditions, selectors
from documents.models import DocumentVersion, RenditionStatus


class Command(BaseCommand):
    help = "Documents and evidence: a scanning bureau's import, fixity checks of the stored files, renditions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "fixity",
            help="Re-hash stored originals and renditions; exit 1 when any is missing or altered",
            description="Read every stored original and rendition again (or, with --sample N, N versions chosen at "
            "random and every version never checked) and compare its SHA-256 with the one recorded when it "
            "arrived. Prints each missing or altered file by document id and exits 1 when there is any. The check "
            "is recorded and audited.",
        )
        check.add_argument("--sample", type=int, default=None, metavar="N", help="check N versions, not all")
        check.add_argument("--json", action="store_true", help="print the result as JSON")
        load = sub.add_parser(
            "import",
            help="Load a scanning bureau's manifest and files; exit 1 when any row is refused or needs review",
            description="Load a scanning bureau's output: one row per file (header: "
            + ",".join(importer.COLUMNS)
            + "). Each row is matched to one person by person_id, NHS number or legacy id (rows no one or several "
            "people match go to the review list), its file's SHA-256 is checked against the bureau's, and it is added "
            "with the bureau's capture metadata. A re-run adds nothing. The report lists every row's outcome.",
        )
        load.add_argument("manifest", type=Path, metavar="MANIFEST.csv")
        load.add_argument(
            "--report",
            type=Path,
            default=None,
            metavar="FILE.csv",
            help="where to write the report of every row (default: MANIFEST.report.csv beside the manifest)",
        )
        load.add_argument("--json", action="store_true", help="print the summary as JSON")
        made = sub.add_parser(
            "renditions",
            help="Make the archival copies still waiting (the task worker does this by itself)",
            description="Make the archival copy, the text for search and the page images of every version whose "
            "renditions are waiting or failed.",
        )
        made.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fixity":
            self.fixity(options)
        elif options["action"] == "import":
            self.load(options)
        else:
            self.renditions(options)

    def fixity(self, options: dict[str, Any]) -> None:
        sample = options["sample"]
        if sample is not None and sample < 1:
            raise CommandError("--sample must be 1 or more")
        check = fixity.fixity_check_run(actor=None, sample=sample)
        findings = selectors.fixity_findings(check)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "check": check.pk,
                        "files_checked": check.files_checked,
                        "bytes_checked": check.bytes_checked,
                        "missing": check.missing,
                        "altered": check.altered,
                        "findings": [
                            {
                                "document": f.document_id,
                                "version": f.version.number,
                                "file": f.rendition.kind if f.rendition else "original",
                                "page": f.rendition.page if f.rendition else None,
                                "outcome": f.outcome,
                                "storage_name": f.storage_name,
                                "expected_sha256": f.expected_sha256,
                                "found_sha256": f.found_sha256 or None,
                            }
                            for f in findings
                        ],
                    },
                    indent=2,
                )
            )
        else:
            for f in findings:
                what = f.rendition.get_kind_display().lower() if f.rendition else "original"
                if f.rendition and f.rendition.page:
                    what += f" {f.rendition.page}"
                self.stdout.write(
                    f"Document {f.document_id}, version {f.version.number}: {what} {f.get_outcome_display().lower()} "
                    f"({f.storage_name})"
                )
            scope = f"a sample of {sample} versions" if sample else "every version"
            summary = (
                f"Checked {check.files_checked} files ({scope}): {check.missing} missing, {check.altered} altered."
            )
            self.stdout.write(summary if check.ok else summary + " Restore them from the documents backup.")
        if not check.ok:
            sys.exit(1)

    def load(self, options: dict[str, Any]) -> None:
        manifest: Path = options["manifest"]
        report_path = options["report"] or manifest.with_name(f"{manifest.stem}.report.csv")

        def progress(done: int, seconds: float) -> None:
            rate = done / seconds if seconds > 0 else 0.0
            self.stderr.write(f"{done:,} rows ({rate:,.0f} a second)")

        try:
            report = importer.import_manifest(manifest, progress=progress)
        except importer.ManifestError as e:
            raise CommandError(str(e)) from e
        try:
            report.write_csv(report_path)
        except OSError as e:
            raise CommandError(f"Cannot write the report {report_path}: {e.strerror or e}") from e
        counts = importer.summary(report)
        with transaction.atomic():
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                object_type="document_manifest",
                object_id=manifest.name[:64],
                changes={**counts, "report": str(report_path)},
            )
        if options["json"]:
            self.stdout.write(json.dumps({**counts, "report": str(report_path)}, indent=2))
        else:
            for o in report.outcomes:
                if o.outcome in (importer.REFUSED, importer.REVIEW):
                    self.stdout.write(f"Row {o.row} ({o.file}): {o.outcome}: {o.reason}")
            self.stdout.write(
                f"{counts['rows']:,} rows: {counts['imported']:,} imported, {counts['already_imported']:,} already "
                f"imported, {counts['refused']:,} refused, {counts['to_review']:,} to review. Report: {report_path}"
            )
        if not report.ok:
            sys.exit(1)

    def renditions(self, options: dict[str, Any]) -> None:
        waiting = list(
            DocumentVersion.objects.filter(
                rendition_status__in=[RenditionStatus.WAITING, RenditionStatus.FAILED]
            ).values_list("pk", flat=True)
        )
        results = {pk: renditions.make(pk) for pk in waiting}
        if options["json"]:
            self.stdout.write(json.dumps({"versions": {str(k): v for k, v in results.items()}}, indent=2))
            return
        for pk, status in results.items():
            self.stdout.write(f"Version {pk}: {status}")
        self.stdout.write(f"Made the renditions of {len(results)} version{'s' if len(results) != 1 else ''}.")
