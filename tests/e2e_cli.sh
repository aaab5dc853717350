#!/usr/bin/env bash
# End-to-end tests of the command line (SPEC §2): exit statuses, messages,
# the database mode, re-imports, and no progress output into a pipe; the
# cases of issue 14 item 5 and issue 15 items 8-11 and 13 (empty values, a
# --period without tickets, an existing database for audit/report/review,
# the last line naming the failed inputs, options before the command and
# suggestions, the warning of a forced encoding), each with its exact
# exit status.
# Usage: e2e_cli.sh BINARY SOURCE_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
fx=$src/fixtures/import
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0

expect() { # NAME WANT_STATUS GREP_PATTERN(stderr+stdout, may be empty) -- CMD...
  local name=$1 want=$2 pat=$3; shift 4
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; cat "$tmp/err" | head -5; fail=$((fail+1)); return
  fi
  if [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/out" "$tmp/err"; then
    echo "FAIL $name: output lacks /$pat/"; head -5 "$tmp/out" "$tmp/err"; fail=$((fail+1)); return
  fi
  echo "ok   $name"; pass=$((pass+1))
}

db=$tmp/t.db
expect usage_no_command 2 "no command" -- "$bin"
expect usage_unknown_command 2 "unknown command 'frobnicate'" -- "$bin" frobnicate
expect usage_unknown_option 2 "unknown option '--colour'" -- "$bin" import --colour "$fx/crm_basic.csv"
expect usage_bad_period 2 "--period '2026-13'" -- "$bin" audit --period 2026-13 --db "$db"
expect usage_before_files 2 "--period" -- "$bin" import --period x "$tmp/missing.csv"
expect usage_bad_lang 2 "--lang 'fr'" -- "$bin" report --lang fr --db "$db"
expect usage_bad_source 2 "--source 'sap'" -- "$bin" import --source sap "$fx/crm_basic.csv"
expect usage_bad_encoding 2 "--encoding" -- "$bin" import --encoding latin9 "$fx/crm_basic.csv"
expect usage_fail_under_range 2 "--fail-under '120'" -- "$bin" check --fail-under 120 "$fx/crm_basic.csv"
expect usage_option_not_applicable 2 "does not apply to 'import'" -- "$bin" import --fail-under 50 "$fx/crm_basic.csv"
expect usage_import_needs_file 2 "needs at least one" -- "$bin" import --db "$db"
expect usage_audit_takes_no_file 2 "takes no FILE" -- "$bin" audit --db "$db" x.csv
expect help 0 "^Usage: ticket-audit" -- "$bin" --help
expect help_after_command 0 "Exit status" -- "$bin" import --help
expect version 0 "^ticket-audit [0-9]" -- "$bin" --version
expect missing_file_66 66 "missing\.csv" -- "$bin" import --db "$db" "$tmp/missing.csv"
expect empty_file_65 65 "empty\.csv" -- "$bin" import --db "$db" "$fx/empty.csv"
expect binary_file_65 65 "binary\.bin" -- "$bin" import --db "$db" "$fx/binary.bin"
expect utf16_file_65 65 "UTF-16" -- "$bin" import --db "$db" "$fx/utf16le.csv"
expect headerless_65 65 "headerless\.csv" -- "$bin" import --db "$db" "$fx/headerless.csv"
expect missing_required_65 65 "'email'" -- "$bin" import --db "$db" "$fx/missing_required.csv"
expect import_ok 0 "3 rows read, 3 imported, 0 rejected" -- "$bin" import --db "$db" "$fx/crm_basic.csv"
mode=$(stat -c %a "$db")
if [ "$mode" = 600 ]; then echo "ok   db_mode_0600"; pass=$((pass+1)); else echo "FAIL db_mode_0600: $mode"; fail=$((fail+1)); fi
expect reimport_noop 0 "already imported" -- "$bin" import --db "$db" "$fx/crm_basic.csv"
expect rejects_named 0 "ragged\.csv:3: row rejected: 4 fields" -- "$bin" import --db "$db" "$fx/ragged.csv"
expect one_bad_among_good 66 "nope\.csv" -- "$bin" import --db "$db" "$fx/apkt_detect.csv" "$tmp/nope.csv"
n=$(sqlite3 "$db" "select count(*) from tickets where source='apkt'" 2>/dev/null || echo "?")
if [ "$n" = 1 ] || [ "$n" = "?" ]; then echo "ok   good_file_kept_beside_bad"; pass=$((pass+1)); else echo "FAIL good_file_kept_beside_bad: $n"; fail=$((fail+1)); fi
expect audit_ok 0 "compliance: [0-9.]+%" -- "$bin" audit --db "$db"
expect not_a_database 65 "not an SQLite database" -- "$bin" import --db "$fx/crm_basic.csv" "$fx/crm_basic.csv"
# check (SPEC §2, CI mode): exit 1 under --fail-under or over --max-rejected
sample=$src/fixtures/sample
expect check_passes 0 "compliance: [0-9.]+%" -- "$bin" check --fail-under 50 --max-rejected 100 "$sample/crm-2026-10.csv"
expect check_fail_under_1 1 "below --fail-under 99" -- "$bin" check --fail-under 99 "$sample/crm-2026-10.csv"
expect check_max_rejected_1 1 "rejected" -- "$bin" check --max-rejected 0 "$sample/crm-2026-10.csv"
expect check_missing_file_wins 66 "nope\.csv" -- "$bin" check --fail-under 99 "$sample/crm-2026-10.csv" "$tmp/nope.csv"
# check keeps nothing: run in an empty folder, the folder stays empty
mkdir -p "$tmp/empty"
(cd "$tmp/empty" && "$bin" check --quiet "$fx/crm_basic.csv" >/dev/null 2>&1)
rc=$?
if [ $rc = 0 ] && [ -z "$(ls -A "$tmp/empty")" ]; then echo "ok   check_keeps_no_db"; pass=$((pass+1)); else echo "FAIL check_keeps_no_db: exit $rc, left: $(ls -A "$tmp/empty")"; fail=$((fail+1)); fi
# --json: one valid object on stdout with the keys of SPEC §5; human lines on stderr
"$bin" check --json --junit "$tmp/junit.xml" "$sample/crm-2026-10.csv" "$sample/apkt-2026-10.csv" >"$tmp/j.json" 2>"$tmp/j.err"
rc=$?
if [ $rc = 0 ] && python3 - "$tmp/j.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = ["tickets", "compliant", "exempt", "violation", "out_of_scope", "compliance_pct", "rows_rejected", "by_cso", "signals"]
missing = [k for k in keys if k not in d]
assert not missing, missing
assert d["tickets"] == d["compliant"] + d["exempt"] + d["violation"] + d["out_of_scope"]
assert sum(c["tickets"] for c in d["by_cso"]) == d["tickets"]
for k in ("reused_contacts", "exemption_outliers", "cross_system_mismatches"):
    assert isinstance(d["signals"][k], list), k
assert d["rows_read"] == d["rows_imported"] + d["rows_rejected"]
PY
then echo "ok   check_json_keys_and_figures"; pass=$((pass+1)); else echo "FAIL check_json_keys_and_figures (exit $rc)"; head -c 400 "$tmp/j.json"; fail=$((fail+1)); fi
if python3 -c "import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert d.getElementsByTagName('testcase')" "$tmp/junit.xml" 2>/dev/null; then echo "ok   check_junit_parses"; pass=$((pass+1)); else echo "FAIL check_junit_parses"; fail=$((fail+1)); fi
# run --json: the same object, after the report
expect run_json 0 '"compliance_pct"' -- "$bin" run --json --db "$tmp/r.db" --out "$tmp/rep" "$sample/ap2t-2026-10.csv"
if [ -f "$tmp/rep/audit-2026-10.xlsx" ]; then echo "ok   run_writes_workbook"; pass=$((pass+1)); else echo "FAIL run_writes_workbook"; fail=$((fail+1)); fi

# defaults: --db ticket-audit.db and --out reports in the working folder
mkdir -p "$tmp/cwd"
(cd "$tmp/cwd" && "$bin" run --quiet "$sample/ap2t-2026-10.csv" >"$tmp/q.out" 2>&1)
if [ -f "$tmp/cwd/ticket-audit.db" ] && [ "$(stat -c %a "$tmp/cwd/ticket-audit.db")" = 600 ] && [ -f "$tmp/cwd/reports/audit-2026-10.xlsx" ]; then
  echo "ok   defaults_db_and_out"; pass=$((pass+1)); else echo "FAIL defaults_db_and_out"; ls -la "$tmp/cwd" "$tmp/cwd/reports" 2>&1 | head; fail=$((fail+1)); fi
# --quiet: nothing but errors
if [ ! -s "$tmp/q.out" ]; then echo "ok   quiet_prints_nothing"; pass=$((pass+1)); else echo "FAIL quiet_prints_nothing"; head -3 "$tmp/q.out"; fail=$((fail+1)); fi

# ---- issue 14 item 5: an empty file or folder option is a usage error --
mkdir -p "$tmp/emptyopt"
for o in "import --db ''" "run --out ''" "audit --rules ''" "check --junit ''" "import --sheet ''"; do
  name=$(echo "$o" | awk '{print $2}' | tr -d -)
  cmd=$(echo "$o" | awk '{print $1}')
  expect "empty_${name}_value_2" 2 "^ticket-audit: --$name '': the value is empty" -- \
    sh -c "cd '$tmp/emptyopt' && exec '$bin' $o '$fx/crm_basic.csv'"
done
# ... and nothing was created in its stead (no throw-away database)
if [ -z "$(ls -A "$tmp/emptyopt")" ]; then echo "ok   empty_value_creates_nothing"; pass=$((pass+1)); else echo "FAIL empty_value_creates_nothing: $(ls -A "$tmp/emptyopt")"; fail=$((fail+1)); fi
expect empty_db_equals_form_2 2 "--db '': the value is empty" -- "$bin" import --db= "$fx/crm_basic.csv"

# ---- issue 15 item 9: only import and run create a database --------------
expect audit_missing_db_66 66 "nodb\.db: no such database; import exports into it first" -- "$bin" audit --db "$tmp/nodb.db"
expect report_missing_db_66 66 "nodb\.db: no such database" -- "$bin" report --db "$tmp/nodb.db" --out "$tmp/nodbrep"
expect review_missing_db_66 66 "nodb\.db: no such database" -- "$bin" review --db "$tmp/nodb.db" "$fx/crm_basic.csv"
if [ ! -e "$tmp/nodb.db" ] && [ ! -e "$tmp/nodbrep" ]; then echo "ok   missing_db_not_created"; pass=$((pass+1)); else echo "FAIL missing_db_not_created"; fail=$((fail+1)); fi
mkdir -p "$tmp/adir.db"
expect audit_db_is_folder_66 66 "adir\.db: is a folder, not a database" -- "$bin" audit --db "$tmp/adir.db"

# ---- issue 15 item 8: a --period without tickets -------------------------
pdb=$tmp/period.db
"$bin" import --quiet --db "$pdb" "$sample/crm-2026-10.csv" >/dev/null 2>&1
expect period_none_audit_65 65 "period\.db: --period 2026-11 holds no ticket; months with tickets: 2026-10; give one of them" -- \
  "$bin" audit --db "$pdb" --period 2026-11
expect period_none_report_65 65 "--period 2026-11 holds no ticket; months with tickets: 2026-10" -- \
  "$bin" report --db "$pdb" --period 2026-11 --out "$tmp/prep"
expect period_none_run_65 65 "--period 2026-11 holds no ticket; months with tickets: 2026-10" -- \
  "$bin" run --db "$pdb" --period 2026-11 --out "$tmp/prep" "$sample/apkt-2026-10.csv"
expect period_none_check_65 65 "--period 2026-11 holds no ticket of the files given; months with tickets: 2026-10" -- \
  "$bin" check --period 2026-11 --fail-under 90 "$sample/crm-2026-10.csv"
if [ ! -e "$tmp/prep" ]; then echo "ok   period_none_writes_no_report"; pass=$((pass+1)); else echo "FAIL period_none_writes_no_report"; fail=$((fail+1)); fi
expect period_some_audit_0 0 "period 2026-10" -- "$bin" audit --db "$pdb" --period 2026-10
# a database without tickets: report says import first, and the months (none)
"$bin" import --quiet --db "$tmp/noticket.db" "$fx/empty.csv" >/dev/null 2>&1
expect report_empty_db_65 65 "noticket\.db: the database holds no ticket \(months with tickets: none\); import exports first" -- \
  "$bin" report --db "$tmp/noticket.db" --out "$tmp/nrep"
expect report_empty_db_period_65 65 "--period 2026-10 holds no ticket; months with tickets: none; import exports first" -- \
  "$bin" report --db "$tmp/noticket.db" --period 2026-10 --out "$tmp/nrep"
# check --fail-under with nothing in scope (every row rejected) fails
{ head -1 "$fx/crm_basic.csv"; echo ",2026-10-01,Gangguan,Budi,b@x.id,081234567801,Ani,x,123"; echo ",2026-10-02,Gangguan,Sri,s@x.id,081234567802,Ani,x,123"; } > "$tmp/allrejected.csv"
expect check_nothing_in_scope_1 1 "nothing in scope to judge for --fail-under" -- "$bin" check --fail-under 0 "$tmp/allrejected.csv"
expect check_nothing_in_scope_no_fail_under_0 0 "compliance: none" -- "$bin" check "$tmp/allrejected.csv"

# ---- issue 15 item 10: the last line names the inputs that failed -------
"$bin" run --db "$tmp/f.db" --out "$tmp/frep" "$sample/ap2t-2026-10.csv" "$tmp/nope.csv" "$fx/empty.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
last=$(tail -1 "$tmp/err")
case "$last" in
  "ticket-audit: 2 of 3 inputs failed: $tmp/nope.csv (exit 66, input file missing), $fx/empty.csv (exit 65, data error)")
    [ $rc = 66 ] && grep -q "report written" "$tmp/out" && { echo "ok   run_ends_with_failed_inputs"; pass=$((pass+1)); } \
      || { echo "FAIL run_ends_with_failed_inputs: exit $rc"; fail=$((fail+1)); } ;;
  *) echo "FAIL run_ends_with_failed_inputs: last line: $last"; fail=$((fail+1)) ;;
