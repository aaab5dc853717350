#!/usr/bin/python3
"""gen_import_workbooks.py — writes the exports tests/test_import.c and
tests/e2e_import.sh import as workbooks: fixtures/import_xlsx/ (SPEC §3
"Excel workbooks"), each layout from at least two producers.

    /usr/bin/python3 tools/gen_import_workbooks.py [--no-libreoffice]

* apkt_same.* — one APKT-style export written by XlsxWriter (xw_), openpyxl
  (opx_) and LibreOffice (lo_, .xls and .xlsx converted from the xw_ file),
  in the 1900 and the 1904 date systems, and as CSV (apkt_same.csv) with
  the same rows: a 15-row title block, the header on row 16, dates as date
  cells, as serials in General cells and as text, HP and IDPEL as numbers,
  and rows that are rejected. The CSV holds exactly the texts the
  workbook reader gives, on the same lines, so the test can ask for
  identical audit results and identical rejects (but the sheet).
* apkt_sheets.* — the sheet choice: a hidden sheet with a valid header
  first, a notes sheet, the export (title block), a chart sheet (xw_),
  its continuation, a continuation with an extra column and a value right
  of its header, a sheet with another header, one with the columns moved.
* no_header.* — no sheet has a header; first rows hold an email and phone
  numbers (the message must mask them).
* missing_email.xlsx — a header without the email column.

The generated files are committed (CI needs neither LibreOffice nor the
Python modules); fixtures/import_xlsx/README.md describes them.
"""
import datetime
import os
import sys

import openpyxl
from openpyxl.chart import BarChart, Reference
import xlsxwriter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_workbook_fixtures import soffice  # noqa: E402  (LibreOffice)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'fixtures', 'import_xlsx')
FIXED = datetime.datetime(2026, 10, 1, 0, 0, 0)

HEADER = ['No Lapor', 'Tgl/Jam Lapor', 'Jenis Laporan', 'Nama Pelapor',
          'No Telp Pelapor', 'HP Pelapor', 'Email Pelapor',
          'Keterangan Pelapor', 'Sumber Lapor', 'Nama CSO', 'IDPEL/No Meter']

TITLE = ['PT PLN (PERSERO)', 'UNIT INDUK DISTRIBUSI JAKARTA RAYA',
         'APLIKASI PENGADUAN DAN KELUHAN TERPADU (APKT)',
         'DAFTAR LAPORAN PENGADUAN', None, 'UNIT : UP3 BULUNGAN',
         'PERIODE : 01/10/2026 s/d 31/10/2026', None, 'Jumlah Laporan : 16',
         'Dicetak oleh : admin', 'Tanggal Cetak : 01/11/2026 07:00', None,
         'Status : Semua', 'Media : Semua', None]
assert len(TITLE) == 15

D = datetime.datetime
CC = 'Call Center 123'


class Serial(float):
    """A date written as a number in a General cell."""


