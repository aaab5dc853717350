#!/usr/bin/env bash
# Differential test of the rules (SPEC section 4): every ticket that
# ticket-audit imports is judged again by tests/ref_rules.py, an independent
# Python reading of the SPEC, and status and codes must agree.
# Inputs: the synthetic exports of tools/gen_exports.py (CRM, APKT, AP2T,
# several seeds, one in Windows-1252), adversarial CSVs built here from lists
# of tricky field values (CRM and AP2T headers, one state at a time, and a
# fuzz of pattern fragments), and any reproducers in tests/differential/*.csv.
# Besides status and codes, the email state, HP state and category stored
# beside them (docs/schema.md) must agree. DIFF_SEED=N varies the random files.
# Usage: e2e_differential.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
py=python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Known ticket-audit divergences from the SPEC, one per line:
#   SOURCE TICKET_ID  reason (SPEC clause)
# A listed ticket that disagrees is reported as "known" and does not fail the
# test; a listed ticket that agrees is reported so that the entry is removed.
KNOWN_DIVERGENCES='
'

files=()
for spec in "crm 101" "crm 102" "apkt 201" "apkt 202" "ap2t 301" "ap2t 302"; do
  set -- $spec
  out=$tmp/gen-$1-$2.csv
  "$py" "$src/tools/gen_exports.py" --source "$1" --rows 3000 --period 2026-10 \
      --seed "$2" --out "$out" 2>/dev/null || { echo "FAIL generator $1 seed $2"; echo "0 passed, 1 failed"; exit 1; }
  files+=("$out")
done
# one in Windows-1252 with ';', CRLF and report titles
"$py" "$src/tools/gen_exports.py" --source crm --rows 3000 --period 2026-10 --seed 103 \
    --encoding windows-1252 --delimiter ';' --line-end crlf --titles \
    --out "$tmp/gen-crm-cp1252.csv" 2>/dev/null && files+=("$tmp/gen-crm-cp1252.csv")

# Adversarial exports: random picks per field from lists of tricky values.
"$py" - "$tmp" ${DIFF_SEED:-} <<'EOF' || { echo "FAIL adversarial generator"; echo "0 passed, 1 failed"; exit 1; }
import csv, random, sys
out = sys.argv[1]
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20261031)
L65 = "a" * 65
L64 = "b" * 64
EMAILS = ["", "tidakada@gmail.com", "Budi@Gmail.Com", "a@b.co", "x@pln.co.id",
          "u@sub.pln.co.id", "b@gmial.com", "one@x.com, two@y.com", "-", "N/A",
          "tidak punya email", "menolak", "test@iana.org   ", "a..b@x.com",
          L65 + "@gmail.com", L64 + "@gmail.com", "budi.santoso@gmail.com",
          "BUDI@YAHOO.CO.ID", "siti@yahoo.con", "xxx@gmail.com", "XXXX@gmail.com",
          "dummy@example.com", "a@a.com", "user@gmail.com", "12345@gmail.com",
          "Tdk ada", "tdkpunya", "ga mau", "gamau", "no email", "No E-mail",
          "tanpa email", "keberatan", "Menolak memberi", "tidak", "tidak ada email@x",
          "none", "NULL", "nil", "0", "00", ".", "--", "---", "xx", "na",
          "a@b", "a@@gmail.com", "a@gmail", "@gmail.com", "a@-x.com", "a@x-.com",
          "a@x.c", "a@x.c0m", "a.@x.com", ".a@x.com", "a+b@x.com", "a/b@x.com",
          "a@b.co/c@d.com", "; first@x.com", ",,a@b.co", "first@x.com second",
          "bad second@x.com", "a@" + "c" * 63 + ".com", "a@" + "c" * 64 + ".com",
          "a@" + ".".join(["c" * 60] * 4) + ".com", "x@PLN.CO.ID", "y@pln.co.id.com",
          "z@xpln.co.id", "Andi\n@gmail.com", "andi@gmail.com\n", "andi@gmai.com",
          "andi@hotmail.con", "andi@gmail.cm", "andi@yaho.com", "andi@yahoo.co",
          "andi@gamil.com", "andi@gmail.co", "andi@gmail.con", "tes@gmail.com",
          "no.email@gmail.com", "no_email@gmail.com", "tidak.ada@gmail.com",
          "contoh@domain.com", "asd@test.com", "ok@email.com", "ok@xxx.com",
          "ok@abc.com", "ok@example.org", "caf\u00e9@gmail.com", "andi@g\u00e9mail.com",
          "ga ada", "nggak punya", "tak bersedia", "Gak mau kasih", "tidakmau",
          "tidak memiliki", "pelanggan keberatan", "-@x.com", "x.x@gmail.com"]
