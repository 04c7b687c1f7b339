#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, then unit and end-to-end
# tests through CTest (the e2e suite starts the real binary against Telegram
# and tracker doubles on loopback).
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
ctest --test-dir build --output-on-failure -j"$(nproc)"