# One row per case; the last column (IDPEL) is never empty, so a rejected
# row's raw text is the same in the CSV and in the workbook.
ROWS = [
    ['P4426100500001', D(2026, 10, 5, 8, 15), 'Gangguan', 'Budi Santoso',
     '0215551234', 81398765432, 'budi.santoso@gmail.com',
     'Listrik padam satu rumah', CC, 'Ani', 512345678901],
    ['P4426100500002', D(2026, 10, 5, 11, 22), 'Keluhan', 'Siti Aminah',
     '', 6281234567891, '', 'Pelanggan marah, listrik padam dua hari', CC,
     'Ani', 512345678902],
    ['P4426100500003', D(2026, 10, 6), 'Gangguan', 'Ahmad', '',
     '0812-xxxx-7890', 'test@gmail.com', 'Token tidak masuk', CC, 'Rudi',
     512345678903],
    ['P4426100500004', Serial(46300.5), 'Informasi', 'Dewi', '',
     81311112222, 'dewi@yahoo.co.id', 'Tanya tagihan', CC, 'Rudi',
     512345678904],
    ['P4426100500005', '07/10/2026 09:30', 'Gangguan', 'Eko', '',
     '081298765432', 'eko@gmail.com', 'Tiang roboh', 'Mobile PLN', 'Ani',
     512345678905],
    ['P4426100500006', D(2026, 10, 8, 23, 59, 59), 'Keluhan', 'Fajar',
     '081377778888', '', 'fajar@gmail.com', 'Tegangan naik turun', CC,
     'Rudi', 512345678906],
    ['', D(2026, 10, 9, 10), 'Gangguan', 'Tanpa Nomor', '', 81234500001,
     'x@gmail.com', 'baris tanpa nomor laporan', CC, 'Ani', 512345678907],
    ['P4426100500008', 'siti.rahma@gmail.com', 'Gangguan', 'Siti R', '',
     81234500002, '', 'email diketik di kolom tanggal', CC, 'Ani',
     512345678908],
    ['P4426100500009', '0812 3456 7890', 'Gangguan', 'Joko', '',
     81234500003, '', 'HP diketik di kolom tanggal', CC, 'Rudi',
     512345678909],
    ['P4426100500010', '', 'Gangguan', 'Kosong', '', 81234500004, '',
     'tanggal kosong', CC, 'Rudi', 512345678910],
    ['P4426100500011', '15/11/2206', 'Gangguan', 'Salah Ketik', '',
     81234500005, 'salah@gmail.com', 'tahun salah ketik', CC, 'Ani',
     512345678911],
    ['P4426100500012', '2026-10-12t14:00', 'Keluhan', 'Lina', '',
     81234500006, 'lina@gmail.com', 'tanggal ISO dengan t kecil', CC, 'Ani',
     512345678912],
    ['P4426100500013', '3 Pebruari 2026', 'Gangguan', 'Maya', '',
     81234500007, '', 'pelanggan tidak punya email', CC, 'Rudi',
     512345678913],
    ['P4426100500014', '10-NOP-26', 'Gangguan', 'Nina', '', 81234500008,
     'nina@gmail.com', 'bulan NOP', CC, 'Ani', 512345678914],
    ['P4426100500001', D(2026, 10, 14, 7), 'Gangguan', 'Budi Santoso',
     '0215551234', 81398765432, 'budi.santoso@gmail.com',
     'laporan yang sama, diperbarui', CC, 'Ani', 512345678901],
    ['P4426100500016', D(2026, 10, 15, 12, 30), 'Gangguan', 'Oki', '', '',
     '', 'Kabel putus di depan rumah', CC, 'Rudi', 512345678916],
]


def text_of(v):
    """The text the workbook reader gives for a cell (docs/workbooks.md)."""
    if v is None or v == '':
        return ''
    if isinstance(v, D):
        if v.hour or v.minute or v.second:
            return v.strftime('%Y-%m-%d %H:%M:%S')
        return v.strftime('%Y-%m-%d')
    if isinstance(v, Serial):
        return repr(float(v)).rstrip('0').rstrip('.')
    if isinstance(v, int):
        return str(v)
    return v


def csv_field(t):
    if any(c in t for c in ',"\r\n'):
        return '"' + t.replace('"', '""') + '"'
    return t


def out(name):
    return os.path.join(OUT, name)


# ---- XlsxWriter ----------------------------------------------------------

def xw_book(path, **opts):
    wb = xlsxwriter.Workbook(path, opts)
    wb.set_properties({'created': FIXED, 'author': 'ticket-audit'})
    return wb


def xw_title(wb, ws):
    bold = wb.add_format({'bold': True})
    for i, t in enumerate(TITLE):
        if t:
            ws.write_string(i, 0, t, bold if i < 4 else None)
    ws.merge_range(0, 0, 0, len(HEADER) - 1, TITLE[0], bold)


def xw_rows(wb, ws, first, rows, header=HEADER):
    dt = wb.add_format({'num_format': 'dd/mm/yyyy hh:mm:ss'})
    d = wb.add_format({'num_format': 'dd/mm/yyyy'})
    for c, h in enumerate(header):
        ws.write_string(first, c, h)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, D):
                ws.write_datetime(first + 1 + r, c, v,
                                  dt if (v.hour or v.minute or v.second)
                                  else d)
            elif isinstance(v, (int, float)):
                ws.write_number(first + 1 + r, c, v)
            elif v:
                ws.write_string(first + 1 + r, c, v)


def xw_same(name, **opts):
    wb = xw_book(out(name), **opts)
    ws = wb.add_worksheet('Laporan')
    xw_title(wb, ws)
    xw_rows(wb, ws, 15, ROWS)
    wb.close()


