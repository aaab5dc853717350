#!/usr/bin/env bash
# Oracle test of the `signals` table (docs/signals.md, docs/schema.md): the
# signals ticket-audit writes are compared, row by row and in both
# directions, with signals computed here from the `tickets` table alone by
# plain SQL in the sqlite3 shell (GROUP BY / JOIN readings of
# docs/signals.md) and, for the median/MAD of the exemption outliers, a short
# python3 script fed with per-(period, CSO) counts. Nothing of src/signals/
# is used, so the test holds for any rewrite of it.
#
# Inputs: three months of tools/gen_exports.py exports (CRM 3 x 7,000 rows,
# APKT 3 x 2,500 rows naming those CRM tickets) plus two hand-written files
# of adversarial cases (one HP written seven ways on exactly 5 customers,
# one APKT row among them; another HP on 4 customers, plus 2 more in the
# next month; emails differing only in case; EKO/Eko/eko and JOSÉ/José
# (ASCII lower-casing only); tickets with neither IDPEL nor name;
# placeholder contacts on 10 customers; a landline on 5; an empty CSO; APKT
# reports naming an unknown, an empty, a lower-cased and an APKT ticket, a
# CRM ticket of another month, and a CRM ticket named by two reports;
# CSOs with exactly 30 and 29 in-scope tickets; a blank CSO exempting all;
# a month where MAD = 0 and the 1-point floor decides).
#
# Checked: `audit` (all periods) with the built-in rules (reused contacts
# from 5 customers), `audit --rules` with reused_min_customers = 3 on a copy
# of the database, and `audit --period P` on a fresh import (only P's
# signals; the APKT side restricted to P, the CRM side any month).
# Usage: e2e_signals_reference.sh BINARY SOURCE_DIR
set -u -o pipefail
bin=$1; src=$2
py=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail+1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

command -v sqlite3 >/dev/null || { bad sqlite3 "the sqlite3 shell is needed"; finish; }

# ---- inputs -------------------------------------------------------------

files=()
for spec in "2026-08 41" "2026-09 42" "2026-10 43"; do
  set -- $spec
  "$py" "$src/tools/gen_exports.py" --source crm --rows 7000 --period "$1" \
      --seed "$2" --out "$tmp/crm-$1.csv" 2>/dev/null &&
  "$py" "$src/tools/gen_exports.py" --source apkt --rows 2500 --crm-rows 7000 \
      --period "$1" --seed "$2" --out "$tmp/apkt-$1.csv" 2>/dev/null ||
    { bad generator "period $1 seed $2"; finish; }
  files+=("$tmp/crm-$1.csv" "$tmp/apkt-$1.csv")
done

