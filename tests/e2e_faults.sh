#!/usr/bin/env bash
# Resource faults (SPEC §2 exit statuses): a full device for the database
# and for the workbook, read-only and impossible output paths, a database
# file that is not SQLite, a database locked by another process. Each must
# give a message naming the file and saying what to do, the documented
# status (65 data, 73 cannot create output, 74 I/O), and leave nothing
# half-written behind. Mount-based cases (a 64 KiB tmpfs, a read-only
# tmpfs) are skipped when mount(8) is not permitted.
# Usage: e2e_faults.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
fx=$src/fixtures/import
tmp=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  [ -n "${lockpid:-}" ] && kill "$lockpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0; fail=0; skip=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }

expect() { # NAME WANT_STATUS PATTERN -- CMD...
  local name=$1 want=$2 pat=$3; shift 4
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" != "$want" ]; then
    bad "$name: exit $got, want $want"; head -5 "$tmp/err"; return 1
  fi
  if [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/out" "$tmp/err"; then
    bad "$name: output lacks /$pat/"; head -5 "$tmp/err"; return 1
  fi
  ok "$name"
}
empty_dir() { # NAME DIR: nothing (not even a temporary file) left in DIR
  local left; left=$(find "$2" -mindepth 1 -not -type d 2>/dev/null | head -3)
  [ -z "$left" ] && ok "$1" || bad "$1: left behind: $left"
}
try_mount() { # DIR OPTIONS
  mkdir -p "$1"
  if mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null; then mounts+=("$1"); return 0; fi
  return 1
}

small=$fx/crm_basic.csv
med=$tmp/med.csv
python3 "$src/tools/gen_exports.py" --source crm --rows 20000 --period 2026-10 \
  --out "$med" 2>/dev/null

# ---- full device --------------------------------------------------------
expect db_dev_full_73 73 "/dev/full: .*full.*free some disk space" -- \
  "$bin" import --db /dev/full "$small"

if try_mount "$tmp/tiny" size=64k; then
  expect db_tiny_tmpfs_73 73 "tiny/x\.db: .*full" -- \
    "$bin" import --db "$tmp/tiny/x.db" "$med"
  empty_dir db_tiny_tmpfs_no_file_left "$tmp/tiny"

  "$bin" import --quiet --db "$tmp/r.db" "$med" >/dev/null 2>&1
  expect report_full_73 73 "audit-2026-10\.xlsx: cannot write the report: No space left on device; check the free space" -- \
    "$bin" report --db "$tmp/r.db" --out "$tmp/tiny/rep"
  empty_dir report_full_no_partial_workbook "$tmp/tiny"
  expect per_cso_full_73 73 "cannot write the report" -- \
    "$bin" report --per-cso --db "$tmp/r.db" --out "$tmp/tiny/rep"
  empty_dir per_cso_full_no_partial_workbook "$tmp/tiny"
else
  echo "skip tmpfs_full: mount not permitted"; skip=$((skip+1))
fi

if try_mount "$tmp/mid" size=1m; then
  # The schema and a small import fit; the 20,000-row import does not.
  db=$tmp/mid/x.db
  "$bin" import --quiet --db "$db" "$small" >/dev/null 2>&1
  expect db_full_mid_import_73 73 "x\.db: committing the import: .*full|x\.db: storing a .*full" -- \
    "$bin" import --db "$db" "$med"
  if command -v sqlite3 >/dev/null; then
    got=$(sqlite3 "$db" "PRAGMA integrity_check; select count(*) from imports; select count(*) from tickets" | tr '\n' ' ')
    [ "$got" = "ok 1 3 " ] && ok "db_full_mid_import_rolled_back" \
      || bad "db_full_mid_import_rolled_back: $got"
  fi
  [ ! -e "$db-journal" ] && ok "db_full_mid_import_no_journal" || bad "db_full_mid_import_no_journal"
else
  echo "skip tmpfs_mid_import: mount not permitted"; skip=$((skip+1))
fi

# ---- paths that cannot be created ---------------------------------------
touch "$tmp/afile"
expect db_under_regular_file_73 73 "afile/x\.db: cannot create the database" -- \
  "$bin" import --db "$tmp/afile/x.db" "$small"
expect out_under_regular_file_73 73 "afile.*cannot create the output folder" -- \
  "$bin" run --db "$tmp/o.db" --out "$tmp/afile/out" "$small"

if try_mount "$tmp/ro" size=8m; then
  mkdir -p "$tmp/ro/rep"
  "$bin" import --quiet --db "$tmp/ro/c.db" "$small" >/dev/null 2>&1
  if mount -o remount,ro "$tmp/ro" 2>/dev/null; then
    expect out_readonly_folder_73 73 "ro/rep/audit-2026-10\.xlsx: cannot create the report: Read-only" -- \
      "$bin" run --db "$tmp/o.db" --out "$tmp/ro/rep" "$small"
    expect out_readonly_new_folder_73 73 "ro/new: cannot create the output folder: Read-only" -- \
      "$bin" run --db "$tmp/o.db" --out "$tmp/ro/new" "$small"
    expect db_readonly_new_73 73 "ro/n\.db: cannot create the database: Read-only" -- \
      "$bin" import --db "$tmp/ro/n.db" "$small"
    expect db_readonly_import_73 73 "c\.db: recording the import: .*read-only" -- \
      "$bin" import --db "$tmp/ro/c.db" "$med"
    expect db_readonly_report_ok 0 "" -- \
      "$bin" report --db "$tmp/ro/c.db" --out "$tmp/rep-from-ro"
  else
    echo "skip readonly: remount not permitted"; skip=$((skip+1))
  fi
else
  echo "skip readonly: mount not permitted"; skip=$((skip+1))
fi

# ---- not a database -----------------------------------------------------
cp "$small" "$tmp/notdb.db"
expect db_is_csv_65 65 "notdb\.db: this file is not an SQLite database" -- \
  "$bin" import --db "$tmp/notdb.db" "$small"
cmp -s "$small" "$tmp/notdb.db" && ok "db_is_csv_untouched" || bad "db_is_csv_untouched"
head -c 8192 /dev/urandom > "$tmp/rand.db"
expect db_is_random_65 65 "rand\.db: this file is not an SQLite database" -- \
  "$bin" audit --db "$tmp/rand.db"
if command -v sqlite3 >/dev/null; then
  sqlite3 "$tmp/other.db" "create table t(x)"
  expect db_other_app_65 65 "other\.db: this SQLite database was not made by ticket-audit" -- \
    "$bin" import --db "$tmp/other.db" "$small"
fi

# ---- locked by another process -----------------------------------------
# SPEC §5: a writer never fails only because another process holds the
# database; it waits as long as that one does, then goes on (the wait is
# said on the terminal, and in one line once it is over).
if command -v sqlite3 >/dev/null; then
  db=$tmp/lk.db
  "$bin" import --quiet --db "$db" "$small" >/dev/null 2>&1
  for mode in EXCLUSIVE IMMEDIATE; do
    rm -f "$tmp/locked" "$tmp/lk.db-$mode"
    ( printf 'BEGIN %s;\nSELECT count(*) FROM imports;\n.print locked\n' "$mode"; \
      while [ ! -e "$tmp/release" ]; do sleep 0.1; done; echo "ROLLBACK;" ) \
      | sqlite3 "$db" > "$tmp/locked" &
    lockpid=$!
    for _ in $(seq 1 100); do grep -q locked "$tmp/locked" 2>/dev/null && break; sleep 0.05; done
    python3 "$src/tools/gen_exports.py" --source crm --rows 20000 --period 2026-10 \
      --seed "$([ $mode = EXCLUSIVE ] && echo 11 || echo 12)" --out "$tmp/med-$mode.csv" 2>/dev/null
    "$bin" import --db "$db" "$tmp/med-$mode.csv" >"$tmp/out" 2>"$tmp/err" &
    imp=$!
    sleep 2
    if kill -0 "$imp" 2>/dev/null; then ok "db_locked_${mode}_waits"; else bad "db_locked_${mode}_waits: ended while the lock was held"; fi
    touch "$tmp/release"; wait "$lockpid" 2>/dev/null; lockpid=; rm -f "$tmp/release"
    wait "$imp"; rc=$?
    [ "$rc" = 0 ] && grep -q "20000 rows read" "$tmp/out" && ok "db_locked_${mode}_then_imports" \
      || { bad "db_locked_${mode}_then_imports: exit $rc"; head -3 "$tmp/err"; }
    grep -qE "lk\.db: waited [0-9]+ s for another program" "$tmp/out" && ok "db_locked_${mode}_says_how_long" \
      || bad "db_locked_${mode}_says_how_long: $(head -c 300 "$tmp/out")"
  done
  got=$(sqlite3 "$db" "PRAGMA integrity_check; select count(*) from imports" | tr '\n' ' ')
  [ "$got" = "ok 3 " ] && ok "db_locked_whole_after_waits" || bad "db_locked_whole_after_waits: $got"
fi

echo "$pass passed, $fail failed ($skip skipped)"
[ "$fail" = 0 ]
