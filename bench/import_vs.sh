#!/usr/bin/env bash
# Two builds of ticket-audit importing the same export, in turn (A B A B
# ...), so that both see the machine in the same state: the median wall
# and CPU time of each and the median of the pair-by-pair ratios A/B,
# which holds when the machine's speed drifts during the run. Each import
# starts from an empty database. Used for docs/benchmarks.md (nettle's
# SHA-256 against the hand-written one).
#
#   bash bench/import_vs.sh BIN_A BIN_B CSV [RUNS]
#
# Build the two with CMake Release, e.g. the commit before a change in a
# copy (git archive REV | tar -x -C DIR) and the change itself.
set -euo pipefail
a=${1:?usage: import_vs.sh BIN_A BIN_B CSV [RUNS]}
b=${2:?}
csv=${3:?}
runs=${4:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/ta-import-vs.XXXXXX")
trap 'rm -rf "$work"' EXIT

one() { # BIN -> "wall cpu peak_kib"
  rm -f "$work/x.db"
  /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$1" import --quiet \
    --db "$work/x.db" "$csv" >/dev/null
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/t"
}

one "$a" >/dev/null # warm-up: the file in the page cache for both
one "$b" >/dev/null
for _ in $(seq "$runs"); do
  echo "A $(one "$a")"
  echo "B $(one "$b")"
done >"$work/runs"

python3 - "$work/runs" "$a" "$b" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
A = [r for r in rows if r[0] == "A"]
B = [r for r in rows if r[0] == "B"]
med = statistics.median
for name, rs, path in (("A", A, sys.argv[2]), ("B", B, sys.argv[3])):
    print(f"{name} {path}: wall median {med(float(r[1]) for r in rs):.2f} s"
          f" (min {min(float(r[1]) for r in rs):.2f}), cpu median"
          f" {med(float(r[2]) for r in rs):.2f} s, peak RSS"
          f" {max(int(r[3]) for r in rs) // 1024} MiB")
wall = [float(a[1]) / float(b[1]) for a, b in zip(A, B)]
cpu = [float(a[2]) / float(b[2]) for a, b in zip(A, B)]
print(f"A/B pair by pair, median of {len(wall)}: wall {med(wall):.3f}"
      f" (min {min(wall):.3f}, max {max(wall):.3f}), cpu {med(cpu):.3f}")
EOF
