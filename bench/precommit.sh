#!/usr/bin/env bash
# What a pre-commit hook costs in a large repository: `../shared/corpus` (3,500 files,
# 37 MB) committed as one git repository outside this one, then one-file runs (a Prisma
# migration, a Kubernetes manifest), the whole-project run, and `--staged` with one
# staged migration (the rollsafe-staged hook). Prints hyperfine medians; nothing is
# asserted.
#
#   bash bench/precommit.sh [RUNS] [ROLLSAFE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
work="${ROLLSAFE_BENCH_DIR:-${TMPDIR:-/tmp}/rollsafe-bench}"
corpus="$(pwd)/../shared/corpus"
[ -d "$corpus" ] || { echo "skipping: $corpus is absent"; exit 0; }

if ! command -v hyperfine >/dev/null; then
    apt-get update -q && apt-get install -y -q hyperfine
fi
if [ -n "${2:-}" ]; then
    rollsafe=$(realpath "$2")
else
    cargo build --release -q
    rollsafe="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/rollsafe"
fi

big="$work/bigrepo"
if [ ! -d "$big/.git" ]; then
    rm -rf "$big" && mkdir -p "$big"
    cp -r "$corpus/." "$big/"
    git -C "$big" init -q
    git -C "$big" add -A
    git -C "$big" -c user.email=b@example.com -c user.name=bench commit -qm corpus
fi
cd "$big"
echo "bigrepo: $(git ls-files | wc -l) files, $(du -sh --exclude=.git . | cut -f1)"
mig=migrations/umami-software__umami/prisma/migrations/11_add_segment/migration.sql
manifest=k8s/real/GoogleCloudPlatform__microservices-demo/kubernetes-manifests/cartservice.yaml
# The staged change: one new migration in the same folder.
new=migrations/umami-software__umami/prisma/migrations/99_bench/migration.sql
mkdir -p "$(dirname "$new")"
printf 'CREATE INDEX "idx_bench" ON "website" ("created_at");\n' >"$new"
git add "$new"
trap 'git -C "$big" rm -q --cached "$new"; rm -rf "$big/$(dirname "$new")"' EXIT

hyperfine -N -i -w 2 -r "$runs" --export-markdown "$work/precommit.md" --export-json "$work/precommit.json" \
    -n "one migration" "$rollsafe check --format compact $mig" \
    -n "one manifest" "$rollsafe check --format compact $manifest" \
    -n "whole project" "$rollsafe check --format compact" \
    -n "staged: one staged migration" "$rollsafe check --staged --format compact"
cat "$work/precommit.md"
python3 - "$work/precommit.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]}: median {r["median"]*1000:.0f} ms, min {r["min"]*1000:.0f} ms, user {r["user"]*1000:.0f} ms')
PY
