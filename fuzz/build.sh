#!/usr/bin/env bash
# Builds the libFuzzer targets listed in fuzz/targets into fuzz/out/ (Debian: apt-get install
# clang libclang-rt-14-dev).
#
#   fuzz/build.sh            # all targets
#   fuzz/build.sh csv        # some targets
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

declare -A SOURCES=()
names=()
while read -r name _ _ srcs; do
  names+=("$name")
  SOURCES[$name]="$srcs"
done < <(grep -v '^#' "$here/targets" | grep -v '^[[:space:]]*$')

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${names[@]}")
for t in "${targets[@]}"; do
  [ -n "${SOURCES[$t]+x}" ] || { echo "unknown target $t (${names[*]})" >&2; exit 2; }
  srcs=() libs=()
  for s in ${SOURCES[$t]}; do
    case "$s" in -l*) libs+=("$s") ;; *) srcs+=("$root/src/$s") ;; esac
  done
  echo "building $out/fuzz_$t"
  "$CXX" "${FLAGS[@]}" "$here/fuzz_$t.cpp" "${srcs[@]}" "${libs[@]}" -o "$out/fuzz_$t"
done
