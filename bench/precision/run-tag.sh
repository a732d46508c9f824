#!/usr/bin/env bash
# A first run without --base in a git checkout: for each release pair of PAIRS.tsv (as
# exported by export.sh), builds a throwaway history — the base release committed and
# tagged, the head release committed on top — and runs `rollsafe check --root HEAD`
# without a base, so rollsafe takes the previous release from the tag as it does in a
# real clone. Findings go to ${PRECISION_OUT:-/work/precision-out}/findings-tag.tsv with
# mode `tag` (same columns as run.sh's), ready for score.py.
#
#   PRECISION_PAIRS=FILE bash bench/precision/run-tag.sh
set -euo pipefail
rollsafe="$(realpath "${ROLLSAFE:-target/release/rollsafe}")"
data="${PRECISION_DATA:-/work/precision-data}"
out="${PRECISION_OUT:-/work/precision-out}"
pairs="$(realpath "${PRECISION_PAIRS:-$(dirname "$0")/PAIRS.tsv}")"
[ -x "$rollsafe" ] || { echo "no rollsafe binary at $rollsafe" >&2; exit 2; }
mkdir -p "$out/json-tag"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export GIT_AUTHOR_NAME=precision GIT_AUTHOR_EMAIL=precision@localhost
export GIT_COMMITTER_NAME=precision GIT_COMMITTER_EMAIL=precision@localhost
while IFS=$'\t' read -r repo base head _paths; do
    [ "$repo" = repo ] && continue
    [ -z "$repo" ] && continue
    d="$data/${repo/\//__}"
    [ -d "$d/$base" ] && [ -d "$d/$head" ] || { echo "not exported: $repo $base $head" >&2; continue; }
    g="$scratch/git"
    rm -rf "$g" && git init -q --bare "$g"
    git --git-dir="$g" --work-tree="$d/$base" add -A
    git --git-dir="$g" --work-tree="$d/$base" commit -q -m "$base" --allow-empty
    git --git-dir="$g" tag "$base"
    # The head release replaces the base's files in the index, deletions included.
    git --git-dir="$g" --work-tree="$d/$head" add -A
    git --git-dir="$g" --work-tree="$d/$head" commit -q -m "$head" --allow-empty
    mkdir -p "$out/json-tag/${repo/\//__}"
    report="$out/json-tag/${repo/\//__}/$base..$head.tag.json"
    (cd "$d/$head" && GIT_DIR="$g" GIT_WORK_TREE="$d/$head" "$rollsafe" check --root . \
        --format json --fail-on never --no-color) >"$report" 2>"$report.stderr" ||
        echo "rollsafe failed: $repo $base..$head (see $report.stderr)" >&2
done <"$pairs"

python3 - "$pairs" "$out" <<'PY'
import csv, json, sys
pairs, out = sys.argv[1], sys.argv[2]
rows = []
for r in csv.DictReader(open(pairs), delimiter="\t"):
    p = f"{out}/json-tag/{r['repo'].replace('/', '__')}/{r['base']}..{r['head']}.tag.json"
    try:
        report = json.load(open(p))
    except (OSError, ValueError):
        continue
    for d in report["diagnostics"]:
        if d["severity"] in ("error", "warning"):
            msg = " ".join(d["message"].split())
            rows.append([r["repo"], r["base"], r["head"], "tag", d["code"], d["severity"],
                         f"{d['path']}:{d['line']}", msg])
with open(f"{out}/findings-tag.tsv", "w") as f:
    f.write("repo\tbase\thead\tmode\tcode\tseverity\tfile:line\tmessage\n")
    for row in rows:
        f.write("\t".join(row) + "\n")
print(f"{len(rows)} findings written to {out}/findings-tag.tsv")
PY
