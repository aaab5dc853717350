#!/usr/bin/env bash
# The report's faults, provoked for real (SPEC §5 "a workbook is complete
# or absent", "one read snapshot"; §2 signals; §6 "Faults"; issue 14
# items 1, 3, 9 and 11, issue 15 item 6):
#   1. libxlsxwriter's temporary folder (TMPDIR) fills up: 73, nothing
#      under the final name, nothing left in TMPDIR or --out;
#   2. --out fills up during the final write: 73, nothing left; a second
#      --per-cso report that does not fit leaves the first one whole;
#   3. another process imports in a loop while `run --per-cso --json`
#      writes: the JSON, the Summary, By CSO, Findings, Exemptions and
#      every per-CSO workbook agree (openpyxl);
#   4. SIGINT / SIGTERM at several moments of `report` and `report
#      --per-cso`: 130 / 143, no temporary file anywhere, no workbook
#      under a final name, a previous per-CSO set whole.
# Mount cases run in a private mount namespace (unshare -m) and print
# "skip" where that is not permitted.
# Usage: e2e_report_safety.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0; skip=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
finish() { echo "$pass passed, $fail failed ($skip skipped)"; [ "$fail" = 0 ]; exit $?; }
command -v sqlite3 >/dev/null || { bad "the sqlite3 shell is needed"; finish; }
$py -c 'import openpyxl' 2>/dev/null || { bad "openpyxl is needed (/usr/bin/python3)"; finish; }

# ---- data ------------------------------------------------------------
# 100 real rows imported (so the verdicts and the audits row are the
# program's own and nothing is stale), then doubled in SQL to 100 x 2^k
# tickets over 20 CSOs: a violation, an exemption or a compliant ticket.
$py - "$tmp/base.csv" <<'PYEOF'
import sys
rows = ["ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Resume,Media"]
for i in range(100):
    kind = i % 3
    email = "" if kind != 2 else f"p{i}@gmail.com"
    notes = "pelanggan marah sekali" if kind == 1 else f"lampu padam di rumah nomor {i}"
    rows.append(f"B{i},2026-10-{1 + i % 28:02d},Gangguan,Nama {i},{email},"
                f"0812{i:08d},C{i % 20},{notes},Contact Center PLN 123")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PYEOF
make_db() { # DB DOUBLINGS
  rm -f "$1"
  "$bin" import --quiet --db "$1" "$tmp/base.csv" >/dev/null 2>&1 || return 1
  local sql="" i
  for i in $(seq 1 "$2"); do
    sql="$sql CREATE TEMP TABLE b AS SELECT * FROM tickets;
      UPDATE b SET ticket_id = ticket_id || '.$i';
      INSERT INTO tickets SELECT * FROM b; DROP TABLE b;"
  done
  sqlite3 "$1" "BEGIN; $sql COMMIT;"
}
# 51,200 tickets: about a second of report in the plain build, several
# under the sanitizers.
db=$tmp/big.db
make_db "$db" 9 || { bad "building the database"; finish; }
n=$(sqlite3 "$db" "select count(*) from tickets")
[ "$n" = 51200 ] && ok "database of $n tickets" || { bad "database: $n tickets"; finish; }

leftovers() { # DIR...: private folders or temporary files of a report
  find "$@" -mindepth 1 \( -name '.ticket-audit-*' -o -name 'ticket-audit-report-*' \
    -o -name '*.tmp-*' -o -name '.lxw-*' \) 2>/dev/null | head -3
}
in_ns() { # run "$@" in a private mount namespace
  unshare -m "$@"
}
if unshare -m true 2>/dev/null && unshare -m sh -c 'mount -t tmpfs -o size=1m tmpfs /mnt' 2>/dev/null; then
  have_ns=1
else
  have_ns=0
fi