# Adversarial CRM tickets. Group comments give what the reference must find
# (customers/tickets, per period); the hand checks below assert them.
cat >"$tmp/adv-crm.csv" <<'EOF'
ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Prioritas,Emosi Pelanggan,Hubungan Pelapor,ID Pelanggan,Media
KADV-H5-01,2026-09-01,Informasi Tagihan,Pelanggan A,,+62 813-7788-9901,Sinta Marlina,,,Pelanggan,990000000001,Contact Center PLN 123
KADV-H5-02,2026-09-02,Informasi Tagihan,Pelanggan B,,6281377889901,Sinta Marlina,,,Pelanggan,990000000002,Contact Center PLN 123
KADV-H5-03,2026-09-03,Informasi Tagihan,Eko Prasetyo,,081377889901,Tommy Hutapea,,,Pelanggan,,Contact Center PLN 123
KADV-H5-04,2026-09-04,Informasi Tagihan,EKO PRASETYO,,0813-7788-9901,Tommy Hutapea,,,Pelanggan,,WhatsApp
KADV-H5-05,2026-09-05,Informasi Tagihan,Rina,,81377889901,,,,Pelanggan,,Contact Center PLN 123
KADV-H5-06,2026-09-06,Informasi Tagihan,,,0813 7788 9901,Sinta Marlina,,,Pelanggan,,Contact Center PLN 123
KADV-H5-07,2026-09-07,Informasi Tagihan,Pelanggan A lagi,,(0813) 7788-9901,Sinta Marlina,,,Pelanggan,990000000001,Contact Center PLN 123
KADV-H4-01,2026-09-01,Informasi Tagihan,Pelanggan E,,085299887766,Umi Kalsum,,,Pelanggan,990000000005,Contact Center PLN 123
KADV-H4-02,2026-09-02,Informasi Tagihan,Pelanggan F,,+62 852-9988-7766,Umi Kalsum,,,Pelanggan,990000000006,Contact Center PLN 123
KADV-H4-03,2026-09-03,Informasi Tagihan,Budi Santoso,,6285299887766,Umi Kalsum,,,Pelanggan,,Contact Center PLN 123
KADV-H4-04,2026-09-04,Informasi Tagihan,budi santoso,,0852-9988-7766,Vina Oktaviani,,,Pelanggan,,Contact Center PLN 123
KADV-H4-05,2026-09-05,Informasi Tagihan,Siti,,085299887766,Vina Oktaviani,,,Pelanggan,,Contact Center PLN 123
KADV-H4-06,2026-09-06,Informasi Tagihan,,,85299887766,Vina Oktaviani,,,Pelanggan,,Contact Center PLN 123
KADV-H4-07,2026-09-07,Informasi Tagihan,,,085299887766,Umi Kalsum,,,Pelanggan,,Contact Center PLN 123
KADV-H4-08,2026-10-01,Informasi Tagihan,Pelanggan G,,085299887766,Umi Kalsum,,,Pelanggan,990000000007,Contact Center PLN 123
KADV-H4-09,2026-10-02,Informasi Tagihan,Pelanggan H,,085299887766,Umi Kalsum,,,Pelanggan,990000000008,Contact Center PLN 123
KADV-E5-01,2026-09-10,Informasi,Eko,kasus.huruf@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E5-02,2026-09-11,Informasi,EKO,KASUS.HURUF@CONTOH.CO.ID,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E5-03,2026-09-12,Informasi,eko,Kasus.Huruf@contoh.co.id,,Zahra Nabila,,,Pelanggan,,Contact Center PLN 123
KADV-E5-04,2026-09-13,Informasi,Dewi,kasus.huruf@contoh.co.id,,Zahra Nabila,,,Pelanggan,,Contact Center PLN 123
KADV-E5-05,2026-09-14,Informasi,Ani,kasus.huruf@Contoh.Co.Id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E5-06,2026-09-15,Informasi,Rudi,KASUS.huruf@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E5-07,2026-09-16,Informasi,Tono,kasus.huruf@contoh.co.id; tono.lain@contoh.co.id,,Zahra Nabila,,,Pelanggan,,Contact Center PLN 123
KADV-E4-01,2026-09-10,Informasi,Fajar,empat.orang@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E4-02,2026-09-11,Informasi,Gita,Empat.Orang@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E4-03,2026-09-12,Informasi,GITA,EMPAT.ORANG@CONTOH.CO.ID,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E4-04,2026-09-13,Informasi,Hadi,empat.orang@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-E4-05,2026-09-14,Informasi,Indah,empat.orang@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-EU-01,2026-09-20,Informasi,José,jose.aksen@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-EU-02,2026-09-21,Informasi,JOSÉ,jose.aksen@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-EU-03,2026-09-22,Informasi,josé,jose.aksen@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-EU-04,2026-09-23,Informasi,Ana,jose.aksen@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-EU-05,2026-09-24,Informasi,ANA,jose.aksen@contoh.co.id,,Yoga Aditya,,,Pelanggan,,Contact Center PLN 123
KADV-P-01,2026-09-01,Informasi,Tamu 1,test@pln.co.id,08123456789,Sinta Marlina,,,Pelanggan,990000000011,Contact Center PLN 123
KADV-P-02,2026-09-02,Informasi,Tamu 2,TEST@PLN.CO.ID,0812-3456-789,Sinta Marlina,,,Pelanggan,990000000012,Contact Center PLN 123
KADV-P-03,2026-09-03,Informasi,Tamu 3,test@pln.co.id,+62 812 3456 789,Sinta Marlina,,,Pelanggan,990000000013,Contact Center PLN 123
KADV-P-04,2026-09-04,Informasi,Tamu 4,tidakada@gmail.com,0878xxxxxxx,Sinta Marlina,,,Pelanggan,990000000014,Contact Center PLN 123
KADV-P-05,2026-09-05,Informasi,Tamu 5,tidakada@gmail.com,0878xxxxxxx,Sinta Marlina,,,Pelanggan,990000000015,Contact Center PLN 123
KADV-P-06,2026-09-06,Informasi,Tamu 6,test@pln.co.id,08123456789,Sinta Marlina,,,Pelanggan,990000000016,Contact Center PLN 123
KADV-P-07,2026-09-07,Informasi,Tamu 7,tidakada@gmail.com,0878xxxxxxx,Sinta Marlina,,,Pelanggan,990000000017,Contact Center PLN 123
KADV-P-08,2026-09-08,Informasi,Tamu 8,tidakada@gmail.com,0878xxxxxxx,Sinta Marlina,,,Pelanggan,990000000018,Contact Center PLN 123
KADV-P-09,2026-09-09,Informasi,Tamu 9,tidakada@gmail.com,0878xxxxxxx,Sinta Marlina,,,Pelanggan,990000000019,Contact Center PLN 123
KADV-P-10,2026-09-10,Informasi,Tamu 10,test@pln.co.id,08123456789,Sinta Marlina,,,Pelanggan,990000000020,Contact Center PLN 123
KADV-L-01,2026-09-01,Informasi,Kantor 1,,021-5550199,Sinta Marlina,,,Pelanggan,990000000021,Contact Center PLN 123
KADV-L-02,2026-09-02,Informasi,Kantor 2,,021-5550199,Sinta Marlina,,,Pelanggan,990000000022,Contact Center PLN 123
KADV-L-03,2026-09-03,Informasi,Kantor 3,,021-5550199,Sinta Marlina,,,Pelanggan,990000000023,Contact Center PLN 123
KADV-L-04,2026-09-04,Informasi,Kantor 4,,021-5550199,Sinta Marlina,,,Pelanggan,990000000024,Contact Center PLN 123
KADV-L-05,2026-09-05,Informasi,Kantor 5,,021-5550199,Sinta Marlina,,,Pelanggan,990000000025,Contact Center PLN 123
KADV-N-01,2026-09-01,Informasi,,anonim@contoh.co.id,081399001122,Sinta Marlina,,,Pelanggan,,Contact Center PLN 123
KADV-N-02,2026-09-02,Informasi,,anonim@contoh.co.id,081399001122,Sinta Marlina,,,Pelanggan,,Contact Center PLN 123
KADV-N-03,2026-09-03,Informasi,,anonim@contoh.co.id,081399001122,Sinta Marlina,,,Pelanggan,,Contact Center PLN 123
KADV-N-04,2026-09-04,Informasi,,anonim@contoh.co.id,081399001122,Tommy Hutapea,,,Pelanggan,,Contact Center PLN 123
KADV-N-05,2026-09-05,Informasi,,anonim@contoh.co.id,081399001122,Tommy Hutapea,,,Pelanggan,,Contact Center PLN 123
KADV-N-06,2026-09-06,Informasi,,anonim@contoh.co.id,081399001122,Tommy Hutapea,,,Pelanggan,,Contact Center PLN 123
KADV-X-01,2026-09-08,Gangguan,Sama Sisi,sama.sisi@contoh.co.id,081311112222,Rendy Firmansyah,,,Pelanggan,990000000031,Contact Center PLN 123
KADV-X-02,2026-09-08,Gangguan,Dua Laporan,dua.laporan@contoh.co.id,081311114444,Rendy Firmansyah,,,Pelanggan,990000000032,Contact Center PLN 123
KADV-X-03,2026-08-28,Gangguan,Bulan Lalu,bulan.lalu@contoh.co.id,081311115555,Rendy Firmansyah,,,Pelanggan,990000000033,Contact Center PLN 123
KADV-X-04,2026-09-28,Gangguan,Kosong Dua,,081311116666,Rendy Firmansyah,,,Pelanggan,990000000034,Contact Center PLN 123
KADV-X-05,2026-09-29,Gangguan,Lintas Bulan,lintas@contoh.co.id,081311117777,Rendy Firmansyah,,,Pelanggan,990000000035,Contact Center PLN 123
KADV-X-06,2026-10-02,Gangguan,Bulan Depan,bulan.depan@contoh.co.id,081311118888,,,,Pelanggan,990000000036,Contact Center PLN 123
KADV-X-07,2026-09-09,Gangguan,Huruf Kecil,huruf.kecil@contoh.co.id,081311119999,Rendy Firmansyah,,,Pelanggan,990000000037,Contact Center PLN 123
EOF
# Exemption-rate edge cases in 2026-10, angry callers with no contacts:
# "Batas Tiga Puluh" exempts all of exactly 30 in-scope tickets (plus 5 out
# of scope): eligible, an outlier; "Baru Sekali" exempts all of 29 in scope
# (plus 3 out of scope, 32 tickets): not eligible; the blank CSO exempts 40
# of 40: never a CSO.
{
  for i in $(seq -w 1 35); do
    media="Contact Center PLN 123"; [ "$i" -gt 30 ] && media=WhatsApp
    echo "KADV-B30-$i,2026-10-03,Informasi,P,,,Batas Tiga Puluh,,Marah,Pelanggan,9901000000$i,$media"
  done
  for i in $(seq -w 1 32); do
    media="Contact Center PLN 123"; [ "$i" -gt 29 ] && media=WhatsApp
    echo "KADV-B29-$i,2026-10-04,Informasi,P,,,Baru Sekali,,Marah,Pelanggan,9902000000$i,$media"
  done
  for i in $(seq -w 1 40); do
    echo "KADV-B00-$i,2026-10-05,Informasi,P,,,,,Marah,Pelanggan,9903000000$i,Contact Center PLN 123"
  done
  # 2026-11, MAD = 0: three CSOs at 5 % (2 of 40), "Sedikit Lebih" at
  # 7.5 %, "Jauh Lebih" at 12.5 %: median 5, spread floored at 1 point,
  # threshold 8; only "Jauh Lebih" is an outlier (without the floor both).
  for spec in "Sama Satu 2" "Sama Dua 2" "Sama Tiga 2" "Sedikit Lebih 3" "Jauh Lebih 5"; do
    set -- $spec
    for i in $(seq -w 1 40); do
      emo=; [ "$i" -le "$3" ] && emo=Marah
      echo "KADV-M-$1$2-$i,2026-11-06,Informasi,P,,,$1 $2,,$emo,Pelanggan,9904000000$i,Contact Center PLN 123"
    done
  done
} >>"$tmp/adv-crm.csv"
# Adversarial APKT reports: LADV-X-01 same contacts written differently (no
# mismatch); X-02/X-03/X-04 two reports naming one CRM ticket (X-02 hp, and
# X-03 email / X-04 hp against another); X-05 unknown and X-06 empty CRM
# ticket (none); X-07 names a CRM ticket of the month before and drops the
# email (mismatch); X-08 both emails empty, same HP (none); X-09 (2026-10)
# names a 2026-09 ticket (mismatch in 2026-10 only); X-10 blank CSOs on both
# sides, both fields differ; X-11 the CRM id lower-cased and X-12 an APKT id
# (none: exact match on a CRM ticket only). LADV-H5-08 adds the fifth
# customer of the 5-customer HP.
cat >"$tmp/adv-apkt.csv" <<'EOF'
No Laporan,Tiket CRM,Tgl Lapor,Jenis Laporan,Nama Pelapor,Email Pelapor,HP Pelapor,Petugas,IDPEL,Media
LADV-H5-08,,2026-09-08,Gangguan Padam,Pelanggan C,,+6281377889901,Sinta Marlina,990000000003,Contact Center PLN 123
LADV-X-01,KADV-X-01,2026-09-09,Gangguan Padam,Sama Sisi,Sama.Sisi@Contoh.CO.ID,+62 813-1111-2222,Rendy Firmansyah,990000000031,Contact Center PLN 123
LADV-X-02,KADV-X-01,2026-09-10,Gangguan Padam,Sama Sisi,sama.sisi@contoh.co.id,081311113333,Oki Setiawan,990000000031,Contact Center PLN 123
LADV-X-03,KADV-X-02,2026-09-10,Gangguan Padam,Dua Laporan,dua.lain@contoh.co.id,081311114444,Oki Setiawan,990000000032,Contact Center PLN 123
LADV-X-04,KADV-X-02,2026-09-11,Gangguan Padam,Dua Laporan,dua.laporan@contoh.co.id,0813-1111-4440,Rendy Firmansyah,990000000032,Contact Center PLN 123
LADV-X-05,KADV-XX-99,2026-09-11,Gangguan Padam,Tak Dikenal,tak.dikenal@contoh.co.id,081311110000,Oki Setiawan,990000000038,Contact Center PLN 123
LADV-X-06,,2026-09-12,Gangguan Padam,Tanpa Tiket,tanpa.tiket@contoh.co.id,081311110001,Oki Setiawan,990000000039,Contact Center PLN 123
LADV-X-07,KADV-X-03,2026-09-01,Gangguan Padam,Bulan Lalu,,081311115555,Oki Setiawan,990000000033,Contact Center PLN 123
LADV-X-08,KADV-X-04,2026-10-01,Gangguan Padam,Kosong Dua,,6281311116666,Oki Setiawan,990000000034,Contact Center PLN 123
LADV-X-09,KADV-X-05,2026-10-01,Gangguan Padam,Lintas Bulan,lintas@contoh.co.id,081311117770,Oki Setiawan,990000000035,Contact Center PLN 123
LADV-X-10,KADV-X-06,2026-09-30,Gangguan Padam,Bulan Depan,lain.lagi@contoh.co.id,081311118880,,990000000036,Contact Center PLN 123
LADV-X-11,kadv-x-07,2026-09-12,Gangguan Padam,Huruf Kecil,beda@contoh.co.id,081311119990,Oki Setiawan,990000000037,Contact Center PLN 123
LADV-X-12,LADV-X-01,2026-09-12,Gangguan Padam,Rujuk APKT,rujuk@contoh.co.id,081311110002,Oki Setiawan,990000000040,Contact Center PLN 123
EOF
files+=("$tmp/adv-crm.csv" "$tmp/adv-apkt.csv")

