#!/usr/bin/env bash
# report_bench.sh [N] — SPEC §6: a report of N findings (default 1,000,000)
# with notes of realistic length (100-300 characters) in under 10 s, peak
# RSS under 64 MiB, and --per-cso linear in the number of CSOs.
#
# Builds bench/report_bench.c against the project's library
# ($BUILD/libta_core.a, default build/, configured and built here if
# missing), generates a database of N violations over 200 CSOs (not
# timed) and a CSV export of the same findings (sqlite3 -csv, not timed),
# then, RUNS times (default 3), alternating in one run:
#   - the reference: sqlite3 x.db ".mode csv" ".import FILE t" of that CSV
#   - report_write alone on the database (the main workbook)
# and prints medians of wall, user + sys and the largest peak RSS, and the
# report's ratio to the reference (the median of the pair-by-pair ratios).
# Then --per-cso at two CSO counts (PC_A, PC_B: default 40 and 400) with
# the same findings per CSO (PC_PER, default 1000: 40,000 and 400,000
# findings), RUNS times each, printing seconds per CSO: linear when the
# two agree. Run from the source root:
#   bash bench/report_bench.sh 1000000
#   RUNS=5 PC_A=20 PC_B=200 bash bench/report_bench.sh 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
PC_A=${PC_A:-40}
PC_B=${PC_B:-400}
PC_PER=${PC_PER:-1000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/report-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [ ! -f "$BUILD/libta_core.a" ]; then
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target ta_core -j2 >/dev/null
fi
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude bench/report_bench.c \
   "$BUILD/libta_core.a" $(pkg-config --libs sqlite3 xlsxwriter libpcre2-8 nettle minizip) \
   -Wl,--undefined=zipOpenNewFileInZip4_64 -lpthread -lm -ldl -o "$WORK/report_bench"
bin=$WORK/report_bench

# run LABEL CMD... : one timed run; appends "wall cpu rss_kib" to
# $WORK/LABEL.txt (cpu = user + sys)
run() {
  local label=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" >/dev/null \
    2>"$WORK/stderr.txt" || { cat "$WORK/stderr.txt" >&2; exit 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$WORK/time.txt" >> "$WORK/$label.txt"
}
calc() { awk "BEGIN { print $1 }"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# summary LABEL -> "median_wall median_cpu max_rss_kib"
summary() {
  local f=$WORK/$1.txt
  echo "$(cut -d' ' -f1 "$f" | median) $(cut -d' ' -f2 "$f" | median)" \
       "$(cut -d' ' -f3 "$f" | sort -n | tail -1)"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" gen "$WORK/bench.db" "$N" 200
sqlite3 -csv -header "$WORK/bench.db" "SELECT * FROM tickets" > "$WORK/findings.csv"
echo "findings: $N, CSV export $(stat -c %s "$WORK/findings.csv") bytes"

for _ in $(seq "$RUNS"); do
  rm -f "$WORK/ref.db"; sync
  run ref sqlite3 "$WORK/ref.db" ".mode csv" ".import $WORK/findings.csv t"
  rm -rf "$WORK/out"; sync
  run report "$bin" report "$WORK/bench.db" "$WORK/out"
done
book=$(stat -c %s "$WORK/out/audit-2026-10.xlsx")
ratio=$(paste -d' ' "$WORK/report.txt" "$WORK/ref.txt" | awk '{print $1 / $4}' | median)
read -r rw rc rr <<< "$(summary report)"
read -r fw fc fr <<< "$(summary ref)"
echo "runs=$RUNS, medians (wall, user+sys), largest peak RSS"
printf '%-34s %8s %10s %10s %8s\n' what wall_s cpu_s peak_MiB ratio
printf '%-34s %8.2f %10.2f %10.1f %8.2f\n' "sqlite3 .import of the CSV" "$fw" "$fc" "$(calc "$fr/1024")" 1
printf '%-34s %8.2f %10.2f %10.1f %8.2f\n' "report ($N findings)" "$rw" "$rc" "$(calc "$rr/1024")" "$ratio"
echo "workbook: $book bytes"

# --per-cso, the same findings per CSO at two CSO counts
for k in "$PC_A" "$PC_B"; do
  rm -f "$WORK/pc.db"
  "$bin" gen "$WORK/pc.db" $((k * PC_PER)) "$k"
  for _ in $(seq "$RUNS"); do
    rm -rf "$WORK/out"; sync
    run "pc$k" "$bin" report "$WORK/pc.db" "$WORK/out" per-cso
  done
  n=$(ls "$WORK/out/cso/2026-10" | wc -l)
  [ "$n" -eq "$k" ] || { echo "expected $k per-CSO workbooks, found $n" >&2; exit 1; }
done
echo "--per-cso, $PC_PER findings per CSO (main workbook included)"
printf '%-34s %8s %10s %10s %12s %12s\n' what wall_s cpu_s peak_MiB wall_ms/CSO cpu_ms/CSO
for k in "$PC_A" "$PC_B"; do
  read -r w c r <<< "$(summary "pc$k")"
  printf '%-34s %8.2f %10.2f %10.1f %12.1f %12.1f\n' "--per-cso, $k CSOs" "$w" "$c" \
    "$(calc "$r/1024")" "$(calc "$w * 1000 / $k")" "$(calc "$c * 1000 / $k")"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
