#!/usr/bin/env bash
# signals_bench.sh — what the signals add to an audit (target: < 20 %).
#
#   bash bench/signals_bench.sh [CRM_ROWS] [APKT_ROWS] [BUILD_DIR]
#
# Generates CRM_ROWS CRM tickets (default 1,000,000) and APKT_ROWS APKT
# reports naming them (default 300,000), imports both with the built binary
# (import judges too), then on the same database times `ticket-audit audit`
# against a small C driver, compiled here against the build's libta_core.a,
# that runs signals_compute for every period. Prints the two times, the
# ratio, the signals found and the driver's peak RSS. Figures: docs/signals.md.
set -euo pipefail
cd "$(dirname "$0")/.."
crm_rows="${1:-1000000}"
apkt_rows="${2:-300000}"
build="${3:-build}"
bin="$build/ticket-audit"
[ -x "$bin" ] || { echo "signals_bench: build first (cmake --build $build)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ta-signals-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 tools/gen_exports.py --source crm --rows "$crm_rows" --period 2026-10 \
  --out "$work/crm.csv" 2>/dev/null
python3 tools/gen_exports.py --source apkt --rows "$apkt_rows" \
  --crm-rows "$crm_rows" --period 2026-10 --out "$work/apkt.csv" 2>/dev/null
"$bin" import --quiet --db "$work/db" "$work/crm.csv" "$work/apkt.csv"

cat >"$work/driver.c" <<'EOF'
#include <stdio.h>
#include <time.h>
#include <sys/resource.h>
#include "db.h"
#include "rules.h"
#include "signals.h"
int main(int argc, char **argv)
{
    char err[1024];
    sqlite3 *db = NULL;
    rules *rs = NULL;
    if (argc < 2 || rules_load(NULL, &rs, err, sizeof err) != TA_OK ||
        db_open(argv[1], &db, err, sizeof err) != TA_OK) {
        fprintf(stderr, "driver: %s\n", argc < 2 ? "usage" : err);
        return 2;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    signals_counts n;
    ta_status s = signals_compute(db, rs, NULL, &n, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (s != TA_OK) {
        fprintf(stderr, "driver: %s\n", err);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%.2f %lu %lu %lu %ld\n",
           (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
           n.reused_contacts, n.exemption_outliers, n.cross_system_mismatches,
           ru.ru_maxrss / 1024);
    db_close(db);
    rules_free(rs);
    return 0;
}
EOF
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude "$work/driver.c" \
  "$build/libta_core.a" $(pkg-config --libs sqlite3 libpcre2-8 xlsxwriter) \
  -lpthread -lm -o "$work/driver"

# warm the page cache alike for both
cat "$work/db" >/dev/null
t0=$(date +%s.%N)
"$bin" audit --quiet --db "$work/db"
t1=$(date +%s.%N)
audit_s=$(echo "$t1 - $t0" | bc -l)
read -r sig_s reused outliers mismatches rss < <("$work/driver" "$work/db")

tickets=$(sqlite3 "$work/db" "SELECT count(*) FROM tickets" 2>/dev/null || echo "?")
printf 'tickets            %s (%s CRM rows, %s APKT rows)\n' "$tickets" "$crm_rows" "$apkt_rows"
printf 'audit              %.2f s\n' "$audit_s"
printf 'signals_compute    %.2f s  (%.1f %% of the audit; peak RSS %s MiB)\n' \
  "$sig_s" "$(echo "100 * $sig_s / $audit_s" | bc -l)" "$rss"
printf 'signals            %s reused contacts, %s exemption outliers, %s mismatches\n' \
  "$reused" "$outliers" "$mismatches"
