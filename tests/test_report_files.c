/*
 * test_report_files.c — the workbooks' files and folders (SPEC §5: "a
 * workbook is complete or absent", the per-CSO folder rules, folder
 * modes; issue 14 items 1, 4, 9, 11; issue 15 item 6): per-CSO names,
 * libxlsxwriter's temporary files going through our checked override,
 * the read-back of an archive, modes under umask 000, links planted at
 * the final name, at cso/, at cso/<period> and in place of the private
 * folder, cso/<period> holding exactly the latest set, a failed or
 * interrupted report leaving the previous files whole. Real faults of
 * the disk and real signals are in tests/e2e_report_safety.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <unzip.h>
#include <zip.h>

#include "db.h"
#include "interrupt.h"
#include "report.h"
#include "report/report_internal.h"
#include "testutil.h"
#include "utf8.h"

typedef struct fx {
    char dir[512];
    char out[600];
    char away[600]; /* a folder outside --out that must stay untouched */
    sqlite3 *db;
    char err[2048];
    char path[4096];
} fx;

/* n tickets over ncso CSOs ("CSO 0" ...), every third exempt, the rest
 * violations and compliant ones, in 2026-10. */
static void fill(sqlite3 *db, int n, int ncso)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k"
             " WHERE x < %d)"
             " INSERT INTO tickets(source, ticket_id, import_id, line, date,"
             " period, type, email, hp, cso, notes, category, status, codes,"
             " email_state, hp_state, evidence, audit_id)"
             " SELECT 'crm', 'T' || x, 1, x + 1,"
             " printf('2026-10-%%02d', 1 + x %% 28), '2026-10', 'Keluhan',"
             " 'p' || x || '@gmail.com', printf('0812%%08d', x),"
             " 'CSO ' || (x %% %d), 'catatan ' || x, 'keluhan',"
             " CASE x %% 3 WHEN 0 THEN 'exempt' WHEN 1 THEN 'violation'"
             " ELSE 'compliant' END,"
             " CASE x %% 3 WHEN 0 THEN 'EX_ANGRY' WHEN 1 THEN 'EMAIL_MISSING'"
             " ELSE '' END, 'valid', 'valid', '', 1 FROM k",
             n, ncso);
    tu_exec(db, sql);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(tu_tmpdir(f->dir, sizeof f->dir), 0);
    snprintf(f->out, sizeof f->out, "%s/out", f->dir);
    snprintf(f->away, sizeof f->away, "%s/away", f->dir);
    assert_int_equal(mkdir(f->away, 0700), 0);
    char dbp[600];
    snprintf(dbp, sizeof dbp, "%s/t.db", f->dir);
    assert_int_equal(db_open(dbp, &f->db, f->err, sizeof f->err), TA_OK);
    tu_exec(f->db,
         "INSERT INTO imports(id, file, size, sha256, source, encoding,"
         " delimiter, header_line, rows_read, rows_imported, rows_rejected,"
         " imported_at, program_version) VALUES (1, 'crm.csv', 1, 'abc',"
         " 'crm', 'utf-8', ',', 1, 1, 1, 0, '2026-11-01T00:00:00Z',"
         " '0.1.0');"
         "INSERT INTO audits VALUES (1, 'import', '2026-11-01T00:00:00Z',"
         " NULL, 'default', '0.1.0', 1);");
    fill(f->db, 300, 6);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    interrupt_raise_for_test(0);
    db_close(f->db);
    if (!getenv("KEEP"))
        tu_rmtree(f->dir);
    free(f);
    return 0;
}

static ta_status run(fx *f, int per_cso)
{
    report_options o = {.out_dir = f->out, .period = "2026-10",
                        .per_cso = per_cso};
    return report_write(f->db, &o, f->path, sizeof f->path, f->err,
                        sizeof f->err);
}

