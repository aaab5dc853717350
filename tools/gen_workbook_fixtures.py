#!/usr/bin/python3
"""gen_workbook_fixtures.py — writes the workbooks tests/test_workbook.c
reads: fixtures/xlsx/*.xlsx|xls (one quirk each, from XlsxWriter, openpyxl
and LibreOffice) and fixtures/xlsx/hostile/* (damaged and hostile files
crafted byte by byte with zipfile, zlib and a small OLE2 writer).

    /usr/bin/python3 tools/gen_workbook_fixtures.py [--no-libreoffice]

The generated files are committed: CI needs neither LibreOffice nor these
Python modules. Every file is described in fixtures/xlsx/README.md, and
what the reader must make of it is asserted in tests/test_workbook.c.
Deterministic except for the LibreOffice conversions (their zip dates).
"""
import datetime
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

import openpyxl
import xlsxwriter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'fixtures', 'xlsx')
HOSTILE = os.path.join(OUT, 'hostile')
FIXED_DATE = datetime.datetime(2026, 10, 1, 0, 0, 0)


def out(name):
    return os.path.join(OUT, name)


def hostile(name):
    return os.path.join(HOSTILE, name)


def xw_workbook(path, **opts):
    wb = xlsxwriter.Workbook(path, opts)
    wb.set_properties({'created': FIXED_DATE, 'author': 'ticket-audit'})
    return wb


# ---- XlsxWriter ----------------------------------------------------------

APKT_HEADER = ['No Lapor', 'Tgl/Jam Lapor', 'Nama Pelapor', 'No Telp Pelapor',
               'HP Pelapor', 'Email Pelapor', 'Keterangan Pelapor',
               'Sumber Lapor', 'IDPEL/No Meter']


def apkt_rows():
    base = datetime.datetime(2026, 10, 5, 8, 15, 0)
    return [
        ['P4426100500001', base, 'Budi Santoso', '0215551234', 81234567890,
         'budi.santoso@gmail.com', 'Listrik padam satu rumah', 'Call Center 123',
         512345678901],
        ['P4426100500002', base + datetime.timedelta(hours=3, minutes=7),
         'Siti Aminah', '', 6281234567891, '', 'Pelanggan tidak punya email',
         'Mobile PLN', 512345678902],
        ['P4426100500003', base + datetime.timedelta(days=1), 'Ahmad', '',
         '081298765432', 'ahmad@yahoo.co.id', 'Token tidak masuk', 'Web',
         512345678903],
    ]


def gen_apkt():
    """An APKT-style export: 15 title rows, the header in row 16, dates as
    date cells (dd/mm/yyyy hh:mm), HP as numbers; a continuing sheet with
    the same header and a hidden sheet."""
    wb = xw_workbook(out('xw_apkt_title_block.xlsx'))
    bold = wb.add_format({'bold': True})
    dt = wb.add_format({'num_format': 'dd/mm/yyyy hh:mm'})
    ws = wb.add_worksheet('Laporan')
    title = ['PT PLN (PERSERO)', 'UNIT INDUK DISTRIBUSI JAKARTA RAYA',
             'APLIKASI PENGADUAN DAN KELUHAN TERPADU (APKT)',
             'DAFTAR LAPORAN PENGADUAN', '', 'UNIT : UP3 BULUNGAN',
             'PERIODE : 01/10/2026 s/d 31/10/2026', '',
             'Jumlah Laporan : 5', 'Dicetak oleh : admin123',
             'Tanggal Cetak : 01/11/2026 07:00', '', 'Status : Semua',
             'Media : Semua', '']
    for i, t in enumerate(title):
        if t:
            ws.write_string(i, 0, t, bold if i < 4 else None)
    ws.merge_range(0, 0, 0, 8, title[0], bold)
    hdr = 15
    for c, h in enumerate(APKT_HEADER):
        ws.write_string(hdr, c, h, bold)
    for r, row in enumerate(apkt_rows()):
        for c, v in enumerate(row):
            if isinstance(v, datetime.datetime):
                ws.write_datetime(hdr + 1 + r, c, v, dt)
            elif isinstance(v, int):
                ws.write_number(hdr + 1 + r, c, v)
            elif v != '':
                ws.write_string(hdr + 1 + r, c, v)
    ws2 = wb.add_worksheet('Laporan (2)')
    for c, h in enumerate(APKT_HEADER):
        ws2.write_string(0, c, h, bold)
    ws2.write_string(1, 0, 'P4426100600004')
    ws2.write_datetime(1, 1, datetime.datetime(2026, 10, 6, 23, 59, 59), dt)
    ws2.write_string(1, 2, 'Dewi')
    ws2.write_number(1, 4, 81311112222)
    rk = wb.add_worksheet('Rekap')
    rk.write_string(0, 0, 'rekap tersembunyi')
    rk.hide()
    wb.close()


