#!/usr/bin/env python3
"""gen_exports.py — realistic synthetic exports of CRM, APKT and AP2T.

Writes one CSV export of one source system of PLN 123 for one month, with
the quirks the auditor meets in real exports (SPEC §3, §4): several date
forms, quoted notes holding delimiters and line breaks, report titles above
the header, Windows-1252 text, BOMs, CRLF, duplicate ticket ids, rejected
rows, and every email/HP/exemption outcome of the rules, produced through
~40 CSOs with different habits.

Deterministic: the same arguments give the same bytes (Python 3 standard
library only, random.Random seeded from --seed). CRM ticket ids are a
function of seed, period and ticket index, and so is the customer behind
each CRM ticket, so an APKT file made with the same seed and period refers
(`Tiket CRM`) to tickets of the CRM file and mostly carries the same
contacts. See docs/generator.md.
"""

import argparse
import calendar
import random
import sys

# -- Column headers, the default names of SPEC §3 --------------------------

HEADERS = {
    "crm": ["ID Tiket", "Tanggal", "Jenis Transaksi", "Nama", "Email", "HP",
            "Telp. Rumah", "Id Caller", "CSO", "Prioritas", "Emosi Pelanggan",
            "Hubungan Pelapor", "ID Pelanggan", "Resume", "Media"],
    "apkt": ["No Laporan", "Tiket CRM", "Tgl Lapor", "Jenis Laporan",
             "Nama Pelapor", "Email Pelapor", "HP Pelapor", "Telepon Pelapor",
             "Petugas", "Prioritas", "Emosi Pelanggan", "Status Pelapor",
             "IDPEL", "Isi Laporan", "Media"],
    "ap2t": ["No Agenda", "Tgl Mohon", "Jenis Permohonan", "Nama Pemohon",
             "Email", "Hp", "Telepon", "User Input", "Status Pemohon",
             "ID Pelanggan", "Keterangan"],
}

# Canonical record slots, and which slot fills each column of a source.
(ID, CRMREF, DATE, TYPE, NAME, EMAIL, HP, PHONE, CALLER, CSO, URG, EMO, REL,
 IDPEL, NOTES, MEDIA) = range(16)
LAYOUT = {
    "crm": [ID, DATE, TYPE, NAME, EMAIL, HP, PHONE, CALLER, CSO, URG, EMO,
            REL, IDPEL, NOTES, MEDIA],
    "apkt": [ID, CRMREF, DATE, TYPE, NAME, EMAIL, HP, PHONE, CSO, URG, EMO,
             REL, IDPEL, NOTES, MEDIA],
    "ap2t": [ID, DATE, TYPE, NAME, EMAIL, HP, PHONE, CSO, REL, IDPEL, NOTES],
}
ID_PREFIX = {"crm": "K", "apkt": "L", "ap2t": "5"}

TITLES = {
    "crm": ["Laporan Transaksi Contact Center PLN 123",
            "Unit: UID Jakarta Raya, Periode {first} s.d. {last}"],
    "apkt": ["APKT - Daftar Laporan Pengaduan dan Gangguan",
             "Periode: {first} s/d {last}, dicetak oleh: admin123"],
    "ap2t": ["AP2T - Monitoring Permohonan PB/PD/PS",
             "Periode Permohonan {first} - {last}, Unit: UP3 Bekasi"],
}

# -- People ----------------------------------------------------------------

FIRST = ("Budi Agus Andi Dedi Eko Hendra Joko Rudi Slamet Wahyu Yusuf Rizky "
         "Fajar Dimas Bayu Arif Irfan Taufik Hadi Bambang Sri Siti Dewi Rina "
         "Ratna Wulan Ayu Putri Nur Indah Lestari Fitri Yuni Endang Sari Maya "
         "Nining Tuti Rahmawati Kartika Ahmad Muhammad Ilham Reza Gilang "
         "Teguh Sutrisno Suparman Ujang Asep Ketut Made Wayan Nyoman Ucok "
         "Ani").split()
LAST = ("Santoso Wijaya Saputra Hidayat Kurniawan Setiawan Pratama Nugroho "
        "Susanto Lubis Siregar Nasution Simanjuntak Harahap Sitompul "
        "Gunawan Hakim Permana Firmansyah Ramadhan Rahman Hasibuan Tanjung "
        "Wibowo Purnomo Suryadi Halim Tan Lim Sinaga Manurung Pangaribuan "
        "Kusuma Utomo Prasetyo Yulianti Handayani Anggraini Puspita "
        "Maharani").split()
