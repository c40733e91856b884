"""`casework people import` at scale: generates a CSV of N people and loads it into a fresh database.

    .venv/bin/python bench/import_people.py [--rows 1000000] [--data-dir var/bench-import]

Names come from the demo generator's pools (England's mix of names), with realistic faults: about 1% bad rows (bad
NHS check digits, impossible dates) and 2% rows that repeat someone earlier in the file under a new source_id with a
small spelling change, so the duplicate check has work.
Prints rows per second for the first load and for a second load of the same file (which must add nothing).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from common import ROOT, write_result

sys.path.insert(0, str(ROOT))


def _name_pools() -> tuple:
    """The demo generator's name pools. They need Django set up, though not a database."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.dev")
    os.environ["CASEWORK_NO_DATABASE"] = "1"
    import django

    django.setup()
    from demo.names import origin_for, pick_ethnicity

    return origin_for, pick_ethnicity


def nhs(rng: random.Random) -> str:
    while True:
        nine = "999" + f"{rng.randrange(10**6):06d}"
        total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return nine + str(check)


def make_csv(path: Path, rows: int, seed: int = 3) -> None:
    origin_for, pick_ethnicity = _name_pools()
    rng = random.Random(seed)
    used: set[str] = set()
    written: list[tuple[str, str, str]] = []
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source_id", "given_name", "family_name", "date_of_birth", "sex", "nhs_number", "postcode"])
        for i in range(rows):
            r = rng.random()
            if r < 0.02 and written:
                g, f, d = rng.choice(written)
                f = f[:-1] + rng.choice("aeiou") if len(f) > 3 else f
                w.writerow([f"B{i}", g, f, d, "", "", ""])
                continue
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(30000))
            sex = rng.choice("MF")
            origin = origin_for(rng, pick_ethnicity(rng))
            g, f = origin.given(rng, sex, born.year), origin.surname_for(origin.surname(rng), sex)
            d = born.isoformat()
            n = ""
            if rng.random() < 0.6:
                n = nhs(rng)
                if n in used:
                    n = ""
                used.add(n)
            if r > 0.99:
                n, d = (n[:-1] + str((int(n[-1]) + 1) % 10), d) if n else ("", "2020-02-30")
            w.writerow(
                [
                    f"S{i}",
                    g,
                    f,
                    d,
                    sex,
                    n,
                    f"LE{rng.randrange(1, 19)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXY')}{rng.choice('ABDEFGHJLNPQRSTUWXY')}",
                ]
            )
            if len(written) < 100000:
                written.append((g, f, d))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data-dir", default="var/bench-import")
    args = ap.parse_args()
    data = (ROOT / args.data_dir).resolve()
    if (data / "postgres").exists():
        sys.exit(f"{data} already has a database: remove it or choose another --data-dir")
    data.mkdir(parents=True, exist_ok=True)
    csv_path = data / f"people-{args.rows}.csv"
    t0 = time.perf_counter()
    make_csv(csv_path, args.rows)
    print(f"wrote {args.rows:,} rows to {csv_path} in {time.perf_counter() - t0:.1f} s")
    env = {**__import__("os").environ, "CASEWORK_DATA_DIR": str(data), "CASEWORK_DEMO_MODE": "0"}
    env.pop("CASEWORK_NO_DATABASE", None)  # set for the name pools in this process; the import needs its database
    casework = str(ROOT / ".venv" / "bin" / "casework")
    subprocess.run([casework, "manage", "migrate", "-v", "0"], check=True, env=env)
    runs = {}
    for label in ("first_load", "second_load"):
        t0 = time.perf_counter()
        out = subprocess.run(
            [casework, "people", "import", str(csv_path)], check=True, env=env, capture_output=True, text=True
        )
        secs = time.perf_counter() - t0
        summary = out.stdout.strip().splitlines()[-1]
        runs[label] = {"seconds": round(secs, 1), "rows_per_second": round(args.rows / secs), "summary": summary}
        print(f"{label}: {secs:.1f} s ({args.rows / secs:,.0f} rows/s)\n  {summary}")
    write_result("import_people", {"rows": args.rows, **runs})


if __name__ == "__main__":
    main()