def xw_sheets(name):
    wb = xw_book(out(name))
    hid = wb.add_worksheet('Rekap')
    xw_rows(wb, hid, 0, [['P9000000000001', D(2026, 10, 1), 'Gangguan', 'X',
                          '', 81299990000, 'rekap@gmail.com', 'tersembunyi',
                          CC, 'Ani', 1]])
    hid.hide()
    notes = wb.add_worksheet('Catatan')
    notes.write_string(0, 0, 'Catatan: data laporan di sheet Laporan')
    ws = wb.add_worksheet('Laporan')
    xw_title(wb, ws)
    xw_rows(wb, ws, 15, ROWS[:3])
    # XlsxWriter hides no sheet that is active: the first one is, unless
    # another is made so.
    ws.activate()
    cs = wb.add_chartsheet('Grafik')
    ch = wb.add_chart({'type': 'column'})
    ch.add_series({'values': "='Laporan'!$F$17:$F$19"})
    cs.set_chart(ch)
    c2 = wb.add_worksheet('Laporan (2)')
    xw_rows(wb, c2, 0, [ROWS[3], ROWS[4]])
    c3 = wb.add_worksheet('Laporan (3)')
    xw_rows(wb, c3, 0, [ROWS[5] + ['kolom tambahan'],
                        ROWS[12] + ['', 'lewat header']],
            header=HEADER + ['Keterangan Lain'])
    rk = wb.add_worksheet('Ringkasan')
    rk.write_row(0, 0, ['Nama CSO', 'Jumlah', 'Email Pelapor', 'HP Pelapor',
                        'No Lapor'])
    rk.write_row(1, 0, ['Ani', 3, '-', '-', '-'])
    moved = wb.add_worksheet('Pindah')
    order = [1, 0] + list(range(2, len(HEADER)))
    xw_rows(wb, moved, 0, [[ROWS[6][i] for i in order]],
            header=[HEADER[i] for i in order])
    wb.close()


def xw_no_header(name):
    wb = xw_book(out(name))
    a = wb.add_worksheet('Sheet1')
    a.write_row(0, 0, ['P4426100500001', 'budi.santoso@gmail.com',
                       '0812-3456-7891', '(021) 5551234'])
    a.write_row(1, 0, ['lain', 'siti@yahoo.co.id', '+62 812 3456 7892'])
    b = wb.add_worksheet('Data Lain')
    b.write_row(0, 0, ['Kolom A', 'Kolom B', 'Kolom C'])
    c = wb.add_worksheet('Arsip')
    c.write_row(0, 0, HEADER)
    c.hide()
    wb.add_worksheet('Kosong')
    wb.close()


def xw_missing_email(name):
    wb = xw_book(out(name))
    ws = wb.add_worksheet('Laporan')
    hdr = [h for h in HEADER if h != 'Email Pelapor']
    xw_rows(wb, ws, 2, [], header=hdr)
    ws.write_string(0, 0, 'DAFTAR LAPORAN')
    wb.close()


# ---- openpyxl ------------------------------------------------------------

def opx_save(wb, path):
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.save(path)


def opx_rows(ws, first, rows, header=HEADER):
    for c, h in enumerate(header):
        ws.cell(first + 1, c + 1, h)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v == '' or v is None:
                continue
            cell = ws.cell(first + 2 + r, c + 1)
            if isinstance(v, Serial):
                cell.value = float(v)
                cell.number_format = 'General'
            else:
                cell.value = v
            if isinstance(v, D):
                cell.number_format = ('dd/mm/yyyy hh:mm:ss'
                                      if (v.hour or v.minute or v.second)
                                      else 'dd/mm/yyyy')


def opx_title(ws):
    for i, t in enumerate(TITLE):
        if t:
            ws.cell(i + 1, 1, t)
    ws.merge_cells(start_row=1, start_column=1, end_row=1,
                   end_column=len(HEADER))


def opx_same(name, epoch1904=False):
    wb = openpyxl.Workbook()
    if epoch1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = 'Laporan'
    opx_title(ws)
    opx_rows(ws, 15, ROWS)
    opx_save(wb, out(name))


