#!/usr/bin/python3
"""End-to-end tests of the QA review round trip (SPEC §5 "Review",
docs/review.md) through the binary: the month's exports are run, decisions
are typed into real workbooks with openpyxl (laid out like the report's
Temuan and Pengecualian sheets: title rows, the report's columns, then
Keputusan QA, Catatan QA, Peninjau, Kunci) — sorted, filtered, in English
and in mixed case, copied into a fresh workbook among other columns — and
into CSV files, read back with `ticket-audit review`, and every figure is
checked in the database against what the test itself wrote: reviews,
review_log, reviewed_results, and audit_results byte for byte unchanged.
Then the failures (an invalid value, a malformed key: exit 65, the cell
named, nothing stored), unknown tickets, the same file again, a later
decision, a re-import that adds a missing email (stale), a missing
database, and the carry-over of decisions into the next report.

Usage: e2e_review.py BINARY SOURCE_DIR   (run by tests/e2e_review.sh)
"""
import csv
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import openpyxl

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(SRC, "fixtures", "sample")
TMP = tempfile.mkdtemp(prefix="e2e_review.")
DB = os.path.join(TMP, "t.db")
passed = failed = 0

HEAD_ID = ["Sumber", "Tiket", "Tanggal", "CSO", "Kategori", "Kode", "Email",
           "HP", "Catatan (cuplikan)", "Keputusan QA", "Catatan QA",
           "Peninjau", "Kunci"]


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        print("ok   " + name)
        passed += 1
    else:
        print("FAIL %s %s" % (name, detail))
        failed += 1


def ta(*args):
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def q(sql, *params):
    con = sqlite3.connect(DB)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def audit_dump():
    """audit_results as bytes, every column, in a fixed order."""
    rows = q("SELECT * FROM audit_results ORDER BY source, ticket_id")
    return repr(rows).encode()


def reviews_dump():
    return repr(q("SELECT * FROM reviews ORDER BY source, ticket_id")), \
        repr(q("SELECT * FROM review_log ORDER BY id"))


def tickets(status):
    return q("SELECT source, ticket_id, date, cso, category, codes, email, "
             "hp, notes, source || ':' || ticket_id || ':' || fingerprint "
             "FROM tickets WHERE status = ? ORDER BY source, ticket_id",
             status)


VALUES = {"upheld": ["Sah", "SAH", "sah", "Upheld", "UPHELD"],
          "overturned": ["Batal", "batal", "BATAL", "Overturned",
                         "overturned"]}


def value_for(decision, i):
    v = VALUES[decision]
    return v[i % len(v)]


def temuan_sheet(ws, rows, decide, title):
    """Writes a sheet like the report's: two title rows, a blank, the
    header, one row per ticket; decide(i, t) gives (decision, note,
    reviewer) or None. Returns {key: (row, decision, note, reviewer)}."""
    ws.append([title])
    ws.append(["Periode 2026-10"])
    ws.append([])
    ws.append(HEAD_ID)
    out = {}
    for i, t in enumerate(rows):
        d = decide(i, t)
        cells = list(t[:9])
        if d:
            cells += [value_for(d[0], i), d[1], d[2], t[9]]
        else:
            cells += [None, None, None, t[9]]
        ws.append(cells)
        if d:
            out[t[9]] = (ws.max_row, d[0], d[1] or "", d[2] or "")
    return out


def expected_final(status, decision):
    if decision == "overturned":
        return {"violation": "compliant", "exempt": "violation"}.get(
            status, status)
    return status


def compliance(rows):
    ok = sum(1 for s in rows if s in ("compliant", "exempt"))
    n = sum(1 for s in rows if s in ("compliant", "exempt", "violation"))
    return None if n == 0 else (20000 * ok + n) // (2 * n) / 100.0


