/*
 * deflate_level.c — the zip level of the workbooks: 1 (zlib's
 * Z_BEST_SPEED) instead of libxlsxwriter's fixed 6.
 *
 * Why: libxlsxwriter zips every part of the workbook through minizip at
 * zlib's default level (6) and offers no option for it. At 1M findings
 * the sheet XML is ~650 MB and deflating it at level 6 is 40 % of the
 * report's time; level 1 halves that for a file 17 % larger
 * (docs/report.md, "Speed and memory"), which keeps the report of SPEC §6
 * under 10 s.
 *
 * How: this file defines minizip's entry point itself. The dynamic linker
 * resolves libxlsxwriter's call to this definition (the executable comes
 * first in the lookup order), which calls minizip's own (dlsym
 * RTLD_NEXT) with the level lowered. Where libxlsxwriter carries a private
 * minizip, this function is simply not called and the level stays 6: only
 * the speed differs, never the content. Nothing calls this file, so the
 * build asks the linker for the symbol (-u) to bring it out of the static
 * library; the CMake option TA_FAST_DEFLATE (ON by default) leaves the
 * file out of the build when OFF.
 * tests/test_report.c reads the level minizip recorded in the zip.
 *
 * The signature is minizip's (zip.h, unchanged since 2010): zipFile is a
 * void *, uInt unsigned int, uLong unsigned long.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <stddef.h>

int zipOpenNewFileInZip4_64(void *file, const char *filename,
                            const void *zipfi, const void *extra_local,
                            unsigned size_local, const void *extra_global,
                            unsigned size_global, const char *comment,
                            int method, int level, int raw, int window_bits,
                            int mem_level, int strategy, const char *password,
                            unsigned long crc_crypt, unsigned long made_by,
                            unsigned long flag_base, int zip64);

typedef int (*zip_open_fn)(void *, const char *, const void *, const void *,
                           unsigned, const void *, unsigned, const char *, int,
                           int, int, int, int, int, const char *,
                           unsigned long, unsigned long, unsigned long, int);

#define RPT_DEFLATE_LEVEL 1          /* Z_BEST_SPEED */
#define RPT_ZIP_INTERNALERROR (-104) /* minizip's ZIP_INTERNALERROR */

int zipOpenNewFileInZip4_64(void *file, const char *filename,
                            const void *zipfi, const void *extra_local,
                            unsigned size_local, const void *extra_global,
                            unsigned size_global, const char *comment,
                            int method, int level, int raw, int window_bits,
                            int mem_level, int strategy, const char *password,
                            unsigned long crc_crypt, unsigned long made_by,
                            unsigned long flag_base, int zip64)
{
    zip_open_fn next;
    /* POSIX's way to turn dlsym's void * into a function pointer */
    *(void **)&next = dlsym(RTLD_NEXT, "zipOpenNewFileInZip4_64");
    if (!next)
        return RPT_ZIP_INTERNALERROR;
    if (!raw && (level < 0 || level > RPT_DEFLATE_LEVEL))
        level = RPT_DEFLATE_LEVEL;
    return next(file, filename, zipfi, extra_local, size_local, extra_global,
                size_global, comment, method, level, raw, window_bits,
                mem_level, strategy, password, crc_crypt, made_by, flag_base,
                zip64);
}
