#!/usr/bin/python3
"""The Python peer of `ticket-audit run` (bench/pipeline_bench.sh): csv + re +
openpyxl write_only, the memo's rule in simplified form (email and HP mandatory,
urgent/angry exempt), one findings sheet.  peer.py CSV OUT.xlsx"""
import csv, re, sys
from openpyxl import Workbook

EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+\Z", re.I)
URGENT = re.compile(r"(?<!tidak )\burgent\b", re.I)
ANGRY = re.compile(r"(?<!tidak )\b(marah|kecewa)\b", re.I)

def hp_ok(v):
    d = re.sub(r"[\s\-.()/]", "", v)
    d = "0" + d[3:] if d.startswith("+62") else "0" + d[2:] if d.startswith("62") else d
    return re.fullmatch(r"08[1-35-9][0-9]{7,10}", d) is not None

wb = Workbook(write_only=True)
ws = wb.create_sheet("Temuan")
ws.append(["ID Tiket", "Tanggal", "CSO", "Jenis", "Kode", "Email", "HP"])
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        codes = []
        if not EMAIL.match(row["Email"].strip()):
            codes.append("EMAIL_MISSING" if not row["Email"].strip() else "EMAIL_INVALID")
        if not hp_ok(row["HP"].strip()):
            codes.append("HP_MISSING" if not row["HP"].strip() else "HP_INVALID")
        if not codes or URGENT.search(row["Prioritas"]) or ANGRY.search(row["Emosi Pelanggan"]):
            continue
        ws.append([row["ID Tiket"], row["Tanggal"], row["CSO"], row["Jenis Transaksi"],
                   " ".join(codes), row["Email"], row["HP"]])
wb.save(sys.argv[2])