def check_db_against(name, decided):
    """decided: {key: (file, sheet, row, decision, note, reviewer)} — what
    the test wrote and expects to apply."""
    got = {"%s:%s:%s" % (r[0], r[1], r[2]): r[3:]
           for r in q("SELECT source, ticket_id, fingerprint, file, sheet, "
                      "row, decision, note, reviewer FROM reviews")}
    want = {k: v for k, v in decided.items()}
    check(name + "_reviews_rows", got == want,
          "%d rows, want %d; first difference: %s" % (
              len(got), len(want),
              next((k, got.get(k), want.get(k)) for k in
                   set(got) | set(want) if got.get(k) != want.get(k))
              if got != want else ""))
    # every decision of reviews is its review_log row
    n = q("SELECT count(*) FROM reviews r JOIN review_log l ON l.id = "
          "r.log_id WHERE l.source = r.source AND l.ticket_id = r.ticket_id "
          "AND l.fingerprint = r.fingerprint AND l.decision = r.decision AND "
          "l.note = r.note AND l.reviewer = r.reviewer AND l.file = r.file "
          "AND l.row = r.row AND l.decided_at = r.decided_at")[0][0]
    check(name + "_reviews_are_logged", n == len(want), "%d" % n)
    # the view: a decision applies, final_status from the status
    bad = []
    for (src, tid, status, decision, final, stale) in q(
            "SELECT source, ticket_id, status, decision, final_status, stale "
            "FROM reviewed_results"):
        key = [k for k in want if k.startswith("%s:%s:" % (src, tid))]
        d = want[key[0]][3] if key else None
        if decision != d or final != expected_final(status, d) or stale:
            bad.append((src, tid, status, decision, final, stale, d))
    check(name + "_reviewed_results", not bad, repr(bad[:3]))


def decided_at_ok():
    rows = q("SELECT decided_at FROM review_log")
    pat = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
    return rows and all(pat.match(r[0]) for r in rows)


