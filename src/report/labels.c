/*
 * labels.c — the report's words in its two languages, Indonesian (the
 * default) and English (--lang en): sheet names, headers, notices, and
 * the labels of what the database stores as identifiers (SPEC §4's codes,
 * categories and statuses, the field names in the evidence, the reasons
 * of rejected rows). Everything the program writes into a workbook comes
 * from here (SPEC §5 "Words"); only data from the exports is shown as it
 * is. tests/test_report.c checks that every word is given in both
 * languages and that no word of one appears in the other's workbook.
 *
 * Composed cells (codes with their labels, the worded evidence and
 * reasons) are built into the caller's buffer: no allocation, one pass.
 */
#include "labels.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const rpt_lang lang_id = {
    .en = 0,
    .sheet = {"Ringkasan", "Per CSO", "Temuan", "Pengecualian", "Ditolak",
              "Indikasi", "Tinjauan"},
    .status_names = {"Patuh", "Dikecualikan", "Melanggar", "Di Luar Cakupan"},
    .status_one = {"Patuh", "Dikecualikan", "Melanggar", "Di luar cakupan"},
    .sig_col = {"Kontak dipakai berulang", "Pencilan pengecualian",
                "Ketidakcocokan antar sistem"},
    .sig = {"Kontak dipakai berulang (satu HP/email untuk beberapa "
            "pelanggan)",
            "Pencilan pengecualian (tingkat pengecualian CSO jauh di atas "
            "tim)",
            "Ketidakcocokan antar sistem (APKT dan CRM untuk laporan yang "
            "sama), per CSO APKT, terbanyak dulu",
            "Tidak ada.",
            "Periode",
            "Jenis",
            "Kontak",
            "Pelanggan",
            "Tiket",
            "CSO (tiket)",
            "CSO",
            "Tiket dalam cakupan",
            "Dikecualikan",
            "Tingkat pengecualian (%)",
            "Median tim (%)",
            "Ambang (%)",
            "Kode pengecualian (tiket)",
            "Tiket APKT",
            "Tiket CRM",
            "Email APKT",
            "Email CRM",
            "HP APKT",
            "HP CRM",
            "CSO APKT",
            "CSO CRM",
            "Berbeda"},
    .unknown_cso = "(tidak diketahui)",
    .unknown_file = "tidak-diketahui",
    .title = "Audit kepatuhan Email & HP pelapor (PLN 123)",
    .title_cso = "Audit kepatuhan Email & HP pelapor (PLN 123) — CSO",
    .period = "Periode",
    .generated = "Dibuat pada",
    .rules = "Aturan",
    .rules_default = "bawaan",
    .program = "Program",
    .cso = "CSO",
    .files = "Berkas",
    .file = "Berkas",
    .file_path = "Lokasi berkas",
    .source = "Sumber",
    .read = "Baris dibaca",
    .imported = "Diimpor",
    .rejected = "Ditolak",
    .status = "Status",
    .tickets = "Total Tiket",
    .compliance = "Kepatuhan (%)",
    .compliance_rev = "Kepatuhan setelah tinjauan (%)",
    .target = "Target kepatuhan (%)",
    .code = "Kode",
    .label = "Keterangan",
    .meaning = "Arti",
    .codes_head = "Pelanggaran per kode",
    .no_codes = "Tidak ada pelanggaran.",
    .chart_cso = "Kepatuhan per CSO (%) — jingga: ada indikasi",
    .chart_codes = "Pelanggaran per kode",
    .ticket = "Tiket",
    .date = "Tanggal",
    .category = "Kategori",
    .codes = "Kode",
    .violation_col = "Pelanggaran",
    .exemption_col = "Pengecualian",
    .evidence = "Bukti",
    .email = "Email",
    .hp = "HP",
    .notes = "Catatan (cuplikan)",
    .sheet_col = "Lembar",
    .line = "Baris",
    .reason = "Alasan",
    .raw = "Isi baris",
    .signals_none = "Tidak ada indikasi (kontak dipakai berulang, pencilan "
                    "pengecualian, ketidakcocokan antar sistem) untuk "
                    "periode ini.",
    .all_periods_to = "s.d.",
    .masked_note = "Email, HP dan nomor/alamat dalam teks disamarkan "
                   "(--no-mask untuk menampilkan).",
    .unmasked_note =
        "PERHATIAN: data pribadi ditampilkan lengkap (--no-mask).",
    .prev_month = "Kepatuhan bulan lalu (%)",
    .change = "Perubahan (poin)",
    .months_head = "Kepatuhan per bulan",
    .chart_months = "Kepatuhan per bulan (%)",
    .band_violations = "Pelanggaran",
    .band_exemptions = "Pengecualian",
    .band_signals = "Indikasi",
    .band_history = "Riwayat",
    .sig_any = "Ada indikasi",
    .yes = "Ya",
    .legend_head = "Keterangan kode",
    .legend_low = "Sel merah: kepatuhan di bawah target.",
    .legend_signal = "Garis jingga di kiri nama CSO, \"Ya\" di kolom Ada "
                     "indikasi dan batang jingga di grafik: CSO dengan "
                     "indikasi; rinciannya di lembar Indikasi.",
    .legend_review = "Sel kuning di Temuan dan Pengecualian: tempat "
                     "keputusan QA (Sah atau Batal), catatan dan nama "
                     "peninjau; jangan ubah kolom Kunci.",
    .qa_decision = "Keputusan QA",
    .qa_note = "Catatan QA",
    .reviewer = "Peninjau",
    .key = "Kunci",
    .upheld = "Sah",
    .overturned = "Batal",
    .dv_title = "Keputusan QA",
    .dv_message = "Pilih Sah (temuan atau pengecualian tetap berlaku) atau "
                  "Batal (dibatalkan peninjau), atau kosongkan.",
    .review_head = "Keputusan QA",
    .decisions = "Keputusan",
    .stale = "Usang (tiket berubah sejak ditinjau)",
    .stale_mark = "usang",
    .status_then = "Status saat ditinjau",
    .decision = "Keputusan",
    .decided_at = "Waktu",
    .row = "Baris",
    .review_none = "Belum ada keputusan QA untuk tiket periode ini.",
    .team = "Tim",
    .this_cso = "CSO ini",
    .rank = "Peringkat kepatuhan",
    .sig_of_cso = "Indikasi untuk CSO ini",
    .see_signals = "Rinciannya di lembar Indikasi.",
    .signals_head = "Indikasi",
    .mismatch_by_cso = "Ketidakcocokan per CSO",
    .local_time = "waktu setempat",
    .count = "Tiket",
};