# ---- the reference ------------------------------------------------------
# Every signal becomes one text line (strings through quote()); the CSOs of
# a reused contact and the codes of an outlier become one line each, with
# the CSO's rank in the list, so no JSON formatting or key order matters.
# __THR__ is the reused-contact minimum, __PER__ '' (all periods) or a
# quoted period.

ref_sql() {
  sed -e "s/__THR__/$1/g" -e "s/__PER__/$2/g" <<'EOF'
CREATE TEMP VIEW cust AS
SELECT *, CASE WHEN coalesce(idpel, '') <> '' THEN 'i:' || idpel
               WHEN coalesce(name, '') <> '' THEN 'n:' || lower(name) END AS ckey
FROM tickets;
CREATE TEMP TABLE uses AS
SELECT period, 'hp' AS ck, hp_norm AS contact, ckey, cso FROM cust
 WHERE hp_norm <> '' AND hp_state <> 'HP_PLACEHOLDER' AND (__PER__ = '' OR period = __PER__)
UNION ALL
SELECT period, 'email', email_norm, ckey, cso FROM cust
 WHERE email_norm <> '' AND email_state <> 'EMAIL_PLACEHOLDER' AND (__PER__ = '' OR period = __PER__);
CREATE TEMP TABLE reused AS
SELECT period, ck, contact, count(DISTINCT ckey) AS customers, count(*) AS tickets
FROM uses GROUP BY period, ck, contact HAVING count(DISTINCT ckey) >= __THR__;
SELECT 'reused|' || quote(period) || '|' || ck || '|' || quote(contact) || '|' ||
       customers || '|' || tickets FROM reused;
SELECT 'reused_cso|' || quote(period) || '|' || ck || '|' || quote(contact) || '|' ||
       (row_number() OVER (PARTITION BY period, ck, contact ORDER BY n DESC, cso) - 1) ||
       '|' || quote(cso) || '|' || n
FROM (SELECT u.period, u.ck, u.contact, u.cso, count(*) AS n
      FROM uses u JOIN reused r USING (period, ck, contact)
      GROUP BY u.period, u.ck, u.contact, u.cso);
SELECT 'mismatch|' || quote(a.period) || '|' || quote(a.cso) || '|' ||
       quote(a.ticket_id) || '|' || quote(c.ticket_id) || '|' ||
       quote(a.email_norm) || '|' || quote(c.email_norm) || '|' ||
       quote(a.hp_norm) || '|' || quote(c.hp_norm) || '|crm_cso=' || quote(c.cso) ||
       '|fields=' || trim(CASE WHEN a.email_norm <> c.email_norm THEN 'email ' ELSE '' END ||
                          CASE WHEN a.hp_norm <> c.hp_norm THEN 'hp' ELSE '' END)
FROM tickets a JOIN tickets c ON c.source = 'crm' AND c.ticket_id = a.crm_ticket
WHERE a.source = 'apkt' AND (__PER__ = '' OR a.period = __PER__)
  AND (a.email_norm <> c.email_norm OR a.hp_norm <> c.hp_norm);
EOF
}

