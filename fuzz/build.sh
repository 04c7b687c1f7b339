#!/usr/bin/env bash
# Builds the libFuzzer targets into fuzz/out/ (Debian: apt-get install clang libclang-rt-14-dev).
#
#   fuzz/build.sh            # all targets
#   fuzz/build.sh update     # one target
#
# Each target compiles only the sources it needs, with ASan + UBSan (-fno-sanitize-recover, so
# undefined behaviour is a crash). nlohmann-json is header-only; no spdlog/fmt is needed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${FUZZ_OUT:-$here/out}"
mkdir -p "$out"
CXX="${CXX:-}"
if [ -z "$CXX" ]; then
  for c in clang++ clang++-14 clang++-15 clang++-16; do command -v "$c" >/dev/null 2>&1 && { CXX="$c"; break; }; done
fi
[ -n "$CXX" ] || { echo "fuzz/build.sh: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
FLAGS=(-std=c++20 -g -O1 -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I "$root/src")

declare -A SOURCES=(
  [update]="src/telegram/update.cpp src/util/json_depth.cpp"
  [deeplink]="src/domain/deeplink.cpp"
  [template]="src/domain/postback_template.cpp src/domain/lead_status.cpp src/util/url.cpp"
  [params]="src/api/params.cpp src/util/url.cpp src/util/json_depth.cpp src/http/message.cpp"
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(update deeplink template params)
for t in "${targets[@]}"; do
  [ -n "${SOURCES[$t]+x}" ] || { echo "unknown target $t (update deeplink template params)" >&2; exit 2; }
  srcs=()
  for s in ${SOURCES[$t]}; do srcs+=("$root/$s"); done
  echo "building $out/fuzz_$t"
  "$CXX" "${FLAGS[@]}" "$here/fuzz_$t.cpp" "${srcs[@]}" -o "$out/fuzz_$t"
done
