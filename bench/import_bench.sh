#!/usr/bin/env bash
# Import benchmark (SPEC §6): generates N synthetic CRM rows, then in one
# run times sqlite3's own `.import` of the file and ticket-audit's import
# and import+audit of the same file, with peak RSS from /usr/bin/time -v,
# and prints the ratios.
#   bash bench/import_bench.sh [ROWS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build-bench}
out=bench/out; mkdir -p "$out"
bash scripts/deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
bin=$build/ticket-audit
csv=$out/crm-$rows.csv
[ -f "$csv" ] || python3 tools/gen_exports.py --source crm --rows "$rows" --period 2026-10 --seed 7 --delimiter , --out "$csv"
size=$(stat -c %s "$csv")

# Runs a command RUNS times (after PREP, untimed), keeps the median wall time
# and the largest peak RSS: single runs on this machine vary by +-20%.
RUNS=${RUNS:-3}
measure() { # LABEL PREP CMD... -> prints "LABEL seconds rss_kib"
  local label=$1 prep=$2; shift 2
  local times=() rss_max=0
  for _ in $(seq "$RUNS"); do
    sh -c "$prep"; sync
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
    read -r secs rss < "$out/time.txt"
    times+=("$secs"); [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label $med $rss_max"
}

r1=$(measure sqlite3_import "rm -f $out/sqlite.db" sqlite3 "$out/sqlite.db" ".mode csv" ".import $csv tickets")
r2=$(measure ta_import_and_judge "rm -f $out/ta.db" "$bin" import --quiet --db "$out/ta.db" "$csv")
r3=$(measure ta_check_in_memory "true" "$bin" check --quiet --json "$csv")
r4=$(measure ta_reaudit_all "true" "$bin" audit --quiet --db "$out/ta.db")
echo "rows=$rows file_bytes=$size runs=$RUNS (median wall time, max peak RSS)"
printf '%-22s %8s %10s %8s\n' what seconds peak_KiB ratio
base=$(echo "$r1" | awk '{print $2}')
for r in "$r1" "$r2" "$r3" "$r4"; do
  echo "$r" | awk -v b="$base" '{ printf "%-22s %8.2f %10d %8.2f\n", $1, $2, $3, ($2 / b) }'
done