# The outliers: counts per (period, CSO, status, codes) from SQL, the
# median/MAD rule of docs/signals.md in python3, the expected rows written
# back as SQL into temporary tables and printed like the others.
outlier_counts_sql() {
  sed -e "s/__PER__/$1/g" <<'EOF'
SELECT period, cso, status, codes, count(*) AS n FROM tickets
WHERE (__PER__ = '' OR period = __PER__) GROUP BY period, cso, status, codes;
EOF
}
cat >"$tmp/outliers.py" <<'EOF'
import json, sys
MIN_TICKETS, FACTOR, MIN_SPREAD = 30, 3.0, 1.0  # rules/default.rules, signals.h
text = sys.stdin.read().strip()
rows = json.loads(text) if text else []
per = {}
for r in rows:
    if r["cso"] in ("", None):  # the blank CSO is several people
        continue
    c = per.setdefault(r["period"], {}).setdefault(
        r["cso"], {"in": 0, "ex": 0, "codes": {}})
    if r["status"] in ("compliant", "exempt", "violation"):
        c["in"] += r["n"]
    if r["status"] == "exempt":
        c["ex"] += r["n"]
        for code in set((r["codes"] or "").split()):
            if code.startswith("EX_"):
                c["codes"][code] = c["codes"].get(code, 0) + r["n"]


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0


