#!/usr/bin/env bash
# Runs one libFuzzer target for a while, keeping its corpus between runs.
#
#   fuzz/run.sh TARGET SECONDS [extra libFuzzer flags]     TARGET: a name in fuzz/targets
#
# Seeds: fuzz/seeds/TARGET (checked in). Working corpus: fuzz/corpus/TARGET (not checked in).
# Crashes: fuzz/artifacts/TARGET/crash-* (exit status != 0). FUZZ_OUT overrides where the
# binaries are (default fuzz/out), FUZZ_WORK where corpus/ and artifacts/ go (default fuzz/).
# Prints libFuzzer's final stats (stat::number_of_executed_units etc.).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="${1:?usage: fuzz/run.sh TARGET SECONDS}"
seconds="${2:?usage: fuzz/run.sh TARGET SECONDS}"
shift 2
line="$(grep -v '^#' "$here/targets" | awk -v t="$target" '$1 == t' || true)"
[ -n "$line" ] || { echo "unknown target $target (see fuzz/targets)" >&2; exit 2; }
read -r _ max_len dict _ <<<"$line"
out="${FUZZ_OUT:-$here/out}"
bin="$out/fuzz_$target"
[ -x "$bin" ] || "$here/build.sh" "$target"
work="${FUZZ_WORK:-$here}"
corpus="$work/corpus/$target"
artifacts="$work/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
      -max_len="$max_len" -artifact_prefix="$artifacts/")
[ "$dict" = "-" ] || args+=(-dict="$here/dicts/$dict")
exec "$bin" "${args[@]}" "$@" "$corpus" "$here/seeds/$target"
