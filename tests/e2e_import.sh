#!/usr/bin/env bash
# The import through the binary (SPEC §2, §3; issues 13 and 14): every
# workbook case and every refusal with its exit status and the part named;
# non-regular inputs refused at once; two processes importing the same
# file at once; a file changed by a writer racing the import; a disk that
# fills mid-import; messages that quote cells masked; a rules pattern that
# cannot finish, on import and on audit.
# Usage: e2e_import.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
wb=$src/fixtures/import_xlsx
hx=$src/fixtures/xlsx/hostile
tmp=$(mktemp -d)
mounts=()
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0; fail=0; skip=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
have_sqlite=1; command -v sqlite3 >/dev/null || have_sqlite=0
q() { sqlite3 -batch "$1" "$2" 2>&1; }

# expect NAME STATUS PATTERN CMD...: the exit status, and PATTERN (ERE) in
# stdout or stderr.
expect() {
  local name=$1 want=$2 pat=$3; shift 3
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" != "$want" ]; then
    bad "$name: exit $got, want $want"; head -5 "$tmp/err" "$tmp/out"; return 1
  fi
  if [ -n "$pat" ] && ! grep -qE -- "$pat" "$tmp/out" "$tmp/err"; then
    bad "$name: output lacks /$pat/"; head -5 "$tmp/err" "$tmp/out"; return 1
  fi
  ok "$name"
}

# ---- workbooks: every case ------------------------------------------------
db=$tmp/wb.db
for f in xw_apkt_same.xlsx opx_apkt_same.xlsx lo_apkt_same.xlsx lo_apkt_same.xls \
         xw_apkt_same_1904.xlsx opx_apkt_same_1904.xlsx lo_apkt_same_1904.xls \
         xw_apkt_same_inline.xlsx; do
  fmt=xlsx; case $f in *.xls) fmt=xls ;; esac
  expect "import_$f" 0 "apkt export, 16 rows read, 12 imported, 4 rejected \($fmt workbook, sheet 'Laporan', header on row 16\)" \
    "$bin" import --db "$tmp/$f.db" "$wb/$f"
  grep -q "$f:Laporan!B24: row rejected: date \"s\*\*\*@gmail.com\"" "$tmp/err" \
    && ok "import_$f: rejected row names its cell" \
    || { bad "import_$f: rejected row's cell"; cat "$tmp/err"; }
done
expect import_csv_same_rows 0 "16 rows read, 12 imported, 4 rejected \(utf-8, delimiter ',', header on line 16\)" \
  "$bin" import --db "$tmp/csv.db" "$wb/apkt_same.csv"
if [ $have_sqlite = 1 ]; then
  want=$(q "$tmp/csv.db" "select * from audit_results order by ticket_id")
  for f in xw_apkt_same.xlsx lo_apkt_same.xls opx_apkt_same_1904.xlsx; do
    got=$(q "$tmp/$f.db" "select * from audit_results order by ticket_id")
    [ "$got" = "$want" ] && ok "same_rows_$f: audit_results as the CSV's" \
      || bad "same_rows_$f: audit_results differ"
  done
fi
for f in xw_apkt_sheets.xlsx opx_apkt_sheets.xlsx lo_apkt_sheets.xls; do
  expect "sheets_$f" 0 "7 rows read, 6 imported, 1 rejected \(xlsx? workbook, sheet 'Laporan', header on row 16; continued in 'Laporan \(2\)' \(header on row 1\), 'Laporan \(3\)' \(header on row 1\); not read: 'Rekap' \(hidden\), 'Catatan' \(no header\)" \
    "$bin" import --db "$tmp/s_$f.db" "$wb/$f"
  grep -q "'Laporan (3)'!M3: row rejected: a value in column M, right of the header's last column L" "$tmp/err" \
    && ok "sheets_$f: value right of the header" || bad "sheets_$f: beyond header: $(cat "$tmp/err")"
done
[ $have_sqlite = 1 ] && {
  got=$(q "$tmp/s_xw_apkt_sheets.xlsx.db" "select format||' '||sheets from imports")
  [ "$got" = 'xlsx ["Laporan","Laporan (2)","Laporan (3)"]' ] && ok "sheets_recorded" || bad "sheets_recorded: $got"
}
expect sheet_named_hidden 0 "1 rows read, 1 imported, 0 rejected \(xlsx workbook, sheet 'Rekap' \(--sheet\), header on row 1\)" \
  "$bin" import --db "$tmp/n.db" --sheet Rekap "$wb/xw_apkt_sheets.xlsx"
