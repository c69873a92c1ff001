#!/usr/bin/env bash
# Sets up, builds and runs every test: the normal build, then ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
for preset in dev asan-ubsan; do
  # Timing-only tests (label "slow") prove nothing more under the sanitizers.
  skip=""
  [ "$preset" = asan-ubsan ] && skip="-LE slow"
  echo "=== $preset: build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  echo "=== $preset: test"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset "$preset" --timeout 900 $skip
done