/* A folder's entries, sorted, each followed by '|'. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *listing(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    DIR *dir = opendir(path);
    if (!dir) {
        snprintf(buf, len, "(none)");
        return buf;
    }
    char *names[256];
    size_t n = 0, k = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        k += (size_t)snprintf(buf + k, len - k, "%s|", names[i]);
        free(names[i]);
    }
    return buf;
}

static void sub(char *buf, size_t len, const char *a, const char *b)
{
    snprintf(buf, len, "%s/%s", a, b);
}

/* No private folder of a report is left in path (nor in its cso/). */
static void no_private_left(const char *out)
{
    char l[8192], cso[700];
    listing(out, l, sizeof l);
    if (strstr(l, RPT_WORK_PREFIX))
        fail_msg("left in %s: %s", out, l);
    sub(cso, sizeof cso, out, "cso");
    listing(cso, l, sizeof l);
    if (strstr(l, RPT_WORK_PREFIX))
        fail_msg("left in %s: %s", cso, l);
}

/* ---- issue 14 item 11: the per-CSO names ---------------------------- */

static void names_drop_invisible_and_leading_dash(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        /* RLO makes "Budi\u202Exslx.exe" show as "Budiexe.xlsx" */
        {"Budi\xE2\x80\xAExslx.exe", "Budixslx.exe"},
        {"\xE2\x80\xAA" "a\xE2\x80\xAB" "b\xE2\x80\xAC" "c\xE2\x80\xAD" "d",
         "abcd"},
        {"\xE2\x81\xA6" "x\xE2\x81\xA7" "y\xE2\x81\xA8" "z\xE2\x81\xA9", "xyz"},
        {"l\xE2\x80\x8Er\xE2\x80\x8F" "a\xD8\x9C" "b", "lrab"},
        {"zero\xE2\x80\x8Bwidth\xE2\x80\x8C\xE2\x80\x8D\xE2\x81\xA0"
         "\xEF\xBB\xBF" "end",
         "zerowidthend"},
        {"soft\xC2\xADhyphen", "softhyphen"},
        {"c1\xC2\x85" "ctl\xE2\x80\xA8" "x", "c1_ctl_x"},
        {"-rf", "_-rf"},
        {"--help", "_--help"},
        {" -x", "_-x"},
        {"\xE2\x80\x8B-x", "_-x"},
        {"a-b", "a-b"},
        /* nothing left, but not the empty CSO */
        {"...", "_2e2e2e"},
        {".", "_2e"},
        {"\xE2\x80\x8B", "_e2808b"},
        {"", "tidak-diketahui"},
    };
    char out[REPORT_NAME_BYTES];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        report_safe_name(cases[i].in, 0, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("case %zu: -> '%s', want '%s'", i, out, cases[i].want);
    }
    /* a long nameless name stays within 100 bytes */
    char dots[400];
    memset(dots, '.', 300);
    dots[300] = '\0';
    report_safe_name(dots, 0, out, sizeof out);
    assert_true(strlen(out) <= 100);
    assert_int_equal(out[0], '_');
}

/* Names of cso[0..n) from report_cso_names, joined "a|b|..." in buf. */
static const char *names_of(const char *const *cso, size_t n, char *buf,
                            size_t len)
{
    char(*names)[REPORT_NAME_BYTES] = NULL;
    char err[256];
    assert_int_equal(report_cso_names(cso, n, 0, &names, err, sizeof err),
                     TA_OK);
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s|", names[i]);
    free(names);
    return buf;
}

