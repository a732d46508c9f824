#!/usr/bin/env bash
# Benchmarks rollsafe against squawk on the PostgreSQL part of the shared corpus, and
# rollsafe alone on a generated repository of 1,000 small files. Prints medians of
# several runs; nothing here is asserted. Peer tools go into a virtual environment
# outside the repository.
#
#   bash bench/run.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
work="${ROLLSAFE_BENCH_DIR:-${TMPDIR:-/tmp}/rollsafe-bench}"
corpus="$(pwd)/../shared/corpus/migrations"
mkdir -p "$work"

if ! command -v hyperfine >/dev/null; then
    apt-get update -q && apt-get install -y -q hyperfine
fi
if [ ! -x "$work/venv/bin/squawk" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q squawk-cli
fi
cargo build --release -q
rollsafe="$(pwd)/target/release/rollsafe"

# The PostgreSQL (and dialect-neutral) migrations, layout kept: every path without a
# `/mysql/` folder or `.mysql.` infix (489 files).
pg="$work/pgcorpus"
rm -rf "$pg" && mkdir -p "$pg"
(cd "$corpus" && find . -name '*.sql' ! -path '*/mysql/*' ! -name '*.mysql.*' -print0 |
    while IFS= read -r -d '' f; do mkdir -p "$pg/$(dirname "$f")" && cp "$f" "$pg/$f"; done
 find . \( -name metadata.toml -o -name migration_lock.toml \) ! -path '*/mysql/*' -print0 |
    while IFS= read -r -d '' f; do mkdir -p "$pg/$(dirname "$f")" && cp "$f" "$pg/$f"; done)
echo "PostgreSQL corpus: $(find "$pg" -name '*.sql' | wc -l) files"
"$work/venv/bin/squawk" --version

# 1,000 small files: manifests, migrations and env files of 50 services.
small="$work/small-repo"
rm -rf "$small" && mkdir -p "$small"
python3 - "$small" <<'PY'
import os, sys
root = sys.argv[1]
for s in range(50):
    svc = f"{root}/services/svc{s:02d}"
    os.makedirs(f"{svc}/deploy", exist_ok=True)
    os.makedirs(f"{svc}/db/migrations", exist_ok=True)
    for i in range(8):
        open(f"{svc}/deploy/obj{i}.yaml", "w").write(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc{s}-{i}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: svc{s}-{i}}}
  template:
    metadata:
      labels: {{app: svc{s}-{i}}}
    spec:
      containers:
        - name: app
          image: registry.example.com/svc{s}:{i}.0.0
          ports: [{{name: http, containerPort: 8080}}]
          readinessProbe: {{httpGet: {{path: /ready, port: http}}}}
""")
    for i in range(5):
        open(f"{svc}/db/migrations/{i+1:06d}_step{i}.up.sql", "w").write(
            f"SET lock_timeout = '5s';\nCREATE TABLE t{i} (id bigint PRIMARY KEY, name text);\nCREATE INDEX t{i}_name_idx ON t{i} (name);\n")
    for i in range(5):
        open(f"{svc}/db/migrations/{i+1:06d}_step{i}.down.sql", "w").write(f"DROP TABLE t{i};\n")
    open(f"{svc}/.env", "w").write("LOG_LEVEL=info\nPORT=8080\n")
    open(f"{svc}/rollsafe-notes.yaml", "w").write("owner: team\n")
open(f"{root}/rollsafe.toml", "w").write("")
PY
echo "small repository: $(find "$small" -type f | wc -l) files"

hyperfine -N -w 3 -r "$runs" --export-json "$work/results.json" \
    -n "squawk (json)" "$work/venv/bin/squawk --reporter json '$pg/**/*.sql'" \
    -n "rollsafe (json)" "$rollsafe check --root $pg --format json --fail-on never" \
    -n "rollsafe (1,000 small files)" "$rollsafe check --root $small --format json --fail-on never" \
    -i
python3 - "$work/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
by = {x["command"]: x for x in r}
print(f"{'command':<32} {'median ms':>10} {'user ms':>9} {'min ms':>8} {'max ms':>8}")
for x in r:
    print(f"{x['command']:<32} {x['median']*1000:>10.1f} {x['user']*1000:>9.1f} {x['min']*1000:>8.1f} {x['max']*1000:>8.1f}")
sq, rs = by["squawk (json)"], by["rollsafe (json)"]
print(f"squawk / rollsafe, medians: {sq['median'] / rs['median']:.2f}x")
PY