HPS = ["", "+62 812-3456-7890", "62812345678", "812345678901", "8.12346E+10",
       "0878xxxxxxx", "08123456789", "0811111111", "021-5551234", "()", "0",
       "tidak ada", "081234567890123", "081380041234", "0812 3456 7891",
       "0812-9876-5432", "(0812) 9876 5432", "0812/9876/5432", "0812.9876.5432",
       "0812****5678", "08X", "Tidak Ada", "TIDAK  ADA", "-", "--", "---", "00",
       "000", "0000", "x", "xxx", "n/a", "NA", "null", "None", "nil", "08",
       "0888888888", "0811", "0812345678", "081234567", "0812345", "08123456",
       "812345678", "81234567", "8123456789012", "+6281298765432", "6281298765432",
       "+62", "62", "620", "+1 555 123", "0841234567", "08412345678",
       "0819876543", "08198765432109", "081987654321", "0819876543210",
       "+62 (812) 9876-5432", "0812\t9876 5432", "08129876543a", "\uff10812",
       "0821 1234 567", "8888888888", "08000000000", "0812 1234 5678 / 0813 9999 8888",
       "+0812345678", "6208123456789"]
PHONES = ["", "", "", "021-5551234", "08129876543", "+62 812-9876-5432",
          "0878xxxxxxx", "08123456789", "812987654321", "tidak ada", "()"]
URG = ["", "Urgent", "Tidak Urgent", "Non Urgent", "DARURAT", "biasa", "Urgen",
       "Normal", "Bahaya", "tidak darurat", "non-urgent", "Emergency", "urgensi tinggi",
       "tdk urgent", "Non  Urgent", "tidak\nurgent", "sangat urgent", "urgently",
       "turgent", "tanpa bahaya", "Bukan Darurat", "gak urgent", "nggak urgen"]
EMO = ["", "Marah", "tidak marah", "kecewa", "Tenang", "Kesal", "Netral",
       "Tidak Marah", "emosi", "geram", "Emosional", "marah-marah", "tidak\tkecewa",
       "tdk kesal", "sangat marah", "pemarah", "Bukan marah"]
REL = ["Pelanggan", "Bukan Pelanggan", "Tetangga", "penyewa", "Penanggung Jawab", "",
       "Keluarga", "Pemilik", "Ybs", "ybs.", "Yang Bersangkutan", "Orang Lain",
       "Penanggung  Jawab", "penanggungjawab", "Tidak Pelanggan", "non-pelanggan",
       "Pengelola", "Pemohon", "Kuasa", "Diri Sendiri", "Pelanggan Lama", "nonpelanggan",
       "Anak Pelanggan", "Developer", "tanpa pemilik"]
NOTES = ["", "tidak marah-marah", "Tidak korsleting, tapi kabel putus", "korsleting", "tidak korsleting", "pelanggan marah-marah",
         "tidak punya alamat email", "menolak memberikan email",
         "Listrik padam\nsejak pagi", "ada percikan api di meteran",
         "kabel putus di depan rumah", "kabel\nputus", "tiang  roboh", "Pelanggan kesal",
         "tidak kesal", "pelanggan tidak marah, hanya bertanya", "Tidak darurat",
         "tidak ada email", "tdk punya e-mail", "nggak ada alamat email",
         "keberatan untuk menyampaikan alamat email", "tidak bersedia memberi email",
         "enggan menyebutkan e-mail", "tanpa email", "tanpa  email", "no email",
         "pelanggan menolak memberikan\nemail", "bahaya", "berbahaya sekali",
         "terbakar", "meledak!", "kebakaran kecil", "kesetrum", "tersengat listrik",
         "konslet", "korslet", "Membentak petugas", "bicara kasar", "mengamuk",
         "emosional", "emosi tinggi", "urgent", "darurat", "marahnya", "kecewa\r\nberat",
         "Tidak punya email dan HP", "punya email tapi lupa", "tidak mempunyai e mail",
         'ada "kutipan", koma', "non-darurat", "tak ada email", "emailnya tidak ada",
         "gak memiliki alamat  email", "menolak untuk memberikan email"]
