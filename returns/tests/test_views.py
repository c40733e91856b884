"""The Returns page: who may use it, asking for a return (and the errors for what cannot be made), the background
task that makes it and its progress, downloads (audited), and the run page; in a real browser, the progress bar
reaching done and the files to download.

Tasks go through the database backend, as in production: a request queues the task when its transaction commits
(captured here), and `run_queued_tasks` runs what is queued through the backend's own worker code.
"""

from __future__ import annotations

import signal
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.models import Role, User
from audit.models import AuditEvent
from cases import services as cin
from conftest import client_for, make_user
from people.tests.factories import person
from returns import services, tasks
from returns.cin_census import build_cin_census
from returns.common import current_collection_year
from returns.models import ReturnFile, ReturnRun, RunStatus, ValidationOutcome
from returns.ssda903 import build_ssda903

from .journeys import FOSTER, YEAR, make_staff, start_care

pytestmark = pytest.mark.django_db


# --- helpers shared with test_data_quality --------------------------------------------------------------------


def run_queued_tasks() -> int:
    """Run every queued task through django-tasks-db's worker (claim, run, record the result), in this thread."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().get_locked()) is not None:
        result.claim("test-worker")
        worker.run_task(result)
        result.refresh_from_db()
        assert result.status == "SUCCESSFUL", result.traceback
        ran += 1
    return ran


def start(client: Client, capture: Any, **data: Any) -> ReturnRun:
    """Ask for a return from the page (queuing its task on commit) and return the run it redirected to."""
    with capture(execute=True):
        response = client.post("/returns/", data)
    assert response.status_code == 302, response.content.decode()
    return ReturnRun.objects.get(pk=int(response["Location"].rsplit("/", 1)[1]))


def finished_run(actor: User, *, kind: str = "cin", year: int = YEAR) -> ReturnRun:
    """A run taken through its states by the services, with no files (for pages that only read results)."""
    run = services.return_run_request(actor=actor, kind=kind, year=year)
    started = services.return_run_start(run_id=run.pk)
    assert started is not None
    services.return_run_files_record(run=started, files=[], children=0)
    return services.return_run_finish(run=started)


# --- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a server where scripts/install-validators.sh was never run."""
    monkeypatch.setattr("returns.tasks.validators_installed", lambda: False)


def children_in_need() -> list[Any]:
    """Two children with referrals in 2025-26, made through the services."""
    _, _, manager, team = make_staff()
    made = []
    for given, family in (("Nadia", "Ahmed"), ("Callum", "Doyle")):
        child = person(given, family, date(2016, 5, 12), sex="F", ethnicity="APKN")
        episode = cin.referral_create(
            actor=manager, person=child, referral_date=date(2025, 6, 2), source="2A", primary_need="N4", team=team
        )
        cin.episode_close(actor=manager, episode=episode, closure_date=date(2025, 6, 3), reason="RC8")
        made.append(child)
    return made


# --- who may use the pages ------------------------------------------------------------------------------------


def test_performance_team_and_administrators_reach_the_returns_page(pat, team_a):
    assert pat.get("/returns/").status_code == 200
    admin = make_user("ada.admin@example.test", team_a, Role.ADMINISTRATOR)
    assert client_for(admin).get("/returns/").status_code == 200


def test_social_worker_manager_and_outsider_are_refused_every_page(alice, manager, charlie, performance):
    run = finished_run(performance)
    for user in (alice, manager, charlie):
        client = client_for(user)
        for url in ("/returns/", f"/returns/runs/{run.pk}", f"/returns/runs/{run.pk}/status", "/returns/data-quality"):
            assert client.get(url).status_code == 403, (user, url)
        assert client.post("/returns/", {"kind": "cin", "year": YEAR}).status_code == 403
    assert ReturnRun.objects.count() == 1