esac
"$bin" import --db "$tmp/f.db" "$tmp/nope.csv" "$fx/crm_basic.csv" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 66 ] && tail -1 "$tmp/err" | grep -q "^ticket-audit: 1 of 2 inputs failed: $tmp/nope.csv (exit 66"; then echo "ok   import_ends_with_failed_inputs"; pass=$((pass+1)); else echo "FAIL import_ends_with_failed_inputs: $rc $(tail -1 "$tmp/err")"; fail=$((fail+1)); fi
"$bin" check --quiet "$fx/binary.bin" "$fx/crm_basic.csv" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc = 65 ] && tail -1 "$tmp/err" | grep -q "1 of 2 inputs failed: .*binary\.bin (exit 65, data error)$"; then echo "ok   check_ends_with_failed_inputs"; pass=$((pass+1)); else echo "FAIL check_ends_with_failed_inputs: $rc $(tail -1 "$tmp/err")"; fail=$((fail+1)); fi
"$bin" import --db "$tmp/f1.db" "$tmp/nope.csv" >/dev/null 2>"$tmp/err"
if [ "$(grep -c "inputs failed" "$tmp/err")" = 0 ]; then echo "ok   one_file_no_failed_line"; pass=$((pass+1)); else echo "FAIL one_file_no_failed_line"; fail=$((fail+1)); fi

