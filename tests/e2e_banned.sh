#!/usr/bin/env bash
# scripts/check-banned.sh: the tree is clean, and the check does fail on a
# banned call (not on one named in a comment or a string, nor on a member
# of the same name).
#   bash tests/e2e_banned.sh BINARY SOURCE_DIR   (BINARY unused)
set -euo pipefail
src=${2:?usage: e2e_banned.sh BINARY SOURCE_DIR}
bash "$src/scripts/check-banned.sh" "$src"
work=$(mktemp -d "${TMPDIR:-/tmp}/ta-banned.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/tools"
cat >"$work/src/ok.c" <<'C'
/* strcpy() is not used here; sprintf( neither */
static const char *s = "atoi(x)";
int ok(struct t *p) { return p->gets() + snprintf(0, 0, "%s", s); }
C
bash "$src/scripts/check-banned.sh" "$work" || { echo "false alarm"; exit 1; }
cat >"$work/tools/bad.c" <<'C'
int bad(const char *s) { return atoi(s); }
C
if out=$(bash "$src/scripts/check-banned.sh" "$work" 2>&1); then
  echo "a call to atoi was not found"; exit 1
fi
case $out in
  *"tools/bad.c:1: atoi() is banned"*) ;;
  *) echo "unexpected report: $out"; exit 1 ;;
esac
echo "ok"