def q(s):
    return "'" + s.replace("'", "''") + "'"


print("CREATE TEMP TABLE eo(period, cso, tickets, rate, team_rate, threshold, exempt);")
print("CREATE TEMP TABLE eoc(period, cso, code, n);")
for period, csos in sorted(per.items()):
    el = {k: v for k, v in csos.items() if v["in"] >= MIN_TICKETS}
    if not el:
        continue
    for v in el.values():
        v["rate"] = 100.0 * v["ex"] / v["in"]
    m = median([v["rate"] for v in el.values()])
    mad = median([abs(v["rate"] - m) for v in el.values()])
    thr = m + FACTOR * max(1.4826 * mad, MIN_SPREAD)
    for cso, v in sorted(el.items()):
        if v["rate"] > thr:
            # repr: the exact doubles; SQL rounds both sides the same way
            print("INSERT INTO eo VALUES (%s, %s, %d, %r, %r, %r, %d);"
                  % (q(period), q(cso), v["in"], v["rate"], m, thr, v["ex"]))
            for code, n in sorted(v["codes"].items()):
                print("INSERT INTO eoc VALUES (%s, %s, %s, %d);"
                      % (q(period), q(cso), q(code), n))
EOF
outlier_fmt_sql=$(cat <<'EOF'
SELECT 'outlier|' || quote(period) || '|' || quote(cso) || '|' || tickets || '|' ||
       printf('%.4f|%.4f|%.4f', round(rate, 4), round(team_rate, 4), round(threshold, 4)) ||
       '|exempt=' || exempt FROM eo;
SELECT 'outlier_code|' || quote(period) || '|' || quote(cso) || '|' || code || '=' || n FROM eoc;
EOF
)

# expected DB THRESHOLD PERIOD-LITERAL > lines
expected() {
  local db=$1 thr=$2 per=$3 counts
  counts=$(sqlite3 -readonly -json "$db" "$(outlier_counts_sql "$per")") || return 1
  { ref_sql "$thr" "$per"
    printf '%s' "$counts" | "$py" "$tmp/outliers.py" || echo "SELECT 'python failed';"
    echo "$outlier_fmt_sql"
  } | sqlite3 -readonly -batch -noheader "$db" | LC_ALL=C sort
}

