#!/usr/bin/python3
"""big_export.py ROWS PERIOD OUT [PREFIX [SHARE]] -- a large, plain CRM
export for the end-to-end tests that need time to pass (a lock held, a
signal sent mid-import): ROWS unique tickets of PERIOD by 40 CSOs, every
status, no quoting, written in well under a second per 100,000 rows
(tools/gen_exports.py is realistic, and ten times slower). With SHARE,
every SHARE customers in a row give the same HP, so that the signals have
ROWS / SHARE reused contacts to find and write."""
import sys

rows, period, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
prefix = sys.argv[4] if len(sys.argv) > 4 else "B"
share = int(sys.argv[5]) if len(sys.argv) > 5 else 1
csos = ["CSO %02d" % i for i in range(40)]
kinds = ["Gangguan", "Keluhan", "Informasi", "Niaga"]
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Resume,Media\n")
    for i in range(rows):
        day = i % 28 + 1
        email = "" if i % 7 == 0 else "p%d@mail.example" % i
        hp = "" if i % 11 == 0 else "0812%08d" % (i // share)
        f.write("%s%07d,%s-%02d,%s,Pelanggan %d,%s,%s,%s,catatan %d,"
                "Contact Center PLN 123\n"
                % (prefix, i, period, day, kinds[i % 4], i, email, hp,
                   csos[i % 40], i))