expect sheet_named_missing_65 65 "no sheet named 'Nope' \(--sheet\); its sheets: 'Rekap' \(hidden\), 'Catatan', 'Laporan', 'Grafik' \(a chart sheet\)" \
  "$bin" import --db "$tmp/n.db" --sheet Nope "$wb/xw_apkt_sheets.xlsx"
expect sheet_named_no_header_65 65 "xw_apkt_sheets.xlsx:Catatan: no header row in its first 30 non-empty rows" \
  "$bin" import --db "$tmp/n.db" --sheet Catatan "$wb/xw_apkt_sheets.xlsx"
expect encoding_not_for_workbooks 0 "; --encoding does not apply to workbooks \(always UTF-8\)\)" \
  "$bin" import --db "$tmp/e.db" --encoding windows-1252 "$wb/opx_apkt_same.xlsx"
for f in xw_no_header.xlsx opx_no_header.xlsx lo_no_header.xls; do
  expect "no_header_$f" 65 "no worksheet has a header row mapping the required fields \(ticket_id, date, email, hp\) within its first 30 non-empty rows; sheets checked: 'Sheet1': .*'Data Lain': .*'Kosong': no non-empty row; not read: 'Arsip' \(hidden\)" \
    "$bin" import --db "$tmp/nh.db" "$wb/$f"
done
expect missing_email_65 65 "'Laporan': header on row 3: the apkt export has no column for the required field 'email'" \
  "$bin" import --db "$tmp/nh.db" "$wb/xw_missing_email.xlsx"
# the content decides, never the name
cp "$wb/xw_apkt_same.xlsx" "$tmp/export.csv"
expect workbook_named_csv 0 "\(xlsx workbook, sheet 'Laporan'" "$bin" import --db "$tmp/k.db" "$tmp/export.csv"
cp "$wb/apkt_same.csv" "$tmp/export.xls"
expect text_named_xls_is_csv 0 "\(utf-8, delimiter ',', header on line 16\)" "$bin" import --db "$tmp/k.db" "$tmp/export.xls"
# every refusal: 65, the part or the kind named, what to do
while IFS='|' read -r name file pat; do
  expect "refused_$name" 65 "$pat" "$bin" import --db "$tmp/r.db" "$file"
done <<EOF
html_named_xls|$hx/html_table.xls|html_table.xls: this is a web page \(HTML\).*save it from Excel as .xlsx or CSV
xml_2003|$hx/xml_spreadsheet_2003.xls|save it from Excel as .xlsx or CSV
word_doc|$hx/word_document.doc|word_document.doc: this is a Word document
docx|$hx/word.docx|word.docx: 
encrypted|$hx/encrypted.xlsx|password-protected
excel95|$hx/excel95.xls|Excel 5.0/95
password_xls|$hx/password.xls|password
ods|$hx/spreadsheet.ods|OpenDocument
truncated|$hx/truncated.xlsx|truncated.xlsx: .*truncated or damaged
missing_sheet|$hx/missing_sheet.xlsx|missing_sheet.xlsx: 
malformed_sheet|$hx/malformed_sheet.xlsx|malformed_sheet.xlsx: .*sheet1.xml
bomb|$hx/bomb_ratio_lying.xlsx|1,000 times
over_4_gib|$hx/over_4_gib.xlsx|4 GiB
dtd|$hx/dtd_in_sheet.xlsx|DTD
entity|$hx/external_entity.xlsx|DTD
cell_too_long|$src/fixtures/xlsx/xw_cell_32768_units.xlsx|Long!B1: .*32,767
past_xfd|$hx/column_past_xfd.xlsx|XFD
rows_out_of_order|$hx/rows_out_of_order.xlsx|out of order
EOF
[ $have_sqlite = 1 ] && { got=$(q "$tmp/r.db" "select count(*) from imports"); [ "$got" = 0 ] && ok "refused_nothing_stored" || bad "refused_nothing_stored: $got"; }

# ---- non-regular inputs: refused at once (66) ----------------------------
mkfifo "$tmp/fifo.csv"
expect fifo_refused_66 66 "fifo.csv: is a FIFO \(named pipe\): a regular file is required" "$bin" import --db "$tmp/x.db" "$tmp/fifo.csv"
expect dev_zero_refused_66 66 "/dev/zero: is a character device: a regular file is required" "$bin" import --db "$tmp/x.db" /dev/zero
expect directory_refused_66 66 "is a directory: a regular file is required" "$bin" import --db "$tmp/x.db" "$tmp"
expect check_fifo_refused_66 66 "a regular file is required" "$bin" check "$tmp/fifo.csv"

# ---- two processes import the same file at once (issue 14 item 10) -------
med=$(dirname "$bin")/e2e-import-crm-60000.csv
if [ ! -s "$med" ]; then
  python3 "$src/tools/gen_exports.py" --source crm --rows 60000 --period 2026-10 \
    --out "$med.tmp" 2>/dev/null && mv "$med.tmp" "$med"