# (label, value, number format or None); tests/test_workbook.c asserts the
# texts, in this order, one per row.
DATE_CASES = [
    ('date_builtin_14', 46300, 14),
    ('datetime_custom', 46300.5, 'dd/mm/yyyy hh:mm'),
    ('time_only', 0.75, 'hh:mm:ss'),
    ('time_only_with_day', 46300.25, 'h:mm'),
    ('serial_in_general', 46300, None),
    ('serial_1', 1, 14),
    ('serial_59', 59, 14),
    ('serial_60', 60, 14),
    ('serial_61', 61, 14),
    ('serial_0', 0, 14),
    ('negative', -1, 14),
    ('round_to_next_day', 46300.999999, 'yyyy-mm-dd hh:mm:ss'),
    ('round_half_second', 46300 + 1.5 / 86400, 'yyyy-mm-dd hh:mm:ss'),
    ('quoted_text', 46300, '"Tanggal: "dd-mm-yyyy'),
    ('bracket_color', 5, '[Red]0.00'),
    ('escaped_letters', 5, '0\\d\\a\\y'),
    ('quoted_days', 5, '0" days"'),
    ('underscore_pad', 5, '#,##0_h'),
    ('am_pm', 0.5, 'h:mm AM/PM'),
    ('elapsed_hours', 1.5, '[h]:mm:ss'),
    ('minutes_seconds', 0.5, 'mm:ss'),
    ('month_year', 46300, 'mmm-yy'),
    ('last_excel_date', 2958465, 14),
    ('past_last_date', 2958466, 14),
    ('date_with_fraction', 41333.5, 'dd/mm/yy'),
]


def gen_dates():
    wb = xw_workbook(out('xw_dates.xlsx'))
    ws = wb.add_worksheet('Dates')
    fmts = {}
    for r, (label, v, f) in enumerate(DATE_CASES):
        ws.write_string(r, 0, label)
        if f is None:
            ws.write_number(r, 1, v)
            continue
        if f not in fmts:
            fmts[f] = wb.add_format({'num_format': f})
        ws.write_number(r, 1, v, fmts[f])
    wb.close()


NUMBER_CASES = [
    ('hp_as_number', 81234567890),
    ('hp_with_country_code', 6281234567890),
    ('largest_exact_integer', 9007199254740991),
    ('two_to_53', 9007199254740992),
    ('ten_to_15', 1e15),
    ('above_15_fraction', 1e15 + 0.5),
    ('big', 1.5e20),
    ('tenth', 0.1),
    ('tenth_plus_fifth', 0.1 + 0.2),
    ('small', 1e-5),
    ('ten_to_minus_4', 0.0001),
    ('negative_zero', -0.0),
    ('negative', -1234.5),
    ('fifteen_digits', 123456789012345.6),
    ('third', 1 / 3),
]


def gen_numbers():
    wb = xw_workbook(out('xw_numbers.xlsx'))
    ws = wb.add_worksheet('Numbers')
    for r, (label, v) in enumerate(NUMBER_CASES):
        ws.write_string(r, 0, label)
        ws.write_number(r, 1, v)
    wb.close()


