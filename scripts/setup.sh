#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for Tandem and builds it: apt packages (with chromium for the
# dashboard's browser test), the npm test peers (DuckDB, hyparquet, vega-datasets) and playwright-core
# (tests/browser), then a Ninja build in build/release (which also runs `npm ci` + esbuild for the
# dashboard, web/, inside the build directory).
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(build-essential cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev
  libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev libsimdjson-dev libfmt-dev nlohmann-json3-dev
  libcpp-httplib-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libxxhash-dev libssl-dev
  chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Test peers from npm (exact versions from tests/peers/package-lock.json).
if [ -f tests/peers/package-lock.json ]; then
  stamp=tests/peers/node_modules/.tandem-lock
  if ! cmp -s tests/peers/package-lock.json "$stamp" 2>/dev/null; then
    echo "setup: installing the test peers in tests/peers"
    # `npm ci` installs exactly the lock and never rewrites it (setup must not modify tracked files). The
    # lock lists every platform's optional DuckDB binding, which npm 11's `npm ci` requires.
    (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/peers/package-lock.json "$stamp"
  fi
fi

# The dashboard's browser test drives Debian's chromium with playwright-core (never a downloaded browser).
if [ -f tests/browser/package-lock.json ]; then
  stamp=tests/browser/node_modules/.tandem-lock
  if ! cmp -s tests/browser/package-lock.json "$stamp" 2>/dev/null; then
    echo "setup: installing playwright-core in tests/browser"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/browser/package-lock.json "$stamp"
  fi
fi

BUILD_DIR=${BUILD_DIR:-build/release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD_DIR" -j"$(nproc)"
