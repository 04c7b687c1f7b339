#!/usr/bin/env bash
# Re-vendors the dashboard's third-party browser code into web/vendor/ from the
# npm registry at pinned, exact versions (no build step; the files are embedded
# into the binary by cmake/EmbedResources.cmake). Bump a version here, run the
# script, update web/vendor/README.md and look at the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
HTM_VERSION=3.1.1      # htm/preact/standalone bundles Preact 10 + hooks + htm in one ES module
UPLOT_VERSION=1.6.32
PREACT_LICENSE_VERSION=10.5.15  # only for Preact's license text (htm's standalone build embeds Preact 10)

out=web/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # fetch <package> <version> -> extracted into $tmp/<package>
  local name=$1 version=$2
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
  mkdir -p "$tmp/$name"
  tar -xzf "$tmp/$name-$version.tgz" -C "$tmp/$name" --strip-components=1
}

fetch htm "$HTM_VERSION"
fetch uplot "$UPLOT_VERSION"
fetch preact "$PREACT_LICENSE_VERSION"

mkdir -p "$out"
cp "$tmp/htm/preact/standalone.module.js" "$out/preact-htm.js"
cp "$tmp/htm/LICENSE" "$out/LICENSE.htm.txt"
cp "$tmp/preact/LICENSE" "$out/LICENSE.preact.txt"
cp "$tmp/uplot/dist/uPlot.esm.js" "$out/uplot.esm.js"
cp "$tmp/uplot/dist/uPlot.min.css" "$out/uplot.min.css"
cp "$tmp/uplot/LICENSE" "$out/LICENSE.uplot.txt"
echo "vendored htm@$HTM_VERSION (with Preact) and uplot@$UPLOT_VERSION into $out"