# ---- issue 15 item 11: options before the command, -h, suggestions ------
expect options_before_command 0 "report written" -- "$bin" --lang en --db "$tmp/ob.db" --out "$tmp/obrep" run "$sample/ap2t-2026-10.csv"
expect dash_h 0 "^Usage: ticket-audit" -- "$bin" -h
expect suggest_per_cso 2 "unknown option '--perso'; did you mean --per-cso\?" -- "$bin" run --perso "$fx/crm_basic.csv"
expect suggest_command 2 "unknown command 'imprt'; did you mean 'import'\?" -- "$bin" imprt "$fx/crm_basic.csv"

# ---- SPEC §2: report --json prints the summary from the report's snapshot
expect report_json 0 '"by_cso"' -- "$bin" report --json --db "$pdb" --out "$tmp/jrep"
if python3 - "$tmp/out" "$src/docs/json.md" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
# every key docs/json.md's schema requires is there (top, by_cso, reviewed)
schema = json.loads(re.findall(r"```json\n(.*?)```", open(sys.argv[2]).read(), re.S)[0])
assert not set(schema["required"]) - set(d), set(schema["required"]) - set(d)
p = schema["properties"]
for c in d["by_cso"]:
    assert not set(p["by_cso"]["items"]["required"]) - set(c), c
