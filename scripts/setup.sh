#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and the quickstart need, and checks
# that OpenBLAS is the BLAS LibTorch uses (with the reference BLAS, matmuls run ~25x slower).
# Idempotent: when everything is present it only checks (a second or so).
#   scripts/setup.sh           what building and running comet need
#   scripts/setup.sh --tests   also what only the tests need: chromium, for the browser tests of
#                              `comet serve` (README (b) and .ci/run use this)
set -euo pipefail

with_tests=0
case "${1:-}" in
  "") ;;
  --tests) with_tests=1 ;;
  *) echo "usage: scripts/setup.sh [--tests]" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake ninja-build git pkg-config
  libtorch-dev libopenblas0-pthread
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libsqlite3-dev sqlite3
  libgtest-dev nlohmann-json3-dev zlib1g-dev libmatio-dev libjpeg62-turbo-dev
  libcurl4-openssl-dev libarchive-dev libssl-dev libicu-dev
  dataset-fashion-mnist gnuplot-nox
  libcpp-httplib-dev libjs-dygraphs
)
# Headless chromium loads comet serve's page in tests/cli/serve_browser_test.cpp. It is a large
# package that comet itself never runs, hence only with --tests (and without its recommends).
if [ "$with_tests" -eq 1 ]; then
  packages+=(chromium)
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} packages present"
fi

# LibTorch links libblas.so.3; Debian picks the implementation through alternatives.
blas_link=libblas.so.3-x86_64-linux-gnu
case "$(uname -m)" in aarch64) blas_link=libblas.so.3-aarch64-linux-gnu ;; esac
arch_dir=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
openblas=/usr/lib/$arch_dir/openblas-pthread/libblas.so.3
current=$(readlink -f "/etc/alternatives/$blas_link" 2>/dev/null || true)
if [ "$current" != "$(readlink -f "$openblas")" ]; then
  echo "setup: BLAS is '$current'; switching to OpenBLAS ($openblas)"
  as_root update-alternatives --set "$blas_link" "$openblas"
fi
current=$(readlink -f "/etc/alternatives/$blas_link")
case "$current" in
  *openblas*) echo "setup: BLAS ok: $current" ;;
  *) echo "setup: error: LibTorch would use '$current', not OpenBLAS" >&2; exit 1 ;;
esac
