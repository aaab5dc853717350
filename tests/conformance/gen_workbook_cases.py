#!/usr/bin/env python3
"""Generates xlsx_cases.inc (C) from xlsx/expected.json, so that
tests/test_workbook.c needs neither Python nor a JSON reader at test time.

Run from anywhere:  python3 tests/conformance/gen_workbook_cases.py

expected.json gives each cell's text *before* SPEC's cleaning ("text is
before the trimming SPEC applies afterwards"); here every text gets that
cleaning (control characters but TAB, CR, LF become a space, then spaces,
tabs, CR and LF are trimmed). Where an expected value conflicts with SPEC
§3's cell-text rules, SPEC wins and the case says why (see DEVIATIONS and
spec_number below; docs/workbooks.md lists them too).
"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_cases  # noqa: E402  (its c_str)
DATA = os.path.join(HERE, 'xlsx')

# (file, sheet, cell) -> (text SPEC gives, why expected.json differs)
DEVIATIONS = {
    ('poi_bug60858.xlsx', 'Arbeitszeitcheck_2.3', 'O2'): (
        '00:00:00',
        'serial 0.0 under the time-only format h:mm (built-in 20): SPEC '
        '"a time-only format gives HH:MM:SS alone"; expected.json (written '
        'before that clause) shows the day, 1900-01-00'),
}


def spec_clean(t):
    out = []
    for ch in t:
        o = ord(ch)
        if (o < 0x20 and ch not in '\t\r\n') or 0x7F <= o <= 0x9F:
            out.append(' ')
        else:
            out.append(ch)
    return ''.join(out).strip(' \t\r\n')


def spec_number(v):
    """SPEC's form of a number: integers below 2^53 in full, else the
    shortest round-trip digits (Python's repr), without exponent when
    1e-4 <= |x| < 1e15, else d[.ddd]E+n / E-n."""
    x = float(v)
    if x == 0:
        return '0'
    if abs(x) < 2 ** 53 and x == math.floor(x):
        return str(int(x))
    r = repr(abs(x))
    if 'e' in r:
        mant, e = r.split('e')
        e = int(e)
    else:
        mant, e = r, 0
    digits = mant.replace('.', '')
    point = mant.index('.') if '.' in mant else len(mant)
    lead = len(digits) - len(digits.lstrip('0'))
    digits = digits.lstrip('0')
    e = e + point - 1 - lead
    digits = digits.rstrip('0') or '0'
    sign = '-' if x < 0 else ''
    if 1e-4 <= abs(x) < 1e15:
        if e >= 0:
            ip = digits[:e + 1].ljust(e + 1, '0')
            fp = digits[e + 1:]
            return sign + ip + ('.' + fp if fp else '')
        return sign + '0.' + '0' * (-e - 1) + digits
    m = digits[0] + ('.' + digits[1:] if len(digits) > 1 else '')
    return '%s%sE%s%d' % (sign, m, '-' if e < 0 else '+', abs(e))


def c_str(s):
    """A C literal of s's UTF-8 (gen_cases.py's escaping), cut into pieces
    of at most 1,000 bytes at character boundaries: C99 guarantees 4,095
    characters per literal."""
    b = s.encode('utf-8')
    parts, i = [], 0
    while True:
        j = min(i + 1000, len(b))
        while j < len(b) and (b[j] & 0xC0) == 0x80:
            j -= 1
        parts.append(gen_cases.c_str(b[i:j]))
        if j >= len(b):
            return ' '.join(parts)
        i = j


def col_index(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord('A') + 1
    return n - 1


def cell_text(c):
    """What the reader must return for an expected cell, and a note when
    SPEC changes it."""
    text = c.get('text', '')
    note = None
    is_plain_number = (c.get('t') in (None, 'n') and 'date' not in c and
                       not c.get('empty') and 'v' in c)
    if is_plain_number:
        want = spec_number(c['v'])
        if want != text:
            note = ('number form: SPEC writes an exponent from 1e15 and '
                    'below 1e-4 (%s), expected.json has %s' % (want, text))
            text = want
    return spec_clean(text), note


def main():
    with open(os.path.join(DATA, 'expected.json'), encoding='utf-8') as f:
        exp = json.load(f)['files']
    files, sheets, regions, cells = [], [], [], []
    for fi, (name, e) in enumerate(sorted(exp.items())):
        files.append('    {%s, %d},' % (c_str(name), 1 if e['date1904'] else 0))
        for s in e['sheets']:
            hidden = s['state'] in ('hidden', 'veryHidden')
            kind = {'worksheet': 'WB_SHEET_WORKSHEET',
                    'chartsheet': 'WB_SHEET_CHART'}.get(s['type'],
                                                        'WB_SHEET_OTHER')
            sheets.append('    {%d, %s, %d, %s},' % (fi, c_str(s['name']),
                                                      hidden, kind))
        checked = [(e['first_sheet'], e['first_sheet_cells'])]
        for sn, sc in (e.get('other_sheets') or {}).items():
            checked.append((sn, sc))
        for sn, sc in checked:
            kinds = [s['type'] for s in e['sheets'] if s['name'] == sn]
            if kinds and kinds[0] != 'worksheet':
                continue
            rows = [c['row'] for c in sc['cells']]
            last = max(rows) if rows else 0
            # the rows the expectation covers: up to its last listed row
            regions.append('    {%d, %s, %d},' % (fi, c_str(sn), last))
            for c in sc['cells']:
                ref = '%s%d' % (c['col'], c['row'])
                text, note = cell_text(c)
                dev = DEVIATIONS.get((name, sn, ref))
                if dev:
                    text, note = dev
                cells.append('    {%d, %s, %d, %d, %s, %s},' % (
                    fi, c_str(sn), c['row'], col_index(c['col']),
                    c_str(text), c_str(note) if note else 'NULL'))
    lines = ['/* Generated by tests/conformance/gen_workbook_cases.py from',
             ' * tests/conformance/xlsx/expected.json: do not edit. */', '',
             'static const struct wbx_file wbx_files[] = {'] + files + [
             '};', '',
             'static const struct wbx_sheet wbx_sheets[] = {'] + sheets + [
             '};', '',
             'static const struct wbx_region wbx_regions[] = {'] + regions + [
             '};', '',
             'static const struct wbx_cell wbx_cells[] = {'] + cells + [
             '};', '']
    with open(os.path.join(HERE, 'xlsx_cases.inc'), 'w',
              encoding='utf-8') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    main()