static void names_unique_ignoring_case_and_order(void **state)
{
    (void)state;
    char a[512], b[512];
    /* a case-insensitive file system would merge these */
    const char *one[] = {"Budi", "BUDI", "budi"};
    const char *two[] = {"budi", "Budi", "BUDI"};
    assert_string_equal(names_of(one, 3, a, sizeof a),
                        "Budi-2|BUDI|budi-3|");
    /* the same names whatever the CSOs' order (their compliance) */
    assert_string_equal(names_of(two, 3, b, sizeof b),
                        "budi-3|Budi-2|BUDI|");
    /* a CSO's own name, unchanged, keeps it; numbers skip taken names */
    const char *three[] = {"a/b", "a_b-2", "a_b", "A:B"};
    assert_string_equal(names_of(three, 4, a, sizeof a),
                        "a_b-4|a_b-2|a_b|A_B-3|");
    /* Latin-1, Greek and Cyrillic capitals fold too */
    const char *four[] = {"D\xC3\xA9" "d\xC3\xA9", "D\xC3\x89" "D\xC3\x89",
                          "\xD0\x90\xD0\xBD\xD0\xB8",
                          "\xD0\xB0\xD0\xBD\xD0\xB8"};
    assert_string_equal(names_of(four, 4, a, sizeof a),
                        "D\xC3\xA9" "d\xC3\xA9-2|D\xC3\x89" "D\xC3\x89|"
                        "\xD0\x90\xD0\xBD\xD0\xB8|"
                        "\xD0\xB0\xD0\xBD\xD0\xB8-2|");
    /* the empty CSO, one that sanitizes to nothing, and one really named
     * like the empty CSO's file: three names */
    const char *five[] = {"", "...", "tidak-diketahui"};
    assert_string_equal(names_of(five, 3, a, sizeof a),
                        "tidak-diketahui-2|_2e2e2e|tidak-diketahui|");
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* unique_name compared each name with all before it: 20,000 names alike
 * took 200 million comparisons. */
static void names_20000_alike_not_quadratic(void **state)
{
    (void)state;
    enum { N = 20000, LEN = 15 };
    static const char bad[] = "/\\:*?\"<>|";
    char *store = malloc((size_t)N * (LEN + 1));
    const char **cso = malloc(N * sizeof *cso);
    assert_non_null(store);
    assert_non_null(cso);
    for (int i = 0; i < N; i++) {
        char *s = store + (size_t)i * (LEN + 1);
        int v = i;
        for (int j = 0; j < LEN; j++, v /= 9)
            s[j] = bad[v % 9]; /* all distinct, all "_______________" */
        s[LEN] = '\0';
        cso[i] = s;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char(*names)[REPORT_NAME_BYTES] = NULL;
    char err[256];
    assert_int_equal(report_cso_names(cso, N, 0, &names, err, sizeof err),
                     TA_OK);
    double took = seconds_since(&t0);
    print_message("20,000 names alike: %.3f s\n", took);
    /* well under a second, sanitizers included */
    if (took > 0.5)
        fail_msg("20,000 names took %.3f s", took);
    /* every name distinct ignoring case: sorted, no two neighbours equal */
    const char **sorted = malloc(N * sizeof *sorted);
    assert_non_null(sorted);
    for (int i = 0; i < N; i++)
        sorted[i] = names[i];
    qsort(sorted, N, sizeof *sorted, cmp_str);
    for (int i = 1; i < N; i++)
        if (strcasecmp(sorted[i - 1], sorted[i]) == 0)
            fail_msg("'%s' twice", sorted[i]);
    assert_string_equal(sorted[0], "_______________");
    free(sorted);
    free(names);
    free(cso);
    free(store);
}

/* ---- issue 14 item 1: temporary files and the read-back -------------- */

/* scratch.c's lxw_tmpfile is the one libxlsxwriter calls: were it not
 * (a static libxlsxwriter), its temporary files' write errors would again
 * go unseen. */
static void scratch_override_is_called(void **state)
{
    fx *f = *state;
    unsigned long before = rpt_scratch_opened();
    assert_int_equal(run(f, 0), TA_OK);
    assert_true(rpt_scratch_opened() > before);
    assert_int_equal(rpt_scratch_error(), 0);
}

static ta_status verify_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ta_status s = rpt_verify_xlsx(fd, path, err, errlen);
    close(fd);
    return s;
}

static void copy_file(const char *from, const char *to, size_t keep)
{
    size_t len;
    char *b = tu_read_file(from, &len);
    assert_non_null(b);
    assert_int_equal(tu_write_file(to, b, keep && keep < len ? keep : len), 0);
    free(b);
}

/* Where the compressed bytes of the largest entry start, and how many. */
static void largest_entry(const char *path, long long *off, long long *len)
{
    unzFile z = unzOpen64(path);
    assert_non_null(z);
    *len = 0;
    for (int rc = unzGoToFirstFile(z); rc == UNZ_OK; rc = unzGoToNextFile(z)) {
        unz_file_info64 fi;
        assert_int_equal(
            unzGetCurrentFileInfo64(z, &fi, NULL, 0, NULL, 0, NULL, 0),
            UNZ_OK);
        if ((long long)fi.compressed_size <= *len)
            continue;
        assert_int_equal(unzOpenCurrentFile(z), UNZ_OK);
        *off = (long long)unzGetCurrentFileZStreamPos64(z);
        *len = (long long)fi.compressed_size;
        unzCloseCurrentFile(z);
    }
    unzClose(z);
}

/* A zip of one part holding text (an empty one when text is ""). */
static void make_zip(const char *path, const char *name, const char *text)
{
    zipFile z = zipOpen64(path, 0);
    assert_non_null(z);
    assert_int_equal(zipOpenNewFileInZip64(z, name, NULL, NULL, 0, NULL, 0,
                                           NULL, Z_DEFLATED,
                                           Z_DEFAULT_COMPRESSION, 0),
                     ZIP_OK);
    assert_int_equal(zipWriteInFileInZip(z, text, (unsigned)strlen(text)),
                     ZIP_OK);
    assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
}

static void verify_rejects_damaged_archives(void **state)
{
    fx *f = *state;
    assert_int_equal(run(f, 0), TA_OK);
    char err[1024], p[700];
    assert_int_equal(verify_file(f->path, err, sizeof err), TA_OK);
    /* cut short: no directory */
    sub(p, sizeof p, f->dir, "cut.xlsx");
    copy_file(f->path, p, 4000);
    assert_int_equal(verify_file(p, err, sizeof err), TA_E_IO);
    assert_non_null(strstr(err, "does not read back"));
    assert_non_null(strstr(err, "cut.xlsx"));
    /* one byte changed inside the largest part's deflated data */
    sub(p, sizeof p, f->dir, "flip.xlsx");
    copy_file(f->path, p, 0);
    long long off = 0, len = 0;
    largest_entry(p, &off, &len);
    assert_true(len > 16);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, (off_t)(off + len / 2)), 1);
    c ^= 0x55;
    assert_int_equal(pwrite(fd, &c, 1, (off_t)(off + len / 2)), 1);
    close(fd);
    assert_int_equal(verify_file(p, err, sizeof err), TA_E_IO);
    /* what a full temporary folder left: an empty part, a cut one */
    sub(p, sizeof p, f->dir, "empty.xlsx");
    make_zip(p, "xl/worksheets/sheet1.xml", "");
    assert_int_equal(verify_file(p, err, sizeof err), TA_E_IO);
    assert_non_null(strstr(err, "sheet1.xml is empty"));
    sub(p, sizeof p, f->dir, "cutxml.xlsx");
    make_zip(p, "xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=");
    assert_int_equal(verify_file(p, err, sizeof err), TA_E_IO);
    assert_non_null(strstr(err, "ends inside its XML"));
    sub(p, sizeof p, f->dir, "fine.xlsx");
    make_zip(p, "xl/worksheets/sheet1.xml", "<worksheet/>\n");
    assert_int_equal(verify_file(p, err, sizeof err), TA_OK);
}

