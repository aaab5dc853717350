#!/usr/bin/env bash
# End-to-end tests of the command line (SPEC §2): exit statuses, messages,
# the database mode, re-imports, and no progress output into a pipe.
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
# --encoding overrides detection: a Windows-1252 file read as UTF-8 keeps
# its rows, invalid bytes become U+FFFD, and the import records utf-8
expect encoding_override 0 "utf-8" -- "$bin" import --encoding utf-8 --db "$tmp/enc.db" "$fx/cp1252.csv"
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