static const rpt_lang lang_en = {
    .en = 1,
    .sheet = {"Summary", "By CSO", "Findings", "Exemptions", "Rejected",
              "Signals", "Review"},
    .status_names = {"Compliant", "Exempt", "Violations", "Out of scope"},
    .status_one = {"Compliant", "Exempt", "Violation", "Out of scope"},
    .sig_col = {"Reused contacts", "Exemption outlier",
                "Cross-system mismatches"},
    .sig = {"Reused contacts (one HP/email for several customers)",
            "Exemption outliers (a CSO's exemption rate far above the "
            "team's)",
            "Cross-system mismatches (APKT and CRM for the same report), by "
            "APKT CSO, most first",
            "None.",
            "Period",
            "Kind",
            "Contact",
            "Customers",
            "Tickets",
            "CSOs (tickets)",
            "CSO",
            "Tickets in scope",
            "Exempt",
            "Exemption rate (%)",
            "Team median (%)",
            "Threshold (%)",
            "Exemption codes (tickets)",
            "APKT ticket",
            "CRM ticket",
            "APKT email",
            "CRM email",
            "APKT HP",
            "CRM HP",
            "APKT CSO",
            "CRM CSO",
            "Differs"},
    .unknown_cso = "(unknown)",
    .unknown_file = "unknown",
    .title = "Caller email & HP compliance audit (PLN 123)",
    .title_cso = "Caller email & HP compliance audit (PLN 123) — CSO",
    .period = "Period",
    .generated = "Generated at",
    .rules = "Rules",
    .rules_default = "built-in",
    .program = "Program",
    .cso = "CSO",
    .files = "Files",
    .file = "File",
    .file_path = "File path",
    .source = "Source",
    .read = "Rows read",
    .imported = "Imported",
    .rejected = "Rejected",
    .status = "Status",
    .tickets = "Tickets",
    .compliance = "Compliance (%)",
    .compliance_rev = "Compliance after review (%)",
    .target = "Compliance target (%)",
    .code = "Code",
    .label = "Label",
    .meaning = "Meaning",
    .codes_head = "Violations by code",
    .no_codes = "No violations.",
    .chart_cso = "Compliance by CSO (%) — orange: has signals",
    .chart_codes = "Violations by code",
    .ticket = "Ticket",
    .date = "Date",
    .category = "Category",
    .codes = "Codes",
    .violation_col = "Violations",
    .exemption_col = "Exemptions",
    .evidence = "Evidence",
    .email = "Email",
    .hp = "HP",
    .notes = "Notes (excerpt)",
    .sheet_col = "Sheet",
    .line = "Line",
    .reason = "Reason",
    .raw = "Raw row",
    .signals_none = "No signals (reused contacts, exemption outliers, "
                    "cross-system mismatches) were found for this period.",
    .all_periods_to = "to",
    .masked_note = "Email, HP and numbers/addresses inside text are masked "
                   "(--no-mask shows them).",
    .unmasked_note = "WARNING: personal data shown in full (--no-mask).",
    .prev_month = "Previous month (%)",
    .change = "Change (points)",
    .months_head = "Compliance by month",
    .chart_months = "Compliance by month (%)",
    .band_violations = "Violations",
    .band_exemptions = "Exemptions",
    .band_signals = "Signals",
    .band_history = "History",
    .sig_any = "Any signal",
    .yes = "Yes",
    .legend_head = "Code legend",
    .legend_low = "Red cells: compliance below the target.",
    .legend_signal = "Orange line left of a CSO's name, \"Yes\" under Any "
                     "signal and orange bars in the chart: a CSO with "
                     "signals; the details are on the Signals sheet.",
    .legend_review = "Yellow cells on Findings and Exemptions: where QA "
                     "types its decision (Upheld or Overturned), a note "
                     "and the reviewer's name; leave the Key column as it "
                     "is.",
    .qa_decision = "QA decision",
    .qa_note = "QA note",
    .reviewer = "Reviewer",
    .key = "Key",
    .upheld = "Upheld",
    .overturned = "Overturned",
    .dv_title = "QA decision",
    .dv_message = "Choose Upheld (the finding or exemption stands) or "
                  "Overturned (the reviewer overturns it), or leave it "
                  "empty.",
    .review_head = "QA decisions",
    .decisions = "Decisions",
    .stale = "Stale (ticket changed since reviewed)",
    .stale_mark = "stale",
    .status_then = "Status when reviewed",
    .decision = "Decision",
    .decided_at = "Time",
    .row = "Row",
    .review_none = "No QA decisions on this period's tickets yet.",
    .team = "Team",
    .this_cso = "This CSO",
    .rank = "Compliance rank",
    .sig_of_cso = "Signals for this CSO",
    .see_signals = "The details are on the Signals sheet.",
    .signals_head = "Signals",
    .mismatch_by_cso = "Mismatches by CSO",
    .local_time = "local time",
    .count = "Tickets",
};

