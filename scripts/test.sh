#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, then unit and end-to-end
# tests through CTest (the e2e suite starts the real binary against Telegram
# and tracker doubles on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
