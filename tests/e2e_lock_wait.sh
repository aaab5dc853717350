#!/usr/bin/env bash
# Waiting for another process's lock (SPEC §5 "A writer never fails only
# because a report is running: it waits for it"; issue 14 item 11, issue
# 15 item 12): a lock held by a sqlite3 shell fed through a FIFO (BEGIN
# EXCLUSIVE), then two ticket-audit processes at once. The second command
# waits as long as the lock is held, says so on a terminal (script(1)
# gives it one), says how long it waited once it has the lock, and
# succeeds; nothing of the wait reaches a pipe but that last line.
# Usage: e2e_lock_wait.sh BINARY SOURCE_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
sample=$src/fixtures/sample
tmp=$(mktemp -d)
sqpid=
cleanup() {
  exec 3>&- 2>/dev/null
  [ -n "$sqpid" ] && kill "$sqpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3 shell"; exit 0; }

db=$tmp/lock.db
"$bin" import --quiet --db "$db" "$sample/crm-2026-10.csv" >/dev/null 2>&1 \
  || { bad "setup import"; exit 1; }

# Holds the database with BEGIN EXCLUSIVE until release_lock.
hold_lock() {
  rm -f "$tmp/fifo" "$tmp/sq.out"
  mkfifo "$tmp/fifo"
  sqlite3 "$db" <"$tmp/fifo" >"$tmp/sq.out" 2>&1 &
  sqpid=$!
  exec 3>"$tmp/fifo"
  printf 'BEGIN EXCLUSIVE;\nSELECT count(*) FROM imports;\n' >&3
  for _ in $(seq 1 200); do [ -s "$tmp/sq.out" ] && break; sleep 0.05; done
  grep -qxE '[0-9]+' "$tmp/sq.out" || bad "hold_lock: $(cat "$tmp/sq.out")"
}
release_lock() {
  printf 'COMMIT;\n' >&3
  exec 3>&-
  wait "$sqpid" 2>/dev/null
  sqpid=
}

# ---- a reader (report) waits for an exclusive lock, on a terminal ------
hold_lock
script -qec "'$bin' report --db '$db' --out '$tmp/rep'" "$tmp/tty.log" \
  </dev/null >/dev/null 2>&1 &
rpid=$!
sleep 2.5
kill -0 "$rpid" 2>/dev/null && ok report_waits_for_lock || bad "report_waits_for_lock: it ended"
release_lock
wait "$rpid"; rc=$?
[ "$rc" = 0 ] && [ -f "$tmp/rep/audit-2026-10.xlsx" ] && ok report_succeeds_after_wait \
  || bad "report_succeeds_after_wait: exit $rc"
grep -qE "waiting for another ticket-audit to finish with $db\.\.\. \([12] s\)" "$tmp/tty.log" \
  && ok wait_said_on_terminal || bad "wait_said_on_terminal: $(tr '\r' '\n' < "$tmp/tty.log" | head -5)"
grep -qE "lock\.db: waited [2-9] s for another program to finish with the database" "$tmp/tty.log" \
  && ok reader_says_how_long_it_waited || bad "reader_says_how_long_it_waited"

# ---- a writer (import) waits, in a pipe: only the last line -------------
hold_lock
"$bin" import --db "$db" "$sample/apkt-2026-10.csv" >"$tmp/out" 2>"$tmp/err" &
ipid=$!
sleep 2
kill -0 "$ipid" 2>/dev/null && ok writer_waits_for_lock || bad "writer_waits_for_lock: it ended"
release_lock
wait "$ipid"; rc=$?
[ "$rc" = 0 ] && grep -q "apkt export" "$tmp/out" && ok writer_succeeds_after_wait \
  || bad "writer_succeeds_after_wait: exit $rc $(head -2 "$tmp/err")"
grep -q "waiting" "$tmp/out" "$tmp/err" && bad "no_wait_progress_in_pipe" || ok no_wait_progress_in_pipe
grep -q $'\r' "$tmp/err" && bad "no_carriage_return_in_pipe" || ok no_carriage_return_in_pipe
grep -qE "waited [0-9]+ s for another program" "$tmp/out" && ok writer_says_how_long_it_waited \
  || bad "writer_says_how_long_it_waited"

# ---- --quiet: not a word of the wait ------------------------------------
hold_lock
"$bin" audit --quiet --db "$db" >"$tmp/out" 2>"$tmp/err" &
apid=$!
sleep 1.5
release_lock
wait "$apid"; rc=$?
[ "$rc" = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok quiet_wait_silent \
  || bad "quiet_wait_silent: exit $rc, $(cat "$tmp/out" "$tmp/err" | head -3)"

# ---- SIGTERM ends a wait: 143, and the message says what it waited for --
hold_lock
"$bin" report --db "$db" --out "$tmp/rep3" >"$tmp/out" 2>"$tmp/err" &
tpid=$!
sleep 1.5
kill -TERM "$tpid"
wait "$tpid"; rc=$?
release_lock
[ "$rc" = 143 ] && ok wait_sigterm_143 || bad "wait_sigterm_143: exit $rc"
grep -q "lock\.db: .*interrupted while waiting for another program to finish with the database" "$tmp/err" \
  && ok wait_sigterm_message || bad "wait_sigterm_message: $(cat "$tmp/err")"
grep -q "waited" "$tmp/out" && bad "wait_sigterm_not_said_over" || ok wait_sigterm_not_said_over

# ---- two ticket-audit processes: the second waits for the first --------
big=$tmp/big.csv
/usr/bin/python3 "$src/tests/big_export.py" 600000 2026-11 "$big" || { bad "generate"; exit 1; }
"$bin" import --quiet --db "$db" "$big" >"$tmp/a.out" 2>&1 &
a=$!
# the first holds the write lock once its rows flow: wait for its journal
for _ in $(seq 1 400); do [ -e "$db-journal" ] && break; sleep 0.01; done
script -qec "'$bin' import --db '$db' '$sample/ap2t-2026-10.csv'" "$tmp/two.log" \
  </dev/null >/dev/null 2>&1 &
b=$!
wait "$a"; ra=$?
wait "$b"; rb=$?
[ "$ra" = 0 ] && ok first_writer_ok || bad "first_writer_ok: exit $ra $(head -3 "$tmp/a.out")"
[ "$rb" = 0 ] && grep -q "ap2t export" "$tmp/two.log" && ok second_writer_succeeds \
  || bad "second_writer_succeeds: exit $rb $(tr '\r' '\n' < "$tmp/two.log" | grep -v '^$' | tail -3)"
grep -q "waiting for another ticket-audit to finish with" "$tmp/two.log" && ok second_writer_waited \
  || bad "second_writer_waited: $(tr '\r' '\n' < "$tmp/two.log" | grep -v '^$' | tail -3)"
got=$(sqlite3 "$db" "PRAGMA integrity_check; SELECT count(*) FROM imports")
[ "$got" = "ok
4" ] && ok database_whole || bad "database_whole: $got"
expect_tickets=$("$bin" audit --db "$db" --period 2026-11 2>&1 | grep -c "tickets: 600000")
[ "$expect_tickets" = 1 ] && ok both_writers_stored || bad "both_writers_stored"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