# Names with letters outside ASCII that Windows-1252 can hold (Sébastien,
# the é of Café): the encoding tests need them.
ACCENTED = ["Sébastien Dupont", "José Ramírez", "André Wijaya",
            "Françoise Lubis", "Zoë Tanjung", "Renée Halim", "Müller Santoso",
            "Agnès Purnomo", "Noël Siregar", "Chloé Kusuma"]
EMAIL_DOMAINS = (["gmail.com"] * 12 + ["yahoo.com"] * 3 + ["yahoo.co.id"] * 2
                 + ["hotmail.com", "outlook.com", "ymail.com", "icloud.com",
                    "rocketmail.com", "telkom.net", "ui.ac.id",
                    "tokopedia.com", "gmail.com"])
HP_PREFIXES = ("0811 0812 0813 0821 0822 0823 0851 0852 0853 0814 0815 0816 "
               "0855 0856 0857 0858 0817 0818 0819 0859 0877 0878 0895 0896 "
               "0897 0898 0899 0881 0882 0887 0888 0831 0832 0838").split()
AREA_CODES = ["021", "022", "024", "031", "0274", "0251", "0361", "061"]
POOL = 60000  # customers; a person calls again now and then


class People:
    """The customers behind the tickets, each a function of (seed, index)
    alone, so every source file made with one seed sees the same person."""

    def __init__(self, seed):
        self.seed = seed
        self.cache = {}

    def get(self, p):
        person = self.cache.get(p)
        if person is None:
            person = self._make(p)
            self.cache[p] = person
        return person

    def _make(self, p):
        r = random.Random(self.seed * 1000003 + p * 7 + 11)
        if r.random() < 0.03:
            name = r.choice(ACCENTED)
        elif r.random() < 0.15:
            name = r.choice(FIRST)
        else:
            name = r.choice(FIRST) + " " + r.choice(LAST)
        parts = name.lower().replace("é", "e").replace("è", "e") \
            .replace("ë", "e").replace("í", "i").replace("ç", "c") \
            .replace("ü", "u").split()
        sep = r.choice([".", "", "_"])
        local = sep.join(parts)
        if r.random() < 0.6:
            local += str(r.randint(1, 99))
        email = local + "@" + r.choice(EMAIL_DOMAINS)
        hp = r.choice(HP_PREFIXES) + "".join(
            r.choice("0123456789") for _ in range(r.choice((7, 8, 8, 8))))
        phone = ""
        if r.random() < 0.3:
            area = r.choice(AREA_CODES)
            phone = area + "-" + str(r.randint(2000000, 8999999))[:8 - len(area) + 3]
        idpel = str(r.choice((5, 1, 3))) + "".join(
            r.choice("0123456789") for _ in range(11))
        if r.random() < 0.5:
            name = name.upper()
        return (name, email, hp, phone, idpel)


# -- CSOs and their habits -------------------------------------------------