def gen_strings():
    wb = xw_workbook(out('xw_strings.xlsx'))
    ws = wb.add_worksheet('Strings')
    bold = wb.add_format({'bold': True})
    ws.write_string(0, 0, 'rich')
    ws.write_rich_string(0, 1, 'No ', bold, 'Lapor', ' 123')
    ws.write_string(1, 0, 'cr_lf_inside')
    ws.write_string(1, 1, 'baris satu\r\nbaris dua')  # CR as _x000D_
    ws.write_string(2, 0, 'literal_escape')
    ws.write_string(2, 1, 'kode _x000D_ tetap')  # written _x005F_x000D_
    ws.write_string(3, 0, 'controls')
    ws.write_string(3, 1, 'a\x01b\x1fc\x7fd\u0085e')
    ws.write_string(4, 0, 'padded')
    ws.write_string(4, 1, '  \t spasi \n ')
    ws.write_string(5, 0, 'emoji')
    ws.write_string(5, 1, 'senyum \U0001F600')
    ws.write_string(6, 0, 'only_spaces')
    ws.write_string(6, 1, '   ')
    ws.write_string(7, 0, 'comma_quote')
    ws.write_string(7, 1, 'a,"b"')
    wb.close()


def gen_formulas():
    wb = xw_workbook(out('xw_formulas.xlsx'))
    ws = wb.add_worksheet('Formulas')
    ws.write_string(0, 0, 'cached_string')
    ws.write_formula(0, 1, '=CONCATENATE("No ","Lapor")', None, 'No Lapor')
    ws.write_string(1, 0, 'cached_number')
    ws.write_formula(1, 1, '=40+2', None, 42)
    ws.write_string(2, 0, 'boolean_true')
    ws.write_boolean(2, 1, True)
    ws.write_string(3, 0, 'boolean_false')
    ws.write_boolean(3, 1, False)
    ws.write_string(4, 0, 'error')
    ws.write_formula(4, 1, '=NA()', None, '#N/A')
    ws.write_string(5, 0, 'cached_bool')
    ws.write_formula(5, 1, '=1=1', None, True)
    wb.close()


def gen_sheets():
    wb = xw_workbook(out('xw_sheets.xlsx'))
    a = wb.add_worksheet('Data')
    a.write_row(0, 0, ['ID Tiket', 'Tanggal', 'Email', 'HP'])
    a.write_row(1, 0, ['K1', '2026-10-01', 'a@b.co', '0811'])
    h = wb.add_worksheet('Hidden')
    h.write_string(0, 0, 'hidden')
    h.hide()
    b = wb.add_worksheet('Data 2')
    b.write_row(0, 0, ['ID Tiket', 'Tanggal', 'Email', 'HP'])
    b.write_row(1, 0, ['K2', '2026-10-02', 'c@d.co', '0812'])
    cs = wb.add_chartsheet('Chart')
    ch = wb.add_chart({'type': 'column'})
    ch.add_series({'values': "='Data'!$A$1:$A$2"})
    cs.set_chart(ch)
    wb.close()


def gen_long():
    # 32,765 letters and one character outside the BMP (2 UTF-16 units):
    # exactly Excel's 32,767 units; one letter more is one unit too many.
    # XlsxWriter counts code points, so it writes both.
    for name, n in (('xw_cell_32767_units.xlsx', 32765),
                    ('xw_cell_32768_units.xlsx', 32766)):
        wb = xw_workbook(out(name))
        ws = wb.add_worksheet('Long')
        ws.write_string(0, 0, 'long')
        ws.write_string(0, 1, 'a' * n + '\U0001F600')
        wb.close()


def gen_1904():
    wb = xw_workbook(out('xw_1904.xlsx'), date_1904=True)
    ws = wb.add_worksheet('Dates1904')
    d = wb.add_format({'num_format': 'yyyy-mm-dd'})
    dt = wb.add_format({'num_format': 'yyyy-mm-dd hh:mm'})
    ws.write_datetime(0, 0, datetime.datetime(2026, 10, 5), d)
    ws.write_datetime(1, 0, datetime.datetime(2026, 10, 5, 14, 30), dt)
    ws.write_number(2, 0, 0, d)           # 1904-01-01
    ws.write_number(3, 0, 46300)          # a General serial stays a number
    wb.close()


def gen_inline():
    """Inline strings, as XlsxWriter writes them in constant_memory mode."""
    wb = xw_workbook(out('xw_inline_strings.xlsx'), constant_memory=True)
    ws = wb.add_worksheet('Inline')
    ws.write_row(0, 0, ['No Laporan', 'Tanggal', 'Email Pelapor'])
    ws.write_row(1, 0, ['L1', '05-10-2026', 'x@y.id'])
    ws.write_row(2, 0, ['L2', '06-10-2026', 'kode _x000D_ dan\r'])
    wb.close()