# ---- 1. TMPDIR fills up (libxlsxwriter's temporary files) -----------------
if [ $have_ns = 1 ]; then
  mkdir -p "$tmp/small-tmp" "$tmp/o1"
  in_ns sh -c 'd=$1; shift; mount -t tmpfs -o size=4m tmpfs "$d" || exit 9
      TMPDIR=$d "$@"; rc=$?; ls -A "$d" > "$d.left"; exit $rc' \
    sh "$tmp/small-tmp" "$bin" report --db "$db" --out "$tmp/o1" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc = 73 ] && ok "tmpdir_full_73" || { bad "tmpdir_full_73: exit $rc"; head -3 "$tmp/err"; }
  grep -q "audit-2026-10.xlsx: cannot write the report: its temporary files in $tmp/small-tmp/ticket-audit-report-.*No space left on device; free some disk space there, or set TMPDIR" "$tmp/err" \
    && ok "tmpdir_full_message_names_folder_and_TMPDIR" || { bad "tmpdir_full_message"; head -3 "$tmp/err"; }
  [ ! -e "$tmp/o1/audit-2026-10.xlsx" ] && ok "tmpdir_full_no_workbook" || bad "tmpdir_full_no_workbook"
  [ -z "$(leftovers "$tmp/o1")" ] && [ ! -s "$tmp/small-tmp.left" ] \
    && ok "tmpdir_full_nothing_left" || bad "tmpdir_full_nothing_left: $(leftovers "$tmp/o1") $(cat "$tmp/small-tmp.left")"
  # the same report with room writes a workbook openpyxl reads whole
  "$bin" report --quiet --db "$db" --out "$tmp/o1" 2>"$tmp/err" \
    && $py -c 'import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1], read_only=True); print(sum(1 for _ in wb.worksheets[2].iter_rows()))' \
         "$tmp/o1/audit-2026-10.xlsx" > "$tmp/rows" 2>&1 \
    && [ "$(cat "$tmp/rows")" -gt 17000 ] && ok "tmpdir_roomy_workbook_whole ($(cat "$tmp/rows") Findings rows)" \
    || { bad "tmpdir_roomy_workbook_whole"; cat "$tmp/rows" "$tmp/err" | head -3; }
else
  echo "skip tmpdir_full: unshare -m / mount not permitted"; skip=$((skip+1))
fi

# ---- 2. --out fills up during the final write ----------------------------
if [ $have_ns = 1 ]; then
  mkdir -p "$tmp/fullout"
  in_ns sh -c 'd=$1; shift; mount -t tmpfs -o size=1500k tmpfs "$d" || exit 9
      "$@"; rc=$?; find "$d" -mindepth 1 > "$d.left"; exit $rc' \
    sh "$tmp/fullout" "$bin" report --per-cso --db "$db" --out "$tmp/fullout/rep" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc = 73 ] && ok "out_full_73" || { bad "out_full_73: exit $rc"; head -3 "$tmp/err"; }
  grep -q "fullout/rep/audit-2026-10.xlsx: cannot write the report: No space left on device; check the free space of the folder" "$tmp/err" \
    && ok "out_full_message" || { bad "out_full_message"; head -3 "$tmp/err"; }
  # only the folder --out itself (created 0700) may remain
  [ "$(cat "$tmp/fullout.left")" = "$tmp/fullout/rep" ] && ok "out_full_nothing_left" \
    || bad "out_full_nothing_left: $(head -3 "$tmp/fullout.left")"

  # A first --per-cso report fits; the second needs room for both sets at
  # once and does not: the first must stay whole.
  small=$tmp/small.db
  make_db "$small" 6 || bad "small database"
  mkdir -p "$tmp/fullset"
  in_ns sh -c '
    keep=$1 d=$2 size=$3; shift 3
    mount -t tmpfs -o size=$size tmpfs "$d" || exit 9
    out=$d/rep
    "$@" --out "$out" >/dev/null 2>"$keep/rep.err" || exit 8
    (cd "$out" && find . -type f | sort | xargs sha256sum) > "$d/rep.before"
    "$@" --out "$out" --lang en >/dev/null 2>"$keep/rep.err"; rc=$?
    (cd "$out" && find . -type f | sort | xargs sha256sum) > "$d/rep.after"
    find "$out" -mindepth 1 -name ".ticket-audit-*" > "$d/rep.left"
    cp "$d"/rep.* "$keep/"; exit $rc' sh "$tmp" "$tmp/fullset" 1000k \
    "$bin" report --per-cso --db "$small"
  rc=$?
  if [ $rc = 9 ] || [ $rc = 8 ]; then
    bad "second_set_full: setup failed ($rc): $(head -2 "$tmp/rep.err")"
  else
    [ $rc = 73 ] && ok "second_set_full_73" || { bad "second_set_full_73: exit $rc"; head -3 "$tmp/rep.err"; }
    grep -q "No space left on device" "$tmp/rep.err" && ok "second_set_full_message" \
      || { bad "second_set_full_message"; head -3 "$tmp/rep.err"; }
    [ -s "$tmp/rep.before" ] && cmp -s "$tmp/rep.before" "$tmp/rep.after" \
      && ok "second_set_full_first_set_whole ($(wc -l < "$tmp/rep.before") files)" \
      || { bad "second_set_full_first_set_whole"; diff "$tmp/rep.before" "$tmp/rep.after" | head -5; }
    [ ! -s "$tmp/rep.left" ] && ok "second_set_full_nothing_left" || bad "second_set_full_nothing_left"
  fi