/* ---- issue 14 item 4: modes and links -------------------------------- */

static mode_t mode_of(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        fail_msg("%s: %s", path, strerror(errno));
    return sb.st_mode & 07777;
}

static void folders_0700_whatever_the_umask(void **state)
{
    fx *f = *state;
    snprintf(f->out, sizeof f->out, "%s/a/b/out", f->dir);
    mode_t old = umask(0);
    ta_status s = run(f, 1);
    umask(old);
    assert_int_equal(s, TA_OK);
    char p[800];
    sub(p, sizeof p, f->dir, "a");
    assert_int_equal(mode_of(p), 0700);
    sub(p, sizeof p, f->dir, "a/b");
    assert_int_equal(mode_of(p), 0700);
    assert_int_equal(mode_of(f->out), 0700);
    sub(p, sizeof p, f->out, "cso");
    assert_int_equal(mode_of(p), 0700);
    sub(p, sizeof p, f->out, "cso/2026-10");
    assert_int_equal(mode_of(p), 0700);
    assert_int_equal(mode_of(f->path), 0600);
    sub(p, sizeof p, f->out, "cso/2026-10/CSO 1.xlsx");
    assert_int_equal(mode_of(p), 0600);
    /* an existing folder is the user's: left as it is */
    assert_int_equal(chmod(f->out, 0755), 0);
    assert_int_equal(run(f, 0), TA_OK);
    assert_int_equal(mode_of(f->out), 0755);
}

