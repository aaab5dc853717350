#!/usr/bin/env bash
# The signals' external sorts (src/signals/extsort.c) spill sorted runs to an
# unlinked temporary file once their 4 MiB buffer is full, in the first
# folder that takes one, in SQLite's order: $TMPDIR, /var/tmp, /usr/tmp,
# /tmp, the current folder. So a TMPDIR that does not exist (or is a file)
# must not stop an audit: it falls back like SQLite's own temporary files,
# writes the same signals as with a usable TMPDIR, and leaves no file
# behind in either.
#
# Size: each CRM ticket gives the feed ~2 reused-contact records and one
# cross-system record; measured with the default 4 MiB buffer, the
# reused-contact sort first spills at ~57,000 generated rows, the
# cross-system one at ~65,000. 100,000 rows make both spill, with margin.
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

# the signals as one text, to compare runs
sig_sql="SELECT group_concat(r, char(10)) FROM (SELECT quote(period) || \
quote(kind) || quote(cso) || quote(contact_kind) || quote(contact) || \
quote(customers) || quote(tickets) || quote(rate) || quote(apkt_ticket) || \
quote(crm_ticket) || quote(apkt_email) || quote(crm_email) || \
quote(apkt_hp) || quote(crm_hp) || quote(detail) AS r FROM signals \
ORDER BY 1)"

# ---- a usable TMPDIR --------------------------------------------------

# audit judges again only the verdicts made with other rules or another
# program version (SPEC §6): each audit here is given stale ones, as after
# an upgrade, so that it judges every ticket and sorts the signals again
stale() { q "UPDATE audits SET program_version = '0.0.0-old'"; }
mkdir "$tmp/sort"
stale
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
want=$(q "$sig_sql")

# ---- TMPDIR that does not exist, or is a file: SQLite's fallbacks ------

touch "$tmp/afile"
for dir in "$missing" "$tmp/afile"; do
  stale
  TMPDIR=$dir "$bin" audit --quiet --db "$db" >"$tmp/out" 2>"$tmp/err"
  st=$?
  [ "$st" = 0 ] && ok "TMPDIR=$dir: exit 0 (falls back)" ||
    bad "TMPDIR=$dir" "exit $st; stderr: $(head -3 "$tmp/err")"
  [ -s "$tmp/err" ] && bad "TMPDIR=$dir" "stderr: $(head -3 "$tmp/err")"
  [ "$(q "PRAGMA integrity_check")" = ok ] &&
    ok "TMPDIR=$dir: integrity_check ok" || bad "integrity" "TMPDIR=$dir"
  [ "$(q "$sig_sql")" = "$want" ] &&
    ok "TMPDIR=$dir: the same signals" || bad "signals" "TMPDIR=$dir differ"
done
[ "$(q "SELECT count(*) FROM audits")" = $((audits_before + 3)) ] &&
  ok "three audits recorded" ||
  bad "audits" "$(q "SELECT count(*) FROM audits") rows"

finish