else
  echo "skip out_full: unshare -m / mount not permitted"; skip=$((skip+1))
fi

# ---- 3. one snapshot while another process imports -----------------------
# Each flip file re-imports tickets F0..F299 (INSERT OR REPLACE), half of
# them a violation and half an exemption, the halves swapping from one
# file to the next, plus one new ticket: a report that read its sheets at
# different moments would show a ticket in both Findings and Exemptions,
# and per-CSO workbooks and a JSON that do not add up.
$py - "$tmp/flip" <<'PYEOF'
import sys
for k in range(120):
    rows = ["ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Resume,Media"]
    for i in range(300):
        notes = "pelanggan marah sekali" if (i + k) % 2 else "lampu padam"
        rows.append(f"F{i},2026-10-05,Gangguan,N,,0812{i:08d},C{i % 20},{notes},123")
    rows.append(f"N{k},2026-10-06,Gangguan,N,,081299990000,C{k % 20},lampu padam,123")
    open(f"{sys.argv[1]}-{k}.csv", "w").write("\n".join(rows) + "\n")
PYEOF
snap=$tmp/snap.db
cp "$db" "$snap"
"$bin" import --quiet --db "$snap" "$tmp/flip-0.csv" >/dev/null 2>&1
( k=1; while [ ! -e "$tmp/stop" ] && [ $k -lt 120 ]; do
    if "$bin" import --quiet --db "$snap" "$tmp/flip-$k.csv" >/dev/null 2>>"$tmp/writer.err"; then
      date +%s.%N >> "$tmp/commits"
    fi
    k=$((k+1))
  done ) &
writer=$!
for _ in $(seq 1 200); do [ -s "$tmp/commits" ] && break; sleep 0.05; done
t0=$(date +%s.%N)
"$bin" run --per-cso --json --lang en --db "$snap" --out "$tmp/so" "$tmp/base.csv" \
  >"$tmp/snap.json" 2>"$tmp/snap.err"
rc=$?
t1=$(date +%s.%N)
sleep 0.5; touch "$tmp/stop"; wait $writer
commits=$(wc -l < "$tmp/commits")
[ $rc = 0 ] && ok "snapshot_run_ok ($commits imports committed by the other process)" \
  || { bad "snapshot_run_ok: exit $rc"; head -3 "$tmp/snap.err"; }
