#!/usr/bin/env bash
# Builds every libFuzzer target with clang (ASan + UBSan) and runs each for
# SECONDS, starting from the seed corpus and the kept regression inputs.
# Exits non-zero on any finding (crash, leak, timeout, sanitizer report);
# the reproducer is left in WORK/findings/<target>/.
#
# Usage: tests/fuzz/run.sh SECONDS [TARGET...]
#   TA_FUZZ_WORK  build and corpus folder (default: build-fuzz in the
#                 source root); the growing corpus is kept there between
#                 runs, the seeds in tests/fuzz/seeds are never written.
#   TA_FUZZ_JOBS  targets run at the same time (default 1)
#   CC            clang to use (default: clang, else clang-14)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv date validators rules mask)
work=${TA_FUZZ_WORK:-$root/build-fuzz}
jobs=${TA_FUZZ_JOBS:-1}
cc=${CC:-}
if [ -z "$cc" ]; then
  if command -v clang >/dev/null; then cc=clang
  elif command -v clang-14 >/dev/null; then cc=clang-14
  else echo "run.sh: clang not found" >&2; exit 2; fi
fi
mkdir -p "$work/obj" "$work/bin"

# The default rules as C, as the CMake build makes them.
cmake -DIN="$root/rules/default.rules" -DOUT="$work/default_rules.c" \
  -DNAME=ta_default_rules -P "$root/cmake/embed.cmake"

flags=(-g -O1 -std=c11 -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=all -fno-omit-frame-pointer
       -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
       -I"$root/include" $(pkg-config --cflags sqlite3 libpcre2-8 xlsxwriter nettle minizip))
libs=($(pkg-config --libs sqlite3 libpcre2-8 xlsxwriter nettle minizip) -lpthread -lm)

# Compile the library once (only what changed), then link each target:
# every .c under src/ (the stage folders included) but main.c. An object is
# named after its path (src/report/cells.c -> report_cells.o); it is
# rebuilt when its source or any header (public or private) is newer.
objs=()
while IFS= read -r f; do
  case $f in
    "$root"/src/*) rel=${f#"$root"/src/} ;;
    *) rel=$(basename "$f") ;; # the generated default rules
  esac
  [ "$rel" = main.c ] && continue
  o="$work/obj/$(echo "${rel%.c}" | tr / _).o"
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find "$root/include" "$root/src" -newer "$o" -name '*.h' | head -1)" ]; then
    "$cc" "${flags[@]}" -c "$f" -o "$o"
  fi
  objs+=("$o")
done < <(find "$root/src" -name '*.c' | sort; echo "$work/default_rules.c")
for t in "${targets[@]}"; do
  "$cc" "${flags[@]}" -fsanitize=fuzzer "$here/fuzz_$t.c" "${objs[@]}" \
    "${libs[@]}" -o "$work/bin/fuzz_$t"
done

run_one() {
  local t=$1 corpus="$work/corpus/$1" find="$work/findings/$1"
  mkdir -p "$corpus" "$find"
  local seeds=()
  [ -d "$here/seeds/$t" ] && seeds+=("$here/seeds/$t")
  [ -d "$here/regressions/$t" ] && seeds+=("$here/regressions/$t")
  local dict=()
  [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
  local log="$work/fuzz_$t.log"
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     UBSAN_OPTIONS=print_stacktrace=1 \
     "$work/bin/fuzz_$t" "$corpus" "${seeds[@]}" "${dict[@]}" \
       -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
       -timeout=10 -artifact_prefix="$find/" -print_final_stats=1 \
       >"$log" 2>&1; then
    local execs
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz_$t: ok, ${secs}s, ${execs:-?} executions"
  else
    echo "fuzz_$t: FINDING (see $log and $find/)"
    grep -m3 -E 'ERROR|runtime error|SUMMARY' "$log" || true
    return 1
  fi
}

status=0
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
