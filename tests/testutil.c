/*
 * testutil.c — helpers for the tests (see testutil.h).
 */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>

#include "db.h"
#include "import.h"
#include "rules.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

void tu_path(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/%s", TA_SOURCE_DIR, rel);
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

int tu_tmpdir(char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/ta-test-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf) ? 0 : -1;
}

int tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -1;
}

void tu_rmtree(const char *path)
{
    char cmd[4200];
    if (strlen(path) < 8 || strchr(path, '\''))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) {
        /* best effort */
    }
}

long long tu_q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: no row", sql);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

const char *tu_q_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: no row", sql);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    return buf;
}

int tu_db_setup(void **state)
{
    static tu_db f;
    memset(&f, 0, sizeof f);
    if (rules_load(NULL, &f.rs, f.err, sizeof f.err) != TA_OK ||
        db_open(":memory:", &f.db, f.err, sizeof f.err) != TA_OK)
        fail_msg("fixture: %s", f.err);
    *state = &f;
    return 0;
}

int tu_db_teardown(void **state)
{
    tu_db *f = *state;
    db_close(f->db);
    rules_free(f->rs);
    f->db = NULL;
    f->rs = NULL;
    return 0;
}

int tu_import(tu_db *f, const char *rel, void *res)
{
    char path[1024];
    import_result r;
    tu_path(path, sizeof path, rel);
    import_options o = {.source = TA_SRC_NONE};
    return (int)import_file(f->db, f->rs, path, &o, res ? res : &r, f->err,
                            sizeof f->err);
}

char *tu_xlsx_dump(const char *dir, const char *xlsx)
{
    char cmd[8192], txt[4200];
    snprintf(txt, sizeof txt, "%s/dump.txt", dir);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/xlsx_dump.py '%s' > '%s'",
             TA_SOURCE_DIR, xlsx, txt);
    assert_int_equal(system(cmd), 0);
    size_t len;
    char *body = tu_read_file(txt, &len);
    assert_non_null(body);
    char *d = malloc(len + 2);
    assert_non_null(d);
    d[0] = '\n';
    memcpy(d + 1, body, len + 1);
    free(body);
    return d;
}

int tu_has_line(const char *dump, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = strstr(dump, line); p; p = strstr(p + 1, line))
        if (p > dump && p[-1] == '\n' && p[n] == '\n')
            return 1;
    return 0;
}

const char *tu_xlsx_cell(const char *dump, const char *sheet, const char *ref,
                         char *buf, size_t len)
{
    char pat[256];
    int n = snprintf(pat, sizeof pat, "\nC\t%s\t%s\t", sheet, ref);
    const char *p = strstr(dump, pat);
    buf[0] = '\0';
    if (!p)
        return buf;
    p += n;
    size_t k = strcspn(p, "\n");
    snprintf(buf, len, "%.*s", (int)k, p);
    return buf;
}

int tu_xlsx_row_of(const char *dump, const char *sheet, char col,
                   const char *value)
{
    char pat[256];
    int n = snprintf(pat, sizeof pat, "\nC\t%s\t%c", sheet, col);
    for (const char *p = strstr(dump, pat); p; p = strstr(p + 1, pat)) {
        const char *q = p + n;
        char *end;
        long row = strtol(q, &end, 10);
        if (end == q || strncmp(end, "\ts\t", 3) != 0)
            continue;
        size_t k = strcspn(end + 3, "\n");
        if (k == strlen(value) && memcmp(end + 3, value, k) == 0)
            return (int)row;
    }
    return 0;
}

void tu_xlsx_sheets(const char *dump, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const char *p = strstr(dump, "\nS\t"); p && n < len;
         p = strstr(p + 1, "\nS\t")) {
        size_t k = strcspn(p + 3, "\n");
        n += (size_t)snprintf(buf + n, len - n, "%.*s|", (int)k, p + 3);
    }
}

void tu_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s (in: %.300s)", msg, sql);
}

/* keep holds "=" + the old value, or "" when TZ was not set. */
void tu_tz_set(const char *tz, char *keep, size_t len)
{
    const char *old = getenv("TZ");
    snprintf(keep, len, "%s%s", old ? "=" : "", old ? old : "");
    setenv("TZ", tz, 1);
    tzset();
}

void tu_tz_restore(const char *keep)
{
    if (keep[0] == '=')
        setenv("TZ", keep + 1, 1);
    else
        unsetenv("TZ");
    tzset();
}
