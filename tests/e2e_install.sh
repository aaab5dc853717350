#!/usr/bin/env bash
# The install step README.md gives (issue 15 item 14): `cmake --install
# BUILD --prefix PREFIX` puts the program in PREFIX/bin, the man page in
# PREFIX/share/man/man1 and the default rules in PREFIX/share/ticket-audit,
# and the installed program runs (with those rules given back to it).
# Usage: e2e_install.sh BINARY SOURCE_DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); src=$(cd "$2" && pwd)
build=$(dirname "$bin")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }

prefix=$tmp/prefix
if cmake --install "$build" --prefix "$prefix" >"$tmp/log" 2>&1; then ok install_runs
else bad "install_runs: $(tail -3 "$tmp/log")"; exit 1; fi
for f in bin/ticket-audit share/man/man1/ticket-audit.1 share/ticket-audit/default.rules; do
  [ -f "$prefix/$f" ] && ok "installed $f" || bad "installed $f: missing ($(cd "$prefix" && find . -type f | tr '\n' ' '))"
done
[ -x "$prefix/bin/ticket-audit" ] && ok installed_binary_executable || bad installed_binary_executable
"$prefix/bin/ticket-audit" --version | grep -q "^ticket-audit [0-9]" && ok installed_binary_runs || bad installed_binary_runs
"$prefix/bin/ticket-audit" check --rules "$prefix/share/ticket-audit/default.rules" \
  "$src/fixtures/import/crm_basic.csv" >"$tmp/out" 2>&1 \
  && grep -q "^compliance: " "$tmp/out" && ok installed_rules_usable || bad "installed_rules_usable: $(head -3 "$tmp/out")"
if command -v man >/dev/null 2>&1; then
  MANPATH=$prefix/share/man man -w ticket-audit 2>/dev/null | grep -q "$prefix/share/man/man1/ticket-audit.1" \
    && ok man_finds_page || bad man_finds_page
fi
# the README says so, with the same paths
grep -q "cmake --install build-release --prefix" "$src/README.md" && ok readme_install_step || bad readme_install_step
grep -q "build-release/ticket-audit" "$src/README.md" && ok readme_says_where_binary_is || bad readme_says_where_binary_is
# ... and names only documents a clone has (no ../ path out of the tree)
missing=""
for f in $(grep -oE '`(\.\./)?[A-Za-z0-9_./-]+\.md`' "$src/README.md" | tr -d '`' | sort -u); do
  [ -f "$src/$f" ] || missing="$missing $f"
done
grep -q '\.\./' "$src/README.md" && missing="$missing (a ../ path)"
[ -z "$missing" ] && ok readme_links_exist || bad "readme_links_exist:$missing"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