# ---- openpyxl ------------------------------------------------------------

def opx_save(wb, path):
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    wb.save(path)


def gen_opx_iso():
    wb = openpyxl.Workbook()
    wb.iso_dates = True
    ws = wb.active
    ws.title = 'ISO'
    ws['A1'] = datetime.datetime(2026, 10, 5, 14, 30, 15)
    ws['A2'] = datetime.date(2026, 10, 5)
    ws['A3'] = datetime.time(10, 10, 10)
    ws['A4'] = datetime.datetime(2026, 10, 5, 0, 0, 0)
    opx_save(wb, out('opx_iso_dates.xlsx'))


def gen_opx_formulas():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = 'Formulas'
    ws['A1'] = 1
    ws['B1'] = '=A1*2'          # no cached value: an empty cell
    ws['C1'] = 'after'
    opx_save(wb, out('opx_formula_no_cache.xlsx'))


def gen_opx_states():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = 'Visible'
    ws['A1'] = 'visible'
    h = wb.create_sheet('Hidden')
    h['A1'] = 'hidden'
    h.sheet_state = 'hidden'
    v = wb.create_sheet('VeryHidden')
    v['A1'] = 'very hidden'
    v.sheet_state = 'veryHidden'
    opx_save(wb, out('opx_sheet_states.xlsx'))


# ---- crafted from a real file --------------------------------------------

