#!/usr/bin/env bash
# The synthetic exports of tools/gen_exports.py through the real binary:
# the generator is deterministic, and for every dialect it writes (each
# delimiter, CRLF/CR, BOM, titles, Windows-1252, bad rows, a truncated last
# row) the import accounts for every row: read = imported + rejected, and
# the rejected count is exactly the generator's bad rows.
# Usage: e2e_generated.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
py=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail+1)); }

gen() { # NAME ARGS... ; writes $tmp/NAME.csv, prints "ROWS BAD" as the generator counted them
  local name=$1; shift
  "$py" "$src/tools/gen_exports.py" "$@" --out "$tmp/$name.csv" 2>"$tmp/$name.gen" || { bad "$name" "generator failed"; return 1; }
  sed -n 's/.*: \([0-9]*\) rows, \([0-9]*\) bad.*/\1 \2/p' "$tmp/$name.gen"
}

# determinism
"$py" "$src/tools/gen_exports.py" --source crm --rows 500 --period 2026-10 --seed 11 --out "$tmp/a.csv" 2>/dev/null
"$py" "$src/tools/gen_exports.py" --source crm --rows 500 --period 2026-10 --seed 11 --out "$tmp/b.csv" 2>/dev/null
if cmp -s "$tmp/a.csv" "$tmp/b.csv"; then ok generator_deterministic; else bad generator_deterministic "files differ"; fi

check() { # NAME ROWS BAD
  local name=$1 rows=$2 badrows=$3 db=$tmp/$1.db
  "$bin" import --quiet --db "$db" "$tmp/$name.csv" 2>"$tmp/$name.err"
  local rc=$?
  if [ $rc != 0 ]; then bad "$name" "exit $rc: $(head -c 300 "$tmp/$name.err")"; return; fi
  local got
  got=$(sqlite3 "$db" "select rows_read||' '||rows_imported||' '||rows_rejected||' '||(rows_read=rows_imported+rows_rejected) from imports")
  local read imported rejected balanced
  read -r read imported rejected balanced <<<"$got"
  if [ "$read" = "$rows" ] && [ "$rejected" = "$badrows" ] && [ "$balanced" = 1 ]; then
    ok "$name ($read read, $imported imported, $rejected rejected)"
  else
    bad "$name" "got '$got', want $rows read and $badrows rejected"
  fi
}

n=$(gen crm_semicolon_titles_bom --source crm --rows 2000 --period 2026-10 --seed 1 --delimiter ';' --titles --bom --bad-rows 2) && check crm_semicolon_titles_bom $n
n=$(gen apkt_crlf --source apkt --rows 2000 --period 2026-10 --seed 2 --line-end crlf --bad-rows 1) && check apkt_crlf $n
n=$(gen apkt_cr_truncated --source apkt --rows 2000 --period 2026-09 --seed 3 --line-end cr --bad-rows 2 --truncated) && check apkt_cr_truncated $n
n=$(gen ap2t_cp1252_pipe --source ap2t --rows 2000 --period 2026-10 --seed 4 --encoding windows-1252 --delimiter '|' --bad-rows 1) && check ap2t_cp1252_pipe $n
n=$(gen crm_tab --source crm --rows 1000 --period 2026-08 --seed 5 --delimiter '\t') && check crm_tab $n

enc=$(sqlite3 "$tmp/ap2t_cp1252_pipe.db" "select encoding||' '||delimiter from imports")
if [ "$enc" = "windows-1252 |" ]; then ok ap2t_cp1252_detected; else bad ap2t_cp1252_detected "$enc"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
