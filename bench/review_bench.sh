#!/usr/bin/env bash
# Review benchmark (SPEC §5 "Review", §6): ROWS CRM tickets made by
# tools/gen_exports.py imported into a database, a reviewed workbook with
# one decided row per ticket laid out like Temuan (bench/review_gen.c,
# libxlsxwriter; shared strings as Excel saves it, and inline strings as
# the report writes it) and the same decisions as a CSV file, then
# `ticket-audit review`:
#   - first read: every decision stored (reviews and review_log empty);
#   - second read of the same file: every decision unchanged;
#   - the inline-strings workbook and the CSV file, first read.
# Each command runs RUNS times (default 3): median wall time, the largest
# peak RSS (/usr/bin/time). Figures: docs/benchmarks.md.
#   bash bench/review_bench.sh [ROWS] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
build=${2:-build-bench}
. bench/common.sh
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L bench/review_gen.c \
  $(pkg-config --cflags --libs xlsxwriter sqlite3) -o "$build/review_gen"
bin=$build/ticket-audit
csv=$out/crm-$rows.csv
[ -f "$csv" ] || python3 tools/gen_exports.py --source crm --rows "$rows" \
  --period 2026-10 --seed 7 --delimiter , --out "$csv"
base=$out/review-$rows.db
[ -f "$base" ] || "$bin" import --quiet --db "$base" "$csv"
shared=$out/review-$rows-shared.xlsx
inline=$out/review-$rows-inline.xlsx
dcsv=$out/review-$rows.csv
[ -f "$shared" ] || "$build/review_gen" "$base" "$shared"
[ -f "$inline" ] || "$build/review_gen" --inline "$base" "$inline"
[ -f "$dcsv" ] || "$build/review_gen" --csv "$base" "$dcsv"
db=$out/review-work.db
n=$(sqlite3 "$base" "SELECT count(*) FROM tickets")

fresh="cp $base $db"
r1=$(measure first_read_shared "$fresh" "$bin" review --db "$db" "$shared")
tail -n 2 "$out/stdout.txt" >&2
r2=$(measure same_file_again "true" "$bin" review --db "$db" "$shared")
tail -n 2 "$out/stdout.txt" >&2
r3=$(measure first_read_inline "$fresh" "$bin" review --db "$db" "$inline")
r4=$(measure first_read_csv "$fresh" "$bin" review --db "$db" "$dcsv")
echo "rows=$rows decisions=$n shared=$(stat -c %s "$shared") inline=$(stat -c %s "$inline") csv=$(stat -c %s "$dcsv") runs=$RUNS load=$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %8s %10s %12s\n' what seconds peak_KiB decisions/s
for r in "$r1" "$r2" "$r3" "$r4"; do
  echo "$r" | awk -v n="$n" '{ printf "%-20s %8.2f %10d %12.0f\n", $1, $2, $3, n / $2 }'
done
