/*
 * test_import_changes.c — SPEC §3 "Duplicates and re-imports": the SHA-256
 * recorded is that of the bytes actually imported, and a file that changes
 * while it is read (cut short, appended to, rewritten: its size or
 * modification time at the end differs from the start, or its bytes differ
 * between passes) is refused with exit 74 and nothing of it stored; the
 * complete file imports later as usual. The change is made for real, by
 * the import's own progress callback, once the first rows are stored (the
 * CSV reader is then in its second pass, the workbook's sheet half read).
 * Also: a FIFO, /dev/zero or a directory is refused at once (issue 14).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "db.h"
#include "import.h"
#include "rules.h"
#include "sha256.h"
#include "testutil.h"
#include "utf8.h"

typedef tu_db fx;

#define ROWS 50000

static const char header[] =
    "ID Tiket,Tanggal,Jenis Transaksi,Nama,Email,HP,CSO,Resume,Media\n";

/* A CSV export of ROWS rows (about 6 MB), valid UTF-8. */
static void write_csv(const char *path)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(header, f);
    for (int i = 0; i < ROWS; i++)
        fprintf(f,
                "T%07d,2026-10-%02d,Gangguan,Budi %d,budi%d@gmail.com,"
                "0812%08d,Ani,Listrik padam,Call Center 123\n",
                i, 1 + i % 28, i, i, i);
    assert_int_equal(fclose(f), 0);
}

