#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test command: installs dependencies, builds hbd with clang + ASan/UBSan + libFuzzer, runs every
# test (unit, agents, cluster, fuzz, lint). Output ends with ctest's summary line.
set -eu
cd "$(dirname "$0")/.."
bash tests/deps.sh
BUILD=${HB_TEST_BUILD:-build-test}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DHB_SANITIZE=address,undefined -DHB_FUZZ=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$BUILD"
exec ctest --output-on-failure -j2 "$@"