# (name, habit). Habits set how a CSO fills the contact fields.
CSOS = [
    ("Ayu Lestari", "teladan"), ("Bagus Prakoso", "teladan"),
    ("Citra Ramadhani", "teladan"), ("Dian Permatasari", "teladan"),
    ("Erwin Saputra", "teladan"), ("Fitriani", "teladan"),
    ("Galih Pambudi", "normal"), ("Hana Pertiwi", "normal"),
    ("Indra Gunawan", "normal"), ("Jihan Aulia", "normal"),
    ("Kevin Sitorus", "normal"), ("Laras Wulandari", "normal"),
    ("Mega Safitri", "normal"), ("Nanda Pratiwi", "normal"),
    ("Oki Setiawan", "normal"), ("Putri Maharani", "normal"),
    ("Qori Amalia", "normal"), ("Rendy Firmansyah", "normal"),
    ("Sinta Marlina", "normal"), ("Tommy Hutapea", "normal"),
    ("Umi Kalsum", "normal"), ("Vina Oktaviani", "normal"),
    ("Wahyu Hidayat", "normal"), ("Yoga Aditya", "normal"),
    ("Zahra Nabila", "normal"), ("Adi Nugraha", "normal"),
    ("Bella Anggraini", "normal"), ("Cahyo Wibisono", "normal"),
    ("Dewi Kartika", "malas_email"), ("Eka Purnamasari", "malas_email"),
    ("Farhan Maulana", "malas_email"), ("Gita Puspita", "malas_email"),
    ("Hendra  Kurniawan", "ceroboh"),  # two spaces: cso names collapse
    ("Intan Permata", "ceroboh"), ("Joko Susilo", "excel"),
    ("Kurnia Sari", "excel"), ("Lukman Hakim", "urgent"),
    ("Maya Anggraeni", "reuse_hp"), ("Nur Aini", "baru"),
    ("Oscar Simanjuntak", "baru"),
]
# habit: (p email empty, p email wrong, p email declined, p hp empty,
#         p hp wrong, p urgency claimed on any ticket, p own hp reused,
#         p spreadsheet-mangled hp)
HABITS = {
    "teladan": (0.01, 0.01, 0.02, 0.005, 0.01, 0.0, 0.0, 0.0),
    "normal": (0.07, 0.05, 0.05, 0.03, 0.05, 0.0, 0.0, 0.01),
    "malas_email": (0.40, 0.10, 0.08, 0.05, 0.05, 0.0, 0.0, 0.01),
    "ceroboh": (0.15, 0.25, 0.04, 0.10, 0.25, 0.0, 0.0, 0.02),
    "excel": (0.06, 0.05, 0.05, 0.03, 0.05, 0.0, 0.0, 0.45),
    "urgent": (0.25, 0.05, 0.03, 0.10, 0.05, 0.45, 0.0, 0.01),
    "reuse_hp": (0.10, 0.05, 0.04, 0.0, 0.03, 0.0, 0.35, 0.01),
    "baru": (0.12, 0.12, 0.06, 0.08, 0.12, 0.02, 0.0, 0.03),
}
REUSED_HP = "081380041234"  # Maya's own work phone

# -- Contact-field outcomes (SPEC §4 steps) --------------------------------

DECLINED = ["tidak punya email", "tidak punya", "Tidak ada", "tdk punya email",
            "menolak", "Pelanggan menolak", "keberatan", "no email",
            "tanpa email", "tidak bersedia", "gak punya"]
EMAIL_PLACEHOLDERS = ["-", "x", "xxx", "--", ".", "0", "n/a", "NULL", "none",
                      "tidakada@gmail.com", "test@pln.co.id",
                      "noemail@gmail.com", "dummy@example.com",
                      "email@email.com", "xxx@gmail.com", "123@yahoo.com",
                      "cc123@pln.co.id", "abc@abc.com", "a@a.com"]
EMAIL_TYPO_DOMAINS = ["gmial.com", "gamil.com", "gmai.com", "gmail.con",
                      "gmail.co", "gmail.cm", "yahoo.con", "yaho.com",
                      "hotmail.con"]
HP_PLACEHOLDERS = ["-", "0", "000", "x", "n/a", "tidak ada", "0878xxxxxxx",
                   "0812****5678", "08123456789", "081111111111",
                   "0812345678", "000000000000", "08888888888"]

# -- Ticket content --------------------------------------------------------

