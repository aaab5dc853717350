#!/usr/bin/env bash
# Pipeline benchmark (SPEC §6, issue 17): at N CRM rows (default 1,000,000,
# tools/gen_exports.py --seed 7 as in import_bench.sh) times, alternating in
# one run (round 1: A B C D R E, round 2: A B C D R E, ...):
#   A  sqlite3 x.db ".mode csv" ".import FILE tickets"    (the reference)
#   B  ticket-audit import, then ticket-audit audit       (timed together)
#   C  ticket-audit check --json
#   D  ticket-audit run --out TMP                (import, audit, signals, workbook)
#   R  ticket-audit report on D's database (verdicts and signals current:
#      the workbook alone, the report's share of D)
#   E  bench/peer.py: csv + re + openpyxl write_only, one findings sheet
# and prints medians of RUNS (default 3), the largest peak RSS, each one's
# ratio to A, and D's to E. PEER=0 leaves E out; VS=OTHER_BINARY (e.g. a
# build of main) adds B, C and D of that binary to every round, for a
# before/after in the same run. The load average is printed at the start
# and the end (the machine is shared: compare ratios only).
#   RUNS=3 bash bench/pipeline_bench.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
. bench/common.sh
bin=$build/ticket-audit
csv=$out/crm-$rows.csv
[ -f "$csv" ] || python3 tools/gen_exports.py --source crm --rows "$rows" \
  --period 2026-10 --seed 7 --delimiter , --out "$csv"
PEER=${PEER:-1}
work=$(mktemp -d "${TMPDIR:-/tmp}/pipeline-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# One timed run: appends "seconds rss_kib" to $work/LABEL.
timed() { # LABEL PREP CMD...
  local label=$1 prep=$2; shift 2
  sh -c "$prep"; sync
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$work/stdout.txt" \
    2>"$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }
  cat "$work/time.txt" >> "$work/$label"
}

echo "rows=$rows file_bytes=$(stat -c %s "$csv") runs=$RUNS load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
labels="sqlite3_import ta_import+audit ta_check_json ta_run ta_report_of_run"
[ "$PEER" = 1 ] && labels="$labels peer_py"
VS=${VS:-}
[ -n "$VS" ] && labels="$labels vs_import+audit vs_check_json vs_run"
for _ in $(seq "$RUNS"); do
  timed sqlite3_import "rm -f $work/sqlite.db" \
    sqlite3 "$work/sqlite.db" ".mode csv" ".import $csv tickets"
  timed ta_import+audit "rm -f $work/ta.db" sh -c \
    "'$bin' import --quiet --db '$work/ta.db' '$csv' && '$bin' audit --quiet --db '$work/ta.db'"
  timed ta_check_json "true" "$bin" check --quiet --json "$csv"
  timed ta_run "rm -rf $work/run.db $work/out" \
    "$bin" run --quiet --db "$work/run.db" --out "$work/out" "$csv"
  timed ta_report_of_run "rm -rf $work/out2" \
    "$bin" report --quiet --db "$work/run.db" --out "$work/out2"
  [ "$PEER" = 1 ] && timed peer_py "rm -f $work/peer.xlsx" \
    /usr/bin/python3 bench/peer.py "$csv" "$work/peer.xlsx"
  if [ -n "$VS" ]; then
    timed vs_import+audit "rm -f $work/vs.db" sh -c \
      "'$VS' import --quiet --db '$work/vs.db' '$csv' && '$VS' audit --quiet --db '$work/vs.db'"
    timed vs_check_json "true" "$VS" check --quiet --json "$csv"
    timed vs_run "rm -rf $work/vsrun.db $work/out" \
      "$VS" run --quiet --db "$work/vsrun.db" --out "$work/out" "$csv"
  fi
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(awk '{print $1}' "$work/sqlite3_import" | median)
printf '%-20s %8s %10s %10s\n' what seconds peak_KiB vs_.import
for l in $labels; do
  med=$(awk '{print $1}' "$work/$l" | median)
  rss=$(awk '{print $2}' "$work/$l" | sort -n | tail -1)
  printf '%-20s %8.2f %10d %10.2f\n' "$l" "$med" "$rss" \
    "$(awk -v a="$med" -v b="$base" 'BEGIN {print a / b}')"
  eval "med_${l//[+.]/_}=$med"
done
if [ "$PEER" = 1 ]; then
  awk -v r="$med_ta_run" -v p="$med_peer_py" \
    'BEGIN {printf "peer_py / ta_run   %.2f (run is that many times faster)\n", p / r}'
fi