[ "$commits" -ge 2 ] && ok "snapshot_writer_committed" || bad "snapshot_writer_committed: $commits"
out=$($py - "$tmp/so" "$tmp/snap.json" <<'PYEOF'
import json, os, sys, openpyxl
out, js = sys.argv[1], json.load(open(sys.argv[2]))
bad = []
def load(p): return openpyxl.load_workbook(p, read_only=True)
def table(wb, prefix):
    """rows (dicts by header) of every sheet prefix, prefix (2), ..."""
    rows = []
    for ws in wb.worksheets:
        if ws.title != prefix and not ws.title.startswith(prefix + " ("): continue
        it = ws.iter_rows(values_only=True)
        head = next(it)
        rows += [dict(zip(head, r)) for r in it if any(v is not None for v in r)]
    return rows
def summary_total(wb, label):
    for row in wb.worksheets[0].iter_rows(values_only=True):
        for a, b in zip(row, row[1:]):
            if a == label and isinstance(b, (int, float)): return b
    bad.append(f"Summary has no {label!r}")
period = [f for f in os.listdir(os.path.join(out, "cso")) if not f.startswith(".")]
main = load(os.path.join(out, "audit-2026-10.xlsx"))
cols = {"tickets": "Tickets", "compliant": "Compliant", "exempt": "Exempt",
        "violation": "Violations", "out_of_scope": "Out of scope"}
by = {r["CSO"]: r for r in table(main, "By CSO")}
for key, label in cols.items():
    s = summary_total(main, label)
    per = sum(r[label] for r in by.values())
    if s != per: bad.append(f"Summary {label} {s} != sum of By CSO {per}")
    if js[key] != s: bad.append(f"JSON {key} {js[key]} != Summary {s}")
for c in js["by_cso"]:
    r = by.get(c["cso"] or "(unknown)")
    for key, label in cols.items():
        if r is None or r[label] != c[key]:
            bad.append(f"JSON {c['cso']} {key} {c[key]} != By CSO {r and r[label]}")
def tickets(rows):
    t = [r.get("Ticket") for r in rows]
    return t
fin, exm = tickets(table(main, "Findings")), tickets(table(main, "Exemptions"))
both = set(fin) & set(exm)
if both: bad.append(f"{len(both)} tickets in both Findings and Exemptions, e.g. {sorted(both)[:3]}")
if len(fin) != summary_total(main, "Violations"): bad.append(f"Findings rows {len(fin)} != Violations")
if len(exm) != summary_total(main, "Exempt"): bad.append(f"Exemptions rows {len(exm)} != Exempt")
if len(period) != 1: bad.append(f"cso/ holds {period}")
d = os.path.join(out, "cso", period[0])
pf, pe = [], []
for f in sorted(os.listdir(d)):
    wb = load(os.path.join(d, f))
    cso = f[:-5]
    a, b = tickets(table(wb, "Findings")), tickets(table(wb, "Exemptions"))
    r = by.get(cso)
    if r is None: bad.append(f"{f}: no such CSO in By CSO"); continue
    if len(a) != r["Violations"] or len(b) != r["Exempt"]:
        bad.append(f"{f}: {len(a)} findings / {len(b)} exemptions, By CSO says {r['Violations']} / {r['Exempt']}")
    pf += a; pe += b
if sorted(pf) != sorted(fin): bad.append("per-CSO Findings do not add up to the main one")
if sorted(pe) != sorted(exm): bad.append("per-CSO Exemptions do not add up to the main one")
print(f"violations={len(fin)} exempt={len(exm)} per_cso_files={len(os.listdir(d))}")
for b in bad[:6]: print(b)
PYEOF
)
echo "     $(echo "$out" | head -1)"
[ "$(echo "$out" | wc -l)" = 1 ] && ok "snapshot_everything_agrees" || bad "snapshot_everything_agrees: $(echo "$out" | tail -n +2)"
during=$(awk -v a="$t0" -v b="$t1" '$1 > a && $1 < b' "$tmp/commits" | wc -l)
echo "     imports committed while the report ran: $during (the snapshot makes them wait)"