static void link_at_final_name_is_replaced_not_followed(void **state)
{
    fx *f = *state;
    assert_int_equal(mkdir(f->out, 0700), 0);
    char victim[700], link[700], l[1024];
    sub(victim, sizeof victim, f->away, "victim");
    assert_int_equal(tu_write_file(victim, "keep", 4), 0);
    sub(link, sizeof link, f->out, "audit-2026-10.xlsx");
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(run(f, 0), TA_OK);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    size_t len;
    char *v = tu_read_file(victim, &len);
    assert_non_null(v);
    assert_int_equal(len, 4);
    assert_memory_equal(v, "keep", 4);
    free(v);
    assert_string_equal(listing(f->away, l, sizeof l), "victim|");
}

static void link_at_cso_is_refused(void **state)
{
    fx *f = *state;
    assert_int_equal(mkdir(f->out, 0700), 0);
    char link[700], l[1024];
    sub(link, sizeof link, f->out, "cso");
    assert_int_equal(symlink(f->away, link), 0);
    assert_int_equal(run(f, 1), TA_E_CANTCREAT);
    assert_non_null(strstr(f->err, "/out/cso is a symbolic link"));
    assert_non_null(strstr(f->err, "remove the link"));
    assert_string_equal(listing(f->away, l, sizeof l), "");
    /* nothing half done: the main workbook was not put in place either */
    assert_string_equal(listing(f->out, l, sizeof l), "cso|");
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
}

static void link_at_cso_period_is_replaced(void **state)
{
    fx *f = *state;
    char cso[700], link[800], keep[700], l[2048];
    sub(cso, sizeof cso, f->out, "cso");
    assert_int_equal(mkdir(f->out, 0700), 0);
    assert_int_equal(mkdir(cso, 0700), 0);
    sub(keep, sizeof keep, f->away, "theirs.txt");
    assert_int_equal(tu_write_file(keep, "x", 1), 0);
    sub(link, sizeof link, cso, "2026-10");
    assert_int_equal(symlink(f->away, link), 0);
    assert_int_equal(run(f, 1), TA_OK);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_string_equal(listing(f->away, l, sizeof l), "theirs.txt|");
    assert_non_null(strstr(listing(link, l, sizeof l), "CSO 0.xlsx|"));
}

/* A thread watching dir for a report's private folder, calling act on it
 * (its path) until act returns 1 or stop is set. */
typedef struct watcher {
    const char *dir;
    const char *away; /* for the attacker: where its link points */
    int (*act)(struct watcher *w, const char *path);
    _Atomic int done;
    _Atomic int stop;
} watcher;

static void *watch(void *arg)
{
    watcher *w = arg;
    while (!w->stop && !w->done) {
        DIR *d = opendir(w->dir);
        struct dirent *e;
        while (d && !w->done && (e = readdir(d)))
            if (!strncmp(e->d_name, RPT_WORK_PREFIX,
                         strlen(RPT_WORK_PREFIX))) {
                char p[1200];
                snprintf(p, sizeof p, "%s/%s", w->dir, e->d_name);
                w->done = w->act(w, p);
            }
        if (d)
            closedir(d);
    }
    return NULL;
}

/* An attacker who can write in --out renames the report's private folder
 * away and plants a link to another folder under its name. */
static int swap_for_link(watcher *w, const char *path)
{
    char to[1200];
    snprintf(to, sizeof to, "%s/moved-away", w->dir);
    return rename(path, to) == 0 && symlink(w->away, path) == 0;
}

static void private_folder_swapped_for_link(void **state)
{
    fx *f = *state;
    tu_exec(f->db, "DELETE FROM tickets");
    fill(f->db, 20000, 6); /* long enough for the attacker to strike */
    assert_int_equal(mkdir(f->out, 0700), 0);
    watcher a = {.dir = f->out, .away = f->away, .act = swap_for_link};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, watch, &a), 0);
    ta_status s = run(f, 0);
    a.stop = 1;
    pthread_join(t, NULL);
    assert_true(a.done); /* the attack happened */
    char l[1024];
    /* the file went into the real private folder, never through the link */
    assert_string_equal(listing(f->away, l, sizeof l), "");
    if (s == TA_OK) {
        struct stat sb;
        assert_int_equal(lstat(f->path, &sb), 0);
        assert_true(S_ISREG(sb.st_mode));
    }
}