fi
db2=$tmp/two.db
"$bin" import --quiet --db "$db2" "$src/fixtures/import/crm_basic.csv"
"$bin" import --db "$db2" "$med" >"$tmp/p1.out" 2>&1 & p1=$!; pids+=($p1)
for _ in $(seq 2000); do [ -e "$db2-journal" ] && break; sleep 0.005; done
if [ -e "$db2-journal" ]; then
  "$bin" import --db "$db2" "$med" >"$tmp/p2.out" 2>&1; rc2=$?
  wait $p1; rc1=$?
  if [ $rc1 = 0 ] && [ $rc2 = 0 ] && grep -q "60000 rows read" "$tmp/p1.out" \
     && grep -q "already imported" "$tmp/p2.out"; then
    ok "same_file_twice_at_once: the second waits and says already imported"
  else bad "same_file_twice_at_once: $rc1/$rc2: $(cat "$tmp/p1.out" "$tmp/p2.out")"; fi
  [ $have_sqlite = 1 ] && { got=$(q "$db2" "select count(*) from imports"); [ "$got" = 2 ] && ok "same_file_twice_one_import_row" || bad "same_file_twice: imports $got"; }
else
  wait $p1; echo "skip same_file_twice_at_once: the first import ended before it could be caught"; skip=$((skip+1))
fi

# ---- a writer racing the import (issue 14 item 2) ------------------------
race() { # NAME ACTION: the import is started, ACTION runs once its
         # write transaction is open (the reader in its second pass)
  local name=$1 action=$2 f=$tmp/race.csv d=$tmp/race.db
  rm -f "$d"; cp "$med" "$f"
  # The database exists first: its schema's own journal must not be
  # mistaken for the import's.
  "$bin" import --quiet --db "$d" "$src/fixtures/import/crm_basic.csv"
  "$bin" import --db "$d" "$f" >"$tmp/race.out" 2>&1 & local p=$!; pids+=($p)
  for _ in $(seq 4000); do [ -e "$d-journal" ] && break; sleep 0.002; done
  eval "$action"
  wait $p; local rc=$?
  if [ $rc = 74 ] && grep -q "race.csv: the file changed while it was read" "$tmp/race.out"; then
    ok "$name: refused with 74"
  elif [ $rc = 0 ]; then
    echo "skip $name: the import ended before the writer (machine too fast)"; skip=$((skip+1)); return
  else bad "$name: exit $rc: $(cat "$tmp/race.out")"; return; fi
  if [ $have_sqlite = 1 ]; then
    local got; got=$(q "$d" "select count(*) from imports")/$(q "$d" "select count(*) from tickets")
    [ "$got" = 1/3 ] && ok "$name: nothing stored" || bad "$name: stored $got"
  fi
  # the complete file, later: imported as usual
  expect "$name: complete file imports later" 0 "rows read" "$bin" import --db "$d" "$f"
}
race race_truncated 'truncate -s 2000000 "$f"'
race race_appended_cp1252 'printf "T9999999,2026-10-30,Gangguan,Jos\351,j@gmail.com,081299999999,Ani,caf\351\n" >>"$f"'
race race_copy_over 'cp "$src/fixtures/import/header_aliases.csv" "$f.new" && mv -f "$f.new" "$f.keep" && cat "$f.keep" > "$f"'
if [ $have_sqlite = 1 ] && [ -e "$tmp/race.db" ]; then
  got=$(q "$tmp/race.db" "select count(*) from tickets where name not like '%' || char(65533) || '%'")
  [ -n "$got" ] && ok "race: database readable after the races" || bad "race: database"
fi

# ---- a disk that fills mid-import (issue 14 item 11) ---------------------
mkdir -p "$tmp/full"
if mount -t tmpfs -o size=1m tmpfs "$tmp/full" 2>/dev/null; then
  mounts+=("$tmp/full")
  fdb=$tmp/full/x.db
  "$bin" import --quiet --db "$fdb" "$src/fixtures/import/crm_basic.csv"
  expect full_disk_73 73 "x\.db: .*full" "$bin" import --db "$fdb" "$med"
  if [ -e "$fdb-journal" ]; then
    grep -q "keep .*x.db-journal beside the database" "$tmp/err" \
      && ok "full_disk: the journal left is named in the message" \
      || bad "full_disk: a journal is left and the message does not say so"
  else ok "full_disk: rolled back before exiting (no journal left)"; fi
  if [ $have_sqlite = 1 ]; then
    got=$(cp "$fdb" "$tmp/copy.db" && q "$tmp/copy.db" "PRAGMA integrity_check; select count(*) from imports; select count(*) from tickets" | tr '\n' ' ')
    [ "$got" = "ok 1 3 " ] && ok "full_disk: the database file alone is whole" || bad "full_disk: the file alone: $got"
  fi