assert not set(p["reviewed"]["required"]) - set(d["reviewed"])
for c in d["by_cso"]:
    for k in ("reused_contacts", "exemption_outliers", "cross_system_mismatches", "compliance_pct_reviewed"):
        assert k in c, k
    assert c["compliance_pct_reviewed"] == c["compliance_pct"], c
r = d["reviewed"]
assert (r["decisions"], r["upheld"], r["overturned"], r["stale"]) == (0, 0, 0, 0), r
assert r["compliance_pct"] == d["compliance_pct"]
# every reused contact's CSOs count it
for s in d["signals"]["reused_contacts"]:
    for c in s["csos"]:
        assert [b for b in d["by_cso"] if b["cso"] == c["cso"]][0]["reused_contacts"] >= 1
PY
then echo "ok   report_json_signals_per_cso"; pass=$((pass+1)); else echo "FAIL report_json_signals_per_cso"; fail=$((fail+1)); fi
if ! grep -q "report written" "$tmp/out" && grep -q "report written" "$tmp/err"; then echo "ok   report_json_stdout_is_json_alone"; pass=$((pass+1)); else echo "FAIL report_json_stdout_is_json_alone"; fail=$((fail+1)); fi

# ---- SPEC §2: messages mask personal data (a phone in the date column) -
{ head -1 "$fx/crm_basic.csv"; echo "T9,081234567890,Gangguan,Budi,b@x.id,081234567801,Ani,x,123"; echo "T8,budi.santoso@gmail.com,Gangguan,Budi,b@x.id,081234567801,Ani,x,123"; } > "$tmp/phone_in_date.csv"
"$bin" import --db "$tmp/m.db" "$tmp/phone_in_date.csv" >"$tmp/out" 2>"$tmp/err"
if grep -q 'date "0812\*\*\*\*7890"' "$tmp/err" && grep -q 'b\*\*\*@gmail.com' "$tmp/err" && ! grep -qE "081234567890|budi\.santoso" "$tmp/out" "$tmp/err"; then
  echo "ok   reject_reason_masked"; pass=$((pass+1)); else echo "FAIL reject_reason_masked"; cat "$tmp/err"; fail=$((fail+1)); fi

