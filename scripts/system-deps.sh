#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when running as root and missing.
set -euo pipefail
# Debian's Chromium for the browser tests (Playwright drives it; no browser download) and
# Noto fonts so Vietnamese diacritics render in screenshots.
packages=(chromium fonts-noto-core)
# Imaging: Orthanc (the PACS, with its web viewer and DICOMweb plugins) and dcmtk (findscu,
# storescu), the real DICOM peers of tests/integrations/dicom.
packages+=(orthanc orthanc-dicomweb orthanc-webviewer dcmtk)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing system packages: ${missing[*]} (install them as root with apt-get)" >&2
  exit 1
fi
# Another apt may be running (unattended upgrades, a parallel install): wait for its lock.
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
  --no-install-recommends "${missing[@]}"
