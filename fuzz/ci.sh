#!/usr/bin/env bash
# Short fuzzing pass for CTest: builds every target in fuzz/targets and runs each for SECONDS
# (default 20) from the checked-in seeds, in a scratch directory. Fails on any crash, leak,
# timeout or sanitizer report; the reproducer is kept in $FUZZ_WORK/artifacts/<target>/.
#
#   fuzz/ci.sh [SECONDS] [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-20}"
export FUZZ_WORK="${2:-$(mktemp -d /tmp/tglead-fuzz-ci.XXXXXX)}"
export FUZZ_OUT="$FUZZ_WORK/out"
"$here/build.sh"
status=0
for t in $(grep -v '^#' "$here/targets" | awk 'NF { print $1 }'); do
  log="$FUZZ_WORK/$t.log"
  if "$here/run.sh" "$t" "$seconds" -seed=1 >"$log" 2>&1; then
    echo "fuzz $t: ok, $(grep -o 'number_of_executed_units: [0-9]*' "$log" | tail -1 | cut -d' ' -f2) execs in ${seconds}s"
  else
    status=1
    echo "fuzz $t: FAILED (log $log, artifacts $FUZZ_WORK/artifacts/$t)"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5
  fi
done
[ "$status" -ne 0 ] || rm -rf "$FUZZ_WORK"
exit "$status"