/* The same as a workbook (libxlsxwriter, shared strings). */
static void write_xlsx(const char *path, int rows)
{
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Data");
    const char *h[] = {"ID Tiket", "Tanggal", "Jenis Transaksi", "Nama",
                       "Email",    "HP",      "CSO",             "Media"};
    for (int c = 0; c < 8; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, h[c], NULL);
    char b[64];
    for (int i = 0; i < rows; i++) {
        lxw_row_t r = (lxw_row_t)(i + 1);
        snprintf(b, sizeof b, "T%07d", i);
        worksheet_write_string(ws, r, 0, b, NULL);
        snprintf(b, sizeof b, "2026-10-%02d", 1 + i % 28);
        worksheet_write_string(ws, r, 1, b, NULL);
        worksheet_write_string(ws, r, 2, "Gangguan", NULL);
        snprintf(b, sizeof b, "Budi %d", i);
        worksheet_write_string(ws, r, 3, b, NULL);
        snprintf(b, sizeof b, "budi%d@gmail.com", i);
        worksheet_write_string(ws, r, 4, b, NULL);
        worksheet_write_number(ws, r, 5, 81200000000.0 + i, NULL);
        worksheet_write_string(ws, r, 6, "Ani", NULL);
        worksheet_write_string(ws, r, 7, "Call Center 123", NULL);
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* A temporary folder holding crm.csv of ROWS rows. */
static void fresh_csv(char *dir, size_t dlen, char *path, size_t plen)
{
    assert_int_equal(tu_tmpdir(dir, dlen), 0);
    snprintf(path, plen, "%s/crm.csv", dir);
    write_csv(path);
}

static void sha_of(const char *path, char hex[SHA256_HEX_SIZE])
{
    size_t n;
    char *b = tu_read_file(path, &n);
    assert_non_null(b);
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, n, (const uint8_t *)b);
    sha256_hex(&c, hex);
    free(b);
}

/* What the progress callback does to the file, once. */
typedef enum change {
    CH_TRUNCATE,      /* cut to half its size */
    CH_APPEND_CP1252, /* a Windows-1252 row appended */
    CH_REWRITE_KEEP,  /* bytes near the end rewritten, size and mtime kept */
} change;

typedef struct hook {
    const char *path;
    change what;
    long long at; /* CH_REWRITE_KEEP: the offset rewritten (-1: near end) */
    int done;
} hook;

static void change_file(void *ctx, const char *file, unsigned long long done,
                        unsigned long long total, unsigned long rows)
{
    hook *h = ctx;
    (void)file;
    (void)done;
    (void)total;
    (void)rows;
    if (h->done++)
        return;
    struct stat sb;
    assert_int_equal(stat(h->path, &sb), 0);
    int fd = open(h->path, O_RDWR);
    assert_true(fd >= 0);
    if (h->what == CH_TRUNCATE) {
        assert_int_equal(ftruncate(fd, sb.st_size / 2), 0);
    } else if (h->what == CH_APPEND_CP1252) {
        static const char row[] = "T9999999,2026-10-30,Gangguan,Jos\xe9 "
                                  "\x93quoted\x94,j@gmail.com,081299999999,"
                                  "Ani,caf\xe9,Call Center 123\n";
        assert_true(lseek(fd, 0, SEEK_END) == sb.st_size);
        assert_int_equal(write(fd, row, sizeof row - 1),
                         (ssize_t)(sizeof row - 1));
    } else {
        off_t at = h->at >= 0 ? (off_t)h->at : sb.st_size - 20;
        unsigned char byte;
        assert_int_equal(pread(fd, &byte, 1, at), 1);
        byte ^= 0x01;
        assert_int_equal(pwrite(fd, &byte, 1, at), 1);
        /* the same modification time: only the bytes tell */
        struct timespec ts[2] = {sb.st_atim, sb.st_mtim};
        assert_int_equal(futimens(fd, ts), 0);
    }
    assert_int_equal(close(fd), 0);
}

static ta_status import_hooked(fx *f, const char *path, hook *h,
                               import_result *r)
{
    import_options o = {.source = TA_SRC_NONE};
    if (h) {
        o.progress = change_file;
        o.progress_ctx = h;
    }
    return import_file(f->db, f->rs, path, &o, r, f->err, sizeof f->err);
}

static void assert_nothing_stored(fx *f)
{
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM imports"), 0);
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM tickets"), 0);
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM rejects"), 0);
    assert_int_equal(tu_q_int(f->db, "SELECT count(*) FROM audits"), 0);
}

/* The complete file, imported afterwards: every row, its hash recorded. */
static void assert_imports_whole(fx *f, const char *path, unsigned long rows)
{
    import_result r;
    if (import_hooked(f, path, NULL, &r) != TA_OK)
        fail_msg("%s", f->err);
    assert_int_equal(r.already_imported, 0);
    assert_int_equal(r.rows_read, rows);
    char hex[SHA256_HEX_SIZE], tbuf[80];
    sha_of(path, hex);
    assert_string_equal(r.sha256, hex);
    assert_string_equal(
        tu_q_text(f->db, "SELECT sha256 FROM imports", tbuf, sizeof tbuf),
        hex);
}

static void dup3_csv_cut_short_while_read(void **state)
{
    fx *f = *state;
    char dir[512], path[600];
    fresh_csv(dir, sizeof dir, path, sizeof path);
    hook h = {.path = path, .what = CH_TRUNCATE};
    import_result r;
    assert_int_equal(import_hooked(f, path, &h, &r), TA_E_IO);
    assert_int_equal(h.done > 0, 1);
    assert_non_null(strstr(f->err, "changed while it was read"));
    assert_non_null(strstr(f->err, "crm.csv"));
    assert_nothing_stored(f);
    write_csv(path); /* the export, complete again */
    assert_imports_whole(f, path, ROWS);
    tu_rmtree(dir);
}

/* Windows-1252 bytes appended after the first pass decided UTF-8: the
 * rows would be read from other bytes than the ones judged. Refused; the
 * complete file is then Windows-1252 throughout, and nothing invalid
 * reaches the database. */
static void dup3_csv_cp1252_appended_while_read(void **state)
{
    fx *f = *state;
    char dir[512], path[600];
    fresh_csv(dir, sizeof dir, path, sizeof path);
    hook h = {.path = path, .what = CH_APPEND_CP1252};
    import_result r;
    assert_int_equal(import_hooked(f, path, &h, &r), TA_E_IO);
    assert_non_null(strstr(f->err, "changed while it was read"));
    assert_nothing_stored(f);
    assert_imports_whole(f, path, ROWS + 1);
    assert_int_equal(r.encoding, CSV_ENC_UTF8); /* the refused attempt */
    char tbuf[128];
    assert_string_equal(tu_q_text(f->db, "SELECT encoding FROM imports", tbuf,
                                  sizeof tbuf),
                        "windows-1252");
    assert_string_equal(tu_q_text(f->db,
                                  "SELECT name FROM tickets WHERE "
                                  "ticket_id = 'T9999999'",
                                  tbuf, sizeof tbuf),
                        "Jos\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d");
    /* every text stored is valid UTF-8 */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->db,
                                        "SELECT name, notes, email FROM "
                                        "tickets",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 3; i++)
            assert_true(utf8_valid(
                (const char *)sqlite3_column_text(st, i),
                (size_t)sqlite3_column_bytes(st, i)));
    sqlite3_finalize(st);
    tu_rmtree(dir);
}

/* Bytes rewritten in place, the size and modification time kept: the
 * second pass's hash differs from the first's. */