def main():
    rc, out, err = ta("review", "--db", DB, os.path.join(TMP, "x.xlsx"))
    check("missing_db_66", rc == 66 and DB in err and
          not os.path.exists(DB), "%d %s" % (rc, err))

    rc, out, err = ta("run", "--quiet", "--db", DB, "--out",
                      os.path.join(TMP, "r1"),
                      *[os.path.join(SAMPLE, f) for f in
                        ("crm-2026-10.csv", "apkt-2026-10.csv",
                         "ap2t-2026-10.csv")])
    check("run_sample", rc == 0, err[-300:])
    audit0 = audit_dump()
    viol, exem = tickets("violation"), tickets("exempt")

    # 1. October's workbook: Temuan sorted by CSO (descending), some rows
    # hidden by a filter; Pengecualian; mixed case, both languages
    decided = {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Temuan"
    rows = sorted(viol, key=lambda t: (t[3], t[1]), reverse=True)

    def decide_v(i, t):
        if i % 3:
            return None
        return ("overturned" if i % 2 else "upheld",
                "dengar rekaman %d" % i if i % 4 == 0 else "",
                "" if i % 15 == 0 else "Budi" if i % 9 == 0 else "Rina")
    marks = temuan_sheet(ws, rows, decide_v, "Temuan Oktober 2026")
    ws.auto_filter.ref = "A4:M%d" % ws.max_row
    for r in range(5, ws.max_row + 1, 5):
        ws.row_dimensions[r].hidden = True
    ws2 = wb.create_sheet("Pengecualian")

    def decide_e(i, t):
        return None if i % 4 else (["upheld", "overturned"][i // 4 % 2],
                                   "cek pengecualian", "Sari")
    marks_e = temuan_sheet(ws2, exem, decide_e, "Pengecualian Oktober 2026")
    wb.create_sheet("Ringkasan").append(["Kepatuhan", 80])
    oct1 = os.path.join(TMP, "oktober.xlsx")
    wb.save(oct1)
    for k, (row, d, note, rev) in marks.items():
        decided[k] = (oct1, "Temuan", row, d, note, rev)
    for k, (row, d, note, rev) in marks_e.items():
        decided[k] = (oct1, "Pengecualian", row, d, note, rev)
    n1 = len(decided)
    up = sum(1 for v in decided.values() if v[3] == "upheld")

    rc, out, err = ta("review", "--db", DB, oct1)
    check("workbook_read_exit_0", rc == 0, err)
    want_line = "%s: %d decisions read (%d upheld, %d overturned), 0 stale, " \
        "0 unknown tickets, 0 unchanged" % (oct1, n1, up, n1 - up)
    check("workbook_line", want_line in out, "%r not in %r" % (want_line, out))
    check_db_against("workbook", decided)
    check("review_log_rows", q("SELECT count(*) FROM review_log")[0][0] == n1)
    check("review_log_sha256", q("SELECT count(DISTINCT file_sha256) FROM "
                                 "review_log")[0][0] == 1 and
          len(q("SELECT file_sha256 FROM review_log")[0][0]) == 64)
    check("decided_at_iso_offset", decided_at_ok())
    check("audit_results_unchanged_1", audit_dump() == audit0)
    # compliance after review as printed, against the test's own figure
    statuses = {"%s:%s" % (r[0], r[1]): r[2]
                for r in q("SELECT source, ticket_id, status FROM tickets "
                           "WHERE period = '2026-10'")}
    by_ticket = {k.rsplit(":", 1)[0]: v[3] for k, v in decided.items()}
    before = compliance(list(statuses.values()))
    after = compliance([expected_final(s, by_ticket.get(k))
                        for k, s in statuses.items()])
    m = re.search(r"2026-10: compliance ([\d.]+)%, after review ([\d.]+)% "
                  r"\((\d+) decisions: (\d+) upheld, (\d+) overturned, "
                  r"(\d+) stale\)", out)
    check("period_line_figures",
          m and float(m.group(1)) == before and float(m.group(2)) == after
          and int(m.group(3)) == n1 and int(m.group(6)) == 0,
          "%r; want %.2f / %.2f" % (out, before, after))

    # 2. a copy of rows into a fresh workbook, other columns around, the
    # English names in another order
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Salinan"
    ws.append(["Rekap banding CSO"])
    ws.append(["no", "QA note", "Key", "keterangan", "QA decision",
               "Reviewer", "Ticket"])
    fresh = [t for t in viol if t[9] not in decided][:12]
    copy = os.path.join(TMP, "salinan.xlsx")
    for i, t in enumerate(fresh):
        # even rows upheld, odd rows overturned
        ws.append([i + 1, "banding %d" % i, t[9], "lain-lain",
                   ["Sah", "Overturned", "upheld", "BATAL"][i % 4], "Joko",
                   t[1]])
        decided[t[9]] = (copy, "Salinan", ws.max_row,
                         "overturned" if i % 2 else "upheld",
                         "banding %d" % i, "Joko")
    ws.append([])
    ws.append(["", "total", "", "", "", "", 12])
    wb.save(copy)
    rc, out, err = ta("review", "--db", DB, copy)
    check("copy_read", rc == 0 and "%s: 12 decisions read (6 upheld, 6 "
          "overturned), 0 stale, 0 unknown tickets, 0 unchanged" % copy in out,
          out + err)
    check_db_against("copy", decided)
    check("audit_results_unchanged_2", audit_dump() == audit0)

    # 3. the same file again changes nothing, no new log row
    snap = reviews_dump()
    rc, out, err = ta("review", "--db", DB, oct1)
    check("same_file_again", rc == 0 and "%d unchanged" % n1 in out and
          reviews_dump() == snap, out)

    # 4. an invalid value: 65, file!sheet!cell and the allowed values,
    # nothing of the file stored (its valid rows neither)
    wb = openpyxl.load_workbook(oct1)
    ws = wb["Temuan"]
    first = next(r for r in range(5, ws.max_row + 1)
                 if not ws.cell(r, 10).value)
    ws.cell(first, 10).value = "Ditolak"
    # and a valid decision changed: not stored either
    r = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 10).value
             and r != first)
    was = ws.cell(r, 10).value.lower()
    ws.cell(r, 10).value = "Batal" if was in ("sah", "upheld") else "Sah"
    bad = os.path.join(TMP, "salah.xlsx")
    wb.save(bad)
    rc, out, err = ta("review", "--db", DB, bad)
    check("invalid_value_65", rc == 65, "%d" % rc)
    check("invalid_value_message",
          "%s:Temuan!J%d: \"Ditolak\" is not a QA decision" % (bad, first)
          in err and "Sah or Upheld" in err and "Batal or Overturned" in err,
          err)
    check("invalid_value_nothing_stored", reviews_dump() == snap)

    # 5. a malformed key
    wb = openpyxl.load_workbook(oct1)
    ws = wb["Pengecualian"]
    r = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 10).value)
    ws.cell(r, 13).value = ws.cell(r, 13).value[:-1]
    badkey = os.path.join(TMP, "kunci.xlsx")
    wb.save(badkey)
    rc, out, err = ta("review", "--db", DB, badkey)
    check("malformed_key_65", rc == 65 and
          "%s:Pengecualian!M%d:" % (badkey, r) in err and
          "is not a review key" in err and reviews_dump() == snap, err)

    # 6. unknown tickets: counted, the first named, exit 0; with a bad
    # file beside it, the first failure decides the exit status and the
    # good file is stored
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Temuan"
    ws.append(["Kunci", "Keputusan QA", "Peninjau"])
    for i in range(8):
        ws.append(["crm:K99000000%02d:0123456789ab" % i, "Sah", "Rina"])
    t = fresh[0]  # upheld in the copy, with a note: another decision
    ws.append([t[9], "Sah", "Rina"])
    unk = os.path.join(TMP, "unknown.xlsx")
    wb.save(unk)
    rc, out, err = ta("review", "--db", DB, bad, unk)
    named = re.findall(r"unknown\.xlsx:Temuan!A(\d+): ticket crm:K99000000"
                       r"\d\d is not in the database", err)
    check("unknown_named_first_5", named == ["2", "3", "4", "5", "6"], err)
    check("unknown_then_count", "... and 3 more tickets not in the database"
          in err, err)
    check("unknown_line", "%s: 9 decisions read (9 upheld, 0 overturned), "
          "0 stale, 8 unknown tickets, 0 unchanged" % unk in out, out)
    check("bad_beside_good_exit_65", rc == 65, "%d" % rc)
    # the later decision replaces the earlier; history kept
    decided[t[9]] = (unk, "Temuan", 10, "upheld", "", "Rina")
    check_db_against("later", decided)
    hist = q("SELECT decision, file FROM review_log WHERE source = ? AND "
             "ticket_id = ? ORDER BY id", t[0], t[1])
    check("later_history_kept", hist == [("upheld", copy), ("upheld", unk)],
          repr(hist))
    check("unknown_not_stored", q("SELECT count(*) FROM review_log WHERE "
                                  "ticket_id LIKE 'K99%'")[0][0] == 0)

    # 7. a CSV decisions file: the ticket as it is now
    e = exem[1]
    dcsv = os.path.join(TMP, "keputusan.csv")
    with open(dcsv, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "ticket_id", "decision", "note", "reviewer"])
        w.writerow([e[0], e[1], "Batal", "alasan tidak sah, cek rekaman",
                    "Sari"])
        w.writerow([])
        w.writerow([viol[1][0], viol[1][1], "", "no decision", ""])
    rc, out, err = ta("review", "--db", DB, dcsv)
    check("csv_read", rc == 0 and "%s: 1 decisions read (0 upheld, 1 "
          "overturned)" % dcsv in out, out + err)
    decided[e[9]] = (dcsv, None, 2, "overturned",
                     "alasan tidak sah, cek rekaman", "Sari")
    check_db_against("csv", decided)
    bcsv = os.path.join(TMP, "salah.csv")
    with open(bcsv, "w") as fh:
        fh.write("source,ticket_id,decision\n%s,%s,Sah\n%s,%s,Mungkin\n" % (
            viol[2][0], viol[2][1], viol[3][0], viol[3][1]))
    snap = reviews_dump()
    rc, out, err = ta("review", "--db", DB, bcsv)
    check("csv_invalid_65", rc == 65 and
          "%s:3: \"Mungkin\" is not a QA decision" % bcsv in err and
          "Sah or Upheld" in err and reviews_dump() == snap, err)
    check("audit_results_unchanged_3", audit_dump() == audit0)

    # 8. a re-import that adds the missing email: the decision goes stale
    target = next(t for t in viol if t[0] == "crm" and "EMAIL_MISSING" in
                  t[5] and t[9] in decided)
    with open(os.path.join(SAMPLE, "crm-2026-10.csv"), encoding="utf-8-sig",
              newline="") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    hi = next(i for i, r in enumerate(lines) if r and r[0] == "ID Tiket")
    row = [r for r in lines if r and r[0] == target[1]][-1]
    row[lines[hi].index("Email")] = "pelanggan.baru@gmail.com"
    fixed = os.path.join(TMP, "crm-koreksi.csv")
    with open(fixed, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(lines[hi])
        w.writerow(row)
    fp_before = q("SELECT fingerprint FROM tickets WHERE source = 'crm' AND "
                  "ticket_id = ?", target[1])[0][0]
    rc, out, err = ta("import", "--db", DB, fixed)
    fp_after = q("SELECT fingerprint FROM tickets WHERE source = 'crm' AND "
                 "ticket_id = ?", target[1])[0][0]
    check("reimport_changes_fingerprint", rc == 0 and fp_before != fp_after,
          err)
    v = q("SELECT decision, final_status, status, stale, stored_decision "
          "FROM reviewed_results WHERE source = 'crm' AND ticket_id = ?",
          target[1])[0]
    check("stale_after_reimport", v[0] is None and v[1] == v[2] and
          v[3] == 1 and v[4] == decided[target[9]][3], repr(v))
    check("stale_kept_in_reviews", q("SELECT count(*) FROM reviews WHERE "
                                     "ticket_id = ? AND fingerprint = ?",
                                     target[1], fp_before)[0][0] == 1)
    # reading October's workbook again: the stale decision is identical to
    # the stored one, nothing changes; the figures count it stale
    snap = reviews_dump()
    rc, out, err = ta("review", "--db", DB, oct1)
    check("stale_reread_changes_nothing", rc == 0 and reviews_dump() == snap
          and re.search(r"2026-10: .*, 1 stale\)", out), out)
    # a decision on the new version applies again
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Key", "QA decision", "QA note", "Reviewer"])
    newkey = "crm:%s:%s" % (target[1], fp_after)
    ws.append([newkey, "Upheld", "email sudah ada, tetap", "Rina"])
    nk = os.path.join(TMP, "baru.xlsx")
    wb.save(nk)
    rc, out, err = ta("review", "--db", DB, nk)
    v = q("SELECT decision, stale FROM reviewed_results WHERE source = 'crm' "
          "AND ticket_id = ?", target[1])[0]
    check("new_version_decided", rc == 0 and v == ("upheld", 0), repr(v))
    del decided[target[9]]
    decided[newkey] = (nk, "Sheet", 2, "upheld", "email sudah ada, tetap",
                       "Rina")

    # 9. a stale key read: stored as stale
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kunci", "Keputusan QA"])
    ws.append(["crm:%s:%s" % (target[1], fp_before), "Batal"])
    oldx = os.path.join(TMP, "lama.xlsx")
    wb.save(oldx)
    rc, out, err = ta("review", "--db", DB, oldx)
    v = q("SELECT decision, stale, stored_decision FROM reviewed_results "
          "WHERE source = 'crm' AND ticket_id = ?", target[1])[0]
    check("stale_key_stored_stale", rc == 0 and "1 stale" in out and
          v == (None, 1, "overturned"), out + repr(v))
    # back to the applying decision
    rc, out, err = ta("review", "--db", DB, nk)
    check("quiet_prints_nothing", ta("review", "--quiet", "--db", DB, nk)[1]
          == "")

    # 10. carry-over: October reported again next week; the decision
    # still applies, and the new workbook's decision cells hold it
    audit1 = audit_dump()
    rc, out, err = ta("report", "--db", DB, "--out", os.path.join(TMP, "r2"))
    check("report_again", rc == 0, err)
    check("decisions_still_apply", q("SELECT count(*) FROM reviewed_results "
                                     "WHERE decision IS NOT NULL")[0][0] ==
          len(decided))
    check("audit_results_unchanged_4", audit_dump() == audit1)
    path = os.path.join(TMP, "r2", "audit-2026-10.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    carried = {}
    for name in ("Temuan", "Pengecualian"):
        rows = list(wb[name].iter_rows(values_only=True))
        hdr = next((i for i, r in enumerate(rows[:30])
                    if r and "Kunci" in r and "Keputusan QA" in r), None)
        if hdr is None:
            continue
        h = rows[hdr]
        ck, cd, cn, cr = (h.index(x) for x in ("Kunci", "Keputusan QA",
                                                "Catatan QA", "Peninjau"))
        for r in rows[hdr + 1:]:
            if r and len(r) > ck and r[ck]:
                carried[r[ck]] = (r[cd], r[cn] or "", r[cr] or "")
    if not carried:
        print("skip carry_over: the report has no decision columns yet")
    else:
        word = {"upheld": "Sah", "overturned": "Batal"}
        miss = [(k, carried.get(k), v) for k, v in decided.items()
                if k in carried and carried[k] != (word[v[3]], v[4], v[5])]
        shown = [k for k in decided if k in carried]
        check("carry_over_cells", shown and not miss,
              "%d shown, %s" % (len(shown), miss[:3]))
        # and reading the new workbook back changes nothing
        snap = reviews_dump()
        rc, out, err = ta("review", "--db", DB, path)
        check("carry_over_reread_unchanged", rc == 0 and
              reviews_dump() == snap, out + err)


try:
    main()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