MEDIA = ["Contact Center PLN 123", "123", "WhatsApp", "", "call centre",
         "Call Center 123", "Walk In", "PLN Mobile", "Email", "contactcenter",
         "CONTACT CENTRE", "callcenter", "call\ncenter", "Contact  Center", "pln1234"]
TYPES = ["Gangguan Padam", "Keluhan", "Pengaduan", "Informasi Tarif", "info", "PB",
         "Pasang Baru", "Permohonan", "lainnya", "", "Info Tagihan", "informasi",
         "PD", "ps", "Penambahan Daya", "Perubahan Daya", "Penyambungan Sementara",
         "Niaga", "Komplain", "Gangguan", "infoku", "Keluhan Tagihan", "PB-PD",
         "P2TL", "Permohonan Info", "Informasi Gangguan", "Keluhan Informasi"]
def pick(lst): return rnd.choice(lst)
with open(f"{out}/adv-crm.csv", "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow(["ID Tiket", "Tanggal", "Jenis Transaksi", "Nama", "Email", "HP",
                "Telp Rumah", "CSO", "Prioritas", "Emosi Pelanggan",
                "Hubungan Pelapor", "ID Pelanggan", "Resume", "Media"])
    for i in range(5000):
        w.writerow([f"ADV{i:06d}", "2026-10-%02d" % (1 + i % 28), pick(TYPES),
                    f"Nama {i}", pick(EMAILS), pick(HPS), pick(PHONES),
                    f"CSO {i % 17}", pick(URG), pick(EMO), pick(REL),
                    "%012d" % i, pick(NOTES), pick(MEDIA)])
# States one by one: every email beside a valid HP, every HP (and every phone
# with an empty HP) beside a valid email, with no exemption evidence, so that
# each state shows as its own code; then every evidence value alone on a
# ticket with a bad email and HP, for each type.
EMAILS += ["TEST@gmail.com", "Tidakada@Gmail.com", "a@b.co  c@d.com", "ABC@abc.com",
           "xXx@gmail.com", "andi@GMIAL.COM", "andi@Sub.PLN.co.id", "tidak\npunya email",
           "Tidak Ada", "TIDAK PUNYA", "tidak mau", "tidakada", "-\n", "N/ A",
           "noemail", "no-email", "tanpaemail", "tidak adanya", "a@x.com.",
           "a@[1.2.3.4]", '"a b"@x.com', "a'b@x.com", "{x}@x.com", "a|b@x.com",
           "a@" + ".".join(["c" * 63] * 4) + ".com",
           "a@" + ".".join(["c" * 63] * 3) + "." + "c" * 61 + ".co",
           "a@" + ".".join(["c" * 63] * 3) + "." + "c" * 60 + ".co",
           "A@B.CO", "a@b.co\u00a0", "\u00a0a@b.co", "a@b.co\x0bc@d.com", "Kosong", "tidak  bersedia", "TDK MEMILIKI", "ga", "nggakpunya"]
HPS += ["0812-3456-789O", "tidak marah", "0800000000", "0812345678901",
        "0813 1234 5678", "+62-813-1234-5678", "(+62) 813 1234 5678", "62 813 1234 5678",
        "813 1234 5678", "8131234567", "0813123456789", "08131234567890", "0812 9876\u00a05432", "0812\x0b9876\x0c5432"]
OK_E, OK_H = "budi.santoso@gmail.com", "081298765432"
rows = []
for v in EMAILS:
    rows.append(dict(email=v, hp=OK_H))
