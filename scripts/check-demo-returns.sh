#!/usr/bin/env bash
# Make the demo authority's statutory returns and check them with DfE's validators, as CI does (`make returns-check`).
#
# Seeds a fresh demo authority in a data folder of its own ($CASEWORK_DATA_DIR/returns-check), writes the CIN census
# and the SSDA903 (with the previous year's tables) for the latest collection year that has ended, and validates both.
# `casework returns validate` fails on any error the record does not show to be a false positive of the local tools
# (returns/false_positives.py); queries are listed and explained in returns/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${CASEWORK_DATA_DIR:-$PWD/var}"
mkdir -p "$base"
base="$(cd "$base" && pwd)"
dir="$base/returns-check"
rm -rf "$dir"
mkdir -p "$dir"
export CASEWORK_DATA_DIR="$dir"
casework=".venv/bin/casework"
year="$(.venv/bin/python -c 'import datetime; d = datetime.date.today(); print(d.year if d.month >= 4 else d.year - 1)')"

echo "Seeding a demo authority in $dir…"
"$casework" seed --size demo > "$dir/seed.log"
grep -E "Seeded|refused" "$dir/seed.log" || true
echo
"$casework" returns cin --year "$year" --out "$dir/cin-$year.xml"
"$casework" returns validate cin "$dir/cin-$year.xml" --year "$year"
echo
"$casework" returns ssda903 --year "$year" --out "$dir/ssda903-$year" --with-previous
"$casework" returns validate ssda903 "$dir/ssda903-$year" --year "$year"
