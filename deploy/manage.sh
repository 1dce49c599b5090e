#!/usr/bin/env bash
# manage.py with the production environment: sudo -u carsi deploy/manage.sh migrate --noinput
# Reads /etc/carsi/env (or $CARSI_ENV) as systemd does; values with spaces must be quoted there.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a
# shellcheck disable=SC1090
. "${CARSI_ENV:-/etc/carsi/env}"
set +a
exec .venv/bin/python manage.py "$@"
