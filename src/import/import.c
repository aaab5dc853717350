/*
 * import.c — one export file into the database (see import.h): what the
 * file is, decided by its content (SPEC §3: a ZIP or OLE2 workbook, an
 * HTML page refused, text as CSV, whatever its name); its header and
 * source; one write transaction holding the look-up of an earlier import
 * of the same bytes, the `imports` row, and every row (rows.c); and the
 * checks that the file did not change while it was read.
 *
 * The descriptor is opened once, without blocking, and must be a regular
 * file: a FIFO or /dev/zero would hang the import or never end it. The
 * SHA-256 recorded is the one of the bytes the rows came from: the CSV
 * reader hashes both of its passes and compares them, the workbook is
 * hashed before and after (sheets.c), and the file's size and
 * modification time must be the same at the end as at the start.
 *
 * Messages quote cells only masked (header.c, the CSV reader's own).
 */
#include "import_shared.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "mask.h"

static size_t score_csv(void *ctx, const csv_row *row)
{
    return header_score(ctx, row->fields, row->lens, row->nfields);
}

/* A text file: the CSV reader's two passes (the first now, the second as
 * rows are read), its header mapped. */
static ta_status open_csv(int fd, const char *path, const rules *rs,
                          const import_options *opt, file_state *fs,
                          import_result *res, char *err, size_t errlen)
{
    csv_options co = {0};
    co.encoding = opt->encoding;
    co.score_header = score_csv;
    co.score_ctx = (void *)rs;
    csv_status cs = csv_open_fd(fd, path, &co, &fs->csv);
    if (cs != CSV_OK) {
        snprintf(err, errlen, "%s", csv_errmsg(fs->csv));
        return import_csv_status(cs);
    }
    const csv_row *h = csv_header(fs->csv);
    csv_sha256(fs->csv, res->sha256);
    res->size = csv_size(fs->csv);
    res->encoding = csv_encoding_used(fs->csv);
    res->delimiter = csv_delimiter(fs->csv);
    res->header_line = h->line;
    char why[1200];
    if (header_map_row(rs, opt->source, h->fields, h->lens, h->nfields,
                       &fs->map, why, sizeof why) != TA_OK) {
        snprintf(err, errlen, "%s:%lu: %s", path, h->line, why);
        return TA_E_DATA;
    }
    res->source = fs->map.source;
    fs->ncols = h->nfields;
    snprintf(res->how, sizeof res->how,
             "%s, delimiter '%s', header on line %lu%s",
             csv_encoding_name(res->encoding),
             res->delimiter == '\t' ? "TAB" : (char[2]){res->delimiter, 0},
             res->header_line,
             opt->sheet ? "; --sheet does not apply to text files" : "");
    return TA_OK;
}

/* Rolls the failed import back. When the database cannot even do that
 * (its disk full), it is whole only together with its rollback journal,
 * which the next open plays back: the message says so, since deleting
 * that file would leave half an import behind. */
static void roll_back(sqlite3 *db, char *err, size_t errlen)
{
    (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    /* After a full disk or an I/O error SQLite leaves its pager in an
     * error state, the database file half written and the journal hot;
     * the next read plays the journal back, here and now when it can
     * (rewriting pages needs no new space). */
    (void)sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL);
    const char *dbfile = sqlite3_db_filename(db, "main");
    char journal[4200];
    struct stat sb;
    int hot = dbfile && dbfile[0] &&
              snprintf(journal, sizeof journal, "%s-journal", dbfile) <
                  (int)sizeof journal &&
              stat(journal, &sb) == 0 && sb.st_size > 0;
    if (!sqlite3_get_autocommit(db) || hot) {
        size_t n = strlen(err);
        snprintf(err + n, errlen - n,
                 "; the import could not be rolled back yet: keep %s-journal "
                 "beside the database (never delete it): the next "
                 "ticket-audit run on this database rolls the import back",
                 dbfile && dbfile[0] ? dbfile : "the database");
    }
}

