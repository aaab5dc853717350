#!/usr/bin/env bash
# End-to-end tests of the QA review round trip (SPEC §5 "Review"): decisions
# typed into real workbooks and CSV files, read back with `ticket-audit
# review`, every figure checked in the database (tests/e2e_review.py).
# Usage: e2e_review.sh BINARY SOURCE_DIR
set -u
exec /usr/bin/python3 "$2/tests/e2e_review.py" "$1" "$2"