/* ---- SPEC §5 / issue 15 item 6: cso/<period> ------------------------- */

static void cso_period_holds_exactly_the_latest_set(void **state)
{
    fx *f = *state;
    char set[800], stray[900], l[4096];
    assert_int_equal(run(f, 1), TA_OK);
    sub(set, sizeof set, f->out, "cso/2026-10");
    assert_string_equal(listing(set, l, sizeof l),
                        "CSO 0.xlsx|CSO 1.xlsx|CSO 2.xlsx|CSO 3.xlsx|"
                        "CSO 4.xlsx|CSO 5.xlsx|");
    sub(stray, sizeof stray, set, "notes.txt");
    assert_int_equal(tu_write_file(stray, "x", 1), 0);
    /* a report without --per-cso leaves the folder as it is */
    assert_int_equal(run(f, 0), TA_OK);
    assert_non_null(strstr(listing(set, l, sizeof l), "notes.txt|"));
    /* CSO 5 left: the next set has no stale file */
    tu_exec(f->db, "DELETE FROM tickets WHERE cso = 'CSO 5'");
    assert_int_equal(run(f, 1), TA_OK);
    assert_string_equal(listing(set, l, sizeof l),
                        "CSO 0.xlsx|CSO 1.xlsx|CSO 2.xlsx|CSO 3.xlsx|"
                        "CSO 4.xlsx|");
    no_private_left(f->out);
    /* several months: the folder is named like the main workbook */
    tu_exec(f->db, "UPDATE tickets SET period = '2026-09', date = '2026-09-30'"
                " WHERE cso = 'CSO 4'");
    report_options o = {.out_dir = f->out, .per_cso = 1};
    assert_int_equal(report_write(f->db, &o, f->path, sizeof f->path, f->err,
                                  sizeof f->err),
                     TA_OK);
    sub(set, sizeof set, f->out, "cso");
    assert_string_equal(listing(set, l, sizeof l),
                        "2026-09_2026-10|2026-10|");
}

/* SIGTERM as the handler would record it, once the private folder holds
 * a workbook. */
static int interrupt_once_started(watcher *w, const char *path)
{
    (void)w;
    char l[4096];
    if (!strstr(listing(path, l, sizeof l), ".xlsx|"))
        return 0;
    interrupt_raise_for_test(SIGTERM);
    return 1;
}

static char *slurp(const char *path, size_t *len)
{
    char *b = tu_read_file(path, len);
    if (!b)
        fail_msg("%s: cannot read", path);
    return b;
}

static void interrupted_second_set_keeps_the_first(void **state)
{
    fx *f = *state;
    tu_exec(f->db, "DELETE FROM tickets");
    fill(f->db, 6000, 40);
    assert_int_equal(run(f, 1), TA_OK);
    char set[800], one[900], cso[800], mainwb[4096], l1[8192], l2[8192];
    snprintf(mainwb, sizeof mainwb, "%s", f->path);
    sub(set, sizeof set, f->out, "cso/2026-10");
    sub(one, sizeof one, set, "CSO 7.xlsx");
    sub(cso, sizeof cso, f->out, "cso");
    listing(set, l1, sizeof l1);
    size_t n1, m1, n2, m2;
    char *b1 = slurp(one, &n1), *main1 = slurp(mainwb, &m1);
    tu_exec(f->db, "DELETE FROM tickets WHERE cso = 'CSO 9'");
    sleep(1); /* a second report would show another time */
    watcher a = {.dir = cso, .act = interrupt_once_started};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, watch, &a), 0);
    ta_status s = run(f, 1);
    a.stop = 1;
    pthread_join(t, NULL);
    assert_true(a.done);
    assert_int_equal(s, TA_E_INTERRUPTED);
    assert_non_null(strstr(f->err, "interrupted"));
    interrupt_raise_for_test(0);
    /* the previous set whole, the main workbook the previous one */
    assert_string_equal(listing(set, l2, sizeof l2), l1);
    char *b2 = slurp(one, &n2), *main2 = slurp(mainwb, &m2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    assert_int_equal(m1, m2);
    assert_memory_equal(main1, main2, m1);
    free(b1);
    free(b2);
    free(main1);
    free(main2);
    no_private_left(f->out);
}