# --encoding overrides detection: a Windows-1252 file read as UTF-8 keeps
# its rows, invalid bytes become U+FFFD, and the import records utf-8
expect encoding_override 0 "utf-8" -- "$bin" import --encoding utf-8 --db "$tmp/enc.db" "$fx/cp1252.csv"
# ... and says so (issue 15 item 13), even with --quiet
if grep -q "cp1252\.csv: warning: 3 invalid UTF-8 sequences were replaced by U+FFFD" "$tmp/err"; then echo "ok   encoding_override_warns"; pass=$((pass+1)); else echo "FAIL encoding_override_warns"; cat "$tmp/err"; fail=$((fail+1)); fi
expect encoding_override_warns_quiet 0 "3 invalid UTF-8 sequences" -- "$bin" import --quiet --encoding utf-8 --db "$tmp/enc2.db" "$fx/cp1252.csv"
expect encoding_detected_no_warning 0 "windows-1252" -- "$bin" import --db "$tmp/enc3.db" "$fx/cp1252.csv"
if ! grep -q "invalid UTF-8" "$tmp/err"; then echo "ok   encoding_detected_no_warning_text"; pass=$((pass+1)); else echo "FAIL encoding_detected_no_warning_text"; fail=$((fail+1)); fi
got=$(sqlite3 "$tmp/enc.db" "select encoding || '|' || (select hex(name) from tickets) from imports" 2>/dev/null)
if [ "$got" = "utf-8|416E6472EFBFBD20436166EFBFBD" ]; then echo "ok   encoding_override_replacement"; pass=$((pass+1)); else echo "FAIL encoding_override_replacement: $got"; fail=$((fail+1)); fi

# progress never goes into a pipe: stderr here is a file
"$bin" import --db "$tmp/p.db" "$fx/crm_basic.csv" 2>"$tmp/err" >/dev/null
if grep -q $'\r' "$tmp/err"; then echo "FAIL no_progress_in_pipe"; fail=$((fail+1)); else echo "ok   no_progress_in_pipe"; pass=$((pass+1)); fi

# ... and does show on a terminal (script(1) gives the program a pty)
if command -v script >/dev/null 2>&1; then
  script -qec "'$bin' import --db '$tmp/tty.db' '$fx/crm_basic.csv'" "$tmp/tty.log" >/dev/null 2>&1
  if grep -q "importing .*crm_basic.csv: 100%" "$tmp/tty.log"; then echo "ok   progress_on_terminal"; pass=$((pass+1)); else echo "FAIL progress_on_terminal"; fail=$((fail+1)); fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
