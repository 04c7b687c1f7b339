#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, then unit and end-to-end
# tests through CTest (the e2e suite starts the real binary against Telegram
# and tracker doubles on loopback), then the sanitizer stage (build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# The browser test's Node dependencies (playwright-core, pinned by package-lock.json); skipped
# when node_modules is newer than the lock file.
if [ ! -d tests/browser/node_modules/playwright-core ] ||
   [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
# The sanitizer build (docs/reliability.md) runs beside the tests at the lowest priority, so it
# only takes CPU they leave idle instead of competing with their timing checks; its own tests
# run after them.
asan_log="$(mktemp /tmp/tglead-asan-build.XXXXXX)"
nice -n 19 scripts/sanitize.sh build >"$asan_log" 2>&1 &
asan_build=$!
status=0
ctest --test-dir build --output-on-failure -j"$(nproc)" || status=$?
if ! wait "$asan_build"; then
  tail -n 60 "$asan_log"
  echo "sanitizer build failed (log $asan_log)" >&2
  exit 1
fi
rm -f "$asan_log"
[ "$status" -eq 0 ] || exit "$status"
scripts/sanitize.sh test
