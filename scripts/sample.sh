#!/usr/bin/env bash
# The main job on the sample exports: install what is missing, build, and
# run import + audit + report on fixtures/sample/ into reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
rm -f reports/sample.db
./build-release/ticket-audit run --db reports/sample.db --out reports fixtures/sample/*.csv
