#!/usr/bin/env bash
# Workbook benchmark (SPEC §6, issue 13): ROWS CRM rows made by
# tools/gen_exports.py as CSV, the same rows written as .xlsx with shared
# strings and with inline strings (bench/wb_gen.c, libxlsxwriter), then,
# in one run:
#   - `ticket-audit import` of the CSV, the reference;
#   - `ticket-audit import` of each workbook (target: within 2x of the
#     CSV import, peak RSS under 64 MiB);
#   - every row of the workbooks read by bench/wb_read.c (the reader alone,
#     inflating on a second thread, the default, and on one thread).
# Each command runs RUNS times (default 3): median wall time, the largest
# peak RSS (/usr/bin/time), rows/s. Figures: docs/benchmarks.md and
# docs/workbooks.md.
#   bash bench/workbook_bench.sh [ROWS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build-bench}
out=bench/out; mkdir -p "$out"
bash scripts/deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
libs=$(pkg-config --libs xlsxwriter minizip expat zlib nettle)
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude bench/wb_gen.c \
  "$build/libta_core.a" $libs -lpthread -lm -o "$build/wb_gen"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude bench/wb_read.c \
  "$build/libta_core.a" $libs -lpthread -lm -o "$build/wb_read"
csv=$out/crm-$rows.csv
[ -f "$csv" ] || python3 tools/gen_exports.py --source crm --rows "$rows" \
  --period 2026-10 --seed 7 --delimiter , --out "$csv"
shared=$out/crm-$rows-shared.xlsx
inline=$out/crm-$rows-inline.xlsx
[ -f "$shared" ] || "$build/wb_gen" "$csv" "$shared"
[ -f "$inline" ] || "$build/wb_gen" --inline "$csv" "$inline"

RUNS=${RUNS:-3}
measure() { # LABEL PREP CMD... -> "LABEL seconds rss_kib"
  local label=$1 prep=$2; shift 2
  local times=() rss_max=0
  for _ in $(seq "$RUNS"); do
    sh -c "$prep"; sync
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" \
      || { cat "$out/stderr.txt"; exit 1; }
    read -r secs rss < "$out/time.txt"
    times+=("$secs"); [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label $med $rss_max"
}

r1=$(measure csv_import "rm -f $out/wb.db" "$build/ticket-audit" import --quiet --db "$out/wb.db" "$csv")
r6=$(measure xlsx_shared_import "rm -f $out/wb.db" "$build/ticket-audit" import --quiet --db "$out/wb.db" "$shared")
r7=$(measure xlsx_inline_import "rm -f $out/wb.db" "$build/ticket-audit" import --quiet --db "$out/wb.db" "$inline")
r2=$(measure read_shared "true" "$build/wb_read" "$shared")
r3=$(measure read_inline "true" "$build/wb_read" "$inline")
r4=$(measure read_shared_1thread "true" "$build/wb_read" --threads -1 "$shared")
r5=$(measure read_inline_1thread "true" "$build/wb_read" --threads -1 "$inline")
echo "rows=$rows csv=$(stat -c %s "$csv") shared=$(stat -c %s "$shared") inline=$(stat -c %s "$inline") runs=$RUNS load=$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %8s %10s %10s %8s\n' what seconds peak_KiB rows/s vs_csv
base=$(echo "$r1" | awk '{print $2}')
for r in "$r1" "$r6" "$r7" "$r2" "$r3" "$r4" "$r5"; do
  echo "$r" | awk -v b="$base" -v n="$rows" \
    '{ printf "%-22s %8.2f %10d %10.0f %8.2f\n", $1, $2, $3, n / $2, $2 / b }'
done
