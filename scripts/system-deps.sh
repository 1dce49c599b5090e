#!/usr/bin/env bash
# Installs the Debian packages the project needs, when run as root; otherwise prints the
# exact command. Usage: scripts/system-deps.sh run|test
#   run:  WeasyPrint's libraries (Pango, HarfBuzz subsetting: without it every PDF is ~10x
#         slower), gettext for the message catalogues, and fonts for the certificates.
#   test: the same plus Debian's Chromium for the browser tests.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext fonts-dejavu-core)
if [ "${1:-run}" = "test" ]; then
  packages+=(chromium)
fi
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages. Run as root:"
  echo "  sudo sh -c '$command'"
  exit 1
fi