# actual DB PERIOD-LITERAL > lines (the same formats, from `signals`)
actual() {
  sed -e "s/__PER__/$2/g" <<'EOF' | sqlite3 -readonly -batch -noheader "$1" | LC_ALL=C sort
CREATE TEMP VIEW s AS SELECT * FROM signals WHERE __PER__ = '' OR period = __PER__;
SELECT 'reused|' || quote(period) || '|' || contact_kind || '|' || quote(contact) || '|' ||
       customers || '|' || tickets FROM s WHERE kind = 'reused_contact';
SELECT 'reused_cso|' || quote(s.period) || '|' || s.contact_kind || '|' || quote(s.contact) || '|' ||
       j.key || '|' || quote(json_extract(j.value, '$.cso')) || '|' ||
       json_extract(j.value, '$.tickets')
FROM s, json_each(s.detail, '$.csos') j WHERE s.kind = 'reused_contact';
SELECT 'outlier|' || quote(period) || '|' || quote(cso) || '|' || tickets || '|' ||
       printf('%.4f|%.4f|%.4f', round(rate, 4), round(team_rate, 4), round(threshold, 4)) ||
       '|exempt=' || json_extract(detail, '$.exempt') FROM s WHERE kind = 'exemption_outlier';
SELECT 'outlier_code|' || quote(s.period) || '|' || quote(s.cso) || '|' || j.key || '=' || j.value
FROM s, json_each(s.detail, '$.codes') j WHERE s.kind = 'exemption_outlier';
SELECT 'mismatch|' || quote(period) || '|' || quote(cso) || '|' ||
       quote(apkt_ticket) || '|' || quote(crm_ticket) || '|' ||
       quote(apkt_email) || '|' || quote(crm_email) || '|' ||
       quote(apkt_hp) || '|' || quote(crm_hp) || '|crm_cso=' ||
       quote(json_extract(detail, '$.crm_cso')) || '|fields=' ||
       trim(coalesce(json_extract(detail, '$.fields[0]'), '') || ' ' ||
            coalesce(json_extract(detail, '$.fields[1]'), '') || ' ' ||
            coalesce(json_extract(detail, '$.fields[2]'), ''))
FROM s WHERE kind = 'cross_system_mismatch';
-- docs/schema.md: the columns that do not apply to a kind are NULL
SELECT 'bad_shape|' || kind || '|' || id FROM s WHERE
  (kind = 'reused_contact' AND NOT (cso IS NULL AND contact_kind IN ('hp', 'email')
     AND coalesce(rate, team_rate, threshold, apkt_ticket, crm_ticket,
                  apkt_email, crm_email, apkt_hp, crm_hp) IS NULL))
  OR (kind = 'exemption_outlier' AND NOT coalesce(contact_kind, contact, customers,
     apkt_ticket, crm_ticket, apkt_email, crm_email, apkt_hp, crm_hp) IS NULL)
  OR (kind = 'cross_system_mismatch' AND NOT coalesce(contact_kind, contact,
     customers, tickets, rate, team_rate, threshold) IS NULL)
  OR kind NOT IN ('reused_contact', 'exemption_outlier', 'cross_system_mismatch');
EOF
}

# compare NAME EXPECTED-FILE ACTUAL-FILE: both directions, a short diff
compare() {
  local name=$1 e=$2 a=$3 counts
  counts=$(for k in reused reused_cso outlier outlier_code mismatch; do
             printf '%s=%s ' "$k" "$(grep -c "^$k|" "$e")"; done)
  counts=${counts% }
  if [ ! -s "$e" ]; then bad "$name" "empty reference"; return; fi
  if cmp -s "$e" "$a"; then
    ok "$name ($counts)"
  else
    bad "$name" "signals differ from the reference ($counts; < reference only, > signals only):"
    diff "$e" "$a" | grep '^[<>]' >"$a.diff"
    { grep -v -e '^. reused_cso|' -e '^. outlier_code|' "$a.diff" | head -12
      grep -e '^. reused_cso|' -e '^. outlier_code|' "$a.diff" | head -6; } | sed 's/^/  /'
    echo "  ($(grep -c '^<' "$a.diff") reference-only, $(grep -c '^>' "$a.diff") signals-only lines)"
  fi
  for k in reused outlier mismatch; do
    grep -q "^$k|" "$e" || bad "$name" "the reference has no $k row: the test would be vacuous"
  done
}

# has FILE LINE DESCRIPTION: a hand-computed line is (or, with !, is not) in the reference
has() {
  local f=$1 neg=0; shift
  [ "$1" = '!' ] && { neg=1; shift; }
  if grep -qxF -- "$1" "$f"; then
    [ $neg = 0 ] && ok "$2" || bad "$2" "unexpected reference line: $1"
  else
    [ $neg = 1 ] && ok "$2" || bad "$2" "missing reference line: $1"
  fi
}
starts() { # FILE PREFIX DESCRIPTION: some reference line starts with PREFIX
  if awk -v p="$2" 'index($0, p) == 1 { f = 1 } END { exit !f }' "$1"; then ok "$3"
  else bad "$3" "no reference line starts with $2"; fi
}
lacks() { # FILE TEXT DESCRIPTION: no reference line holds TEXT
  if grep -qF -- "$2" "$1"; then bad "$3" "unexpected: $(grep -F -- "$2" "$1" | head -1)"; else ok "$3"; fi
}

# ---- 1. audit, all periods, built-in rules ------------------------------