def test_signed_out_visitor_is_sent_to_sign_in():
    response = Client().get("/returns/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- asking for a return ----------------------------------------------------------------------------------------


def test_page_offers_the_latest_ended_year_first(pat):
    html = pat.get("/returns/").content.decode()
    latest_ended = current_collection_year() - 1
    assert f'type="radio" value="{latest_ended}" checked' in html
    assert "(1 April 2024 to 31 March 2025)" in html  # 2024-25, the first year returns can be made for


def test_no_year_is_refused_and_nothing_is_started(pat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = pat.post("/returns/", {"kind": "cin"})
    assert response.status_code == 400
    assert "Select the collection year" in response.content.decode()
    assert '<a href="#id_year_0">Select the collection year</a>' in response.content.decode()
    assert ReturnRun.objects.count() == 0 and DBTaskResult.objects.count() == 0


def test_no_return_chosen_is_refused(pat):
    response = pat.post("/returns/", {"year": YEAR})
    assert response.status_code == 400 and "Select the return to make" in response.content.decode()
    assert ReturnRun.objects.count() == 0


def test_a_year_not_offered_is_refused(pat):
    for year in ("2019", str(current_collection_year() + 1), "last year"):
        response = pat.post("/returns/", {"kind": "cin", "year": year})
        assert response.status_code == 400 and "Select a collection year from the list" in response.content.decode()
    assert ReturnRun.objects.count() == 0


def test_service_refuses_years_with_plain_reasons(performance):
    from core.errors import RuleError

    with pytest.raises(RuleError) as early:
        services.return_run_request(actor=performance, kind="cin", year=2019)
    assert early.value.errors == {
        "year": "Returns can be made from the 2024-25 collection year onwards: earlier years used different codes"
    }
    with pytest.raises(RuleError) as later:
        services.return_run_request(actor=performance, kind="cin", year=current_collection_year() + 1)
    assert "has not started yet" in later.value.errors["year"]
    with pytest.raises(RuleError) as kind:
        services.return_run_request(actor=performance, kind="census", year=YEAR)
    assert kind.value.errors == {"kind": "Select the return to make"}
    assert ReturnRun.objects.count() == 0


def test_last_years_tables_for_the_first_year_are_refused(pat):
    response = pat.post("/returns/", {"kind": "ssda903", "year": 2025, "with_previous": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Last year&#x27;s tables can be made from 2024-25 onwards: for 2024-25, leave this unticked" in html
    assert 'value="ssda903" aria-describedby="id_kind_1-hint" checked' in html
    assert ReturnRun.objects.count() == 0


def test_asking_queues_the_task_and_audits_the_request(pat, performance, django_capture_on_commit_callbacks):
    run = start(pat, django_capture_on_commit_callbacks, kind="ssda903", year=YEAR, with_previous="on")
    assert (run.kind, run.year, run.with_previous, run.status, run.requested_by) == (
        "ssda903",
        YEAR,
        True,
        RunStatus.QUEUED,
        performance,
    )
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "returns.tasks.produce_return" and queued.args_kwargs["args"] == [run.pk]
    event = AuditEvent.objects.get(object_type="returnrun", action="create")
    assert event.actor == performance and event.changes["new"] == {
        "kind": "ssda903",
        "year": YEAR,
        "with_previous": True,
    }


def test_the_same_return_twice_at_once_is_refused(pat, django_capture_on_commit_callbacks):
    first = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    response = pat.post("/returns/", {"kind": "cin", "year": YEAR})
    assert response.status_code == 400
    assert "The CIN census for 2025-26 is already being made (asked for by Pat Tester)" in response.content.decode()
    assert list(ReturnRun.objects.all()) == [first]


def test_a_run_not_heard_of_for_long_is_failed_and_a_new_one_started(pat, django_capture_on_commit_callbacks):
    stuck = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    ReturnRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - services.STALE_AFTER - timedelta(1))
    again = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    stuck.refresh_from_db()
    assert again.pk != stuck.pk and stuck.status == RunStatus.FAILED
    assert "the task worker was stopped or restarted" in stuck.error_message
    assert run_queued_tasks() == 2  # the stale run's task, if it ever comes, does nothing
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED


# --- making it: progress, files, failure ---------------------------------------------------------------------------


def test_year_with_no_data_fails_with_a_clear_message(pat, returns_dir, django_capture_on_commit_callbacks):
    run = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    assert run_queued_tasks() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error_message == "No children had children-in-need activity in 2025-26"
    html = pat.get(f"/returns/runs/{run.pk}").content.decode()
    assert "The return could not be made" in html and "No children had children-in-need activity in 2025-26" in html
    assert "Download" not in html and not run.files.exists()
    status = pat.get(f"/returns/runs/{run.pk}/status").json()
    assert (status["status"], status["finished"], status["error"]) == ("failed", True, run.error_message)


def test_progress_is_recorded_as_the_return_is_made(
    pat, returns_dir, unchecked, monkeypatch, django_capture_on_commit_callbacks
):
    children_in_need()
    seen: list[tuple[int, int, int, str]] = []
    record = services.return_run_progress

    def spy(*, run: ReturnRun, percent: int, done: int, total: int, stage: str) -> None:
        record(run=run, percent=percent, done=done, total=total, stage=stage)
        stored = ReturnRun.objects.get(pk=run.pk)  # what the page would read now
        seen.append((stored.percent, stored.progress_done, stored.progress_total, stored.stage))

    monkeypatch.setattr(services, "return_run_progress", spy)
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL_SECONDS", 0)
    run = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    assert pat.get(f"/returns/runs/{run.pk}/status").json()["percent"] == 0
    run_queued_tasks()

    percents = [p for p, *_ in seen]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100
    stages = [s for *_, s in seen]
    assert "Finding the children in need in 2025-26" in stages
    assert (0, 2, "Writing each child's record") in [(d, t, s) for _, d, t, s in seen]
    assert (1, 2, "Writing each child's record") in [(d, t, s) for _, d, t, s in seen]
    assert "Recording the files and their SHA-256" in stages
    status = pat.get(f"/returns/runs/{run.pk}/status").json()
    assert status == {
        "id": run.pk,
        "status": "done",
        "status_label": "Done",
        "finished": True,
        "percent": 100,
        "stage": "Done",
        "done": status["done"],
        "total": status["total"],
        "error": "",
    }


def test_builders_report_progress():
    children_in_need()
    calls: list[tuple[int, int, str]] = []
    build_cin_census(YEAR, progress=lambda d, t, s: calls.append((d, t, s)))
    assert calls[0] == (0, 0, "Finding the children in need in 2025-26")
    assert calls[-1] == (2, 2, "Writing the census file")


def test_ssda903_builder_reports_each_step(tmp_path):
    _, _, manager, _ = make_staff()
    start_care(manager, person("Leo", "Campbell", date(2014, 7, 3), sex="M"), date(2025, 7, 10), "V2", FOSTER)
    calls: list[tuple[int, int, str]] = []
    build_ssda903(YEAR, tmp_path, previous=True, progress=lambda d, t, s: calls.append((d, t, s)))
    assert [(d, t) for d, t, _ in calls] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert calls[3][2] == "Writing the 2024-25 tables"


def test_cin_census_files_downloads_and_page_without_validators(
    pat, performance, alice, returns_dir, unchecked, django_capture_on_commit_callbacks
):
    children_in_need()
    run = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    run_queued_tasks()
    run.refresh_from_db()
    assert (run.status, run.percent, run.children, run.validation) == ("done", 100, 2, ValidationOutcome.NOT_INSTALLED)
    file = run.files.get()
    path = returns_dir / str(run.pk) / "cin-census-2026.xml"
    assert file.name == "cin-census-2026.xml" and file.size == path.stat().st_size
    assert file.sha256 == tasks.sha256_of(path)

    html = pat.get(f"/returns/runs/{run.pk}").content.decode()
    assert f'href="/returns/runs/{run.pk}/files/{file.pk}" download>Download cin-census-2026.xml</a>' in html
    assert file.sha256 in html and 'value="100"' in html
    assert "The DfE validators are not installed on this server, so the return was not checked" in html

    exports = AuditEvent.objects.filter(action="export", object_type="returnfile")
    assert client_for(alice).get(f"/returns/runs/{run.pk}/files/{file.pk}").status_code == 403
    assert not exports.exists()
    response = pat.get(f"/returns/runs/{run.pk}/files/{file.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cin-census-2026.xml"'
    assert b"".join(response.streaming_content) == path.read_bytes()
    event = exports.get()
    assert event.actor == performance and event.context["sha256"] == file.sha256


def test_a_changed_file_is_not_sent(pat, returns_dir, unchecked, django_capture_on_commit_callbacks):
    children_in_need()
    run = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    run_queued_tasks()
    file = ReturnFile.objects.get(run=run)
    (returns_dir / str(run.pk) / file.name).write_bytes(b"<Message>edited</Message>")
    response = pat.get(f"/returns/runs/{run.pk}/files/{file.pk}")
    assert response.status_code == 409
    assert "The file has changed since it was made, so it is not sent" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_ssda903_with_last_years_tables_and_a_zip(pat, returns_dir, unchecked, django_capture_on_commit_callbacks):
    import zipfile

    _, _, manager, _ = make_staff()
    start_care(manager, person("Leo", "Campbell", date(2014, 7, 3), sex="M"), date(2024, 7, 10), "V2", FOSTER)
    run = start(pat, django_capture_on_commit_callbacks, kind="ssda903", year=YEAR, with_previous="on")
    run_queued_tasks()
    run.refresh_from_db()
    assert run.status == "done" and run.children == 1
    bundle = run.files.get(is_bundle=True)
    assert bundle.name == "ssda903-2026.zip"
    with zipfile.ZipFile(returns_dir / str(run.pk) / bundle.name) as z:
        names = z.namelist()
    assert "episodes.csv" in names and "previous/episodes.csv" in names
    previous = run.files.get(name="ssda903-2026/previous/episodes.csv")
    assert previous.previous_year and previous.download_name == "previous-year-episodes.csv"
    html = pat.get(f"/returns/runs/{run.pk}").content.decode()
    assert "Download ssda903-2026.zip" in html and '<h3 class="govuk-heading-s">Last year\'s tables</h3>' in html
    assert "Download previous-year-episodes.csv" in html


def test_recent_runs_are_listed(pat, performance):
    run = finished_run(performance)
    html = pat.get("/returns/").content.decode()
    assert f'<a class="govuk-link" href="/returns/runs/{run.pk}">CIN census 2025-26</a>' in html
    assert "by Pat Tester" in html


def test_run_page_warns_when_the_worker_seems_stopped(pat, django_capture_on_commit_callbacks):
    run = start(pat, django_capture_on_commit_callbacks, kind="cin", year=YEAR)
    assert "the task worker may not be running" not in pat.get(f"/returns/runs/{run.pk}").content.decode()
    ReturnRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    html = pat.get(f"/returns/runs/{run.pk}").content.decode()
    assert "the task worker may not be running" in html and "Refresh this page" in html


# --- the worker -------------------------------------------------------------------------------------------------


def without_worker_signals(run: Any) -> None:
    """Run `run` (which starts a worker, which takes over Ctrl+C), then give the signals back to pytest."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        run()
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_casework_worker_makes_queued_returns(allow_audit_flush, performance, returns_dir, unchecked):
    from casework.cli import main

    children_in_need()
    run = services.return_run_request(actor=performance, kind="cin", year=YEAR)  # queued when it commits
    assert DBTaskResult.objects.count() == 1
    without_worker_signals(
        lambda: main(["casework", "worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"])
    )
    run.refresh_from_db()
    assert (run.status, run.percent, run.children) == (RunStatus.DONE, 100, 2)
    assert DBTaskResult.objects.get(task_path="returns.tasks.produce_return").status == "SUCCESSFUL"
    # The worker also queued the daily purge of used one-time keys, for tomorrow (core.tasks).
    assert DBTaskResult.objects.get(task_path="core.tasks.idempotency_keys_purge_daily").status == "READY"


# --- in a browser -------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_progress_bar_reaches_done_and_offers_the_download(
    allow_audit_flush, live_server, browser_page, team_a, returns_dir
):
    from casework.tests.browser import assert_accessible, sign_in

    performance = make_user("pat.performance@example.test", team_a, Role.PERFORMANCE)
    children_in_need()
    page, base = browser_page, live_server.url
    sign_in(page, base, performance.email)

    page.goto(f"{base}/returns/")
    assert_accessible(page)
    page.get_by_role("button", name="Make the return").click()  # nothing chosen
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Select the return to make" in page.content()
    assert_accessible(page)
    page.get_by_label("CIN census").check()
    page.get_by_label("2025-26 (1 April 2025 to 31 March 2026)").check()
    page.get_by_role("button", name="Make the return").click()
    page.wait_for_url("**/returns/runs/*")
    assert page.locator("#run-status").inner_text() == "Waiting to start"
    assert page.locator("#run-progress-bar").get_attribute("value") == "0"
    assert page.locator("#run-refresh").is_hidden()  # the script polls instead
    assert_accessible(page)

    # The worker, as `casework worker` runs it, while the page polls.
    without_worker_signals(
        lambda: call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)
    )

    download = page.get_by_role("link", name="Download cin-census-2026.xml")
    download.wait_for(state="visible")
    assert page.locator("#run-status").inner_text() == "Done"
    assert page.locator("#run-progress-bar").get_attribute("value") == "100"
    assert_accessible(page)
    with page.expect_download() as got:
        download.click()
    run = ReturnRun.objects.get()
    assert got.value.suggested_filename == "cin-census-2026.xml"
    assert tasks.sha256_of(Path(got.value.path())) == run.files.get().sha256

    page.goto(f"{base}/returns/data-quality?year={YEAR}")
    assert_accessible(page)
    if run.validation == ValidationOutcome.CHECKED:
        assert "Issues by rule" in page.content()
    else:
        assert "No return for 2025-26 has been checked" in page.content()
