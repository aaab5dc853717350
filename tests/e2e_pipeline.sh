#!/usr/bin/env bash
# The pipeline's shortcuts keep the figures (issue 17, SPEC §6): `audit`
# right after an import judges nothing (the verdicts are current) and the
# signals it then computes from the stored contacts are the ones an audit
# that judges every ticket computes; a ticket imported again in a later
# file replaces the earlier one in the signals too; verdicts of another
# program version or other rules are judged again; `check --json` (its
# private database stores only what the figures read) prints the JSON
# that import + audit + report --json print.
# Usage: e2e_pipeline.sh BINARY SOURCE_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3 shell"; exit 0; }
cd "$tmp" || exit 1
cp "$src/fixtures/sample/crm-2026-10.csv" crm.csv
cp "$src/fixtures/sample/apkt-2026-10.csv" apkt.csv
# a later export repeating a CRM ticket that an APKT report names, with
# another email and HP: it replaces the earlier row (SPEC §3)
/usr/bin/python3 - <<'EOF' || exit 1
import csv
rows = list(csv.reader(open("crm.csv", newline="", encoding="utf-8-sig"), delimiter=";"))
h = next(i for i, r in enumerate(rows) if r and r[0] == "ID Tiket")
named = {r[1] for r in csv.reader(open("apkt.csv", newline="", encoding="utf-8-sig")) if len(r) > 1}
row = next(r for r in rows[h + 1:] if r and r[0] in named)
row[rows[h].index("Email")] = "ganti.kontak77@gmail.com"
row[rows[h].index("HP")] = "081377788899"
with open("later.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, delimiter=";").writerows([rows[h], row])
open("dup_id", "w").write(row[0])
EOF
dup=$(cat dup_id)

q() { sqlite3 "$1" "$2"; }
# every column of every signal but id, one line each, sorted
sig_sql="SELECT group_concat(r, char(10)) FROM (SELECT quote(period) || \
quote(kind) || quote(cso) || quote(contact_kind) || quote(contact) || \
quote(customers) || quote(tickets) || quote(rate) || quote(team_rate) || \
quote(threshold) || quote(apkt_ticket) || quote(crm_ticket) || \
quote(apkt_email) || quote(crm_email) || quote(apkt_hp) || quote(crm_hp) || \
quote(detail) AS r FROM signals ORDER BY 1)"
stale() { q "$1" "UPDATE audits SET program_version = '0.0.0-old'"; }
audits() { q "$1" "SELECT count(*) FROM audits WHERE kind = 'audit'"; }

# ---- audit after import: nothing judged, the same signals -------------
db=a.db
"$bin" import --quiet --db $db crm.csv apkt.csv || bad "import"
verdicts="SELECT group_concat(ticket_id || status || codes || audit_id, ',') FROM tickets"
before=$(q $db "$verdicts")
"$bin" audit --quiet --db $db || bad "audit after import"
[ "$(audits $db)" = 0 ] && ok "audit after import: no audit recorded" ||
  bad "audit after import recorded $(audits $db) audits"
[ "$(q $db "$verdicts")" = "$before" ] && ok "audit after import: no verdict written" ||
  bad "audit after import changed verdicts"
skipped=$(q $db "$sig_sql")
[ -n "$skipped" ] && ok "signals written (fed by the import as it stored the tickets)" || bad "no signals"
# the same signals from the stored contacts (no feed: the state cleared)
q $db "DELETE FROM signals_state"
"$bin" audit --quiet --db $db || bad "audit scanning the contacts"
[ "$(q $db "$sig_sql")" = "$skipped" ] && ok "signals fed by the import = signals from the stored contacts" ||
  bad "signals fed by the import differ from those of the stored contacts"
stale $db
"$bin" audit --quiet --db $db || bad "audit of stale verdicts"
[ "$(audits $db)" = 1 ] && ok "another program version: judged again" ||
  bad "stale audit: $(audits $db) audits"
[ "$(q $db "SELECT count(*) FROM tickets WHERE audit_id <> (SELECT max(id) FROM audits)")" = 0 ] &&
  ok "every stale ticket judged" || bad "stale tickets left"
judged=$(q $db "$sig_sql")
[ "$judged" = "$skipped" ] && ok "signals identical whether the audit judged or skipped" ||
  bad "signals differ between the judging and the skipping audit"
"$bin" audit --quiet --db $db || bad "audit again"
[ "$(audits $db)" = 1 ] && ok "current again: nothing judged" || bad "re-audit judged"

# other rules: judged again
sed 's/^\([[:space:]]*reused_min_customers[[:space:]]*=\).*/\1 3/' \
    "$src/rules/default.rules" > min3.rules
"$bin" audit --quiet --db $db --rules min3.rules 2>err.txt ||
  bad "audit with other rules: $(head -2 err.txt)"
[ "$(audits $db)" = 2 ] && ok "other rules: judged again" || bad "other rules: $(audits $db) audits"

# ---- a ticket imported again in a later file -------------------------
db=b.db
"$bin" import --quiet --db $db crm.csv apkt.csv later.csv || bad "import with later"
"$bin" audit --quiet --db $db || bad "audit after later"
later=$(q $db "$sig_sql")
q $db "DELETE FROM signals_state"
"$bin" audit --quiet --db $db || bad "audit scanning after later"
[ "$(q $db "$sig_sql")" = "$later" ] && ok "replaced ticket: the import's feed = the stored contacts" ||
  bad "replaced ticket: the import's feed differs from the stored contacts"
[ "$(q $db "SELECT email FROM tickets WHERE source = 'crm' AND ticket_id = '$dup'")" = \
  ganti.kontak77@gmail.com ] && ok "the later row replaced the earlier" || bad "replace rule"
[ "$(q $db "SELECT group_concat(DISTINCT crm_email) FROM signals WHERE crm_ticket = '$dup'")" = \
  ganti.kontak77@gmail.com ] && ok "the signals name the later row's contact, not the replaced one" ||
  bad "the signals of $dup: $(q $db "SELECT crm_email FROM signals WHERE crm_ticket = '$dup'")"
stale $db
"$bin" audit --quiet --db $db || bad "stale audit after later"
[ "$(q $db "$sig_sql")" = "$later" ] && ok "later file: signals identical, judged or skipped" ||
  bad "later file: signals differ"
# one file at a time, the later one in a run of its own
db=c.db
"$bin" import --quiet --db $db crm.csv apkt.csv || bad "import c"
"$bin" audit --quiet --db $db || bad "audit c"
"$bin" run --quiet --db $db --out out-c later.csv || bad "run later"
[ "$(q $db "$sig_sql")" = "$later" ] && ok "later file in another command: the same signals" ||
  bad "later file in another command: signals differ"

# a later row of a ticket that made a reused contact, with another HP: the
# contact loses that customer, in the import's feed as in a scan
reused=$(q a.db "SELECT contact FROM signals WHERE kind = 'reused_contact' AND contact_kind = 'hp' ORDER BY customers DESC LIMIT 1")
customers=$(q a.db "SELECT customers FROM signals WHERE kind = 'reused_contact' AND contact = '$reused'")
if [ -n "$reused" ]; then
  rid=$(q a.db "SELECT ticket_id FROM tickets WHERE source = 'crm' AND hp_norm = '$reused' ORDER BY rowid LIMIT 1")
  RID=$rid /usr/bin/python3 - <<'EOF2' || bad "later2.csv"
import csv, os
rows = list(csv.reader(open("crm.csv", newline="", encoding="utf-8-sig"), delimiter=";"))
h = next(i for i, r in enumerate(rows) if r and r[0] == "ID Tiket")
hp = rows[h].index("HP")
row = [r for r in rows[h + 1:] if r and r[0] == os.environ["RID"]][-1]
row[hp] = "081377700011"
with open("later2.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, delimiter=";").writerows([rows[h], row])
EOF2
  db=d.db
  "$bin" import --quiet --db $db crm.csv apkt.csv later2.csv || bad "import later2"
  fed=$(q $db "$sig_sql")
  [ "$(q $db "SELECT customers FROM signals WHERE kind = 'reused_contact' AND contact = '$reused'")" = \
    $((customers - 1)) ] && ok "a replaced ticket leaves its reused contact ($customers -> $((customers - 1)) customers)" ||
    bad "reused contact after the replacement: $(q $db "SELECT customers FROM signals WHERE contact = '$reused'")"
  q $db "DELETE FROM signals_state"
  "$bin" audit --quiet --db $db || bad "audit d"
  [ "$(q $db "$sig_sql")" = "$fed" ] && ok "reused contact replaced: the import's feed = the stored contacts" ||
    bad "reused contact replaced: the import's feed differs from the stored contacts"
else
  bad "no reused contact in the sample"
fi

# ---- check --json = import + audit + report --json --------------------
for set in "crm.csv apkt.csv" "crm.csv apkt.csv later.csv"; do
  rm -f r.db
  # shellcheck disable=SC2086
  "$bin" check --quiet --json $set > check.json || bad "check $set"
  # shellcheck disable=SC2086
  "$bin" import --quiet --db r.db $set && "$bin" audit --quiet --db r.db &&
    "$bin" report --quiet --json --db r.db --out out-r > report.json || bad "report $set"
  cmp -s check.json report.json && ok "check --json = report --json ($set)" ||
    bad "check --json differs from report --json ($set)"
  # shellcheck disable=SC2086
  "$bin" check $set 2>/dev/null | grep "^compliance" > check.txt
  "$bin" audit --db r.db | grep "^compliance" > audit.txt
  [ -s check.txt ] && cmp -s check.txt audit.txt && ok "check's text summary = audit's ($set)" ||
    bad "check's text summary differs ($set): $(cat check.txt audit.txt)"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
