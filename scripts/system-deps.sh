#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when running as root and missing.
set -euo pipefail
# Debian's Chromium for the browser tests (Playwright drives it; no browser download) and
# Noto fonts so Vietnamese diacritics render in screenshots.
packages=(chromium fonts-noto-core)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing system packages: ${missing[*]} (install them as root with apt-get)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
