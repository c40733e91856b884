#!/usr/bin/env bash
# Installs what pip and npm cannot: Debian's packages that Casework needs on the machine. Quick when they are all
# present (one dpkg-query); otherwise apt-get update and install, as root or through sudo.
#
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   WeasyPrint's text layout and font subsetting (printing)
#   fonts-liberation fonts-dejavu-core                      the fonts printed documents embed (core/printing.py)
#   poppler-utils                                           pdftotext, with which printing checks a PDF's text
#   tesseract-ocr tesseract-ocr-eng                         OCR of scanned documents (ocrmypdf, documents)
#   libmagic1                                               a file's format from its content (python-magic, documents)
#   chromium (with --browser)                               the browser tests (Playwright drives Debian's chromium)
#   iproute2 (with --browser)                               ip netns and tc netem: the sync bench's throttled link
#                                                           (bench/sync_link.py; falls back to Chromium without it)
#
#   bash scripts/system-packages.sh [--browser]
#
# `make setup` (so `make run` and `make test`) runs it without --browser; .ci/run runs it with --browser. On a machine
# without dpkg (not Debian or Ubuntu) it installs nothing and names the packages to install by other means.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core poppler-utils tesseract-ocr tesseract-ocr-eng libmagic1)
if [ "${1:-}" = "--browser" ]; then
  PACKAGES+=(chromium iproute2)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-packages: not a Debian machine; install these (or your system's equivalents) yourself: ${PACKAGES[*]}" >&2
  exit 0
fi

installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null | grep " install ok installed$" || true)"
missing=()
for package in "${PACKAGES[@]}"; do
  if ! grep -q "^$package " <<<"$installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "system-packages: these Debian packages are missing and I am not root (and there is no sudo):" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "Installing Debian's ${missing[*]}…"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
