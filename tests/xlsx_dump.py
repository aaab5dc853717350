#!/usr/bin/python3
"""Reads an .xlsx back with openpyxl (an independent reader) and prints it
in a line format the C tests search with strstr:

    S<TAB>sheet name                  (in workbook order)
    C<TAB>sheet<TAB>A1<TAB>type<TAB>value   (type: s text, n number, f formula,
                                       d date: value YYYY-MM-DD[ HH:MM])
    N<TAB>sheet<TAB>A1<TAB>format     (the number format of a date cell)
    F<TAB>sheet<TAB>A1<TAB>RRGGBB     (a solid fill)
    W<TAB>sheet<TAB>A1                (a cell whose text wraps)
    R<TAB>sheet<TAB>A1                (a cell aligned right)
    L<TAB>sheet<TAB>A1<TAB>style      (a thick or medium left border)
    U<TAB>sheet<TAB>A1                (a cell left unlocked)
    H<TAB>sheet<TAB>row<TAB>height    (a row given a height)
    G<TAB>sheet<TAB>A1:D1             (merged cells)
    M<TAB>sheet<TAB>A1<TAB>text       (a cell's note)
    V<TAB>sheet<TAB>K2:K9<TAB>type<TAB>formula<TAB>error style
                                      (data validation)
    I<TAB>sheet<TAB>sqref             (numberStoredAsText warnings ignored)
    K<TAB>sheet<TAB>sqref<TAB>type<TAB>formula<TAB>RRGGBB
                                      (a conditional format and its fill)
    CHART<TAB>file<TAB>skip<TAB>n<TAB>points<TAB>n<TAB>colours<TAB>c,c
                                      (a chart: its category label skip,
                                       points coloured one by one)
    P<TAB>sheet<TAB>A2                (frozen panes)
    A<TAB>sheet<TAB>A1:J9             (autofilter)
    CHARTS<TAB>n                      (chart parts in the package)
    ZIPLEVEL<TAB>name                 (the deflate level minizip recorded
                                       for the first sheet: normal, max,
                                       fast, superfast)

Values escape backslash, tab and newline as \\\\, \\t, \\n. Numbers print
with repr() of a float, so 3 prints 3.0. Run with Debian's /usr/bin/python3
(python3-openpyxl)."""
import re
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
        for r, dim in sorted(ws.row_dimensions.items()):
            if dim.height is not None:
                out.append("H\t%s\t%d\t%s" % (ws.title, r, repr(float(dim.height))))
        for rng in ws.merged_cells.ranges:
            out.append("G\t%s\t%s" % (ws.title, rng.coord))
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                fill = ""
                if rule.dxf is not None and rule.dxf.fill is not None:
                    for c in (rule.dxf.fill.bgColor, rule.dxf.fill.fgColor):
                        if c is not None and isinstance(c.rgb, str) and \
                                c.rgb[-6:] != "000000":
                            fill = c.rgb[-6:]
                            break
                out.append("K\t%s\t%s\t%s\t%s\t%s" % (
                    ws.title, cf.sqref, rule.type, ",".join(rule.formula or []),
                    fill))
        for dv in ws.data_validations.dataValidation:
            out.append("V\t%s\t%s\t%s\t%s\t%s" % (ws.title, dv.sqref, dv.type,
                                                 dv.formula1, dv.errorStyle))
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None:
                    out.append("M\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                  esc(cell.comment.text)))
                if cell.value is None:
                    # a formatted blank: an input cell waiting for a value
                    if cell.protection is not None and not cell.protection.locked:
                        out.append("U\t%s\t%s" % (ws.title, cell.coordinate))
                    fill = cell.fill
                    if fill is not None and fill.fill_type == "solid" and \
                            isinstance(fill.fgColor.rgb, str):
                        out.append("F\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                      fill.fgColor.rgb[-6:]))
                    continue
                v = cell.value
                if cell.data_type == "n":
                    v = repr(float(v))
                elif cell.data_type == "d":
                    v = v.strftime("%Y-%m-%d %H:%M" if v.hour or v.minute
                                   else "%Y-%m-%d")
                    out.append("N\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                  cell.number_format))
                out.append("C\t%s\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                  cell.data_type, esc(v)))
                if cell.alignment is not None and cell.alignment.wrap_text:
                    out.append("W\t%s\t%s" % (ws.title, cell.coordinate))
                if cell.alignment is not None and \
                        cell.alignment.horizontal == "right":
                    out.append("R\t%s\t%s" % (ws.title, cell.coordinate))
                side = cell.border.left if cell.border is not None else None
                if side is not None and side.style in ("thick", "medium"):
                    out.append("L\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                  side.style))
                if cell.protection is not None and not cell.protection.locked:
                    out.append("U\t%s\t%s" % (ws.title, cell.coordinate))
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid":
                    rgb = fill.fgColor.rgb if fill.fgColor is not None else ""
                    if isinstance(rgb, str):
                        out.append("F\t%s\t%s\t%s" % (ws.title, cell.coordinate,
                                                      rgb[-6:]))
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        n = sum(1 for n in names if n.startswith("xl/charts/chart"))
        titles = [ws.title for ws in wb.worksheets]
        for i, title in enumerate(titles):
            xml = z.read("xl/worksheets/sheet%d.xml" % (i + 1)).decode()
            for m in re.finditer(r'<ignoredError sqref="([^"]*)" '
                                 r'numberStoredAsText="1"', xml):
                out.append("I\t%s\t%s" % (title, m.group(1)))
        for name in sorted(x for x in names if x.startswith("xl/charts/chart")):
            xml = z.read(name).decode()
            skip = re.search(r'<c:tickLblSkip val="(\d+)"', xml)
            dpts = re.findall(r'<c:dPt>.*?</c:dPt>', xml)
            cols = [re.search(r'srgbClr val="([0-9A-F]{6})"', d) for d in dpts]
            out.append("CHART\t%s\tskip\t%s\tpoints\t%d\tcolours\t%s" % (
                name.split("/")[-1], skip.group(1) if skip else "-", len(dpts),
                ",".join(c.group(1) for c in cols if c)))
        # general purpose flag bits 1-2 of a deflated entry (APPNOTE 4.4.4)
        bits = z.getinfo("xl/worksheets/sheet1.xml").flag_bits & 6
    out.append("CHARTS\t%d" % n)
    out.append("ZIPLEVEL\t%s" % {0: "normal", 2: "max", 4: "fast",
                                  6: "superfast"}[bits])
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