else
  echo "skip full_disk: mount not permitted"; skip=$((skip+1))
fi

# ---- messages that quote cells are masked (issue 14 item 6) --------------
pii=(budi.santoso@gmail.com 0812-3456-7891 "(021) 5551234" 0812.3456.7891
     0812/3456/7891 "0812–3456–7891" "0812  3456	7891" "(0812) 3456-7891"
     "+62 812 3456 7891" "０８１２３４５６７８９１" siti@pos.indonesia.co.id)
{
  echo "ID Tiket,Tanggal,Email,HP"
  i=0; for v in "${pii[@]}"; do i=$((i+1)); printf 'T%d,"%s",a@gmail.com,081398765432\n' $i "$v"; done
} >"$tmp/pii_dates.csv"
{ for v in "${pii[@]}"; do printf '"%s",' "$v"; done; echo x; echo "a,b,c"; } >"$tmp/pii_first_row.csv"
"$bin" import --db "$tmp/pii.db" "$tmp/pii_dates.csv" >"$tmp/pii.out" 2>&1
"$bin" run --db "$tmp/pii2.db" --out "$tmp/rep" "$tmp/pii_dates.csv" >>"$tmp/pii.out" 2>&1
"$bin" import --db "$tmp/pii.db" "$tmp/pii_first_row.csv" >>"$tmp/pii.out" 2>&1
"$bin" import --db "$tmp/pii.db" "$wb/xw_no_header.xlsx" "$wb/xw_apkt_same.xlsx" >>"$tmp/pii.out" 2>&1
"$bin" check "$tmp/pii_first_row.csv" "$tmp/pii_dates.csv" >>"$tmp/pii.out" 2>&1
leak=""
for v in "${pii[@]}" siti.rahma@gmail.com "0812 3456 7890" 081234567891 "3456-7891" "5551234" "３４５６"; do
  grep -qF -- "$v" "$tmp/pii.out" && leak="$leak [$v]"
done
[ -z "$leak" ] && ok "masked_messages: no full address or number on stdout/stderr" \
  || { bad "masked_messages: shown in full:$leak"; cat "$tmp/pii.out"; }
grep -q 'date "b\*\*\*@gmail.com"' "$tmp/pii.out" && ok "masked_messages: the reason still says what was there" \
  || bad "masked_messages: no masked value in the reasons"

# ---- a rules pattern that cannot finish (issue 14 item 8) ----------------
printf '[exemptions]\nangry_notes = (\\w+\\s?)+$\n' >"$tmp/slow.rules"
{
  echo "ID Tiket,Tanggal,Email,HP,Resume"
  echo "T1,2026-10-01,a@gmail.com,081398765432,ok"
  printf 'T2,2026-10-01,,081398765432,'; for _ in $(seq 3000); do printf 'kata '; done; echo '!'
} >"$tmp/slow.csv"
start=$(date +%s)
expect rules_limit_import_65 65 "slow.csv:3: the rules pattern \[exemptions\] angry_notes \(.*slow.rules:2\) cannot finish on the notes field.*nothing of this file was stored" \
  "$bin" import --db "$tmp/slow.db" --rules "$tmp/slow.rules" "$tmp/slow.csv"
[ $(( $(date +%s) - start )) -lt 20 ] && ok "rules_limit_import: bounded time" || bad "rules_limit_import: took too long"
[ $have_sqlite = 1 ] && [ -e "$tmp/slow.db" ] && { got=$(q "$tmp/slow.db" "select count(*) from imports"); [ "$got" = 0 ] && ok "rules_limit_import: nothing stored" || bad "rules_limit_import: stored $got"; }
"$bin" import --quiet --db "$tmp/slow2.db" "$tmp/slow.csv"
before=$([ $have_sqlite = 1 ] && q "$tmp/slow2.db" "select * from audit_results order by ticket_id")
expect rules_limit_audit_65 65 "ticket crm:T2: the rules pattern \[exemptions\] angry_notes .*cannot finish on the notes field.*no verdict was changed" \
  "$bin" audit --db "$tmp/slow2.db" --rules "$tmp/slow.rules"
if [ $have_sqlite = 1 ]; then
  after=$(q "$tmp/slow2.db" "select * from audit_results order by ticket_id")
  [ "$before" = "$after" ] && ok "rules_limit_audit: every verdict as it was" || bad "rules_limit_audit: verdicts changed"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