db=$tmp/t.db
if ! "$bin" import --quiet --db "$db" "${files[@]}" 2>"$tmp/import.err"; then
  bad import "$(head -c 300 "$tmp/import.err")"; finish
fi
if ! "$bin" audit --quiet --db "$db" 2>"$tmp/audit.err"; then
  bad audit "$(head -c 300 "$tmp/audit.err")"; finish
fi
# The reference compares norms with <>: they must never be NULL.
nulls=$(sqlite3 -readonly "$db" "SELECT count(*) FROM tickets WHERE hp_norm IS NULL OR email_norm IS NULL OR hp_state IS NULL OR email_state IS NULL OR status IS NULL OR cso IS NULL")
[ "$nulls" = 0 ] && ok "no NULL norms, states or CSOs" || bad "no NULL norms" "$nulls tickets"
n_crm=$(sqlite3 -readonly "$db" "SELECT count(*) FROM tickets WHERE source = 'crm'")
n_apkt=$(sqlite3 -readonly "$db" "SELECT count(*) FROM tickets WHERE source = 'apkt'")
echo "     $n_crm CRM and $n_apkt APKT tickets"

expected "$db" 5 "''" >"$tmp/e5" || bad reference "sqlite3 or python3 failed"
actual "$db" "''" >"$tmp/a5" || bad signals "reading them failed"
compare "all periods, reused_min_customers 5" "$tmp/e5" "$tmp/a5"

# Hand-computed lines: the adversarial cases do what they claim.
has "$tmp/e5" "reused|'2026-09'|hp|'081377889901'|5|8" "hp written 7 ways, 5 customers (EKO PRASETYO = Eko Prasetyo, one on APKT, one nameless)"
has "$tmp/e5" "reused_cso|'2026-09'|hp|'081377889901'|2|''|1" "blank CSO listed last"
lacks "$tmp/e5" "reused|'2026-09'|hp|'085299887766'|" "hp on 4 customers: no signal at 5"
lacks "$tmp/e5" "reused|'2026-10'|hp|'085299887766'|" "hp with 2 more customers next month: periods are not merged"
has "$tmp/e5" "reused|'2026-09'|email|'kasus.huruf@contoh.co.id'|5|7" "email in 5 spellings, Eko/EKO/eko one customer"
lacks "$tmp/e5" "reused|'2026-09'|email|'empat.orang@contoh.co.id'|" "email on 4 customers: no signal at 5"
has "$tmp/e5" "reused|'2026-09'|hp|'0215550199'|5|5" "a landline on 5 customers is a signal"
lacks "$tmp/e5" "|hp|'08123456789'|" "placeholder HP on 10 customers: no signal"
lacks "$tmp/e5" "|hp|'0878xxxxxxx'|" "placeholder HP (x): no signal"
lacks "$tmp/e5" "|email|'test@pln.co.id'|" "placeholder email: no signal"
lacks "$tmp/e5" "'081399001122'" "6 tickets with neither IDPEL nor name: no customer"
has "$tmp/e5" "mismatch|'2026-09'|'Oki Setiawan'|'LADV-X-02'|'KADV-X-01'|'sama.sisi@contoh.co.id'|'sama.sisi@contoh.co.id'|'081311113333'|'081311112222'|crm_cso='Rendy Firmansyah'|fields=hp" "CRM ticket named twice: the differing report"
lacks "$tmp/e5" "'LADV-X-01'" "same contacts written differently: no mismatch"
has "$tmp/e5" "mismatch|'2026-09'|'Rendy Firmansyah'|'LADV-X-04'|'KADV-X-02'|'dua.laporan@contoh.co.id'|'dua.laporan@contoh.co.id'|'081311114440'|'081311114444'|crm_cso='Rendy Firmansyah'|fields=hp" "CRM ticket named by two reports, both differing (1)"
has "$tmp/e5" "mismatch|'2026-09'|'Oki Setiawan'|'LADV-X-03'|'KADV-X-02'|'dua.lain@contoh.co.id'|'dua.laporan@contoh.co.id'|'081311114444'|'081311114444'|crm_cso='Rendy Firmansyah'|fields=email" "CRM ticket named by two reports, both differing (2)"
has "$tmp/e5" "mismatch|'2026-09'|'Oki Setiawan'|'LADV-X-07'|'KADV-X-03'|''|'bulan.lalu@contoh.co.id'|'081311115555'|'081311115555'|crm_cso='Rendy Firmansyah'|fields=email" "CRM ticket of the month before, email dropped"
has "$tmp/e5" "mismatch|'2026-10'|'Oki Setiawan'|'LADV-X-09'|'KADV-X-05'|'lintas@contoh.co.id'|'lintas@contoh.co.id'|'081311117770'|'081311117777'|crm_cso='Rendy Firmansyah'|fields=hp" "period of the APKT report"
has "$tmp/e5" "mismatch|'2026-09'|''|'LADV-X-10'|'KADV-X-06'|'lain.lagi@contoh.co.id'|'bulan.depan@contoh.co.id'|'081311118880'|'081311118888'|crm_cso=''|fields=email hp" "both fields, blank CSOs"
for t in LADV-X-05 LADV-X-06 LADV-X-08 LADV-X-11 LADV-X-12; do
  lacks "$tmp/e5" "'$t'" "no mismatch for $t (unknown/empty/lower-cased/APKT ref, both empty)"