static void dup3_csv_rewritten_same_size_and_time(void **state)
{
    fx *f = *state;
    char dir[512], path[600];
    fresh_csv(dir, sizeof dir, path, sizeof path);
    hook h = {.path = path, .what = CH_REWRITE_KEEP, .at = -1};
    import_result r;
    assert_int_equal(import_hooked(f, path, &h, &r), TA_E_IO);
    assert_non_null(strstr(f->err, "changed while it was read"));
    assert_non_null(strstr(f->err, "other bytes"));
    assert_nothing_stored(f);
    assert_imports_whole(f, path, ROWS);
    tu_rmtree(dir);
}

/* The offset of a byte inside the compressed data of a zip entry the
 * reader never reads (docProps/core.xml): found by its local header. */
static long long core_xml_data(const char *path)
{
    size_t n;
    char *b = tu_read_file(path, &n);
    assert_non_null(b);
    static const char name[] = "docProps/core.xml";
    for (size_t i = 30; i + sizeof name < n; i++)
        if (memcmp(b + i, name, sizeof name - 1) == 0 &&
            memcmp(b + i - 30, "PK\x03\x04", 4) == 0) {
            free(b);
            return (long long)(i + sizeof name - 1 + 8);
        }
    free(b);
    fail_msg("no docProps/core.xml entry");
    return -1;
}

static void dup3_workbook_changed_while_read(void **state)
{
    fx *f = *state;
    char dir[512], path[600];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(path, sizeof path, "%s/apkt.xlsx", dir);
    /* appended to: the size differs */
    write_xlsx(path, 30000);
    hook h = {.path = path, .what = CH_APPEND_CP1252};
    import_result r;
    assert_int_equal(import_hooked(f, path, &h, &r), TA_E_IO);
    assert_non_null(strstr(f->err, "changed while it was read"));
    assert_nothing_stored(f);
    /* a byte the reader never reads, rewritten with the time kept: only
     * the hash after the last row tells */
    write_xlsx(path, 30000);
    hook k = {.path = path, .what = CH_REWRITE_KEEP,
              .at = core_xml_data(path)};
    assert_int_equal(import_hooked(f, path, &k, &r), TA_E_IO);
    assert_non_null(strstr(f->err, "changed while it was read"));
    assert_nothing_stored(f);
    /* cut short under the reader */
    write_xlsx(path, 30000);
    hook c = {.path = path, .what = CH_TRUNCATE};
    ta_status s = import_hooked(f, path, &c, &r);
    if (s != TA_E_IO || !strstr(f->err, "changed while it was read"))
        fail_msg("cut short: status %d: %s", (int)s, f->err);
    assert_nothing_stored(f);
    write_xlsx(path, 30000);
    assert_imports_whole(f, path, 30000);
    tu_rmtree(dir);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "a non-regular input hung the import\n";
    if (write(2, m, sizeof m - 1) < 0) {
        /* nothing more to do */
    }
    _exit(1);
}

/* issue 14: a FIFO, a device, a directory as input is refused at once
 * (66: "a regular file is required"), never waited on or read forever. */
static void input_not_a_regular_file_refused_at_once(void **state)
{
    fx *f = *state;
    char dir[512], fifo[600];
    assert_int_equal(tu_tmpdir(dir, sizeof dir), 0);
    snprintf(fifo, sizeof fifo, "%s/export.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(20);
    static const struct {
        const char *path, *says;
    } t[] = {{NULL, "is a FIFO (named pipe): a regular file is required"},
             {"/dev/zero", "is a character device: a regular file is "
                           "required"},
             {"/dev/null", "is a character device"},
             {"/tmp", "is a directory: a regular file is required"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        import_result r;
        const char *p = t[i].path ? t[i].path : fifo;
        import_options o = {.source = TA_SRC_NONE};
        ta_status s =
            import_file(f->db, f->rs, p, &o, &r, f->err, sizeof f->err);
        if (s != TA_E_NOINPUT || !strstr(f->err, t[i].says) ||
            !strstr(f->err, p))
            fail_msg("%s: status %d: %s", p, (int)s, f->err);
    }
    alarm(0);
    /* the CSV reader on its own refuses them too */
    csv_reader *cr = NULL;
    assert_int_equal(csv_open_file(fifo, NULL, &cr), CSV_E_NOENT);
    assert_non_null(strstr(csv_errmsg(cr), "a regular file is required"));
    csv_close(cr);
    assert_nothing_stored(f);
    tu_rmtree(dir);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, tu_db_setup, tu_db_teardown)
    const struct CMUnitTest tests[] = {
        T(dup3_csv_cut_short_while_read),
        T(dup3_csv_cp1252_appended_while_read),
        T(dup3_csv_rewritten_same_size_and_time),
        T(dup3_workbook_changed_while_read),
        T(input_not_a_regular_file_refused_at_once),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
