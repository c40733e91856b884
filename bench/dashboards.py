"""The performance dashboard on a seeded authority: render times and query counts, for the whole authority and for
its busiest team, and one CSV download.

    .venv/bin/python bench/dashboards.py --data-dir var/large --label large [--runs 20]

Signs in (Django's test client, in-process) as a user who may see performance (the demo's performance analyst, or
any administrator, manager or reviewing officer), renders /performance/ with its default filters (the financial year
to date, children and caseloads today) `--runs` times for each case, and writes bench/results/dashboards-<label>.json.
The page's queries do not depend on the number of children (9 for the measures); the times do.
"""

from __future__ import annotations

import argparse
import time

from common import DbTimer, setup_django, summary_ms, write_result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/large")
    ap.add_argument("--label", default="large", help="names the result file: bench/results/dashboards-LABEL.json")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    setup_django(args.data_dir)
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import Membership, Role
    from cases.models import Allocation, CINEpisode, Task

    setup_test_environment()
    viewer = (
        Membership.objects.filter(
            role__in=[Role.PERFORMANCE, Role.ADMINISTRATOR, Role.TEAM_MANAGER, Role.INDEPENDENT_REVIEWING_OFFICER],
            user__is_active=True,
        )
        .order_by("role")  # "administrator" < "independent..." < "performance" < "team_manager": any will do
        .select_related("user")
        .first()
    )
    if viewer is None:
        raise SystemExit("Nobody here may see performance: seed the authority first (casework seed)")
    busiest = (
        Allocation.objects.filter(ended_on__isnull=True).values("team").annotate(n=Count("id")).order_by("-n").first()
    )
    if busiest is None:
        raise SystemExit("No allocations in this authority: seed it first (casework seed)")
    pages = {
        "authority": "/performance/",
        "busiest_team": f"/performance/?team={busiest['team']}",
        "csv_visits": "/performance/looked-after-visits.csv",
    }
    client = Client()
    client.force_login(viewer.user)
    timer = DbTimer()
    result: dict[str, object] = {
        "viewer_role": viewer.role,
        "referrals": CINEpisode.objects.count(),
        "tasks": Task.objects.count(),
        "open_allocations": Allocation.objects.filter(ended_on__isnull=True).count(),
        "busiest_team_open_allocations": busiest["n"],
    }
    for name, url in pages.items():
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        times, db, queries = [], [], set()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with timer.measuring():
                r = client.get(url)
            times.append(time.perf_counter() - t0)
            db.append(timer.seconds)
            queries.add(timer.queries)
            assert r.status_code == 200, url
        render, database = summary_ms(times), summary_ms(db)
        result[name] = {"render": render, "database": database, "queries": sorted(queries), "url": url}
        print(
            f"{name:<13} median {render['median_ms']} ms (database {database['median_ms']} ms), "
            f"p95 {render['p95_ms']} ms, queries {sorted(queries)}"
        )
    write_result(f"dashboards-{args.label}", result)


if __name__ == "__main__":
    main()
