#!/usr/bin/env bash
# The progress indicator of SPEC §2 (issue 15 item 12): on a terminal
# (script(1) gives the program one) every long step shows a line on
# stderr — the import, the audit, the signals, the workbooks — drawn in
# place and cleared before any other line; never with --quiet, and never
# in a pipe or a file.
# Usage: e2e_progress.sh BINARY SOURCE_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
sample=$src/fixtures/sample
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
command -v script >/dev/null || { echo "skip: no script(1)"; exit 0; }
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3 shell"; exit 0; }

tty_run() { # LOG CMD...: runs CMD on a pseudo-terminal, its output in LOG
  local log=$1; shift
  local cmd="" a
  for a in "$@"; do cmd="$cmd '$a'"; done
  script -qec "$cmd" "$log" </dev/null >/dev/null 2>&1
}
has() { # NAME LOG PATTERN
  if tr '\r' '\n' < "$2" | grep -qE -- "$3"; then ok "$1"; else bad "$1: no /$3/"; fi
}

db=$tmp/p.db
tty_run "$tmp/run.log" "$bin" run --db "$db" --out "$tmp/rep" --per-cso \
  "$sample/crm-2026-10.csv" "$sample/apkt-2026-10.csv"
has progress_import "$tmp/run.log" "importing crm-2026-10\.csv: +[0-9]+%  [0-9]+ rows"
has progress_signals "$tmp/run.log" "signals: (reading the tickets|sorting|reused contacts)\.\.\."
has progress_workbooks "$tmp/run.log" "writing (the workbooks|audit-2026-10\.xlsx)"
# every line of its own starts clean: the progress line is erased first
has progress_erased_before_lines "$tmp/run.log" $'\033\\[Kticket-audit: |\033\\[Kreport written'
# right after the run every verdict is current (SPEC §6): nothing to
# judge, the signals are up to date, and the summary is still printed
tty_run "$tmp/current.log" "$bin" audit --db "$db"
has current_audit_summary "$tmp/current.log" "^compliance: "
if tr '\r' '\n' < "$tmp/current.log" | grep -qE "auditing: +[0-9]+%  [1-9]"; then
  bad current_audit_judges_nothing; else ok current_audit_judges_nothing; fi
# verdicts of another program version are stale: judged again
sqlite3 "$db" "UPDATE audits SET program_version = '0.0.0-old'"
tty_run "$tmp/audit.log" "$bin" audit --db "$db"
has progress_audit "$tmp/audit.log" "auditing: +[0-9]+%  [0-9]+ tickets"
has progress_audit_signals "$tmp/audit.log" "signals: (sorting|cross-system mismatches|exemption outliers|reused contacts)\.\.\."
has audit_summary_after "$tmp/audit.log" "^compliance: "

# --quiet on a terminal: no progress at all
tty_run "$tmp/quiet.log" "$bin" audit --quiet --db "$db"
if tr '\r' '\n' < "$tmp/quiet.log" | grep -qE "auditing|signals:"; then bad quiet_no_progress; else ok quiet_no_progress; fi

# a pipe: nothing of it, whatever the step
"$bin" run --db "$tmp/q.db" --out "$tmp/rep2" --per-cso "$sample/crm-2026-10.csv" \
  >"$tmp/out" 2>"$tmp/err"
"$bin" audit --db "$tmp/q.db" >>"$tmp/out" 2>>"$tmp/err"
if grep -qE $'\r|\033|importing|auditing|signals: [a-z ]+\\.\\.\\.|writing ' "$tmp/out" "$tmp/err"; then
  bad "no_progress_in_pipe: $(grep -E 'importing|auditing|writing' "$tmp/out" "$tmp/err" | head -2)"
else ok no_progress_in_pipe; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