# (category, weight, types by source)
CRM_TYPES = [
    ("gangguan", 30, ["Gangguan - Padam Perorangan", "Gangguan - Padam Sebagian",
                      "Gangguan APP", "Gangguan Tegangan"]),
    ("keluhan", 20, ["Keluhan - Tagihan Susulan", "Keluhan Kesalahan Baca Meter",
                     "Pengaduan Kualitas Tegangan", "Komplain Pelayanan Petugas"]),
    ("informasi", 25, ["Informasi Tagihan", "Informasi Tarif",
                       "Permintaan Info Padam Terencana", "Informasi Token"]),
    ("niaga", 20, ["Permohonan Pasang Baru (PB)", "Perubahan Daya (PD)",
                   "Penyambungan Sementara (PS)", "Niaga - Balik Nama"]),
    ("unknown", 5, ["Lain-lain", "Saran", ""]),
]
APKT_TYPES = [
    ("gangguan", 60, ["Gangguan", "Gangguan APP", "Gangguan Jaringan TR",
                      "GANGGUAN PADAM"]),
    ("keluhan", 40, ["Keluhan", "Keluhan Tagihan", "Pengaduan",
                     "Keluhan Teknis"]),
]
AP2T_TYPES = [
    ("niaga", 97, ["PB", "PD", "PS", "Pasang Baru", "Perubahan Daya",
                   "Penyambungan Sementara", "PB Prabayar", "PD Pascabayar"]),
    ("niaga", 3, [""]),
]
NOTE_TEXTS = {
    "gangguan": ["Pelanggan melaporkan padam sejak pukul {h}.00, mohon segera "
                 "ditindaklanjuti.",
                 "Listrik padam satu rumah, MCB sudah dinaikkan, tetap padam.",
                 "Lampu berkedip, tegangan turun naik, pelanggan minta dicek.",
                 "Padam sebagian, tetangga juga padam, gardu di ujung gang.",
                 "Token sudah diisi, kWh meter menampilkan Periksa."],
    "keluhan": ["Pelanggan keberatan dengan tagihan bulan ini, naik dua kali "
                "lipat.",
                "Stand meter tidak sesuai, mohon dilakukan pengecekan ulang.",
                "Petugas pencatat meter tidak datang, tagihan rata-rata.",
                "Pelanggan mengeluhkan lamanya penanganan laporan sebelumnya."],
    "informasi": ["Pelanggan menanyakan rincian tagihan, sudah dijelaskan.",
                  "Menanyakan jadwal pemeliharaan jaringan di wilayahnya.",
                  "Menanyakan cara pembelian token, sudah diinformasikan.",
                  "Info tarif daya 2200 VA, sudah dijelaskan, terima kasih."],
    "niaga": ["Permohonan pasang baru 1300 VA untuk rumah tinggal.",
              "Permohonan tambah daya dari 900 VA ke 2200 VA.",
              "Penyambungan sementara untuk acara pernikahan, 3 hari.",
              "Mohon info biaya dan syarat, data pemohon sudah dicatat."],
    "unknown": ["Pelanggan menyampaikan saran untuk aplikasi.",
                "Telepon terputus sebelum data lengkap.",
                "Salah sambung."],
}
INCIDENTS = ["Ada kabel putus di depan rumah.", "Terjadi korsleting di APP.",
             "Tiang roboh tertimpa pohon.", "Terlihat percikan api di tiang.",
             "Kabel jatuh ke jalan, berbahaya.", "Anak tersengat listrik, "
             "kondisi darurat."]
ANGRY_NOTES = ["Pelanggan marah-marah karena padam berulang.",
               "Pelanggan sangat kecewa, sudah lapor 3 kali.",
               "Pelanggan emosi dan membentak petugas."]
REFUSAL_NOTES = ["Pelanggan tidak punya email.",
                 "Pelanggan menolak memberikan email.",
                 "Pelanggan tidak bersedia menyebutkan alamat email."]
CALM_NOTES = ["Pelanggan tidak marah, hanya bertanya.", "Kondisi tidak darurat."]
# Text only Windows-1252 (not Latin-1, not ASCII) holds: curly quotes, an en
# dash, an é.
FANCY_NOTES = ["Alamat: Café “Kopi Senja”, Jl. Melati 5 – RT 03/RW 07.",
               "Pelanggan bilang “segera”, padam sejak sore.",
               "Lokasi ruko depan Café Bébé, Jl. Kenanga No. 12."]

URGENCY = [("Normal", 50), ("Tidak Urgent", 15), ("Non Urgent", 5), ("", 18),
           ("Urgent", 8), ("Darurat", 2), ("Urgen", 1), ("Bahaya", 1)]
EMOTION = [("Tenang", 55), ("Tidak Marah", 12), ("", 18), ("Netral", 6),
           ("Marah", 5), ("Kecewa", 3), ("Kesal", 1)]
RELATION = [("Pelanggan", 60), ("", 10), ("Pemilik", 6), ("Penyewa", 7),
            ("Keluarga", 4), ("Penanggung Jawab", 3), ("Tetangga", 4),
            ("Bukan Pelanggan", 3), ("Orang Lain", 2), ("Ybs", 1)]
AP2T_RELATION = [("Pemohon", 55), ("Pemilik", 20), ("Penyewa", 8), ("", 8),
                 ("Kuasa", 5), ("Developer", 2), ("Bukan Pemilik", 2)]
MEDIA_CHOICES = [("Contact Center PLN 123", 80), ("Call Center 123", 5),
         ("", 3), ("WhatsApp", 5), ("Walk In", 3), ("PLN Mobile", 2),
         ("Email", 2)]
MONTHS_EN = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
MONTHS_ID = "JAN FEB MAR APR MEI JUN JUL AGT SEP OKT NOV DES".split()
MONTHS_ID_FULL = ("Januari Februari Maret April Mei Juni Juli Agustus "
                  "September Oktober November Desember").split()