const rpt_lang *rpt_lang_get(int en)
{
    return en ? &lang_en : &lang_id;
}

/* ---- codes, categories, statuses, fields ----------------------------- */

typedef struct code_word {
    const char *code;
    const char *label[2];   /* Indonesian, English */
    const char *meaning[2]; /* one line each */
} code_word;

/* SPEC §4's codes in the legend's order: the email states, the HP states,
 * the invalid claim, then the exemptions. */
static const code_word code_words[] = {
    {"EMAIL_MISSING",
     {"Email kosong", "Email missing"},
     {"Kolom email tidak diisi.", "The email field is empty."}},
    {"EMAIL_PLACEHOLDER",
     {"Email pengisi, bukan alamat asli", "Placeholder email"},
     {"Email diisi tanda atau alamat pura-pura (-, xxx, test@..., alamat "
      "pln.co.id), bukan alamat pelanggan.",
      "The email holds a filler or a dummy address (-, xxx, test@..., a "
      "pln.co.id address), not the customer's."}},
    {"EMAIL_INVALID",
     {"Email tidak sah", "Invalid email"},
     {"Email bukan alamat yang sah: bentuknya salah atau domainnya salah "
      "ketik (gmial.com).",
      "The email is not a valid address: malformed, or its domain "
      "mistyped (gmial.com)."}},
    {"HP_MISSING",
     {"HP kosong", "HP missing"},
     {"Kolom HP tidak diisi, dan kolom telepon tidak berisi nomor HP.",
      "The HP field is empty, and the phone field holds no mobile "
      "number."}},
    {"HP_PLACEHOLDER",
     {"HP pengisi, bukan nomor asli", "Placeholder HP"},
     {"HP diisi tanda, nomor tersamar (0878xxxxxxx) atau nomor pura-pura "
      "(angkanya sama semua, atau 1234... berurutan).",
      "The HP holds a filler, a masked number (0878xxxxxxx) or a dummy "
      "number (all one digit, or 1234... in a row)."}},
    {"HP_INVALID",
     {"HP tidak sah", "Invalid HP"},
     {"HP bukan nomor seluler Indonesia yang sah: telepon rumah, terlalu "
      "pendek atau panjang, atau berisi huruf.",
      "The HP is not a valid Indonesian mobile number: a landline, too "
      "short or too long, or not only digits."}},
    {"HP_IN_PHONE_FIELD",
     {"HP dicatat di kolom telepon", "HP recorded in the phone column"},
     {"Kolom HP kosong, tetapi nomor HP yang sah dicatat di kolom "
      "telepon.",
      "The HP field is empty, but a valid mobile number was entered in "
      "the phone column."}},
    {"EXEMPTION_INVALID",
     {"Klaim mendesak tidak berlaku", "Invalid urgency claim"},
     {"Tiket ditandai mendesak, padahal pengecualian mendesak hanya "
      "berlaku untuk gangguan dan keluhan.",
      "The ticket claims urgency, but the urgency exemption applies to "
      "outages and complaints only."}},
    {"EX_URGENT",
     {"Keadaan darurat", "Emergency"},
     {"Darurat atau berbahaya (urgensi atau catatan) pada gangguan atau "
      "keluhan: email dan HP boleh tidak diminta.",
      "An emergency or danger (urgency or notes) on an outage or "
      "complaint: email and HP may be skipped."}},
    {"EX_ANGRY",
     {"Pelanggan marah", "Angry customer"},
     {"Pelanggan marah atau kecewa (emosi atau catatan): email dan HP "
      "boleh tidak diminta.",
      "The customer was angry or upset (emotion or notes): email and HP "
      "may be skipped."}},
    {"EX_NOT_RESPONSIBLE",
     {"Pelapor bukan penanggung jawab", "Caller not the account holder"},
     {"Pelapor bukan pelanggan atau penanggung jawab (kolom hubungan): "
      "email dan HP boleh tidak diminta.",
      "The caller is not the customer or the person responsible (relation "
      "field): email and HP may be skipped."}},
    {"EX_NO_EMAIL",
     {"Pelanggan tidak punya email", "Customer has no email"},
     {"Pelanggan tidak punya atau menolak memberi email (kolom email atau "
      "catatan): email boleh kosong, HP tetap wajib.",
      "The customer has no email or declined to give one (email field or "
      "notes): email may be empty, HP is still required."}},
};