# ---- 4. SIGINT / SIGTERM at several moments --------------------------------
# A driver starts the command, waits for a moment (a time, or something
# appearing in --out), sends the signal and checks what is left.
$py - "$bin" "$db" "$tmp" > "$tmp/sig.out" 2>&1 <<'PYEOF'
import os, signal, subprocess, sys, time, glob, hashlib
bin_, db, tmp = sys.argv[1:4]
def files(top):
    out = {}
    for d, _, fs in os.walk(top):
        for f in fs:
            p = os.path.join(d, f)
            out[os.path.relpath(p, top)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out
def private(top):
    return [os.path.join(d, x) for d, ds, fs in os.walk(top) for x in ds + fs
            if x.startswith(".ticket-audit-") or x.startswith("ticket-audit-report-")]
def case(name, args, sig, moment, previous=False):
    out = os.path.join(tmp, "sig-" + name)
    tdir = os.path.join(tmp, "sig-tmp-" + name)
    os.makedirs(tdir)
    if previous:
        subprocess.run([bin_, "report", "--quiet", "--per-cso", "--db", db, "--out", out], check=True)
    before = files(out) if previous else {}
    env = dict(os.environ, TMPDIR=tdir)
    p = subprocess.Popen([bin_] + args + ["--db", db, "--out", out], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    global CURRENT_PID
    CURRENT_PID = p.pid
    reached, t0 = False, time.time()
    while p.poll() is None and time.time() - t0 < 120:
        if moment(out, time.time() - t0):
            reached = True
            break
        time.sleep(0.002)
    if reached and p.poll() is None:
        p.send_signal(sig)
    err = p.communicate()[1].decode(errors="replace")
    want = 128 + sig
    problems = []
    if not reached: problems.append("the moment never came (the command ended first)")
    elif p.returncode != want: problems.append(f"exit {p.returncode}, want {want}: {err[:200]}")
    elif "interrupted" not in err: problems.append(f"no 'interrupted' message: {err[:200]}")
    left = private(out) + private(tdir)
    if left: problems.append(f"left behind: {left[:3]}")
    after = files(out)
    if after != before:
        problems.append(f"final names changed: {sorted(set(after) ^ set(before))[:3] or 'contents'}")
    print(("ok   " if not problems else "FAIL ") + "signal_" + name + ("" if not problems else ": " + "; ".join(problems)))
CURRENT_PID = 0
def has_db_open():
    # The handlers are installed before the database is opened: a signal
    # before that (the sanitizer build starts slowly) would kill the
    # process by the default action, which is not what is tested here.
    try:
        fds = os.listdir(f"/proc/{CURRENT_PID}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{CURRENT_PID}/fd/{fd}") == os.path.realpath(db):
                return True
        except OSError:
            pass
    return False
def at(sec): return lambda out, t: t >= sec and has_db_open()
def main_zipping(out, t):
    return any(os.path.getsize(f) > 0 for f in glob.glob(os.path.join(out, ".ticket-audit-*", "*.xlsx")))
def set_started(out, t):
    return bool(glob.glob(os.path.join(out, "cso", ".ticket-audit-*")))
def set_half(out, t):
    return len(glob.glob(os.path.join(out, "cso", ".ticket-audit-*", "*.xlsx"))) >= 5
I, T = signal.SIGINT, signal.SIGTERM
case("int_early", ["report"], I, at(0.05))
case("term_while_zipping", ["report"], T, main_zipping)
case("int_while_zipping_per_cso", ["report", "--per-cso"], I, main_zipping)
case("term_per_cso_started", ["report", "--per-cso"], T, set_started)
case("int_per_cso_half", ["report", "--per-cso"], I, set_half)
case("term_per_cso_half_previous_set_whole", ["report", "--per-cso"], T, set_half, previous=True)
PYEOF
cat "$tmp/sig.out"
pass=$((pass + $(grep -c '^ok ' "$tmp/sig.out")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/sig.out")))
[ "$(grep -c '^ok \|^FAIL' "$tmp/sig.out")" = 6 ] || bad "signal driver: $(tail -3 "$tmp/sig.out")"

finish
