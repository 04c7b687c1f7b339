#!/usr/bin/env bash
# Quick start: install dependencies, build, create an account (first run only)
# and serve on SQLite at http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
DB="${TGLEAD_DB:-sqlite:tglead.db}"
if [ ! -f "${DB#sqlite:}" ]; then
  echo "Creating the first account (admin@example.com, plan tiger). Its API key:"
  build/tglead user add admin@example.com --password change-me --plan tiger --days 3650 --db "$DB"
fi
exec build/tglead serve --db "$DB" "$@"
