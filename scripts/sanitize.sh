#!/usr/bin/env bash
# The sanitizer stage of scripts/test.sh (docs/reliability.md): the unit tests and the binary
# built with ASan + UBSan into build-asan/; every unit test and part of the end-to-end suite run
# against them. Any sanitizer report fails the stage: no recovery, so a unit test aborts, and
# the e2e harness fails a test whose server log holds a report (tests/e2e/harness.py), which
# also catches a leak reported when the harness stops the server.
#
#   scripts/sanitize.sh                  # build, then test
#   scripts/sanitize.sh build            # configure and build only
#   scripts/sanitize.sh test [-k PATTERN ...]   # run; patterns as run_e2e.py takes them
#                                               # (-k test_ runs the whole e2e suite)
#
# g++ at -O0 -g1: the product's compiler, so whatever builds in build/ builds here too (clang 14
# rejects some C++20 that g++ 12 takes), and under half the compile time of -O1 -g on the
# 2-core CI machine; the checks are the same, only the tests run slower.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${SANITIZE_BUILD_DIR:-build-asan}"
step="${1:-all}"
[ $# -eq 0 ] || shift

build() {
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
    -DTGLEAD_SANITIZE=ON -DTGLEAD_UNITY=ON -DTGLEAD_BUILD_BENCH=OFF >/dev/null
  cmake --build "$dir" -j"$(nproc)" --target tglead_unittest tglead
}

run_tests() {
  local patterns=("$@")
  # The modules that push the most through the code per second under ASan: update parsing,
  # the tracker and its postbacks, hostile bytes at every parser, the CSV/XLSX import.
  [ ${#patterns[@]} -gt 0 ] || patterns=(-k test_tracking -k test_hostile -k test_bad_input -k test_contacts_import)
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  "$dir/tglead_unittest" --gtest_brief=1
  # A copy: the e2e run must not see a binary someone rebuilds meanwhile.
  copy="$(mktemp -d /tmp/tglead-sanitize.XXXXXX)"
  trap 'rm -rf "$copy"' EXIT
  cp "$dir/tglead" "$copy/tglead"
  python3 tests/e2e/run_e2e.py --binary "$copy/tglead" "${patterns[@]}"
  echo "sanitize: unit tests and e2e (${patterns[*]}) clean under ASan + UBSan"
}

case "$step" in
  build) build ;;
  test) run_tests "$@" ;;
  all) build && run_tests "$@" ;;
  *) echo "usage: scripts/sanitize.sh [build | test [-k PATTERN ...]]" >&2; exit 2 ;;
esac
