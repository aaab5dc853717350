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

measure() { # LABEL CMD... -> prints "LABEL seconds rss_kib"
  local label=$1; shift
  /usr/bin/time -v -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$out/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$out/time.txt")
  # h:mm:ss or m:ss.ss -> seconds
  local secs
  secs=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  echo "$label $secs $rss"
}

rm -f "$out/sqlite.db" "$out/ta.db" "$out/ta2.db"
r1=$(measure sqlite3_import sqlite3 "$out/sqlite.db" ".mode csv" ".import $csv tickets")
r2=$(measure ta_import "$bin" import --quiet --db "$out/ta.db" "$csv")
r3=$(measure ta_run_import_audit sh -c "'$bin' import --quiet --db '$out/ta2.db' '$csv' && '$bin' audit --quiet --db '$out/ta2.db'")
r4=$(measure ta_audit_only "$bin" audit --quiet --db "$out/ta2.db")
echo "rows=$rows file_bytes=$size"
printf '%-22s %8s %10s %8s\n' what seconds peak_KiB ratio
base=$(echo "$r1" | awk '{print $2}')
for r in "$r1" "$r2" "$r3" "$r4"; do
  echo "$r" | awk -v b="$base" '{ printf "%-22s %8.2f %10d %8.2f\n", $1, $2, $3, ($2 / b) }'
done
