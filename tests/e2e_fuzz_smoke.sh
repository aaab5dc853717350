#!/usr/bin/env bash
# Keeps the libFuzzer targets of tests/fuzz/ building and running: every
# target for 3 seconds (tests/fuzz/run.sh), when clang is available, and
# checks that each tests/fuzz/fuzz_*.c (the workbook reader's too) ran.
# Usage: e2e_fuzz_smoke.sh BINARY SOURCE_DIR
set -u
bin=$1; src=$2
if ! command -v clang >/dev/null && ! command -v clang-14 >/dev/null; then
  echo "skip fuzz_smoke: clang not installed (needed for -fsanitize=fuzzer)"
  echo "0 passed, 0 failed"
  exit 0
fi
# Objects and corpus kept beside the build, so later runs only relink.
work=$(dirname "$bin")/fuzz-smoke
pass=0; fail=0
out=$(TA_FUZZ_WORK=$work bash "$src/tests/fuzz/run.sh" 3 2>&1); rc=$?
echo "$out" | grep -E '^fuzz_|ERROR|SUMMARY|error:' | head -40
if [ $rc = 0 ]; then echo "ok   fuzz_smoke"; pass=$((pass+1));
else echo "FAIL fuzz_smoke: run.sh exited $rc"; echo "$out" | tail -20; fail=$((fail+1)); fi
# Every target of tests/fuzz/ ran, the workbook reader's included.
for t in "$src"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  if echo "$out" | grep -q "^$name: ok"; then echo "ok   $name ran"; pass=$((pass+1));
  else echo "FAIL $name did not run"; fail=$((fail+1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
