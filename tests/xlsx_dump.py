#!/usr/bin/python3
"""Reads an .xlsx back with openpyxl (an independent reader) and prints it
in a line format the C tests search with strstr:

    S<TAB>sheet name                  (in workbook order)
    C<TAB>sheet<TAB>A1<TAB>type<TAB>value   (type: s text, n number, f formula)
    F<TAB>sheet<TAB>A1<TAB>RRGGBB     (a solid fill)
    P<TAB>sheet<TAB>A2                (frozen panes)
    A<TAB>sheet<TAB>A1:J9             (autofilter)
    CHARTS<TAB>n                      (chart parts in the package)
    ZIPLEVEL<TAB>name                 (the deflate level minizip recorded
                                       for the first sheet: normal, max,
                                       fast, superfast)

Values escape backslash, tab and newline as \\\\, \\t, \\n. Numbers print
with repr() of a float, so 3 prints 3.0. Run with Debian's /usr/bin/python3
(python3-openpyxl)."""
import sys
import zipfile

import openpyxl


def esc(v):
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def main(path):
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append("S\t" + ws.title)
    for ws in wb.worksheets:
        if ws.freeze_panes:
            out.append("P\t%s\t%s" % (ws.title, ws.freeze_panes))
        if ws.auto_filter and ws.auto_filter.ref:
            out.append("A\t%s\t%s" % (ws.title, ws.auto_filter.ref))
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                v = cell.value
                if cell.data_type == "n":
                    v = repr(float(v))
                out.append("C\t%s\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                  cell.data_type, esc(v)))
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid":
                    rgb = fill.fgColor.rgb if fill.fgColor is not None else ""
                    if isinstance(rgb, str):
                        out.append("F\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                      rgb[-6:]))
    with zipfile.ZipFile(path) as z:
        n = sum(1 for n in z.namelist() if n.startswith("xl/charts/chart"))
        # general purpose flag bits 1-2 of a deflated entry (APPNOTE 4.4.4)
        bits = z.getinfo("xl/worksheets/sheet1.xml").flag_bits & 6
    out.append("CHARTS\t%d" % n)
    out.append("ZIPLEVEL\t%s" % {0: "normal", 2: "max", 4: "fast",
                                  6: "superfast"}[bits])
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