for v in HPS + PHONES:
    rows.append(dict(email=OK_E, hp=v))
    rows.append(dict(email=OK_E, hp="", phone=v))
for t in TYPES:
    for v in URG:
        rows.append(dict(type=t, urgency=v))
    for v in EMO:
        rows.append(dict(type=t, emotion=v))
    for v in REL:
        rows.append(dict(type=t, relation=v))
    for v in NOTES + ["tidak\u00a0marah", "marah\u00a0sekali", "tidak\rmarah",
                      "tidak\x0bmarah", "tidak\x0cmarah", "tidak\r\n\r\nmarah"]:
        rows.append(dict(type=t, notes=v))
        rows.append(dict(type=t, notes=v, urgency="Urgent"))
    for v in MEDIA:
        rows.append(dict(type=t, media=v))
with open(f"{out}/adv-states.csv", "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["ID Tiket", "Tanggal", "Jenis Transaksi", "Email", "HP", "Telp Rumah",
                "CSO", "Prioritas", "Emosi Pelanggan", "Hubungan Pelapor", "Resume", "Media"])
    for i, r in enumerate(rows):
        w.writerow([f"ST{i:06d}", "2026-10-15", r.get("type", "Gangguan"),
                    r.get("email", "x"), r.get("hp", "0"), r.get("phone", ""), "CSO",
                    r.get("urgency", "Normal"), r.get("emotion", "Tenang"),
                    r.get("relation", "Pelanggan"), r.get("notes", ""),
                    r.get("media", "Contact Center PLN 123")])
AP2T_TYPES = TYPES + ["", "", "", ""]
with open(f"{out}/adv-ap2t.csv", "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(["No Agenda", "Tgl Mohon", "Jenis Permohonan", "Nama Pemohon", "Email",
                "Hp", "Telepon", "User Input", "Status Pemohon", "Keterangan"])
    for i in range(3000):
        w.writerow([f"AG{i:06d}", "%02d/10/2026" % (1 + i % 28), pick(AP2T_TYPES),
                    f"Pemohon {i}", pick(EMAILS), pick(HPS), pick(PHONES),
                    f"CSO {i % 11}", pick(REL), pick(NOTES)])
EOF
files+=("$tmp/adv-crm.csv" "$tmp/adv-ap2t.csv" "$tmp/adv-states.csv")

# Fuzz: fields glued from fragments of the patterns' words, separators and digits.
"$py" - "$tmp/adv-fuzz.csv" ${DIFF_SEED:-} <<'EOF' || { echo "FAIL fuzz generator"; echo "0 passed, 1 failed"; exit 1; }
import csv, random, sys
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
TOK = ["tidak", "tdk", "tak", "bukan", "gak", "nggak", "non", "non-", "tanpa", "ga",
       "marah", "marah-marah", "kecewa", "emosi", "emosional", "urgent", "urgen", "darurat",
       "bahaya", "emergency", "korsleting", "kabel", "putus", "pelanggan", "ybs", "penanggung",
       "jawab", "sendiri", "punya", "ada", "mau", "email", "e-mail", "alamat", "menolak",
       "memberikan", "untuk", "keberatan", "no", "x", "X", "*", "@", ".", "-", "+62", "62",
       "08", "8", "0", "1234567890", "12", "9", "(", ")", "/", ",", ";", " ", "  ", "\n", "\t",
       "gmail.com", "pln.co.id", "a", "test", "E+10", "123", "center", "contact", "call",
       "centre", "info", "pb", "gangguan", "keluhan", "niaga", "_", "'", "\u00e9", "\u00a0"]
def val():
    return "".join(rnd.choice(TOK) + rnd.choice(["", " ", ""]) for _ in range(rnd.randint(0, 5)))
def hp():
    r = rnd.random()
    if r < 0.5:
        return "".join(rnd.choice("0123456789 -.()/+8") for _ in range(rnd.randint(0, 16)))
    if r < 0.7:
        return rnd.choice(["08", "+62", "62", "8", "0"]) + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(5, 13)))
    return val()
