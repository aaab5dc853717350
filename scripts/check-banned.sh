#!/usr/bin/env bash
# Fails when a banned C function is called anywhere in the C sources
# (src/, include/, tests/, bench/, tools/*.c): the string functions that
# overflow or truncate silently, the conversions that hide errors, the
# calls that are not thread-safe (STYLE §9, curl's checksrc list where it
# fits a program like this one). Comments and string literals are not
# read, so a comment may name a banned function to say why it is not
# used. Use instead:
#   strcpy strcat strncat strncpy sprintf vsprintf -> snprintf, memcpy
#       with an explicit length, or buf.h
#   strtok strtok_r                                 -> memchr/strcspn
#   atoi atol atoll atof                            -> strtol/strtoll/strtod
#       with the end pointer and errno checked
#   gets                                            -> fgets
#   gmtime localtime asctime ctime                  -> gmtime_r, strftime
#   tmpnam tempnam mktemp                           -> mkstemp
#
#   bash scripts/check-banned.sh [DIR]   (DIR: the source root, default ..)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
banned='strcpy|strcat|strncat|strncpy|sprintf|vsprintf|strtok|strtok_r'
banned+='|atoi|atol|atoll|atof|gets|gmtime|localtime|asctime|ctime'
banned+='|tmpnam|tempnam|mktemp'
dirs=()
for d in src include tests bench; do [ -d "$d" ] && dirs+=("$d"); done
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(
  if [ ${#dirs[@]} -gt 0 ]; then find "${dirs[@]}" -name '*.[ch]' -print0; fi
  if [ -d tools ]; then find tools -maxdepth 1 -name '*.c' -print0; fi)
[ ${#files[@]} -gt 0 ] || { echo "check-banned: no C files under $root" >&2; exit 2; }
# perl blanks comments, string and character literals (keeping line
# breaks, so line numbers stay true), then reports each call.
perl -0777 -ne '
  my $src = $_;
  $src =~ s{/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'"'"'(?:\\.|[^'"'"'\\\n])*'"'"'}
           { (my $k = $&) =~ s/[^\n]/ /g; $k }gse;
  my $line = 1;
  for my $l (split /\n/, $src, -1) {
    while ($l =~ /(?<![\w.>])('"$banned"')\s*\(/g) {
      print "$ARGV:$line: $1() is banned (see scripts/check-banned.sh)\n";
      $::found = 1;
    }
    $line++;
  }
  END { exit($::found ? 1 : 0) }
' "${files[@]}"
