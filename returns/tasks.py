"""Making a return in the background: the task the Returns page queues, run by `casework worker`.

`produce_return(run_id)` builds the CIN census or the SSDA903 from the record, writes the files under
$CASEWORK_DATA_DIR/returns/<run id>/, hashes them, checks the return with DfE's rules when the validators are
installed (and says plainly when they are not), and records the issues found for the data quality page. It records
its progress in the run's row as it goes, each update in its own short transaction, so the page sees it move.

A return that cannot be made (no children that year, a folder that cannot be written) fails the run with a message
saying why; the validator failing to run does not: the files are made, and the run says the check could not be done.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from casework.db import data_dir
from core.replica import reads_from_replica

from . import services
from .cin_census import build_cin_census
from .common import CollectionYear, ReturnError
from .models import ReturnFile, ReturnKind, ReturnRun, ValidationOutcome
from .services import WrittenFile
from .ssda903 import PREVIOUS_FOLDER, build_ssda903
from .validate import INSTALL_HINT, validate_cin, validate_ssda903, validators_installed

logger = logging.getLogger(__name__)

# How the progress bar is shared between the steps (percent at the end of each).
BUILT, HASHED = 70, 75
BUILT_UNCHECKED, HASHED_UNCHECKED = 90, 97
# At most one progress write this often while the same stage goes on.
PROGRESS_INTERVAL_SECONDS = 0.5
CHUNK = 1024 * 1024


def returns_folder() -> Path:
    """Where runs write their files: $CASEWORK_DATA_DIR/returns."""
    return data_dir() / "returns"


def run_folder(run: ReturnRun) -> Path:
    return returns_folder() / str(run.pk)


def file_path(file: ReturnFile) -> Path:
    """The file on disk, refused (ValueError) if its name would lead outside its run's folder."""
    folder = (returns_folder() / str(file.run_id)).resolve()
    path = (folder / file.name).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(f"{file.name} is outside the run's folder")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class Progress:
    """Turns a builder's progress(done, total, stage) into the run's percent and stage, writing at most every
    PROGRESS_INTERVAL_SECONDS unless the stage changes."""

    def __init__(self, run: ReturnRun, *, start: int, end: int) -> None:
        self.run = run
        self.start, self.end = start, end
        self.last_write = 0.0
        self.last_stage = ""

    def build(self, done: int, total: int, stage: str) -> None:
        fraction = min(1.0, done / total) if total > 0 else 0.0
        self.set(self.start + round((self.end - self.start) * fraction), stage, done, total)

    def set(self, percent: int, stage: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if stage == self.last_stage and now - self.last_write < PROGRESS_INTERVAL_SECONDS and done < total:
            return
        self.last_write, self.last_stage = now, stage
        services.return_run_progress(
            run=self.run, percent=max(percent, self.run.percent), done=done, total=total, stage=stage
        )


def _prepare_folder(folder: Path) -> None:
    """An empty folder for the run. One left by a database that was reset (run ids start again) is moved aside,
    not deleted."""
    try:
        if folder.exists() and any(folder.iterdir()):
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            folder.rename(folder.with_name(f"{folder.name}-superseded-{stamp}"))
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReturnError(f"Cannot create the folder {folder} for the return's files: {e.strerror or e}") from e


def _write_atomically(path: Path, content: bytes) -> None:
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
            tmp.write(content)
        os.replace(tmp.name, path)
    except OSError as e:
        raise ReturnError(f"Cannot write {path}: {e.strerror or e}") from e


def _zip(folder: Path, target: Path) -> None:
    """All the tables in one file, last year's in previous/ as the validator expects them."""
    try:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(folder.rglob("*.csv")):
                bundle.write(path, path.relative_to(folder).as_posix())
    except OSError as e:
        raise ReturnError(f"Cannot write {target}: {e.strerror or e}") from e


def _hashed(folder: Path, paths: Iterable[Path], *, bundle: Path | None = None) -> list[WrittenFile]:
    out = []
    for path in paths:
        relative = path.relative_to(folder)
        out.append(
            WrittenFile(
                name=relative.as_posix(),
                size=path.stat().st_size,
                sha256=sha256_of(path),
                previous_year=PREVIOUS_FOLDER in relative.parts[:-1],
                is_bundle=path == bundle,
            )
        )
    return out


def _build(run: ReturnRun, folder: Path, progress: Progress) -> tuple[list[Path], Path | None, int, Path]:
    """Write the return; the files, the bundle (SSDA903), the children in it, and what the validator reads."""
    if run.kind == ReturnKind.CIN_CENSUS:
        with reads_from_replica():  # the year's records; progress ticks are writes, so they go to the primary
            xml = build_cin_census(run.year, progress=progress.build)
        path = folder / f"cin-census-{run.year}.xml"
        _write_atomically(path, xml)
        return [path], None, xml.count(b"<Child>"), path
    tables = folder / f"ssda903-{run.year}"
    with reads_from_replica():
        written = build_ssda903(run.year, tables, previous=run.with_previous, progress=progress.build)
    bundle = folder / f"ssda903-{run.year}.zip"
    progress.set(progress.end, "Putting the tables in one ZIP file")
    _zip(tables, bundle)
    csvs = sorted(tables.glob("*.csv")) + sorted((tables / PREVIOUS_FOLDER).glob("*.csv"))
    return [bundle, *csvs], bundle, written.children, tables


def _validate(run: ReturnRun, checked: Path) -> None:
    if run.kind == ReturnKind.CIN_CENSUS:
        report = validate_cin(checked, run.year)
    else:
        report = validate_ssda903(checked, run.year)
    services.return_run_validation_record(run=run, outcome=ValidationOutcome.CHECKED, report=report)


def make_return(run_id: int) -> str:
    """Make the return of a queued run (see the module's docstring). Returns the run's status."""
    run = services.return_run_start(run_id=run_id)
    if run is None:
        return "not waiting"
    check = validators_installed()
    built, hashed = (BUILT, HASHED) if check else (BUILT_UNCHECKED, HASHED_UNCHECKED)
    progress = Progress(run, start=2, end=built)
    try:
        folder = run_folder(run)
        _prepare_folder(folder)
        paths, bundle, children, checked = _build(run, folder, progress)
        progress.set(built, "Recording the files and their SHA-256")
        services.return_run_files_record(run=run, files=_hashed(folder, paths, bundle=bundle), children=children)
        progress.set(hashed, "Files ready")
        if not check:
            services.return_run_validation_record(
                run=run,
                outcome=ValidationOutcome.NOT_INSTALLED,
                message=f"The DfE validators are not installed on this server, so the return was not checked: "
                f"an administrator can install them ({INSTALL_HINT}).",
            )
        else:
            progress.set(hashed, "Checking the return with DfE's rules (this can take a few minutes)")
            try:
                _validate(run, checked)
            except ReturnError as e:
                services.return_run_validation_record(run=run, outcome=ValidationOutcome.FAILED, message=str(e))
        services.return_run_finish(run=run)
    except ReturnError as e:
        services.return_run_fail(run=run, message=str(e))
    except Exception as e:
        logger.exception("Return run %s failed", run.pk)
        services.return_run_fail(
            run=run,
            message=f"The {run.get_kind_display()} for {CollectionYear(run.year).label} could not be made because "
            f"of a fault in Casework ({type(e).__name__}). The details are in the task worker's log: tell your "
            "system administrator.",
        )
        raise
    return run.status


@task()
def produce_return(run_id: int) -> str:
    """The background task queued by services.return_run_request."""
    return make_return(run_id)
