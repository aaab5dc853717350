#!/bin/sh
# report_bench.sh [N] — SPEC §6: a report of N findings (default 1,000,000)
# in under 10 s, with flat memory. Builds bench/report_bench.c against the
# project's library (build/libta_core.a, configured by CMake beforehand),
# generates a database of N violations, then times report_write alone under
# /usr/bin/time -v (wall time and peak RSS). Run from the source root:
#   cmake -S . -B build && cmake --build build --target ta_core
#   sh bench/report_bench.sh 1000000
set -eu
N=${1:-1000000}
BUILD=${BUILD:-build}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/report-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude bench/report_bench.c \
   "$BUILD/libta_core.a" $(pkg-config --libs sqlite3 xlsxwriter libpcre2-8 nettle minizip) \
   -Wl,--undefined=zipOpenNewFileInZip4_64 -lpthread -lm -o "$WORK/report_bench"
"$WORK/report_bench" gen "$WORK/bench.db" "$N"
echo "findings: $N"
/usr/bin/time -v "$WORK/report_bench" report "$WORK/bench.db" "$WORK/out" \
    2> "$WORK/time.txt"
grep -E "User time|System time|Elapsed|Maximum resident" "$WORK/time.txt"
ls -l "$WORK/out"
