/*
 * labels.c — the report's words in its two languages, Indonesian (the
 * default) and English (--lang en): sheet names, headers, notes. One
 * table per language, so a label missing in one is a compile error, not
 * a blank cell.
 */
#include "report_internal.h"

static const rpt_lang lang_id = {
    {"Ringkasan", "Per CSO", "Temuan", "Pengecualian", "Ditolak", "Indikasi"},
    "(tidak diketahui)",
    "tidak-diketahui",
    "Audit kepatuhan Email & HP pelapor (PLN 123)",
    "Audit kepatuhan Email & HP pelapor (PLN 123) — CSO",
    "Periode",
    "Dibuat pada",
    "Aturan",
    "Program",
    "CSO",
    "Berkas",
    "Berkas",
    "Sumber",
    "Baris dibaca",
    "Diimpor",
    "Ditolak",
    "Status",
    "Total Tiket",
    {"Patuh", "Dikecualikan", "Melanggar", "Di Luar Cakupan"},
    "Kepatuhan (%)",
    "Target kepatuhan (%)",
    "Kode",
    "Pelanggaran per kode",
    "Tidak ada pelanggaran.",
    "Kepatuhan per CSO (%)",
    "Pelanggaran per kode",
    "Tiket",
    "Tanggal",
    "Kategori",
    "Kode",
    "Bukti",
    "Email",
    "HP",
    "Catatan (cuplikan)",
    "Baris",
    "Alasan",
    "Isi baris",
    "Tidak ada indikasi (kontak dipakai berulang, pencilan pengecualian, "
    "ketidakcocokan antar sistem) untuk periode ini.",
    "s.d.",
    "Email, HP dan nomor/alamat dalam teks disamarkan (--no-mask untuk "
    "menampilkan).",
    "PERHATIAN: data pribadi ditampilkan lengkap (--no-mask).",
    "Kepatuhan bulan lalu (%)",
    "Perubahan (poin)",
    "Kepatuhan per bulan",
    "Kepatuhan per bulan (%)"};

static const rpt_lang lang_en = {
    {"Summary", "By CSO", "Findings", "Exemptions", "Rejected", "Signals"},
    "(unknown)",
    "unknown",
    "Caller email & HP compliance audit (PLN 123)",
    "Caller email & HP compliance audit (PLN 123) — CSO",
    "Period",
    "Generated at",
    "Rules",
    "Program",
    "CSO",
    "Files",
    "File",
    "Source",
    "Rows read",
    "Imported",
    "Rejected",
    "Status",
    "Tickets",
    {"Compliant", "Exempt", "Violations", "Out of scope"},
    "Compliance (%)",
    "Compliance target (%)",
    "Code",
    "Violations by code",
    "No violations.",
    "Compliance by CSO (%)",
    "Violations by code",
    "Ticket",
    "Date",
    "Category",
    "Codes",
    "Evidence",
    "Email",
    "HP",
    "Notes (excerpt)",
    "Line",
    "Reason",
    "Raw row",
    "No signals (reused contacts, exemption outliers, cross-system "
    "mismatches) were found for this period.",
    "to",
    "Email, HP and numbers/addresses inside text are masked (--no-mask "
    "shows them).",
    "WARNING: personal data shown in full (--no-mask).",
    "Previous month (%)",
    "Change (points)",
    "Compliance by month",
    "Compliance by month (%)"};

const rpt_lang *rpt_lang_get(int en)
{
    return en ? &lang_en : &lang_id;
}