def opx_sheets(name):
    wb = openpyxl.Workbook()
    hid = wb.active
    hid.title = 'Rekap'
    opx_rows(hid, 0, [['P9000000000001', D(2026, 10, 1), 'Gangguan', 'X',
                       '', 81299990000, 'rekap@gmail.com', 'tersembunyi', CC,
                       'Ani', 1]])
    hid.sheet_state = 'veryHidden'
    notes = wb.create_sheet('Catatan')
    notes['A1'] = 'Catatan: data laporan di sheet Laporan'
    ws = wb.create_sheet('Laporan')
    opx_title(ws)
    opx_rows(ws, 15, ROWS[:3])
    cs = wb.create_chartsheet('Grafik')
    ch = BarChart()
    ch.add_data(Reference(ws, min_col=6, min_row=17, max_row=19))
    cs.add_chart(ch)
    c2 = wb.create_sheet('Laporan (2)')
    opx_rows(c2, 0, [ROWS[3], ROWS[4]])
    c3 = wb.create_sheet('Laporan (3)')
    opx_rows(c3, 0, [ROWS[5] + ['kolom tambahan'],
                     ROWS[12] + ['', 'lewat header']],
             header=HEADER + ['Keterangan Lain'])
    rk = wb.create_sheet('Ringkasan')
    for c, v in enumerate(['Nama CSO', 'Jumlah', 'Email Pelapor',
                           'HP Pelapor', 'No Lapor']):
        rk.cell(1, c + 1, v)
    for c, v in enumerate(['Ani', 3, '-', '-', '-']):
        rk.cell(2, c + 1, v)
    moved = wb.create_sheet('Pindah')
    order = [1, 0] + list(range(2, len(HEADER)))
    opx_rows(moved, 0, [[ROWS[6][i] for i in order]],
             header=[HEADER[i] for i in order])
    opx_save(wb, out(name))


def opx_no_header(name):
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = 'Sheet1'
    for c, v in enumerate(['P4426100500001', 'budi.santoso@gmail.com',
                           '0812-3456-7891', '(021) 5551234']):
        a.cell(1, c + 1, v)
    for c, v in enumerate(['lain', 'siti@yahoo.co.id', '+62 812 3456 7892']):
        a.cell(2, c + 1, v)
    b = wb.create_sheet('Data Lain')
    for c, v in enumerate(['Kolom A', 'Kolom B', 'Kolom C']):
        b.cell(1, c + 1, v)
    c = wb.create_sheet('Arsip')
    for i, h in enumerate(HEADER):
        c.cell(1, i + 1, h)
    c.sheet_state = 'hidden'
    wb.create_sheet('Kosong')
    opx_save(wb, out(name))


# ---- CSV with the same rows ----------------------------------------------

def csv_same(name):
    lines = []
    for t in TITLE:
        lines.append(csv_field(t) if t else '')
    lines.append(','.join(csv_field(h) for h in HEADER))
    for row in ROWS:
        lines.append(','.join(csv_field(text_of(v)) for v in row))
    with open(out(name), 'w', newline='') as f:
        f.write('\r\n'.join(lines) + '\r\n')


def main():
    os.makedirs(OUT, exist_ok=True)
    csv_same('apkt_same.csv')
    xw_same('xw_apkt_same.xlsx')
    xw_same('xw_apkt_same_1904.xlsx', date_1904=True)
    xw_same('xw_apkt_same_inline.xlsx', constant_memory=True)
    opx_same('opx_apkt_same.xlsx')
    opx_same('opx_apkt_same_1904.xlsx', epoch1904=True)
    xw_sheets('xw_apkt_sheets.xlsx')
    opx_sheets('opx_apkt_sheets.xlsx')
    xw_no_header('xw_no_header.xlsx')
    opx_no_header('opx_no_header.xlsx')
    xw_missing_email('xw_missing_email.xlsx')
    if '--no-libreoffice' not in sys.argv:
        soffice(out('xw_apkt_same.xlsx'), 'xls', out('lo_apkt_same.xls'))
        soffice(out('xw_apkt_same.xlsx'), 'xlsx', out('lo_apkt_same.xlsx'))
        soffice(out('xw_apkt_same_1904.xlsx'), 'xls',
                out('lo_apkt_same_1904.xls'))
        soffice(out('xw_apkt_sheets.xlsx'), 'xls', out('lo_apkt_sheets.xls'))
        soffice(out('xw_no_header.xlsx'), 'xls', out('lo_no_header.xls'))


if __name__ == '__main__':
    main()