def email():
    r = rnd.random()
    if r < 0.4:
        al = "abcxX.-_+'@,;/ 0"
        return "".join(rnd.choice(al) for _ in range(rnd.randint(0, 10))) + rnd.choice(["@gmail.com", "@pln.co.id", ".com", "", "@x.co", "@a.b-c.id"])
    return val()
fh = open(sys.argv[1], "w", newline="", encoding="utf-8")
w = csv.writer(fh, lineterminator="\n")
w.writerow(["ID Tiket", "Tanggal", "Jenis Transaksi", "Email", "HP", "Telp Rumah", "CSO",
            "Prioritas", "Emosi Pelanggan", "Hubungan Pelapor", "Resume", "Media"])
for i in range(10000):
    w.writerow([f"FZ{i:06d}", "2026-10-01", val(), email(), hp(), hp() if rnd.random() < .3 else "", "c",
                val(), val(), val() if rnd.random() < .7 else "", val(), val() if rnd.random() < .5 else ""])
fh.close()
EOF
files+=("$tmp/adv-fuzz.csv")

for f in "$src"/tests/differential/*.csv; do
  [ -e "$f" ] && files+=("$f")
done

n=0
for f in "${files[@]}"; do
  n=$((n+1))
  if ! "$bin" import --quiet --db "$tmp/db$n.sqlite" "$f" >"$tmp/imp$n.out" 2>&1; then
    echo "FAIL import $(basename "$f"): $(head -c 300 "$tmp/imp$n.out")"
    echo "0 passed, 1 failed"; exit 1
  fi
done

KNOWN_DIVERGENCES=$KNOWN_DIVERGENCES "$py" - "$src" "$tmp" "$n" <<'EOF'
import os, sqlite3, sys
sys.dont_write_bytecode = True
src, tmp, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(src, "tests"))
from ref_rules import judge, email_state, hp_state, category
known = {}
for line in os.environ.get("KNOWN_DIVERGENCES", "").splitlines():
    parts = line.split(None, 2)
    if len(parts) >= 2 and not line.lstrip().startswith("#"):
        known[(parts[0], parts[1])] = parts[2] if len(parts) > 2 else ""
cols = ["source", "ticket_id", "status", "codes", "type", "email", "hp", "phone",
        "urgency", "emotion", "relation", "notes", "media",
        "email_state", "hp_state", "category"]
passed = failed = known_hits = 0
shown = 0
seen_known = set()
for i in range(1, n + 1):
    db = sqlite3.connect(os.path.join(tmp, f"db{i}.sqlite"))
    rows = db.execute("SELECT " + ", ".join(cols) + " FROM tickets ORDER BY source, ticket_id").fetchall()
    db.close()
    if not rows:
        failed += 1
        print(f"FAIL db{i}: no tickets imported")
    for row in rows:
        r = dict(zip(cols, row))
        hs = hp_state(r["hp"])
        if hs == "HP_MISSING" and hp_state(r["phone"]) == "valid":
            hs = "HP_IN_PHONE_FIELD"
        # status and codes, and (docs/schema.md) the states behind them
        exp = judge(r) + (email_state(r["email"]), hs, category(r["source"], r["type"]))
        got = (r["status"], r["codes"] or "", r["email_state"], r["hp_state"], r["category"])
        key = (r["source"], r["ticket_id"])
        if got == exp:
            passed += 1
            if key in known:
                print(f"NOTE {key[0]} {key[1]} agrees now: remove it from KNOWN_DIVERGENCES")
            continue
        if key in known:
            known_hits += 1
            seen_known.add(key)
            passed += 1
            continue
        failed += 1
        if shown < 20:
            shown += 1
            fields = {k: r[k] for k in cols[4:13]}
            print(f"FAIL {key[0]} {key[1]}: ticket-audit {got[0]} [{got[1]}] {got[2:]}, "
                  f"spec {exp[0]} [{exp[1]}] {exp[2:]} fields {fields!r}")
if known_hits:
    print(f"known divergences (listed in KNOWN_DIVERGENCES): {known_hits}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
