#!/bin/sh
# render_workbooks.sh OUT_DIR WORKBOOK.xlsx... — renders each workbook as
# LibreOffice prints it (every sheet, in order) to OUT_DIR/<name>-<page>.png,
# to look at what a manager sees: LibreOffice headless converts it to PDF
# (the workbook's own page set-up: landscape A4, one page wide), then
# pdftoppm draws each page at RES dots per inch (default 60; docs/ keeps
# 50-70 so the renders stay small). Needs libreoffice-calc and
# poppler-utils. Prints the PNGs written.
#
#   sh tools/render_workbooks.sh /tmp/renders reports/audit-2026-10.xlsx
#   RES=70 FIRST=1 LAST=2 sh tools/render_workbooks.sh /tmp/r book.xlsx
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 OUT_DIR WORKBOOK.xlsx..." >&2
    exit 64
fi
out=$1
shift
RES=${RES:-60}
mkdir -p "$out"
# LibreOffice wants a profile of its own when another instance may run
profile=$(mktemp -d "${TMPDIR:-/tmp}/render-lo-XXXXXX")
trap 'rm -rf "$profile"' EXIT
for book in "$@"; do
    name=$(basename "$book" .xlsx)
    soffice -env:UserInstallation=file://"$profile" --headless \
        --convert-to pdf --outdir "$profile" "$book" >/dev/null 2>&1
    pdf="$profile/$name.pdf"
    if [ ! -s "$pdf" ]; then
        echo "$0: $book: LibreOffice made no PDF" >&2
        exit 1
    fi
    pages=""
    [ -n "${FIRST:-}" ] && pages="-f $FIRST"
    [ -n "${LAST:-}" ] && pages="$pages -l $LAST"
    # shellcheck disable=SC2086 # $pages: options, or nothing
    pdftoppm -png -r "$RES" $pages "$pdf" "$out/$name"
    rm -f "$pdf"
    ls "$out/$name"-*.png
done
