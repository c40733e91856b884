"""The back-file import: how long `casework documents import` takes per file, and what that means for 100,000.

    .venv/bin/python bench/documents.py --data-dir var/demo [--files 2000] [--people 200]

Makes `--files` small files (a few hundred bytes of text each, as the issue's aim says: small files) and a bureau
manifest naming `--people` people by their legacy id, imports it with documents.importer (the command's own code:
every check, the hash, matching, storage, the document, version, audit event and chronology entry), then imports it
again (a re-run adds nothing). Everything is written inside one transaction that is rolled back at the end; the
stored files stay in the data folder's documents storage, named by their hash.

The audit chain's sealing, which runs at commit, is run inside the measurement (audit.services.seal_now); the
renditions' task, queued at commit, is not (one insert a chunk).

Printed: wall-clock and CPU time (this process, every thread: Python, libmagic, hashing; PostgreSQL's own CPU is
read from its backend, pg_stat_activity's pid and /proc, when the server is on this machine), queries and the time
inside the database driver, per file; files a second; and the time 100,000 files would take at that rate (the
issue's aim: under an hour). The load average is written with the result: on a shared machine, trust the CPU time
and the queries over the wall clock. `--chunk` sets the rows per chunk (documents.importer.CHUNK_ROWS).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import DbTimer, setup_django, write_result

AIM_FILES = 100_000
AIM_SECONDS = 3600


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--chunk", type=int, default=None, help="rows per chunk (default: the importer's)")
    args = parser.parse_args()
    setup_django(args.data_dir)

    from django.db import connection, transaction

    from audit.services import seal_now
    from documents import importer
    from documents.models import Document
    from people.models import IdentifierType, Person, PersonIdentifier

    folder = Path(tempfile.mkdtemp(prefix="casework-bench-documents-"))
    chunk = args.chunk or importer.CHUNK_ROWS
    result: dict[str, object] = {
        "files": args.files,
        "people": args.people,
        "chunk_rows": chunk,
        "hash_threads": importer.HASH_THREADS,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "note": "a shared 2-core machine, busy with other people's work: the CPU time and queries a file hold, the "
        "wall clock does not",
    }

    def backend_cpu() -> float | None:
        """The PostgreSQL backend's CPU seconds (user + system) so far, when it runs on this machine."""
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    try:
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(given_name=f"Bench{n}", family_name="Backfile") for n in range(args.people)
            )
            PersonIdentifier.objects.bulk_create(
                PersonIdentifier(person=p, type=IdentifierType.LEGACY, value=f"BENCH-{p.pk}") for p in people
            )
            lines = [",".join(importer.COLUMNS)]
            (folder / "files").mkdir()
            run_tag = time.time_ns()
            for n in range(args.files):
                content = f"Case file page {n} of the back-file ({run_tag}).\nNothing more to read.\n".encode()
                name = f"files/{n:06d}.txt"
                (folder / name).write_bytes(content)
                who = people[n % len(people)]
                row = {
                    "file": name, "person_id": "", "nhs_number": "", "legacy_id": f"BENCH-{who.pk}",
                    "document_type": "letter", "title": f"Case file page {n}", "document_date": "1999-06-01",
                    "scanned_at": "2026-10-01", "operator": "JB", "device": "Kodak i4250", "resolution_dpi": "300",
                    "colour": "greyscale", "qa_outcome": "passed", "original": "retained",
                    "sha256": hashlib.sha256(content).hexdigest(),
                }  # fmt: skip
                lines.append(",".join(row[c] for c in importer.COLUMNS))
            manifest = folder / "manifest.csv"
            manifest.write_text("\n".join(lines) + "\n")
            before = Document.objects.count()
            for label in ("first", "again"):
                timer = DbTimer()
                server = backend_cpu()
                wall, cpu = time.perf_counter(), time.process_time()
                with timer.measuring():
                    report = importer.import_manifest(manifest, chunk_rows=chunk)
                    # The audit chain's trigger runs at commit, which this rolled-back run never reaches: run it
                    # now, so its cost is measured too.
                    seal_now()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                server_after = backend_cpu()
                counts = importer.summary(report)
                per = {
                    "wall_ms_per_file": round(wall * 1000 / args.files, 2),
                    "cpu_ms_per_file": round(cpu * 1000 / args.files, 2),
                    "queries_per_file": round(timer.queries / args.files, 3),
                    "queries_per_chunk": round(timer.queries / -(-args.files // chunk), 1),
                    "db_ms_per_file": round(timer.seconds * 1000 / args.files, 2),
                    "files_per_second_by_wall_clock": round(args.files / wall, 1),
                    "counts": counts,
                }
                if server is not None and server_after is not None:
                    per["postgres_cpu_ms_per_file"] = round((server_after - server) * 1000 / args.files, 2)
                if label == "first":
                    per["minutes_for_100000_by_wall_clock"] = round(wall / args.files * AIM_FILES / 60, 1)
                    per["minutes_for_100000_by_cpu_and_db"] = round(
                        (cpu + timer.seconds) / args.files * AIM_FILES / 60, 1
                    )
                    if "postgres_cpu_ms_per_file" in per:
                        per["minutes_for_100000_by_cpu_of_both"] = round(
                            (per["cpu_ms_per_file"] + per["postgres_cpu_ms_per_file"]) * AIM_FILES / 60000, 1
                        )
                result[label] = per
                print(f"{label}: {per}")
            result["documents_added"] = Document.objects.count() - before
            raise Rollback
    except Rollback:
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    first = result["first"]
    assert isinstance(first, dict)
    print(
        f"\n{args.files:,} files: {first['cpu_ms_per_file']} ms CPU and {first['queries_per_file']} queries a file; "
        f"100,000 would take about {first['minutes_for_100000_by_cpu_and_db']} minutes of CPU and database time "
        f"(aim: under {AIM_SECONDS // 60})"
    )
    write_result("documents", result)


if __name__ == "__main__":
    main()
