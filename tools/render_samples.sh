#!/bin/sh
# render_samples.sh BINARY [OUT_DIR] — the renders of docs/report.md: the
# sample exports (fixtures/sample/, October 2026) imported and audited,
# two earlier months made from October so that the history shows
# (August: half the violations made compliant; September: a third of them
# compliant, one compliant ticket in seven made a violation —
# illustration only), five QA decisions (three upheld, one violation
# overturned, one made stale by giving it another fingerprint),
# then `report --period 2026-10 --per-cso` in both languages and the
# pages of docs/ rendered by tools/render_workbooks.sh. Needs sqlite3,
# libreoffice-calc and poppler-utils. Run from the source root:
#
#   cmake -S . -B build && cmake --build build
#   sh tools/render_samples.sh build/ticket-audit docs
set -eu
bin=$1
out=${2:-docs}
work=$(mktemp -d "${TMPDIR:-/tmp}/render-samples-XXXXXX")
[ -n "${KEEP:-}" ] && echo "work: $work" >&2 || trap 'rm -rf "$work"' EXIT
db="$work/sample.db"
"$bin" run --quiet --db "$db" --out "$work/first" fixtures/sample/*.csv \
    >/dev/null 2>&1 || true
sqlite3 "$db" <<'SQL'
CREATE TEMP TABLE oct AS SELECT * FROM tickets WHERE period = '2026-10';
UPDATE oct SET audit_id = (SELECT max(id) FROM audits);
INSERT INTO tickets SELECT * FROM (
  SELECT source, ticket_id || '-08', import_id, line,
    '2026-08' || substr(date, 8), '2026-08', crm_ticket, type, name, email,
    hp, phone, cso, urgency, emotion, relation, idpel, notes, media,
    category,
    CASE WHEN status = 'violation' AND rowid % 2 = 0 THEN 'compliant'
         ELSE status END,
    CASE WHEN status = 'violation' AND rowid % 2 = 0 THEN '' ELSE codes END,
    email_state, hp_state, evidence, hp_norm, email_norm, audit_id,
    fingerprint FROM oct);
INSERT INTO tickets SELECT * FROM (
  SELECT source, ticket_id || '-09', import_id, line,
    '2026-09' || substr(date, 8), '2026-09', crm_ticket, type, name, email,
    hp, phone, cso, urgency, emotion, relation, idpel, notes, media,
    category,
    CASE WHEN status = 'violation' AND rowid % 3 = 0 THEN 'compliant'
         WHEN status = 'compliant' AND rowid % 7 = 0 THEN 'violation'
         ELSE status END,
    CASE WHEN status = 'violation' AND rowid % 3 = 0 THEN ''
         WHEN status = 'compliant' AND rowid % 7 = 0 THEN 'EMAIL_MISSING'
         ELSE codes END,
    email_state, hp_state, evidence, hp_norm, email_norm, audit_id,
    fingerprint FROM oct);
-- QA decisions on October's first findings and exemptions
INSERT INTO reviews(source, ticket_id, fingerprint, status, decision, note,
                    reviewer, file, sheet, row, decided_at, log_id)
SELECT source, ticket_id,
       CASE WHEN n = 3 THEN '000000000000' ELSE fingerprint END, status,
       CASE WHEN n = 2 THEN 'overturned' ELSE 'upheld' END,
       CASE n WHEN 1 THEN 'rekaman diperiksa'
              WHEN 2 THEN 'HP ada di catatan, salah kolom'
              WHEN 5 THEN 'pelanggan memang marah di rekaman' ELSE '' END,
       'Rina (QA)', 'qa/audit-2026-10.xlsx',
       CASE status WHEN 'exempt' THEN 'Pengecualian' ELSE 'Temuan' END,
       n + 1, '2026-11-0' || n || 'T09:3' || n || ':00+07:00', n
FROM (SELECT source, ticket_id, fingerprint, status,
             row_number() OVER (ORDER BY status DESC, rowid) AS n
      FROM tickets WHERE period = '2026-10' AND ticket_id IN (
        SELECT ticket_id FROM tickets WHERE period = '2026-10'
        AND status = 'violation' ORDER BY rowid LIMIT 3)
      OR ticket_id IN (SELECT ticket_id FROM tickets WHERE period = '2026-10'
        AND status = 'exempt' ORDER BY rowid LIMIT 2));
SQL
for lang in id en; do
    "$bin" report --quiet --db "$db" --out "$work/$lang" --period 2026-10 \
        --per-cso --lang "$lang" >/dev/null
done
# Page numbers as the sample prints: Ringkasan 1-2, Per CSO 3-4, Temuan
# from 5, three pages across (5: its left part, 7: the decision columns).
render() { # workbook, first page, last page, name in OUT_DIR
    rm -rf "$work/png"
    RES=${RES:-60} FIRST=$2 LAST=$3 sh tools/render_workbooks.sh \
        "$work/png" "$1" >/dev/null
    i=0
    for png in "$work"/png/*.png; do
        i=$((i + 1))
        if [ "$2" = "$3" ]; then
            cp "$png" "$out/$4.png"
        else
            cp "$png" "$out/$4-$i.png"
        fi
    done
}
cso=$(ls "$work/id/cso" | head -1)
[ -d "$work/id/cso/$cso" ] && cso="$cso/$(ls "$work/id/cso/$cso" | head -1)"
render "$work/id/audit-2026-10.xlsx" 1 1 report-ringkasan
render "$work/id/audit-2026-10.xlsx" 2 2 report-ringkasan-2
render "$work/id/audit-2026-10.xlsx" 3 3 report-per-cso
render "$work/id/audit-2026-10.xlsx" 5 5 report-temuan
render "$work/id/audit-2026-10.xlsx" 7 7 report-temuan-review
render "$work/en/audit-2026-10.xlsx" 1 1 report-summary-en
render "$work/id/cso/$cso" 1 1 report-cso-workbook
ls -l "$out"/report-*.png
