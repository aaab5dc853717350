#!/usr/bin/env bash
# The signals' external sorts (src/extsort.c) spill sorted runs to an
# unlinked temporary file in $TMPDIR once their 4 MiB buffer is full. When
# that file cannot be created, `audit` must stop with status 73 (cannot
# create output) and a message naming the temporary sort file and its
# folder, and leave the database as it was; with a usable TMPDIR the same
# command succeeds, writes the signals and leaves no file behind.
#
# Size: each CRM ticket gives the feed ~2 reused-contact records (~40
# bytes) and one cross-system record (~70 bytes); measured with the
# default 4 MiB buffer, the reused-contact sort first spills during the
# audit's feeding at ~57,000 generated rows, the cross-system one at
# ~65,000. 100,000 rows (~99,600 tickets after duplicate ids) make both
# spill while the audit is feeding them, with margin; the audit being
# rolled back (no new `audits` row, verdicts untouched) shows the failure
# came from that spill and not later.
# Usage: e2e_signals_tmpdir.sh BINARY SOURCE_DIR
set -u -o pipefail
bin=$1; src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail+1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

command -v sqlite3 >/dev/null || { bad sqlite3 "the sqlite3 shell is needed"; finish; }
command -v python3 >/dev/null || { bad python3 "python3 is needed"; finish; }

rows=100000
db=$tmp/audit.sqlite
missing=/nonexistent/dir
[ -e "$missing" ] && { bad setup "$missing exists on this machine"; finish; }

python3 "$src/tools/gen_exports.py" --source crm --rows $rows \
    --period 2026-10 --seed 7 --out "$tmp/crm.csv" 2>/dev/null ||
  { bad generator "gen_exports.py --rows $rows failed"; finish; }
"$bin" import --quiet --db "$db" "$tmp/crm.csv" 2>"$tmp/import.err" ||
  { bad import "$(head -3 "$tmp/import.err")"; finish; }

q() { sqlite3 "$db" "$1"; }
tickets=$(q "SELECT count(*) FROM tickets")
[ "$tickets" -gt 90000 ] && ok "imported $tickets tickets" ||
  bad import "only $tickets tickets"
# the verdicts and which audit wrote them, as one fingerprint
state_sql="SELECT count(*) || ':' || total(length(status || codes || \
hp_norm || email_norm) * (rowid % 9973)) || ':' || total(audit_id * \
(rowid % 7919)) FROM tickets"
before=$(q "$state_sql")
audits_before=$(q "SELECT count(*) FROM audits")

# ---- TMPDIR that does not exist ---------------------------------------

TMPDIR=$missing "$bin" audit --quiet --db "$db" >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 73 ] && ok "missing TMPDIR: exit 73" ||
  bad "missing TMPDIR" "exit $st, want 73; stderr: $(head -3 "$tmp/err")"
grep -q "temporary sort file in $missing" "$tmp/err" &&
  ok "missing TMPDIR: the message names the temporary sort file and $missing" ||
  bad "missing TMPDIR message" "stderr: $(head -3 "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -le 2 ] && ok "missing TMPDIR: one short message" ||
  bad "missing TMPDIR message" "$(wc -l <"$tmp/err") lines on stderr"

integ=$(q "PRAGMA integrity_check")
[ "$integ" = ok ] && ok "after the failure: integrity_check ok" ||
  bad "integrity after the failure" "$integ"
[ "$(q "$state_sql")" = "$before" ] &&
  ok "after the failure: tickets and verdicts unchanged" ||
  bad "tickets after the failure" "$(q "$state_sql") vs $before"
[ "$(q "SELECT count(*) FROM audits")" = "$audits_before" ] &&
  ok "after the failure: the audit was rolled back (failed while feeding)" ||
  bad "audits after the failure" \
      "$(q "SELECT count(*) FROM audits") rows, want $audits_before"
[ "$(q "SELECT count(*) FROM signals")" = 0 ] &&
  ok "after the failure: no signals written" ||
  bad "signals after the failure" "$(q "SELECT count(*) FROM signals") rows"

# ---- the same with a usable TMPDIR ------------------------------------

mkdir "$tmp/sort"
TMPDIR=$tmp/sort "$bin" audit --quiet --db "$db" >"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 0 ] && ok "usable TMPDIR: exit 0" ||
  bad "usable TMPDIR" "exit $st; stderr: $(head -3 "$tmp/err")"
[ -s "$tmp/err" ] && bad "usable TMPDIR" "stderr: $(head -3 "$tmp/err")"
integ=$(q "PRAGMA integrity_check")
[ "$integ" = ok ] && ok "after the audit: integrity_check ok" ||
  bad "integrity after the audit" "$integ"
[ "$(q "SELECT count(*) FROM tickets")" = "$tickets" ] &&
  ok "after the audit: $tickets tickets" || bad "tickets after the audit" \
      "$(q "SELECT count(*) FROM tickets")"
[ "$(q "SELECT count(*) FROM audits")" = $((audits_before + 1)) ] &&
  ok "after the audit: one audits row more" ||
  bad "audits after the audit" "$(q "SELECT count(*) FROM audits")"
reused=$(q "SELECT count(*) FROM signals WHERE kind = 'reused_contact'")
outliers=$(q "SELECT count(*) FROM signals WHERE kind = 'exemption_outlier'")
[ "$reused" -gt 0 ] && [ "$outliers" -gt 0 ] &&
  ok "signals written: $reused reused contacts, $outliers exemption outliers" ||
  bad "signals" "$reused reused contacts, $outliers outliers"
# the signals are recorded as up to date for this audit
fresh=$(q "SELECT count(*) FROM signals_state WHERE scope = '' AND \
audit_id = (SELECT max(id) FROM audits)")
[ "$fresh" = 1 ] && ok "signals_state names the new audit" ||
  bad "signals_state" "$(q "SELECT * FROM signals_state")"
left=$(find "$tmp/sort" -mindepth 1 | head -3)
[ -z "$left" ] && ok "nothing left in TMPDIR" || bad "TMPDIR" "left: $left"

finish
