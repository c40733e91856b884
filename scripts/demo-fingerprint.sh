#!/usr/bin/env bash
# A fingerprint of the demo authority for one seed: the seed's journey digest and the SHA-256 of its CIN census and
# SSDA903 files. Used to prove that a restructure changes nothing a user or DfE would see: run it before and after,
# on the same day, and compare (`diff before.txt after.txt`).
#
#   scripts/demo-fingerprint.sh [SEED] > fingerprint.txt
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${1:-1}"
base="${CASEWORK_DATA_DIR:-$PWD/var}"
mkdir -p "$base"
base="$(cd "$base" && pwd)"
dir="$base/fingerprint-seed$seed"
rm -rf "$dir"
mkdir -p "$dir"
export CASEWORK_DATA_DIR="$dir"
casework=".venv/bin/casework"
year="$(.venv/bin/python -c 'import datetime; d = datetime.date.today(); print(d.year if d.month >= 4 else d.year - 1)')"
"$casework" seed --size demo --seed "$seed" > "$dir/seed.log" 2>&1
# (returns are made for the collection year that has ended, on the day the script runs)
"$casework" returns cin --year "$year" --out "$dir/cin.xml" > /dev/null
# The census header says when the file was made (<DateTime>): the one value that differs between two runs.
sed -i 's#<DateTime>[^<]*</DateTime>#<DateTime>(when made)</DateTime>#' "$dir/cin.xml"
"$casework" returns ssda903 --year "$year" --out "$dir/ssda903" --with-previous > /dev/null
echo "day $(date +%F) seed $seed year $year"
grep -iE "digest" "$dir/seed.log" || true
# The CIN census header carries the time the file was made (<DateTime>): blank it so equal data hash equal.
sed -E 's#<DateTime>[^<]*</DateTime>#<DateTime/>#' "$dir/cin.xml" > "$dir/cin-undated.xml"
(cd "$dir" && find cin-undated.xml ssda903 -type f | sort | xargs sha256sum | sed "s#  # #")
