#!/usr/bin/env bash
# Benchmarks rollsafe against checkov on the real-world manifests of the shared corpus
# (../shared/corpus/k8s/real). Prints medians of several runs and the ratio; nothing is
# asserted. checkov goes into a virtual environment outside the repository.
#
#   bash bench/manifests.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work="${ROLLSAFE_BENCH_DIR:-${TMPDIR:-/tmp}/rollsafe-bench}"
real="$(pwd)/../shared/corpus/k8s/real"
mkdir -p "$work"

if ! command -v hyperfine >/dev/null; then
    apt-get update -q && apt-get install -y -q hyperfine
fi
if [ ! -x "$work/checkov-venv/bin/checkov" ]; then
    python3 -m venv "$work/checkov-venv"
    "$work/checkov-venv/bin/pip" install -q "checkov==3.3.30" || "$work/checkov-venv/bin/pip" install -q checkov
fi
cargo build --release -q
rollsafe="$(pwd)/target/release/rollsafe"
"$work/checkov-venv/bin/checkov" --version
echo "corpus: $(find "$real" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l) YAML/JSON files"

# checkov tries to reach its vendor API unless told not to.
export BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE
hyperfine -N -w 1 -r "$runs" -i --export-json "$work/manifests.json" \
    -n "checkov" "$work/checkov-venv/bin/checkov -d $real --framework kubernetes --quiet --compact --skip-download" \
    -n "rollsafe" "$rollsafe check --root $real --format json --fail-on never"
python3 - "$work/manifests.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
c, s = r["checkov"]["median"], r["rollsafe"]["median"]
print(f"median wall: checkov {c:.3f} s, rollsafe {s*1000:.1f} ms, ratio {c/s:.0f}x")
PY