#define NCODES (sizeof code_words / sizeof *code_words)

/* Identifiers of the database and their words, Indonesian then English. */
typedef struct id_word {
    const char *id;
    const char *word[2];
} id_word;

static const id_word categories[] = {
    {"gangguan", {"gangguan", "outage"}},
    {"keluhan", {"keluhan", "complaint"}},
    {"informasi", {"informasi", "information"}},
    {"niaga", {"niaga", "commercial"}},
    {"unknown", {"tidak diketahui", "unknown"}},
};

/* The fields named in the evidence and in reasons (ta_field_name). */
static const id_word field_words[] = {
    {"urgency", {"Urgensi", "Urgency"}},
    {"emotion", {"Emosi", "Emotion"}},
    {"relation", {"Hubungan", "Relation"}},
    {"notes", {"Catatan", "Notes"}},
    {"email", {"Email", "Email"}},
    {"hp", {"HP", "HP"}},
};

static const char *const status_ids[RPT_NSTATUS] = {"compliant", "exempt",
                                                    "violation",
                                                    "out_of_scope"};

static const id_word *id_find(const id_word *t, size_t n, const char *s,
                              size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].id) == len && memcmp(t[i].id, s, len) == 0)
            return &t[i];
    return NULL;
}

static const code_word *code_find(const char *s, size_t len)
{
    for (size_t i = 0; i < NCODES; i++)
        if (strlen(code_words[i].code) == len &&
            memcmp(code_words[i].code, s, len) == 0)
            return &code_words[i];
    return NULL;
}

