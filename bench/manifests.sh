#!/usr/bin/env bash
# Benchmarks rollsafe against checkov on the real-world manifests of the shared corpus
# (../shared/corpus/k8s/real). Prints medians of several runs and the ratio; nothing is
# asserted. checkov goes into a virtual environment outside the repository.
#
# Then a 15 MB install-bundle repository (the corpus's real manifests, traffic objects
# included, concatenated into four multi-document files of about 3.75 MB, in a folder of
# its own under the bench directory): rollsafe alone, goal under 0.3 s.
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
print(f"mean user: checkov {r['checkov']['user']:.2f} s, rollsafe {r['rollsafe']['user']*1000:.0f} ms")
PY

bundle="$work/bundle"
if [ ! -f "$bundle/install-4.yaml" ]; then
    rm -rf "$bundle"
    mkdir -p "$bundle"
    python3 - "$real" "$(pwd)/../shared/corpus/traffic" "$bundle/install.yaml" <<'PY'
import os, sys
try:
    import yaml  # PyYAML, when present: leave out the corpus's deliberately broken files
    def parses(t):
        try:
            list(yaml.safe_load_all(t))
            return True
        except Exception:
            return False
except ImportError:
    def parses(t):
        return True
docs = []
for top in sys.argv[1:3]:
    for d, _, fs in sorted(os.walk(top)):
        for f in sorted(fs):
            if f.endswith((".yaml", ".yml")):
                t = open(os.path.join(d, f), encoding="utf-8", errors="replace").read()
                if "apiVersion" in t and "{{" not in t and "kind:" in t and parses(t):
                    docs.append(t.strip("\n"))
# Four files of about 3.75 MB (rendered install bundles; the default max-file-size is 8 MiB).
# Each further round of the corpus goes into a namespace of its own (with PyYAML), as the
# same applications installed side by side, so the bundle does not repeat one object.
def in_namespace(t, r):
    if r == 0 or "yaml" not in globals():
        return t
    out = []
    for d in yaml.safe_load_all(t):
        if isinstance(d, dict) and isinstance(d.get("metadata"), dict):
            d["metadata"]["namespace"] = f"bench-{r}"
        out.append(d)
    return yaml.safe_dump_all(out, sort_keys=False).strip("\n")
i = 0
for part in range(1, 5):
    out, size = [], 0
    while size < 15 * 1024 * 1024 // 4:
        t = in_namespace(docs[i % len(docs)], i // len(docs))
        out.append(t); size += len(t) + 5; i += 1
    open(sys.argv[3].replace(".yaml", f"-{part}.yaml"), "w").write("\n---\n".join(out) + "\n")
PY
fi
echo "bundle: $(du -sh "$bundle" | cut -f1) in $(ls "$bundle" | wc -l) files, $(cat "$bundle"/*.yaml | grep -c '^---') document separators"
hyperfine -N -w 1 -r "$runs" -i --export-json "$work/bundle.json" \
    -n "rollsafe bundle" "$rollsafe check --root $bundle --format json --fail-on never"
python3 - "$work/bundle.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f'bundle: median {r["median"]*1000:.0f} ms, min {r["min"]*1000:.0f} ms, user {r["user"]*1000:.0f} ms')
PY
