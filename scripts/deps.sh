#!/usr/bin/env bash
# Installs the Debian packages ticket-audit needs to build, test and
# benchmark, skipping those already installed (so it is quick to re-run).
set -euo pipefail
pkgs=(pkg-config cmake make gcc libsqlite3-dev sqlite3 libpcre2-dev
      libxlsxwriter-dev libminizip-dev nettle-dev libcmocka-dev python3 python3-openpyxl time clang libclang-rt-14-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