/* The file must end as it started (SPEC §3): a copy over it or an export
 * still being written changes its size or modification time. */
static ta_status unchanged(int fd, const struct stat *st0, const char *path,
                           char *err, size_t errlen)
{
    struct stat st1;
    if (fstat(fd, &st1) != 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return TA_E_IO;
    }
    if (st1.st_size != st0->st_size ||
        st1.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
        st1.st_mtim.tv_nsec != st0->st_mtim.tv_nsec) {
        snprintf(err, errlen,
                 "%s: the file changed while it was read (its %s is not the "
                 "same at the end as at the start); an export still being "
                 "written, or a copy over it: import it again once it is "
                 "complete; nothing of it was stored",
                 path, st1.st_size != st0->st_size ? "size"
                                                   : "modification time");
        return TA_E_IO;
    }
    return TA_OK;
}

/* The transaction: the look-up of the same content (inside it, so a second
 * process importing the same file waits for the first and then finds it),
 * the imports row, the rows. */
static ta_status load(sqlite3 *db, file_state *fs, int fd,
                      const struct stat *st0, const import_options *opt,
                      import_result *res, char *err, size_t errlen)
{
    ta_status s =
        db_exec(db, "BEGIN IMMEDIATE", "starting the import", err, errlen);
    if (s != TA_OK)
        return s;
    s = store_find_previous(db, res->sha256, &res->import_id, err, errlen);
    if (s == TA_OK && res->import_id) {
        res->already_imported = 1;
        db_rollback(db);
        return TA_OK;
    }
    ta_buf json;
    buf_init(&json, 0);
    if (s == TA_OK && fs->wb && sheets_json(fs->wb, &json)) {
        snprintf(err, errlen, "%s: out of memory", fs->path);
        s = TA_E_NOMEM;
    }
    if (s == TA_OK)
        s = store_prepare(db, &fs->st, err, errlen);
    fs->st.figures_only = opt->figures_only;
    fs->st.source = res->source;
    fs->st.on_ticket = opt->on_ticket;
    fs->st.on_replaced = opt->on_replaced;
    fs->st.ticket_ctx = opt->ticket_ctx;
    if (s == TA_OK)
        s = store_import_row(db, &fs->st, fs->path, res, json.p,
                             &fs->import_id, err, errlen);
    buf_free(&json);
    if (s == TA_OK)
        s = db_record_audit(db, "import", NULL, rules_fingerprint(fs->rs),
                            &fs->audit_id, err, errlen);
    if (s == TA_OK)
        s = rows_pipe(db, fs, opt, res, err, errlen);
    /* A file rewritten under the reader may look damaged: it changed. */
    if (s == TA_E_DATA &&
        (unchanged(fd, st0, fs->path, err, errlen) != TA_OK ||
         (fs->wb && sheets_verify(fs->wb, err, errlen) != TA_OK)))
        s = TA_E_IO;
    store_finalize(&fs->st);
    if (s == TA_OK)
        s = unchanged(fd, st0, fs->path, err, errlen);
    if (s == TA_OK && opt->on_stored)
        opt->on_stored(opt->ticket_ctx);
    if (s == TA_OK)
        s = db_exec(db, "COMMIT", "committing the import", err, errlen);
    if (s != TA_OK)
        roll_back(db, err, errlen);
    else
        res->import_id = fs->import_id;
    return s;
}

