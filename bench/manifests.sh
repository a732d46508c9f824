#!/usr/bin/env bash
# Benchmarks rollsafe against checkov on the real-world manifests of the shared corpus
# (../shared/corpus/k8s/real). Prints medians of several runs and the ratio; nothing is
# asserted. checkov goes into a virtual environment outside the repository.
#
# Then a 15 MB install bundle (the corpus's real manifests, traffic objects included,
# concatenated into one multi-document file until it reaches 15 MB, in a folder of its
# own under the bench directory): rollsafe alone, goal under 0.3 s.
#
#   bash bench/manifests.sh [RUNS] [ROLLSAFE_BINARY]
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
if [ -n "${2:-}" ]; then
    rollsafe=$(realpath "$2")
else
    cargo build --release -q
    rollsafe="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/rollsafe"
fi
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

bundle="$work/bundle"
if [ ! -f "$bundle/install.yaml" ]; then
    mkdir -p "$bundle"
    python3 - "$real" "$(pwd)/../shared/corpus/traffic" "$bundle/install.yaml" <<'PY'
import os, sys
docs = []
for top in sys.argv[1:3]:
    for d, _, fs in sorted(os.walk(top)):
        for f in sorted(fs):
            if f.endswith((".yaml", ".yml")):
                t = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
                if "apiVersion" in t and "{{" not in t and "kind:" in t:
                    docs.append(t.strip("\n"))
out, size, i = [], 0, 0
while size < 15 * 1024 * 1024:
    t = docs[i % len(docs)]
    out.append(t); size += len(t) + 5; i += 1
open(sys.argv[3], "w").write("\n---\n".join(out) + "\n")
PY
fi
echo "bundle: $(du -h "$bundle/install.yaml" | cut -f1), $(grep -c '^---' "$bundle/install.yaml") document separators"
hyperfine -N -w 1 -r "$runs" -i --export-json "$work/bundle.json" \
    -n "rollsafe bundle" "$rollsafe check --root $bundle --format json --fail-on never"