size_t rpt_code_count(void)
{
    return NCODES;
}

const char *rpt_code_at(size_t i)
{
    return i < NCODES ? code_words[i].code : NULL;
}

int rpt_code_is_exemption(const char *code, size_t len)
{
    return len >= 3 && memcmp(code, "EX_", 3) == 0;
}

const char *rpt_code_label(const rpt_lang *L, const char *code, size_t len)
{
    const code_word *w = code_find(code, len);
    return w ? w->label[L->en] : NULL;
}

const char *rpt_code_meaning(const rpt_lang *L, const char *code,
                             size_t len)
{
    const code_word *w = code_find(code, len);
    return w ? w->meaning[L->en] : NULL;
}

const char *rpt_category_word(const rpt_lang *L, const char *cat, size_t len)
{
    const id_word *w = id_find(categories,
                               sizeof categories / sizeof *categories, cat,
                               len);
    return w ? w->word[L->en] : NULL;
}

const char *rpt_status_word(const rpt_lang *L, const char *status)
{
    for (int i = 0; status && i < RPT_NSTATUS; i++)
        if (strcmp(status, status_ids[i]) == 0)
            return L->status_one[i];
    return NULL;
}

size_t rpt_source_word(const char *s, size_t len, char out[16])
{
    size_t i = 0;
    for (; s && i < len && i < 15; i++)
        out[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
    out[i] = '\0';
    return i;
}

size_t rpt_lang_words(const rpt_lang *L, const char **out, size_t max)
{
    size_t n = 0;
#define PUT(s)                                                                \
    do {                                                                      \
        if (n < max)                                                          \
            out[n] = (s);                                                     \
        n++;                                                                  \
    } while (0)
    for (int i = 0; i < RPT_NSHEETS; i++)
        PUT(L->sheet[i]);
    for (int i = 0; i < RPT_NSTATUS; i++) {
        PUT(L->status_names[i]);
        PUT(L->status_one[i]);
    }
    for (int i = 0; i < RPT_NSIG; i++)
        PUT(L->sig_col[i]);
    for (int i = 0; i < SG_NLABELS; i++)
        PUT(L->sig[i]);
#define RPT_WORD_PUT(w) PUT(L->w);
    RPT_WORDS(RPT_WORD_PUT)
#undef RPT_WORD_PUT
    for (size_t i = 0; i < NCODES; i++) {
        PUT(code_words[i].label[L->en]);
        PUT(code_words[i].meaning[L->en]);
    }
    for (size_t i = 0; i < sizeof categories / sizeof *categories; i++)
        PUT(categories[i].word[L->en]);
    for (size_t i = 0; i < sizeof field_words / sizeof *field_words; i++)
        PUT(field_words[i].word[L->en]);
#undef PUT
    return n;
}

/* ---- composed cells -------------------------------------------------- */

/* Appends s[0..n) to out (o bytes used of outlen), cut on a UTF-8
 * boundary when full; keeps out NUL-terminated. */
static void put_words(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
    if (*o + 1 >= outlen)
        return;
    size_t room = outlen - 1 - *o;
    if (n > room)
        n = utf8_cut(s, n, room);
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
}

static void adds(char *out, size_t outlen, size_t *o, const char *s)
{
    put_words(out, outlen, o, s, strlen(s));
}

size_t rpt_word_codes(const rpt_lang *L, const char *s, size_t len,
                      char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < len;) {
        while (i < len && s[i] == ' ')
            i++;
        size_t e = i;
        while (e < len && s[e] != ' ')
            e++;
        if (e == i)
            break;
        const char *lb = rpt_code_label(L, s + i, e - i);
        if (o)
            adds(out, outlen, &o, "; ");
        if (lb) {
            adds(out, outlen, &o, lb);
            adds(out, outlen, &o, " (");
        }
        put_words(out, outlen, &o, s + i, e - i);
        if (lb)
            adds(out, outlen, &o, ")");
        i = e;
    }
    return o;
}