def rewrite_zip(src, dst, edit):
    """Copies src to dst, edit(name, bytes) -> bytes for each member."""
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(
            dst, 'w', zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = edit(info.filename, zi.read(info.filename))
            if data is None:
                continue
            zo.writestr(zinfo(info.filename), data)


def zinfo(name):
    zi = zipfile.ZipInfo(name, date_time=(2026, 10, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def gen_phonetic():
    """Rich text with phonetic runs (furigana), as Japanese Excel writes it:
    the <rPh> text is not part of the cell's text."""
    tmp = out('xw_phonetic_base.tmp.xlsx')
    wb = xw_workbook(tmp)
    ws = wb.add_worksheet('Phonetic')
    bold = wb.add_format({'bold': True})
    ws.write_rich_string(0, 0, '東京', bold, '都庁')
    wb.close()

    def edit(name, data):
        if name == 'xl/sharedStrings.xml':
            s = data.decode('utf-8')
            s = s.replace('</si>', '<rPh sb="0" eb="2"><t>とうきょう</t></rPh>'
                          '<rPh sb="2" eb="4"><t>とちょう</t></rPh>'
                          '<phoneticPr fontId="1" type="noConversion"/></si>')
            return s.encode('utf-8')
        return data
    rewrite_zip(tmp, out('crafted_phonetic_runs.xlsx'), edit)
    os.remove(tmp)


# ---- LibreOffice ---------------------------------------------------------

def soffice(src, fmt, dst):
    d = tempfile.mkdtemp()
    try:
        env = dict(os.environ, HOME=d)
        subprocess.run(['soffice', '--headless', '--norestore',
                        '--convert-to', fmt, '--outdir', d, src],
                       check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=180)
        base = os.path.splitext(os.path.basename(src))[0]
        shutil.move(os.path.join(d, base + '.' + fmt.split(':')[0]), dst)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def gen_libreoffice():
    soffice(out('xw_apkt_title_block.xlsx'), 'xls', out('lo_apkt_title_block.xls'))
    soffice(out('xw_apkt_title_block.xlsx'), 'xlsx', out('lo_apkt_title_block.xlsx'))
    soffice(out('xw_1904.xlsx'), 'xls', out('lo_1904.xls'))
    soffice(out('xw_dates.xlsx'), 'xls', out('lo_dates.xls'))
    soffice(out('xw_strings.xlsx'), 'xls', out('lo_strings.xls'))


# ---- hostile and damaged -------------------------------------------------

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      'content-types"><Default Extension="rels" ContentType="application/'
      'vnd.openxmlformats-package.relationships+xml"/><Default Extension='
      '"xml" ContentType="application/xml"/><Override PartName="/xl/'
      'workbook.xml" ContentType="application/vnd.openxmlformats-'
      'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
      '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
      'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http:'
        '//schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/'
        'workbook.xml"/></Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://'
      'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://'
      'schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
      '</workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="'
           'http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
           'officeDocument/2006/relationships/worksheet" Target="worksheets/'
           'sheet1.xml"/>%s</Relationships>')
SST_REL = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
           'officeDocument/2006/relationships/sharedStrings" Target="'
           'sharedStrings.xml"/>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http:'
              '//schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData>')
SHEET_TAIL = '</sheetData></worksheet>'


def minimal(path, sheet, sst=None, wb=WB, extra=None):
    """A one-sheet workbook whose sheet1.xml is sheet (and sharedStrings
    sst when given)."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(zinfo('[Content_Types].xml'), CT)
        z.writestr(zinfo('_rels/.rels'), RELS)
        z.writestr(zinfo('xl/workbook.xml'), wb)
        z.writestr(zinfo('xl/_rels/workbook.xml.rels'),
                   WB_RELS % (SST_REL if sst is not None else ''))
        if sheet is not None:
            z.writestr(zinfo('xl/worksheets/sheet1.xml'), sheet)
        if sst is not None:
            z.writestr(zinfo('xl/sharedStrings.xml'), sst)
        for name, data in (extra or {}).items():
            z.writestr(zinfo(name), data)


def sheet_rows(rows):
    return SHEET_HEAD + rows + SHEET_TAIL


def raw_deflate(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip_with_raw(path, members):
    """A zip whose members are (name, raw deflate bytes, crc, declared
    uncompressed size), written by hand (sizes may lie; a size past 4 GiB
    goes in a zip64 extra field of the central directory)."""
    body = bytearray()
    central = bytearray()
    for name, comp, crc, usize in members:
        n = name.encode()
        off = len(body)
        small = min(usize, 0xFFFFFFFF)
        body += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0x21,
                            crc, len(comp), small, len(n), 0) + n + comp
        extra = b''
        if usize >= 0xFFFFFFFF:
            extra = struct.pack('<HHQ', 1, 8, usize)
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 45, 45, 0,
                               8, 0, 0x21, crc, len(comp), small, len(n),
                               len(extra), 0, 0, 0, 0, off) + n + extra
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(members),
                      len(members), len(central), len(body), 0)
    open(path, 'wb').write(bytes(body + central + end))


def package_members(sheet_bytes):
    """The members of a minimal workbook, the sheet given as bytes."""
    parts = [('[Content_Types].xml', CT.encode()), ('_rels/.rels', RELS.encode()),
             ('xl/workbook.xml', WB.encode()),
             ('xl/_rels/workbook.xml.rels', (WB_RELS % '').encode()),
             ('xl/worksheets/sheet1.xml', sheet_bytes)]
    return parts


def gen_bombs():
    # 100 MB of spaces inside <sheetData>: deflate squeezes spaces ~1030:1.
    pad = 100 * 1000 * 1000
    sheet = (SHEET_HEAD.encode() + b' ' * pad + SHEET_TAIL.encode())
    comp = raw_deflate(sheet)
    crc = zlib.crc32(sheet)
    members = []
    for name, data in package_members(b'')[:-1]:
        members.append((name, raw_deflate(data), zlib.crc32(data), len(data)))
    # declared truthfully: refused on its declared sizes
    zip_with_raw(hostile('bomb_ratio_declared.xlsx'),
                 members + [('xl/worksheets/sheet1.xml', comp, crc, len(sheet))])
    # declared as 50 MB (a plausible 500:1): refused as it inflates
    zip_with_raw(hostile('bomb_ratio_lying.xlsx'),
                 members + [('xl/worksheets/sheet1.xml', comp, crc,
                             50 * 1000 * 1000)])
    # a normal sheet that inflates past the small size it declares
    small = sheet_rows('<row r="1"><c r="A1" t="inlineStr"><is><t>%s</t>'
                       '</is></c></row>' % ('x' * 5000)).encode()
    zip_with_raw(hostile('inflates_past_declared.xlsx'),
                 members + [('xl/worksheets/sheet1.xml', raw_deflate(small),
                             zlib.crc32(small), 1000)])
    # a sheet declaring 5 GiB (zip64): refused on its declared size
    one = sheet_rows('<row r="1"><c r="A1"><v>1</v></c></row>').encode()
    zip_with_raw(hostile('over_4_gib.xlsx'),
                 members + [('xl/worksheets/sheet1.xml', raw_deflate(one),
                             zlib.crc32(one), 5 << 30)])


# A minimal OLE2 compound file: 512-byte sectors, one FAT sector, one
# directory sector, each stream padded to 4,096 bytes or more so that it
# lives in regular sectors (no mini stream).
def ole2(path, streams):
    SECT = 512
    data = b''
    entries = []
    next_sect = 2  # 0: FAT, 1: directory
    fat = {0: 0xFFFFFFFD, 1: 0xFFFFFFFE}
    for name, body in streams:
        body = body + b'\0' * (max(4096, len(body)) - len(body))
        n = (len(body) + SECT - 1) // SECT
        body = body + b'\0' * (n * SECT - len(body))
        start = next_sect
        for k in range(n):
            fat[start + k] = start + k + 1 if k + 1 < n else 0xFFFFFFFE
        entries.append((name, start, len(body)))
        data += body
        next_sect += n
    hdr = bytearray(512)
    hdr[0:8] = b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1'
    struct.pack_into('<HHHHH', hdr, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into('<I', hdr, 0x2C, 1)           # FAT sectors
    struct.pack_into('<I', hdr, 0x30, 1)           # first directory sector
    struct.pack_into('<I', hdr, 0x38, 4096)        # mini stream cutoff
    struct.pack_into('<I', hdr, 0x3C, 0xFFFFFFFE)  # no mini FAT
    struct.pack_into('<I', hdr, 0x40, 0)
    struct.pack_into('<I', hdr, 0x44, 0xFFFFFFFE)  # no DIFAT sectors
    struct.pack_into('<I', hdr, 0x48, 0)
    for k in range(109):
        struct.pack_into('<I', hdr, 0x4C + 4 * k, 0 if k == 0 else 0xFFFFFFFF)
    fats = bytearray(b'\xff' * SECT)
    for s, v in fat.items():
        struct.pack_into('<I', fats, 4 * s, v)

    def dirent(name, typ, child, right, start, size):
        e = bytearray(128)
        u = name.encode('utf-16-le') + b'\0\0'
        e[0:len(u)] = u
        struct.pack_into('<H', e, 0x40, len(u))
        e[0x42] = typ
        e[0x43] = 1
        struct.pack_into('<III', e, 0x44, 0xFFFFFFFF, right, child)
        struct.pack_into('<II', e, 0x74, start, size)
        return bytes(e)
    d = dirent('Root Entry', 5, 1 if entries else 0xFFFFFFFF, 0xFFFFFFFF,
               0xFFFFFFFE, 0)
    for k, (name, start, size) in enumerate(entries):
        right = k + 2 if k + 1 < len(entries) else 0xFFFFFFFF
        d += dirent(name, 2, 0xFFFFFFFF, right, start, size)
    d += b'\0' * (SECT - len(d) % SECT if len(d) % SECT else 0)
    d = d[:SECT]
    open(path, 'wb').write(bytes(hdr) + bytes(fats) + d + data)


def biff(rtype, body=b''):
    return struct.pack('<HH', rtype, len(body)) + body


def gen_ole2():
    ole2(hostile('word_document.doc'), [('WordDocument', b'\xec\xa5' + b'\0' * 100)])
    ole2(hostile('encrypted.xlsx'), [('EncryptionInfo', b'\x04\x00\x04\x00'),
                                     ('EncryptedPackage', b'\0' * 64)])
    bof5 = biff(0x0809, struct.pack('<HHHH', 0x0500, 0x0005, 0, 0))
    ole2(hostile('excel95.xls'), [('Book', bof5 + biff(0x000A))])
    bof8 = biff(0x0809, struct.pack('<HHHHII', 0x0600, 0x0005, 0, 0, 0, 0))
    ole2(hostile('password.xls'), [('Workbook', bof8 + biff(0x002F, b'\1\0' + b'\0' * 52)
                                    + biff(0x000A))])
    ole2(hostile('ole2_other.bin'), [('Contents', b'hello')])


def gen_hostile_xml():
    ok_row = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    # not a readable archive: a ZIP signature and nothing sensible after it
    open(hostile('not_an_archive.xlsx'), 'wb').write(
        b'PK\x03\x04' + bytes(range(256)) * 8)
    # truncated: a real workbook cut in the middle
    src = open(out('xw_apkt_title_block.xlsx'), 'rb').read()
    open(hostile('truncated.xlsx'), 'wb').write(src[:len(src) * 6 // 10])
    # archives that are not spreadsheets
    with zipfile.ZipFile(hostile('word.docx'), 'w') as z:
        z.writestr(zinfo('[Content_Types].xml'),
                   '<Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Override PartName="/word/document.'
                   'xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/>'
                   '</Types>')
        z.writestr(zinfo('_rels/.rels'), RELS.replace('xl/workbook.xml',
                                                      'word/document.xml'))
        z.writestr(zinfo('word/document.xml'), '<w:document xmlns:w="x"/>')
    with zipfile.ZipFile(hostile('random.zip'), 'w') as z:
        z.writestr(zinfo('hello.txt'), 'hello')
    with zipfile.ZipFile(hostile('spreadsheet.ods'), 'w') as z:
        z.writestr(zinfo('mimetype'),
                   'application/vnd.oasis.opendocument.spreadsheet')
        z.writestr(zinfo('content.xml'), '<office:document-content/>')
    open(hostile('empty_archive.xlsx'), 'wb').write(
        b'PK\x05\x06' + b'\0' * 18)
    # a sheet whose part is missing, one that is not well-formed
    minimal(hostile('missing_sheet.xlsx'), None)
    minimal(hostile('malformed_sheet.xlsx'),
            SHEET_HEAD + '<row r="1"><c r="A1"><v>1</c></v></row>' + SHEET_TAIL)
    minimal(hostile('truncated_sheet_xml.xlsx'),
            SHEET_HEAD + ok_row + '<row r="2"><c r="A')
    # DTDs and entities (a billion-laughs attempt), in a part parsed by
    # expat (workbook.xml) and in one parsed by the fast scanner (the sheet)
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    minimal(hostile('dtd_in_workbook.xlsx'), sheet_rows(ok_row),
            wb=lol + WB[WB.index('<workbook'):])
    minimal(hostile('dtd_in_sheet.xlsx'), lol + SHEET_HEAD[SHEET_HEAD.index(
        '<worksheet'):] + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;'
        '</t></is></c></row>' + SHEET_TAIL)
    minimal(hostile('external_entity.xlsx'),
            '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///'
            'etc/passwd">]>' + SHEET_HEAD[SHEET_HEAD.index('<worksheet'):] +
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c>'
            '</row>' + SHEET_TAIL)
    # limits of the grid
    minimal(hostile('column_past_xfd.xlsx'),
            sheet_rows('<row r="1"><c r="XFE1"><v>1</v></c></row>'))
    minimal(hostile('row_past_1048576.xlsx'),
            sheet_rows('<row r="1048577"><c r="A1048577"><v>1</v></c></row>'))
    minimal(hostile('too_many_cells_unnumbered.xlsx'),
            sheet_rows('<row r="1">' + '<c><v>1</v></c>' * 16385 + '</row>'))
    minimal(hostile('rows_out_of_order.xlsx'),
            sheet_rows('<row r="5"><c r="A5"><v>1</v></c></row>'
                       '<row r="3"><c r="A3"><v>2</v></c></row>'))
    # a shared-string index past the table
    minimal(hostile('sst_index_out_of_range.xlsx'),
            sheet_rows('<row r="1"><c r="A1" t="s"><v>0</v></c>'
                       '<c r="C1" t="s"><v>99</v></c></row>'),
            sst='<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                '2006/main"><si><t>satu</t></si><si><t>dua</t></si></sst>')
    minimal(hostile('sst_index_huge.xlsx'),
            sheet_rows('<row r="1"><c r="A1" t="s"><v>99999999999999999999'
                       '</v></c></row>'),
            sst='<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                '2006/main"><si><t>satu</t></si></sst>')
    # deeply nested XML, a tag longer than the scanner's 4 MiB, a number
    # cell that holds no number, a cell over 32,767 units inline
    minimal(hostile('deep_nesting.xlsx'),
            sheet_rows(ok_row + '<x>' * 300 + '</x>' * 300))
    minimal(hostile('tag_over_4_mib.xlsx'),
            sheet_rows('<row r="1" junk="%s"><c r="A1"><v>1</v></c></row>'
                       % ('j' * (5 << 20))))
    minimal(hostile('number_not_a_number.xlsx'),
            sheet_rows('<row r="1"><c r="A1"><v>12abc</v></c></row>'))
    minimal(hostile('inline_32768_units.xlsx'),
            sheet_rows('<row r="7"><c r="B7" t="inlineStr"><is><t>%s</t></is>'
                       '</c></row>' % ('é' * 32768)))
    minimal(hostile('escapes_32768_units.xlsx'),
            sheet_rows('<row r="2"><c r="D2" t="inlineStr"><is><t>%s</t></is>'
                       '</c></row>' % ('_x0041_' * 32768)))
    # web exports under an .xls name: HTML and Excel 2003 XML; and text
    open(hostile('html_table.xls'), 'w', encoding='utf-8').write(
        '\ufeff<html xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<head><meta charset="utf-8"></head><body><table><tr><td>No Lapor'
        '</td></tr></table></body></html>')
    open(hostile('xml_spreadsheet_2003.xls'), 'w', encoding='utf-8').write(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        '</Workbook>')
    open(hostile('text_named.xls'), 'w', encoding='utf-8').write(
        'No Lapor,Tgl Lapor,HP Pelapor\nL1,05-10-2026,0811\n')


def gen_fuzz_seeds():
    """Seeds for tests/fuzz/fuzz_workbook.c with the entries *stored*: the
    mutations then reach the XML itself, which deflate would hide. Only
    small workbooks (20 KB at most stored: the fuzzer takes 64 KiB)."""
    seeds = os.path.join(ROOT, 'tests', 'fuzz', 'seeds', 'workbook')
    os.makedirs(seeds, exist_ok=True)
    srcs = [os.path.join(ROOT, 'tests', 'conformance', 'xlsx', f)
            for f in sorted(os.listdir(os.path.join(ROOT, 'tests',
                                                    'conformance', 'xlsx')))]
    srcs += [out(f) for f in sorted(os.listdir(OUT))]
    for src in srcs:
        if not src.endswith('.xlsx'):
            continue
        buf = io.BytesIO()
        with zipfile.ZipFile(src) as zi, zipfile.ZipFile(
                buf, 'w', zipfile.ZIP_STORED) as zo:
            for info in zi.infolist():
                zs = zipfile.ZipInfo(info.filename,
                                     date_time=(2026, 10, 1, 0, 0, 0))
                zo.writestr(zs, zi.read(info.filename))
        if len(buf.getvalue()) <= 20000:
            name = 'stored_' + os.path.basename(src)
            open(os.path.join(seeds, name), 'wb').write(buf.getvalue())


def gen_encodings():
    """Sheet parts in other encodings than UTF-8, which XML allows and the
    fast scanner hands to expat."""
    body = ('<worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
            't="inlineStr"><is><t>Caf\u00e9</t></is></c><c r="B1"><v>1</v>'
            '</c></row></sheetData></worksheet>')
    minimal(out('crafted_utf16_sheet.xlsx'),
            ('\ufeff<?xml version="1.0" encoding="UTF-16"?>' + body)
            .encode('utf-16-le'))
    minimal(out('crafted_latin1_sheet.xlsx'),
            ('<?xml version="1.0" encoding="ISO-8859-1"?>' + body)
            .encode('latin-1'))


def main():
    os.makedirs(HOSTILE, exist_ok=True)
    gen_apkt()
    gen_dates()
    gen_numbers()
    gen_strings()
    gen_formulas()
    gen_sheets()
    gen_long()
    gen_1904()
    gen_inline()
    gen_opx_iso()
    gen_opx_formulas()
    gen_opx_states()
    gen_phonetic()
    gen_encodings()
    if '--no-libreoffice' not in sys.argv:
        gen_libreoffice()
    gen_bombs()
    gen_ole2()
    gen_hostile_xml()
    gen_fuzz_seeds()


if __name__ == '__main__':
    main()
