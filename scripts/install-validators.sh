#!/usr/bin/env bash
# Installs the DfE's own validators for the statutory returns (Data to Insight's implementations of the DfE rules)
# into a virtual environment of their own: they need pandas below 2 and numpy below 2, which Casework does not use.
#
#   csc-validator-be-cin  the CIN census rules (cin_validator)
#   csc-validator-be-903  the SSDA903 rules (lac_validator)
#
# The venv is $CASEWORK_VALIDATORS_DIR/venv (default .validators/venv at the repository root, gitignored): one per
# checkout, whatever data folder ($CASEWORK_DATA_DIR) Casework runs on. returns/validate.py runs its python (it reads
# the same folder from settings.CASEWORK_VALIDATORS_DIR, which takes the same environment variable and default).
# Versions are pinned: a new release can add or change rules, so upgrade deliberately (bump the pins, re-run the
# validator tests: .venv/bin/pytest -q -m validators returns). Re-running the script is safe.
#
# Needs Python 3.9 to 3.11 (numpy 1.24 and pandas 1.5 have no wheels for 3.12 or later). Set PYTHON to choose one.
set -euo pipefail
cd "$(dirname "$0")/.."

CIN_VERSION=0.1.13
LAC_VERSION=0.1.17
# The versions these were tested with (the packages allow ranges; pinning keeps results reproducible).
PANDAS_VERSION=1.5.3
NUMPY_VERSION=1.24.4

validators_dir="${CASEWORK_VALIDATORS_DIR:-$PWD/.validators}"
venv="$validators_dir/venv"

supported() {  # prints the version of the python given if it runs and is 3.9 to 3.11
  "$1" -c 'import sys; v = sys.version_info[:2]; print("%d.%d" % v); sys.exit(0 if (3, 9) <= v <= (3, 11) else 1)' \
    2>/dev/null
}

if [[ -n "${PYTHON:-}" ]]; then
  python="$PYTHON"
  if ! version="$(supported "$python")"; then
    echo "$python is not a Python 3.9, 3.10 or 3.11 that runs here${version:+ (it is $version)}." >&2
    echo "The validators need one: numpy<1.25 and pandas<2 have no wheels for later versions." >&2
    exit 1
  fi
else
  python=""
  for candidate in python3.11 python3.10 python3.9 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && version="$(supported "$candidate")"; then
      python="$candidate"
      break
    fi
  done
  if [[ -z "$python" ]]; then
    echo "No Python 3.9, 3.10 or 3.11 found: the validators need one (numpy<1.25 and pandas<2 have no wheels" >&2
    echo "for later versions). Install one, then run: PYTHON=/path/to/python3.11 bash scripts/install-validators.sh" >&2
    exit 1
  fi
fi

echo "Creating $venv with $python ($version)"
mkdir -p "$(dirname "$venv")"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet \
  "csc-validator-be-cin==$CIN_VERSION" \
  "csc-validator-be-903==$LAC_VERSION" \
  "pandas==$PANDAS_VERSION" \
  "numpy==$NUMPY_VERSION"

"$venv/bin/python" - <<'EOF'
from importlib.metadata import version

import cin_validator  # noqa: F401
import lac_validator  # noqa: F401

for name in ("csc-validator-be-cin", "csc-validator-be-903", "pandas", "numpy"):
    print(f"  {name} {version(name)}")
EOF
echo "Validators installed in $venv"
