#!/usr/bin/env bash
# The man page documents every long option the program offers: each
# --option printed by `BINARY --help` must appear in man/ticket-audit.1
# (where '-' is written '\-' in roff), and every subcommand of the help
# must have its own entry. Also checks the page renders without warnings
# when groff is installed.
# Usage: e2e_manpage.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
page=$src/man/ticket-audit.1
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
ko() { echo "FAIL $1"; fail=$((fail+1)); }

[ -f "$page" ] && ok man_page_exists || { ko "man_page_exists: $page"; exit 1; }

help=$("$bin" --help) || { ko "help_runs"; exit 1; }
# The page with roff's escaped hyphens turned back into plain ones.
plain=$(sed -e 's/\\-/-/g' "$page")

opts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
[ -n "$opts" ] && ok help_lists_options || ko "help_lists_options: none found"
for o in $opts; do
  # as an entry (.B/.BI line) or at least mentioned, as a whole word
  if printf '%s\n' "$plain" | grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)"; then
    ok "option $o"
  else
    ko "option $o is in --help but not in man/ticket-audit.1"
  fi
done

cmds=$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/p' | awk 'NF {print $1}' | grep -v '^Commands:')
for c in $cmds; do
  if printf '%s\n' "$plain" | grep -qE "^\.(B|BI) \"?$c( |\"|$)"; then
    ok "command $c"
  else
    ko "command $c has no entry in man/ticket-audit.1"
  fi
done

for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES EXAMPLES; do
  grep -q "^\.SH \"\?$s\"\?$" "$page" && ok "section $s" || ko "section $s missing"
done
for st in 0 1 2 65 66 73 74; do
  printf '%s\n' "$plain" | grep -A1 '^\.TP' | grep -qx "\.B $st" && ok "exit status $st" || ko "exit status $st not documented"
done

if command -v groff >/dev/null 2>&1; then
  w=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$w" ] && ok renders_cleanly || ko "renders_cleanly: $w"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