ta_status import_file(sqlite3 *db, const rules *rs, const char *path,
                      const import_options *opt, import_result *res, char *err,
                      size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->format = "csv";
    res->source = opt->source;
    /* Without blocking: a FIFO is refused below, not waited on. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s; check the path", path,
                 strerror(errno));
        return TA_E_NOINPUT;
    }
    struct stat st0;
    if (fstat(fd, &st0) != 0) {
        snprintf(err, errlen, "%s: cannot read: %s; check the path", path,
                 strerror(errno));
        close(fd);
        return TA_E_NOINPUT;
    }
    const char *what = csv_file_kind(st0.st_mode);
    if (what) {
        snprintf(err, errlen,
                 "%s: is %s: a regular file is required; give the export "
                 "file itself",
                 path, what);
        close(fd);
        return TA_E_NOINPUT;
    }
    unsigned char head[512];
    ssize_t hn = pread(fd, head, sizeof head, 0);
    wb_kind kind = wb_sniff(head, hn > 0 ? (size_t)hn : 0);

    file_state *fs = calloc(1, sizeof *fs);
    if (!fs) {
        close(fd);
        snprintf(err, errlen, "%s: out of memory", path);
        return TA_E_NOMEM;
    }
    fs->path = path;
    fs->rs = rs;
    fs->judge_on_main = kind != WB_KIND_TEXT;
    fs->figures_only = opt->figures_only;
    ta_status s =
        kind == WB_KIND_TEXT
            ? open_csv(fd, path, rs, opt, fs, res, err, errlen)
            : sheets_open(fd, path, rs, opt, &fs->map, res, &fs->wb, err,
                          errlen);
    if (s == TA_OK)
        s = load(db, fs, fd, &st0, opt, res, err, errlen);
    res->invalid_utf8 = csv_replaced(fs->csv);
    csv_close(fs->csv);
    sheets_free(fs->wb);
    free(fs);
    close(fd);
    return s;
}

ta_status import_list_rejects(sqlite3 *db, const import_result *res, int max,
                              import_reject_fn fn, void *ctx, char *err,
                              size_t errlen)
{
    sqlite3_stmt *st = NULL;
    ta_status s = db_prepare(db,
                             "SELECT file, line, reason, sheet, "
                             "json_extract(reason_args, '$.column'), field "
                             "FROM rejects WHERE import_id = ?1 ORDER BY id "
                             "LIMIT ?2",
                             &st, err, errlen);
    if (s != TA_OK)
        return s;
    int bound = SQLITE_OK;
    db_bound(&bound, sqlite3_bind_int64(st, 1, res->import_id));
    db_bound(&bound, sqlite3_bind_int(st, 2, max));
    int rc = bound;
    ta_buf where;
    buf_init(&where, 0);
    while (bound == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(st, 0);
        long long line = sqlite3_column_int64(st, 1);
        const char *reason = (const char *)sqlite3_column_text(st, 2);
        const char *sheet = (const char *)sqlite3_column_text(st, 3);
        const char *col = (const char *)sqlite3_column_text(st, 4);
        const char *field = (const char *)sqlite3_column_text(st, 5);
        /* The cell at fault: a value right of the header names its
         * column; an empty ticket_id or a bad date is that field's. */
        int fi = field ? ta_field_parse(field) : -1;
        if (!col && fi >= 0 && res->columns[fi][0])
            col = res->columns[fi];
        buf_reset(&where);
        int bad = buf_printf(&where, "%s:", file ? file : "");
        if (!bad && sheet)
            bad = wb_sheet_ref(sheet, &where) ||
                  buf_printf(&where, "!%s%lld", col ? col : "A", line);
        else if (!bad)
            bad = buf_printf(&where, "%lld", line);
        /* The reason quotes the cell at fault, often an email or a phone
         * number typed in the wrong column (SPEC §2: messages are
         * masked). */
        size_t rl = reason ? strlen(reason) : 0;
        if (rl > 1024)
            rl = 1024; /* a reason is one short line */
        char masked[2 * 1024 + 1];
        mask_text(reason ? reason : "", rl, masked, sizeof masked);
        fn(ctx, bad ? (file ? file : "") : where.p, masked);
    }
    buf_free(&where);
    if (rc != SQLITE_DONE)
        s = db_fail(db, "listing the rejected rows", err, errlen);
    sqlite3_finalize(st);
    return s;
}