done
starts "$tmp/e5" "outlier|'2026-10'|'Batas Tiga Puluh'|30|100.0000|" "exactly 30 in scope (of 35 tickets), all exempt: an outlier"
lacks "$tmp/e5" "'Baru Sekali'" "29 in scope (of 32 tickets): not eligible"
lacks "$tmp/e5" "outlier|'2026-10'|''|" "the blank CSO is never an outlier"
starts "$tmp/e5" "outlier|'2026-11'|'Jauh Lebih'|40|12.5000|5.0000|8.0000|exempt=5" "MAD 0: spread floored at 1 point"
lacks "$tmp/e5" "'Sedikit Lebih'" "MAD 0: 2.5 points above the median is not an outlier"

# ---- 2. --rules with reused_min_customers = 3, on a copy ----------------

sed 's/^\([[:space:]]*reused_min_customers[[:space:]]*=\).*/\1 3/' \
    "$src/rules/default.rules" >"$tmp/min3.rules"
if grep -q '^reused_min_customers = 3$' "$tmp/min3.rules"; then
  cp "$db" "$tmp/t3.db"
  if "$bin" audit --quiet --db "$tmp/t3.db" --rules "$tmp/min3.rules" 2>"$tmp/audit3.err"; then
    expected "$tmp/t3.db" 3 "''" >"$tmp/e3" || bad reference "sqlite3 or python3 failed"
    actual "$tmp/t3.db" "''" >"$tmp/a3" || bad signals "reading them failed"
    compare "all periods, --rules reused_min_customers 3" "$tmp/e3" "$tmp/a3"
    has "$tmp/e3" "reused|'2026-09'|hp|'085299887766'|4|7" "min 3: hp on 4 customers (budi santoso twice, 2 nameless tickets)"
    lacks "$tmp/e3" "reused|'2026-10'|hp|'085299887766'|" "min 3: 2 customers next month, still none"
    has "$tmp/e3" "reused|'2026-09'|email|'empat.orang@contoh.co.id'|4|5" "min 3: email on 4 customers (Gita/GITA one)"
    has "$tmp/e3" "reused|'2026-09'|email|'jose.aksen@contoh.co.id'|3|5" "min 3: José/josé one customer, JOSÉ another (ASCII lower-casing), Ana/ANA one"
    lacks "$tmp/e3" "'081399001122'" "min 3: nameless tickets still no customer"
    n5=$(grep -c '^reused|' "$tmp/e5"); n3=$(grep -c '^reused|' "$tmp/e3")
    [ "$n3" -gt "$n5" ] && ok "min 3 finds more reused contacts ($n3 > $n5)" || bad "min 3" "$n3 reused contacts, $n5 at min 5"
  else
    bad "audit --rules" "$(head -c 300 "$tmp/audit3.err")"
  fi
else
  bad "rules file" "reused_min_customers not found in rules/default.rules"
fi

# ---- 4. audit --period on a fresh import ----------------------------------

P=2026-09
db2=$tmp/p.db
# (an import into an empty database writes every period's signals itself,
# fed as it stores the tickets: they are cleared here, so that what is
# checked is the audit's own computation of one period)
if "$bin" import --quiet --db "$db2" "${files[@]}" 2>"$tmp/import2.err" &&
   sqlite3 "$db2" "DELETE FROM signals; DELETE FROM signals_state" &&
   "$bin" audit --quiet --db "$db2" --period "$P" 2>"$tmp/audit2.err"; then
  expected "$db2" 5 "'$P'" >"$tmp/ep" || bad reference "sqlite3 or python3 failed"
  actual "$db2" "'$P'" >"$tmp/ap" || bad signals "reading them failed"
  compare "--period $P (APKT in $P, CRM any month)" "$tmp/ep" "$tmp/ap"
  lacks "$tmp/ep" "'LADV-X-09'" "--period $P: a $P CRM ticket named from the next month is not $P's"
  has "$tmp/ep" "mismatch|'2026-09'|''|'LADV-X-10'|'KADV-X-06'|'lain.lagi@contoh.co.id'|'bulan.depan@contoh.co.id'|'081311118880'|'081311118888'|crm_cso=''|fields=email hp" "--period $P: CRM ticket of the next month still joined"
  # the same lines as the all-period reference restricted to P
  grep -F "|'$P'|" "$tmp/e5" >"$tmp/e5p"
  if cmp -s "$tmp/e5p" "$tmp/ep"; then ok "--period $P reference = all-period reference restricted to $P"
  else bad "--period reference" "differs from the all-period one restricted to $P"; fi
  other=$(sqlite3 -readonly "$db2" "SELECT count(*) FROM signals WHERE period <> '$P'")
  [ "$other" = 0 ] && ok "--period $P writes no other period's signals" || bad "--period $P" "$other signals of other periods"
else
  bad "import/audit --period" "$(head -c 300 "$tmp/import2.err" "$tmp/audit2.err")"
fi

finish
