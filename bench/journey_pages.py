"""My caseload, the team dashboard and a child's record on a seeded authority: render times and query counts.

    .venv/bin/python bench/journey_pages.py --data-dir var/large [--runs 30]

Picks the busiest worker, the busiest team and the child with the longest history, signs in as them in-process
(Django's test client) and renders each page `--runs` times. Issue 3's aims: caseload and team dashboard under
300 ms, a child's summary under 150 ms, with a fixed number of queries.
"""

from __future__ import annotations

import argparse
import time

from common import DbTimer, setup_django, summary_ms, write_result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/large")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    setup_django(args.data_dir)
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Membership, Role, User
    from cases.models import Allocation
    from people.models import Person

    setup_test_environment()
    busiest = (
        Allocation.objects.filter(ended_on__isnull=True).values("worker").annotate(n=Count("id")).order_by("-n").first()
    )
    if busiest is None:
        raise SystemExit("No allocations in this authority: seed it first (casework seed)")
    worker = User.objects.get(pk=busiest["worker"])
    manager_m = (
        Membership.objects.filter(role=Role.TEAM_MANAGER).annotate(n=Count("team__memberships")).order_by("-n").first()
    )
    child = (
        Person.objects.annotate(n=Count("chronology")).filter(allocations__ended_on__isnull=True).order_by("-n").first()
    )
    assert manager_m is not None and child is not None
    pages = {
        "my_caseload": (worker, "/cases/caseload"),
        "team_dashboard": (manager_m.user, f"/cases/team/{manager_m.team_id}"),
        "child_record": (worker, f"/people/{child.pk}"),
    }
    timer = DbTimer()
    result: dict[str, object] = {"caseload_size": busiest["n"], "child_chronology_entries": child.n}
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        times, db, queries = [], [], set()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with timer.measuring():
                r = client.get(url)
            times.append(time.perf_counter() - t0)
            db.append(timer.seconds)
            queries.add(timer.queries)
            assert r.status_code == 200
        result[name] = {"render": summary_ms(times), "database": summary_ms(db), "queries": sorted(queries), "url": url}
        print(
            f"{name:<15} median {summary_ms(times)['median_ms']} ms, p95 {summary_ms(times)['p95_ms']} ms, queries {sorted(queries)}"
        )
    write_result("journey_pages", result)


if __name__ == "__main__":
    main()
