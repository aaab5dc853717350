# Shared by the benchmark scripts (sourced, from the repository root):
# builds the Release binary into $build (default build-bench) and defines
# measure, which runs a command RUNS times (default 3) after an untimed
# PREP and prints "LABEL median_seconds largest_peak_rss_kib" (single runs
# vary by ±20 % on the project's machine). The command's last stdout and
# stderr are left in $out/stdout.txt and $out/stderr.txt.
build=${build:-build-bench}
out=bench/out; mkdir -p "$out"
bash scripts/deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
RUNS=${RUNS:-3}
measure() { # LABEL PREP CMD...
  local label=$1 prep=$2; shift 2
  local times=() rss_max=0
  for _ in $(seq "$RUNS"); do
    sh -c "$prep"; sync
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >"$out/stdout.txt" \
      2>"$out/stderr.txt" || { cat "$out/stderr.txt"; exit 1; }
    read -r secs rss < "$out/time.txt"
    times+=("$secs"); [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label $med $rss_max"
}