static void interrupted_before_anything(void **state)
{
    fx *f = *state;
    interrupt_raise_for_test(SIGINT);
    assert_int_equal(run(f, 1), TA_E_INTERRUPTED);
    interrupt_raise_for_test(0);
    struct stat sb;
    assert_int_not_equal(stat(f->out, &sb), 0);
}

/* A report killed by SIGKILL leaves its private folder, partial workbook
 * and all; the next report removes it, but not one a running report holds
 * (locked) nor one just made. */
static void leftover_of_killed_report_removed(void **state)
{
    fx *f = *state;
    char dead[800], live[800], young[800], p[900], l[2048];
    assert_int_equal(mkdir(f->out, 0700), 0);
    sub(dead, sizeof dead, f->out, RPT_WORK_PREFIX "deadbeef0000");
    sub(live, sizeof live, f->out, RPT_WORK_PREFIX "running00000");
    sub(young, sizeof young, f->out, RPT_WORK_PREFIX "justmade0000");
    const char *dirs[] = {dead, live, young};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mkdir(dirs[i], 0700), 0);
        sub(p, sizeof p, dirs[i], "audit-2026-10.xlsx");
        assert_int_equal(tu_write_file(p, "PK", 2), 0);
        if (i < 2) { /* made two minutes ago */
            struct timespec t[2] = {{time(NULL) - 120, 0},
                                    {time(NULL) - 120, 0}};
            assert_int_equal(utimensat(AT_FDCWD, dirs[i], t, 0), 0);
        }
    }
    int held = open(live, O_RDONLY | O_DIRECTORY);
    assert_true(held >= 0);
    assert_int_equal(flock(held, LOCK_EX), 0);
    assert_int_equal(run(f, 0), TA_OK);
    close(held);
    assert_string_equal(listing(f->out, l, sizeof l),
                        RPT_WORK_PREFIX "justmade0000|" RPT_WORK_PREFIX
                        "running00000|audit-2026-10.xlsx|");
}

/* ---- SPEC §5: a rename that fails ------------------------------------ */

static void folder_at_final_name_fails_cleanly(void **state)
{
    fx *f = *state;
    char p[800], q[900], l[1024];
    sub(p, sizeof p, f->out, "audit-2026-10.xlsx");
    assert_int_equal(mkdir(f->out, 0700), 0);
    assert_int_equal(mkdir(p, 0700), 0);
    sub(q, sizeof q, p, "inside");
    assert_int_equal(tu_write_file(q, "x", 1), 0);
    assert_int_equal(run(f, 0), TA_E_CANTCREAT);
    assert_non_null(strstr(f->err, "audit-2026-10.xlsx: cannot put the "
                                   "report in place"));
    assert_non_null(strstr(f->err, "in the way"));
    assert_string_equal(listing(f->out, l, sizeof l), "audit-2026-10.xlsx|");
    assert_string_equal(listing(p, l, sizeof l), "inside|");
}

static void out_is_a_file(void **state)
{
    fx *f = *state;
    assert_int_equal(tu_write_file(f->out, "x", 1), 0);
    assert_int_equal(run(f, 0), TA_E_CANTCREAT);
    assert_non_null(strstr(f->err, "/out: cannot create the output folder"));
    assert_non_null(strstr(f->err, "--out"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_drop_invisible_and_leading_dash),
        cmocka_unit_test(names_unique_ignoring_case_and_order),
        cmocka_unit_test(names_20000_alike_not_quadratic),
        cmocka_unit_test_setup_teardown(scratch_override_is_called, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(verify_rejects_damaged_archives, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(folders_0700_whatever_the_umask, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            link_at_final_name_is_replaced_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(link_at_cso_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(link_at_cso_period_is_replaced, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(private_folder_swapped_for_link, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cso_period_holds_exactly_the_latest_set,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(interrupted_second_set_keeps_the_first,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(interrupted_before_anything, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(leftover_of_killed_report_removed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(folder_at_final_name_fails_cleanly,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(out_is_a_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
