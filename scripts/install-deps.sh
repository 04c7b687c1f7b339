#!/usr/bin/env bash
# Installs the Debian 12 packages tglead needs to build, test and run.
set -euo pipefail
packages=(
  build-essential cmake ccache pkg-config python3 curl
  libboost-dev libcurl4-openssl-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libphonenumber-dev libre2-dev   # RE2: fast phone validation (src/crm/phone_metadata.cpp)
  libzip-dev libexpat1-dev   # XLSX imports
  chromium nodejs
  clang libclang-rt-14-dev   # fuzz/ (libFuzzer + ASan/UBSan)
)
# Debian's npm package conflicts with nodejs builds that bundle npm (NodeSource): only ask for it
# when no npm is on the PATH.
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