def weighted(pairs):
    """Expands (value, weight) pairs to a list for rng.choice: a list
    lookup is the fastest weighted draw in pure Python."""
    out = []
    for value, w in pairs:
        out.extend([value] * w)
    return out


def mix(seed, k):
    """A deterministic scramble of (seed, k) (a 64-bit multiply-xorshift),
    for the customer behind a ticket: no RNG state is involved, so every
    file agrees."""
    x = (seed * 0x9E3779B97F4A7C15 + k * 0xBF58476D1CE4E5B9 + 1) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    x = (x * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 29)


def ticket_id(source, seed, period, k):
    """Ticket id of the k-th ticket (0-based) of a source: the same seed,
    period and k always give the same id (APKT refers to CRM with it)."""
    yymm = period[2:4] + period[5:7]
    return "%s%s%02d%07d" % (ID_PREFIX[source], yymm, seed % 100, k + 1)


class Generator:
    def __init__(self, args):
        self.a = args
        self.src = args.source
        self.seed = args.seed
        self.rng = random.Random("%s-%d-%s" % (args.source, args.seed, args.period))
        self.people = People(args.seed)
        self.year = int(args.period[:4])
        self.month = int(args.period[5:7])
        self.ndays = calendar.monthrange(self.year, self.month)[1]
        types = {"crm": CRM_TYPES, "apkt": APKT_TYPES, "ap2t": AP2T_TYPES}[self.src]
        self.types = weighted([((c, t), w) for c, w, t in types])
        self.urgency = weighted(URGENCY)
        self.emotion = weighted(EMOTION)
        self.relation = weighted(AP2T_RELATION if self.src == "ap2t" else RELATION)
        self.media = weighted(MEDIA_CHOICES)
        self.csos = [(n, HABITS[h]) for n, h in CSOS]
        self.crm_rows = args.crm_rows if args.crm_rows else args.rows
        self.counts = {"rows": 0, "bad": 0, "bad_fields": 0, "bad_id": 0,
                       "bad_date": 0, "duplicates": 0}
        # Forced outcomes for the first tickets, so even a small file shows
        # every rule outcome of SPEC §4 once (tickets k = 3, 10, 17, ...).
        self.showcase = [
            ("email", ""), ("email", "tidak punya email"), ("email", "menolak"),
            ("email", "-"), ("email", "x"), ("email", "tidakada@gmail.com"),
            ("email", "test@pln.co.id"), ("email", "typo"),
            ("email", "several"), ("email", "invalid"),
            ("hp", ""), ("hp", "+62"), ("hp", "62"), ("hp", "lostzero"),
            ("hp", "8.12346E+10"), ("hp", "0878xxxxxxx"),
            ("hp", "08123456789"), ("hp", "081111111111"), ("hp", "landline"),
            ("hp", "inphone"),
        ]

    # -- fields --

    def date(self, k):
        r = self.rng
        d = r.randint(1, self.ndays)
        hh, mm, ss = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
        y, m = self.year, self.month
        x = r.random()
        src = self.src
        if src == "crm":
            if x < 0.70:
                return "%04d-%02d-%02d %02d:%02d:%02d" % (y, m, d, hh, mm, ss)
            if x < 0.88:
                return "%02d/%02d/%04d %02d:%02d" % (d, m, y, hh, mm)
            if x < 0.95:
                return "%d/%d/%04d" % (d, m, y)
            if x < 0.98:
                return "%04d-%02d-%02dT%02d:%02d:%02d" % (y, m, d, hh, mm, ss)
            # An Excel serial, from a file re-saved by a spreadsheet.
            serial = (calendar.timegm((y, m, d, 0, 0, 0)) // 86400) + 25569
            return "%d.%05d" % (serial, r.randint(0, 99999))
        if src == "apkt":
            if x < 0.55:
                return "%02d-%s-%02d %02d.%02d.%02d" % (
                    d, MONTHS_EN[m - 1], y % 100, hh, mm, ss)
            if x < 0.70:
                return "%02d-%s-%04d" % (d, MONTHS_ID[m - 1].lower().title(), y)
            if x < 0.90:
                return "%02d/%02d/%04d %02d:%02d:%02d" % (d, m, y, hh, mm, ss)
            return "%04d/%02d/%02d %02d:%02d" % (y, m, d, hh, mm)
        if x < 0.50:
            return "%02d/%02d/%04d" % (d, m, y)
        if x < 0.75:
            return "%02d-%02d-%04d" % (d, m, y)
        if x < 0.90:
            return "%02d-%s-%02d" % (d, MONTHS_ID[m - 1], y % 100)
        return "%d %s %04d" % (d, MONTHS_ID_FULL[m - 1], y)

    def email(self, real, habit, forced):
        r = self.rng
        if forced is None:
            x = r.random()
            if x < habit[0]:
                return ""
            x -= habit[0]
            if x < habit[2]:
                return r.choice(DECLINED)
            x -= habit[2]
            if x >= habit[1]:
                if r.random() < 0.05:
                    return real.upper() if r.random() < 0.5 else real.title()
                return real
            forced = r.choice(["placeholder", "placeholder", "typo", "typo",
                               "several", "invalid"])
        if forced == "placeholder":
            return r.choice(EMAIL_PLACEHOLDERS)
        local, _, _dom = real.partition("@")
        if forced == "typo":
            return local + "@" + r.choice(EMAIL_TYPO_DOMAINS)
        if forced == "several":
            other = local + str(r.randint(1, 9)) + "@yahoo.com"
            return real + r.choice(["; ", ", ", " / ", " "]) + other
        if forced == "invalid":
            return r.choice([local + "@gmail", local + "@@gmail.com",
                             "." + real, local + " @gmail.com",
                             local + "@gmail..com", local + "gmail.com",
                             real + ".", "www." + local + ".com"])
        return forced  # a literal value of the showcase

    def hp(self, real, habit, forced):
        """Returns (hp, phone-override or None)."""
        r = self.rng
        if forced is None:
            x = r.random()
            if x < habit[6]:
                return REUSED_HP, None
            x -= habit[6]
            if x < habit[3]:
                # Empty HP; now and then the mobile went into the phone field.
                return "", (real if r.random() < 0.3 else None)
            x -= habit[3]
            if x < habit[4]:
                forced = r.choice(["placeholder", "placeholder", "landline",
                                   "short", "inphone"])
            elif r.random() < habit[7]:
                forced = r.choice(["lostzero", "lostzero", "8.12346E+10"])
            else:
                y = r.random()
                if y < 0.80:
                    return real, None
                if y < 0.88:
                    return real[:4] + "-" + real[4:8] + "-" + real[8:], None
                if y < 0.93:
                    return real[:4] + " " + real[4:8] + " " + real[8:], None
                if y < 0.97:
                    return "+62 " + real[1:4] + "-" + real[4:8] + "-" + real[8:], None
                return "62" + real[1:], None
        if forced == "placeholder":
            return r.choice(HP_PLACEHOLDERS), None
        if forced == "+62":
            return "+62 " + real[1:4] + " " + real[4:], None
        if forced == "62":
            return "62" + real[1:], None
        if forced == "lostzero":
            return real[1:], None
        if forced == "8.12346E+10":
            # What a spreadsheet shows for a number it took as a float.
            return "%.5E" % float(real[1:]), None
        if forced == "landline":
            return r.choice(AREA_CODES) + "-" + str(r.randint(2000000, 8999999)), None
        if forced == "short":
            return real[:7], None
        if forced == "inphone":
            return "", real
        return forced, None

    # -- rows --

    def record(self, k, forced_kind, forced_value):
        r = self.rng
        src = self.src
        rec = [""] * 16
        cso, habit = r.choice(self.csos)
        category, types = r.choice(self.types)
        rec[TYPE] = r.choice(types)
        if src == "apkt":
            if r.random() < 0.9:
                ck = mix(self.seed, k) % self.crm_rows
                rec[CRMREF] = ticket_id("crm", self.seed, self.a.period, ck)
                pidx = mix(self.seed, ck) % POOL
            else:
                pidx = mix(self.seed ^ 0x5A5A, k) % POOL
        elif src == "crm":
            pidx = mix(self.seed, k) % POOL
        else:
            pidx = mix(self.seed ^ 0xA5A5, k) % POOL
        name, email, hp, phone, idpel = self.people.get(pidx)
        rec[NAME] = name
        rec[IDPEL] = idpel if (src != "ap2t" or r.random() < 0.6) and r.random() < 0.9 else ""
        rec[EMAIL] = self.email(email, habit,
                                forced_value if forced_kind == "email" else None)
        rec[HP], ph = self.hp(hp, habit, forced_value if forced_kind == "hp" else None)
        rec[PHONE] = ph if ph is not None else phone
        if src == "crm":
            rec[CALLER] = "62" + hp[1:] if r.random() < 0.7 else (phone or hp)
        rec[CSO] = cso
        urg = r.choice(self.urgency)
        if habit[5] and r.random() < habit[5]:
            urg = "Urgent"
        rec[URG] = urg
        rec[EMO] = r.choice(self.emotion)
        rec[REL] = r.choice(self.relation)
        notes = r.choice(NOTE_TEXTS[category]).replace("{h}", str(r.randint(1, 23)))
        x = r.random()
        if category in ("gangguan", "keluhan") and x < 0.10:
            notes += " " + r.choice(INCIDENTS)
        elif x < 0.14:
            notes += " " + r.choice(ANGRY_NOTES)
        elif x < 0.16:
            notes += " " + r.choice(CALM_NOTES)
        if rec[EMAIL] in DECLINED or (rec[EMAIL] == "" and r.random() < 0.15):
            notes += " " + r.choice(REFUSAL_NOTES)
        y = r.random()
        if y < 0.03:
            notes += "\nDihubungi kembali di " + hp + ", minta diinfokan."
        elif y < 0.05:
            notes = r.choice(FANCY_NOTES) + " " + notes
        elif y < 0.06:
            notes += ' Kata pelanggan: "sudah lapor, belum ada petugas".'
        elif y < 0.065:
            notes += "\r\nEmail alternatif: " + email
        rec[NOTES] = notes
        rec[MEDIA] = r.choice(self.media)
        return rec

    def run(self, out):
        a = self.a
        r = self.rng
        delim = a.delimiter
        eol = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[a.line_end]
        layout = LAYOUT[self.src]
        specials = (delim, '"', "\n", "\r")
        first = "01/%02d/%04d" % (self.month, self.year)
        last = "%02d/%02d/%04d" % (self.ndays, self.month, self.year)
        buf = []
        if a.titles:
            for t in TITLES[self.src]:
                buf.append(t.format(first=first, last=last) + eol)
            buf.append(eol)  # a blank line, as spreadsheets export it
        buf.append(delim.join(HEADERS[self.src]) + eol)
        # Exactly round(rows * PCT / 100) bad rows (at least one when PCT
        # > 0), their kinds in turn, so even a small file has each kind; and
        # a duplicate id about every 250 rows (at least one from 20 rows).
        nbad = round(a.rows * a.bad_rows / 100.0)
        if a.bad_rows > 0 and a.rows > 0:
            nbad = max(nbad, 1)
        bad_at = set(r.sample(range(a.rows), min(nbad, a.rows)))
        ndup = max(1, a.rows // 250) if a.rows >= 20 else 0
        free = [i for i in range(10, a.rows) if i not in bad_at] \
            if a.rows < 1000 else None
        if free is not None:
            dup_at = set(r.sample(free, min(ndup, len(free))))
        else:
            dup_at = set()
            while len(dup_at) < ndup:
                i = r.randrange(10, a.rows)
                if i not in bad_at:
                    dup_at.add(i)
        bad_kind = 0
        recent = []
        k = 0
        showcase = self.showcase
        ncols = len(layout)
        for i in range(a.rows):
            rec = None
            if i in bad_at:
                rec = self.record(k, None, None)
                rec[ID] = ticket_id(self.src, self.seed, a.period, k)
                rec[DATE] = self.date(k)
                k += 1
                kind = bad_kind % 3
                bad_kind += 1
                self.counts["bad"] += 1
                if kind == 0:
                    self.counts["bad_fields"] += 1
                else:
                    self.counts["bad_id" if kind == 1 else "bad_date"] += 1
                if kind == 1:
                    rec[ID] = r.choice(["", "  "])
                elif kind == 2:
                    rec[DATE] = r.choice([
                        "31/02/%04d" % self.year, "%04d-13-01" % self.year,
                        "30-FEB-%02d" % (self.year % 100), "kemarin", "",
                        "%04d-%02d-15x" % (self.year, self.month)])
                cells = []
                for j in layout:
                    v = rec[j]
                    if any(c in v for c in specials):
                        v = '"' + v.replace('"', '""') + '"'
                    cells.append(v)
                if kind == 0:
                    if r.random() < 0.5:
                        cells.pop()  # a field lost
                    else:
                        # A delimiter in the notes that nobody quoted.
                        cells.append("dst")
                buf.append(delim.join(cells) + eol)
            else:
                if i in dup_at and recent:
                    # The ticket was edited and exported again: same id.
                    rid = r.choice(recent)
                    rec = self.record(k, None, None)
                    rec[ID] = rid
                    self.counts["duplicates"] += 1
                else:
                    fk = fv = None
                    if k % 7 == 3 and k // 7 < len(showcase):
                        fk, fv = showcase[k // 7]
                    rec = self.record(k, fk, fv)
                    rec[ID] = ticket_id(self.src, self.seed, a.period, k)
                    if len(recent) < 500:
                        recent.append(rec[ID])
                    elif r.random() < 0.1:
                        recent[r.randrange(500)] = rec[ID]
                    k += 1
                rec[DATE] = self.date(k)
                cells = []
                for j in layout:
                    v = rec[j]
                    if any(c in v for c in specials):
                        v = '"' + v.replace('"', '""') + '"'
                    cells.append(v)
                assert len(cells) == ncols
                buf.append(delim.join(cells) + eol)
            self.counts["rows"] += 1
            if len(buf) >= 20000:
                out.write("".join(buf))
                buf = []
        if a.truncated:
            # The export was cut mid-row: an open quote runs to end of file.
            buf.append(ticket_id(self.src, self.seed, a.period, k) + delim
                       + first + delim + '"Pelanggan melaporkan padam sejak')
            self.counts["rows"] += 1
            self.counts["bad"] += 1
        out.write("".join(buf))


def period_arg(s):
    if len(s) != 7 or s[4] != "-" or not (s[:4].isdigit() and s[5:].isdigit()) \
            or not 1 <= int(s[5:]) <= 12:
        raise argparse.ArgumentTypeError("period must be YYYY-MM")
    return s


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Write a synthetic CRM/APKT/AP2T export of PLN 123.")
    p.add_argument("--source", required=True, choices=["crm", "apkt", "ap2t"])
    p.add_argument("--rows", type=int, required=True,
                   help="data rows to write (bad rows and duplicates included)")
    p.add_argument("--period", type=period_arg, required=True, help="YYYY-MM")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--delimiter", default=",",
                   help="one of , ; | or \\t (default ,)")
    p.add_argument("--encoding", default="utf-8",
                   choices=["utf-8", "windows-1252"])
    p.add_argument("--bom", action="store_true",
                   help="start a UTF-8 file with a byte order mark")
    p.add_argument("--line-end", default="lf", choices=["lf", "crlf", "cr"])
    p.add_argument("--titles", action="store_true",
                   help="two report-title lines and a blank line above the header")
    p.add_argument("--bad-rows", type=float, default=0.0, metavar="PCT",
                   help="percentage of rows to make rejectable")
    p.add_argument("--truncated", action="store_true",
                   help="end the file inside an open quote (a cut export)")
    p.add_argument("--crm-rows", type=int, default=0,
                   help="APKT: rows of the CRM file it refers to (default --rows)")
    p.add_argument("--out", required=True, help="output file, - for stdout")
    a = p.parse_args(argv)
    if a.delimiter in ("\\t", "tab", "TAB"):
        a.delimiter = "\t"
    if a.delimiter not in (",", ";", "\t", "|"):
        p.error("--delimiter must be one of , ; | \\t")
    if a.rows < 0 or not 0 <= a.bad_rows <= 100:
        p.error("--rows must be >= 0 and --bad-rows within 0-100")
    if a.bom and a.encoding != "utf-8":
        p.error("--bom needs --encoding utf-8")

    g = Generator(a)
    enc = "cp1252" if a.encoding == "windows-1252" else "utf-8"
    if a.out == "-":
        out = open(sys.stdout.fileno(), "w", encoding=enc, newline="",
                   closefd=False)
    else:
        out = open(a.out, "w", encoding=enc, newline="")
    with out:
        if a.bom:
            out.write("\ufeff")
        g.run(out)
    c = g.counts
    print("gen_exports: %s: %d rows, %d bad (%d field count, %d empty id, "
          "%d bad date%s), %d duplicate ids"
          % (a.out, c["rows"], c["bad"], c["bad_fields"], c["bad_id"],
             c["bad_date"], ", 1 truncated" if a.truncated else "",
             c["duplicates"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
