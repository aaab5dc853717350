#!/usr/bin/env bash
# signals_bench.sh — what the signals add to an audit (target: < 20 %).
#
#   bash bench/signals_bench.sh [CRM_ROWS] [APKT_ROWS] [BUILD_DIR]
#
# Generates CRM_ROWS CRM tickets (default 700,000) and APKT_ROWS APKT
# reports naming them (default 300,000: one million tickets in all),
# imports both with the built binary, then, on that database and in one
# process each (bench/signals_driver.c, compiled here against the build's
# libta_core.a), times RUNS times in alternation (default 5):
#
#   audit  audit_run judging every ticket, without signals (the reference);
#   fed    the same audit feeding the signals, then signals_feed_write —
#          what `ticket-audit audit` does;
#   scan   signals_compute alone, with its own read of the tickets — what
#          `run` and `check` do after an import, which judged already.
#
# Prints the median and the fastest run of each, the signals' share of the
# audit, and the peak RSS. DB=FILE keeps the imported database there (and
# reuses it when it exists). Figures: docs/signals.md.
set -euo pipefail
cd "$(dirname "$0")/.."
crm_rows="${1:-700000}"
apkt_rows="${2:-300000}"
build="${3:-build}"
runs="${RUNS:-5}"
bin="$build/ticket-audit"
[ -x "$bin" ] || { echo "signals_bench: build first (cmake --build $build)" >&2; exit 2; }
[ -f "$build/libta_core.a" ] || { echo "signals_bench: $build/libta_core.a missing" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ta-signals-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
db="${DB:-$work/db}"

if [ ! -f "$db" ]; then
  python3 tools/gen_exports.py --source crm --rows "$crm_rows" --period 2026-10 \
    --out "$work/crm.csv" 2>/dev/null
  python3 tools/gen_exports.py --source apkt --rows "$apkt_rows" \
    --crm-rows "$crm_rows" --period 2026-10 --out "$work/apkt.csv" 2>/dev/null
  "$bin" import --quiet --db "$db" "$work/crm.csv" "$work/apkt.csv"
fi

# shellcheck disable=SC2046
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude bench/signals_driver.c \
  "$build/libta_core.a" $(pkg-config --libs sqlite3 libpcre2-8 xlsxwriter nettle minizip) \
  -lpthread -lm -o "$work/driver"

cat "$db" >/dev/null # the page cache warm alike for every run
for _ in $(seq "$runs"); do
  for mode in audit fed scan; do
    echo "$mode $("$work/driver" "$db" "$mode")"
  done
done >"$work/times"

tickets=$(sqlite3 "$db" "SELECT count(*) FROM tickets" 2>/dev/null || echo "?")
python3 - "$work/times" "$tickets" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def col(mode, i):
    return [float(r[i]) for r in rows if r[0] == mode]
audit = col("audit", 1)
fed_audit, fed_sig = col("fed", 1), col("fed", 2)
fed_total = [a + b for a, b in zip(fed_audit, fed_sig)]
scan = col("scan", 2)
last = [r for r in rows if r[0] == "fed"][-1]
rss = max(int(r[6]) for r in rows)
med, low = statistics.median, min
print(f"tickets            {sys.argv[2]}, {len(audit)} runs each")
print(f"audit alone        median {med(audit):.2f} s, fastest {low(audit):.2f} s")
print(f"audit + signals    median {med(fed_total):.2f} s, fastest {low(fed_total):.2f} s"
      f"  (judging {med(fed_audit):.2f} s, writing the signals {med(fed_sig):.2f} s)")
# each round runs audit then fed back to back: the ratio within a round
# shares the machine's state of the moment, its median is the steadiest
rounds = [100 * (f / a - 1) for a, f in zip(audit, fed_total)]
print(f"signals add        {med(rounds):.1f} % (median of the {len(rounds)} rounds' ratios;"
      f" medians {100 * (med(fed_total) / med(audit) - 1):.1f} %,"
      f" fastest runs {100 * (low(fed_total) / low(audit) - 1):.1f} %)")
print(f"signals_compute    median {med(scan):.2f} s on its own (run/check after an import)")
print(f"signals found      {last[3]} reused contacts, {last[4]} exemption outliers,"
      f" {last[5]} cross-system mismatches")
print(f"peak RSS           {rss} MiB")
EOF
