"""The person page (summary + first chronology page) of a child with 5,000 chronology entries.

    .venv/bin/python bench/chronology.py [--data-dir var/bench] [--entries 5000] [--runs 50]

Uses a data folder of its own (its own embedded PostgreSQL), migrates it, makes the child through the real
services once, then renders the page in-process with Django's test client, as a signed-in social worker.
Prints the median and p95 render time and the number of SQL queries (which must not grow with the history).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from common import DbTimer, setup_django, summary_ms, write_result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="var/bench")
    ap.add_argument("--entries", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    setup_django(args.data_dir)
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.models import Role, Team, User
    from accounts.services import membership_add
    from people import services
    from people.models import PersonIdentifier
    from recording import services as recording

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    user = User.objects.filter(email="bench@example.test").first()
    if user is None:
        team = Team.objects.create(name="Bench team")
        user = User.objects.create_user(username="bench@example.test", email="bench@example.test", password="x" * 20)
        membership_add(actor=None, user=user, team=team, role=Role.SOCIAL_WORKER)
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    marker = f"bench-chronology-{args.entries}"
    ident = PersonIdentifier.objects.filter(type="legacy", value=marker).first()
    if ident is None:
        child = services.person_create(
            actor=user, given_name="Bench", family_name="Child", date_of_birth=date(2010, 1, 1)
        )
        services.identifier_add(actor=user, person=child, type="legacy", value=marker)
        start = timezone.now() - timedelta(days=args.entries)
        t0 = time.perf_counter()
        for i in range(args.entries):
            when = start + timedelta(days=i)
            if i % 4 == 0:
                recording.visit_record(
                    actor=user,
                    person=child,
                    occurred_at=when,
                    visit_type="home",
                    child_seen=True,
                    seen_alone=i % 8 == 0,
                    notes=f"Visit {i}: the child showed me their room and talked about school.",
                )
            else:
                recording.case_note_create(
                    actor=user,
                    person=child,
                    occurred_at=when,
                    subject=f"Case note {i}",
                    body="Spoke with the family about the plan. " * 8,
                )
        print(f"made a child with {args.entries} entries through the services in {time.perf_counter() - t0:.1f} s")
    else:
        child = ident.person

    client = Client()
    client.force_login(user)
    url = f"/people/{child.pk}"
    for _ in range(5):
        assert client.get(url).status_code == 200
    timer = DbTimer()
    times, db_times, queries = [], [], set()
    for _ in range(args.runs):
        t0 = time.perf_counter()
        with timer.measuring():
            r = client.get(url)
        times.append(time.perf_counter() - t0)
        db_times.append(timer.seconds)
        queries.add(timer.queries)
        assert r.status_code == 200
    page2 = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        client.get(url + "?page=150")
        page2.append(time.perf_counter() - t0)
    filtered = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        client.get(url + "?type=visit&from=2015-01-01")
        filtered.append(time.perf_counter() - t0)
    result = {
        "entries": child.chronology.count(),
        "queries_per_request": sorted(queries),
        "first_page": summary_ms(times),
        "first_page_database": summary_ms(db_times),
        "page_150": summary_ms(page2),
        "filtered_visits": summary_ms(filtered),
        "html_bytes": len(r.content),
    }
    print(f"Person page of a child with {result['entries']:,} chronology entries ({args.runs} renders each)")
    print(
        f"  first page: median {result['first_page']['median_ms']} ms, p95 {result['first_page']['p95_ms']} ms "
        f"(database {result['first_page_database']['median_ms']} ms), {result['queries_per_request']} queries"
    )
    print(f"  page 150:   median {result['page_150']['median_ms']} ms, p95 {result['page_150']['p95_ms']} ms")
    print(
        f"  filtered:   median {result['filtered_visits']['median_ms']} ms, p95 {result['filtered_visits']['p95_ms']} ms"
    )
    write_result("chronology", result)


if __name__ == "__main__":
    main()