size_t rpt_word_evidence(const rpt_lang *L, const char *s, size_t len,
                         char *out, size_t outlen)
{
    size_t o = 0, i = 0;
    if (outlen)
        out[0] = '\0';
    while (i < len) {
        /* CODE ": " field " \"" words "\"" ("; " before the next) */
        size_t cs = i, ce = i;
        while (ce < len && s[ce] != ':' && s[ce] != ' ')
            ce++;
        size_t fs = ce + 2, fe = fs;
        while (fe < len && s[fe] != ' ')
            fe++;
        size_t qs = fe + 2, qe = qs;
        int shaped = ce + 1 < len && s[ce] == ':' && s[ce + 1] == ' ' &&
                     fe + 1 < len && s[fe + 1] == '"';
        while (shaped && qe < len && s[qe] != '"')
            qe++;
        if (!shaped) {
            /* not of the stored form: the rest as it is */
            if (o)
                adds(out, outlen, &o, "; ");
            put_words(out, outlen, &o, s + i, len - i);
            break;
        }
        const char *lb = rpt_code_label(L, s + cs, ce - cs);
        const id_word *fw = id_find(field_words, sizeof field_words / sizeof *field_words,
                                    s + fs, fe - fs);
        if (o)
            adds(out, outlen, &o, "; ");
        if (lb)
            adds(out, outlen, &o, lb);
        else
            put_words(out, outlen, &o, s + cs, ce - cs);
        adds(out, outlen, &o, " (");
        if (fw)
            adds(out, outlen, &o, fw->word[L->en]);
        else
            put_words(out, outlen, &o, s + fs, fe - fs);
        adds(out, outlen, &o, ": \"");
        put_words(out, outlen, &o, s + qs, qe - qs);
        adds(out, outlen, &o, "\")");
        /* past the closing quote and the "; " separating entries (a cut
         * evidence may lack both) */
        i = qe < len ? qe + 1 : len;
        while (i < len && (s[i] == ';' || s[i] == ' '))
            i++;
    }
    return o;
}

/* snprintf's result as the length written (cut to the buffer, on a UTF-8
 * boundary, as put_words() would). */
static size_t fitted(char *out, size_t outlen, int w)
{
    if (w < 0 || outlen == 0) {
        if (outlen)
            out[0] = '\0';
        return 0;
    }
    size_t n = (size_t)w < outlen ? (size_t)w : outlen - 1;
    n = utf8_cut(out, n, n);
    out[n] = '\0';
    return n;
}

