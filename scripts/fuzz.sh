#!/usr/bin/env bash
# Fuzzes the sweeps library (parse, overrides, validation, expansion) with libFuzzer for a
# bounded time: builds tests/fuzz/sweep_fuzzer with clang-14 and ASan + UBSan in build-fuzz/
# (a separate folder; the GCC build is untouched), then runs it on a working corpus seeded from
# tests/fuzz/corpus/sweep and the earlier findings in tests/fuzz/findings. New findings land in
# build-fuzz/artifacts/. See docs/fuzzing.md.
#   scripts/fuzz.sh [SECONDS] [libFuzzer options...]     (default 60 seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
build=build-fuzz
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCOMET_FUZZ=ON \
  -DCOMET_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target sweep_fuzzer
mkdir -p "$build/corpus/sweep" "$build/artifacts"
# New inputs go to the first folder (the working corpus); the seeds are only read.
"$build/tests/fuzz/sweep_fuzzer" "$build/corpus/sweep" tests/fuzz/corpus/sweep tests/fuzz/findings \
  -dict=tests/fuzz/sweep.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@"
echo "fuzz.sh: working corpus $(find "$build/corpus/sweep" -type f | wc -l) inputs;" \
  "findings: $(find "$build/artifacts" -type f | wc -l) in $build/artifacts/"