size_t rpt_word_reason(const rpt_lang *L, const char *code, long long fields_n,
                       long long header, const char *value,
                       const char *column, const char *fallback, char *out,
                       size_t outlen)
{
    const char *v = value ? value : "";
    const char *col = column ? column : "?";
    int en = L->en, w;
    if (!code)
        w = snprintf(out, outlen, "%s", fallback ? fallback : "");
    else if (strcmp(code, "field_count") == 0)
        w = en ? snprintf(out, outlen, "%lld fields, the header has %lld",
                          fields_n, header)
               : snprintf(out, outlen, "%lld kolom, baris judul berisi %lld",
                          fields_n, header);
    else if (strcmp(code, "beyond_header") == 0)
        w = en ? snprintf(out, outlen,
                          "a value in column %s, right of the header's "
                          "last column",
                          col)
               : snprintf(out, outlen,
                          "ada isian di kolom %s, di kanan kolom terakhir "
                          "baris judul",
                          col);
    else if (strcmp(code, "ticket_id_empty") == 0)
        w = snprintf(out, outlen, "%s",
                     en ? "the ticket id is empty" : "nomor tiket kosong");
    else if (strcmp(code, "date_empty") == 0)
        w = snprintf(out, outlen, "%s",
                     en ? "the date is empty" : "tanggal kosong");
    else if (strcmp(code, "date_invalid") == 0)
        w = en ? snprintf(out, outlen,
                          "date \"%s\" is not a date in a known form or not "
                          "a real calendar date",
                          v)
               : snprintf(out, outlen,
                          "tanggal \"%s\" tidak dalam bentuk yang dikenal "
                          "atau bukan tanggal yang ada",
                          v);
    else if (strcmp(code, "open_quote") == 0)
        w = snprintf(out, outlen, "%s",
                     en ? "the file ends inside a quoted field that starts "
                          "on this line (truncated export?)"
                        : "berkas berakhir di dalam isian berkutip yang "
                          "dimulai di baris ini (ekspor terpotong?)");
    else
        w = snprintf(out, outlen, "%s", fallback ? fallback : code);
    return fitted(out, outlen, w);
}

size_t rpt_word_rank(const rpt_lang *L, size_t rank, size_t of, char *out,
                     size_t outlen)
{
    int w = L->en ? snprintf(out, outlen, "%zu of %zu (1 = highest)", rank,
                             of)
                  : snprintf(out, outlen, "%zu dari %zu (1 = tertinggi)",
                             rank, of);
    return fitted(out, outlen, w);
}

size_t rpt_word_mismatch_block(const rpt_lang *L, const char *cso,
                               long long n, long long email, long long hp,
                               char *out, size_t outlen)
{
    int w = L->en ? snprintf(out, outlen,
                             "%s: %lld mismatch%s (email %lld, HP %lld)", cso,
                             n, n == 1 ? "" : "es", email, hp)
                  : snprintf(out, outlen,
                             "%s: %lld ketidakcocokan (email %lld, HP %lld)",
                             cso, n, email, hp);
    return fitted(out, outlen, w);
}

size_t rpt_word_fields(const rpt_lang *L, const char *s, size_t len,
                       char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < len;) {
        while (i < len && (s[i] == ',' || s[i] == ' '))
            i++;
        size_t e = i;
        while (e < len && s[e] != ',')
            e++;
        if (e == i)
            break;
        const id_word *fw = id_find(field_words, sizeof field_words / sizeof *field_words,
                                    s + i, e - i);
        if (o)
            adds(out, outlen, &o, ", ");
        if (fw)
            adds(out, outlen, &o, fw->word[L->en]);
        else
            put_words(out, outlen, &o, s + i, e - i);
        i = e;
    }
    return o;
}

size_t rpt_word_code_counts(const rpt_lang *L, const char *s, size_t len,
                            char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && s[e] != ',')
            e++;
        size_t sp = i;
        while (sp < e && s[sp] != ' ')
            sp++;
        if (e > i) {
            const char *lb = rpt_code_label(L, s + i, sp - i);
            if (o)
                adds(out, outlen, &o, ", ");
            if (lb) {
                adds(out, outlen, &o, lb);
                adds(out, outlen, &o, ":");
            } else {
                put_words(out, outlen, &o, s + i, sp - i);
            }
            put_words(out, outlen, &o, s + sp, e - sp);
        }
        i = e + 1;
    }
    return o;
}
