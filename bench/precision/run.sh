#!/usr/bin/env bash
# Runs rollsafe on every release pair of PAIRS.tsv, exported by export.sh, twice:
#   base   — rollsafe check --root HEAD --base BASE (what a release gate would report)
#   nobase — rollsafe check --root HEAD              (a first run on an existing project)
# and collects every error and warning into one TSV for judging:
#   ${PRECISION_OUT:-/work/precision-out}/findings.tsv
#   columns: repo base head mode code severity file:line message
# Raw JSON reports are kept next to it (json/) so a verdict can be checked later.
# Prints counts per repo, mode and code, and a total. Nothing is asserted.
#
#   bash bench/precision/run.sh        (from the repository root)
set -euo pipefail
rollsafe="$(realpath "${ROLLSAFE:-target/release/rollsafe}")"
data="${PRECISION_DATA:-/work/precision-data}"
out="${PRECISION_OUT:-/work/precision-out}"
# PRECISION_PAIRS=FILE runs a subset (same columns as PAIRS.tsv).
pairs="$(realpath "${PRECISION_PAIRS:-$(dirname "$0")/PAIRS.tsv}")"
[ -x "$rollsafe" ] || { echo "no rollsafe binary at $rollsafe (build it, or set ROLLSAFE)" >&2; exit 2; }
rm -rf "$out/json" && mkdir -p "$out/json"
deploy_config="$out/deploy-stop-then-migrate.toml"
printf '[migrations]\ndeploy = "stop-then-migrate"\n' >"$deploy_config"

failed=0
while IFS=$'\t' read -r repo base head _paths; do
    [ "$repo" = repo ] && continue # header
    [ -z "$repo" ] && continue
    d="$data/${repo/\//__}"
    if [ ! -d "$d/$base" ] || [ ! -d "$d/$head" ]; then
        echo "not exported: $repo $base $head (run export.sh)" >&2; failed=1; continue
    fi
    mkdir -p "$out/json/${repo/\//__}"
    for mode in base nobase; do
        args=(check --root "$d/$head" --format json --fail-on never --no-color)
        [ "$mode" = base ] && args+=(--base "$d/$base")
        # PRECISION_DEPLOY=1: projects whose upstream documents a stop-then-migrate
        # release (DEPLOY.tsv) run with that setting, as their users would write it.
        if [ "${PRECISION_DEPLOY:-0}" = 1 ] && grep -q "^$repo	stop-then-migrate	" "$(dirname "$0")/DEPLOY.tsv"; then
            args+=(--config "$deploy_config")
        fi
        report="$out/json/${repo/\//__}/$base..$head.$mode.json"
        # --fail-on never: any non-zero exit is then a usage error or a crash, which
        # is recorded and the run goes on with the other pairs.
        # Run from the release's folder: rollsafe names files from the repository's
        # top, which without git is the working directory when it holds the root.
        if ! (cd "$d/$head" && "$rollsafe" "${args[@]}") >"$report" 2>"$report.stderr"; then
            echo "rollsafe failed: $repo $base..$head $mode (see $report.stderr)" >&2
            failed=1
        fi
    done
done < "$pairs"

# JSON -> TSV in python3: messages may hold tabs or newlines, which are flattened.
python3 - "$pairs" "$out" <<'PY'
import collections, csv, json, os, sys
pairs, out = sys.argv[1], sys.argv[2]
rows, counts = [], collections.Counter()
with open(pairs) as f:
    for r in csv.DictReader(f, delimiter="\t"):
        for mode in ("base", "nobase"):
            p = f"{out}/json/{r['repo'].replace('/', '__')}/{r['base']}..{r['head']}.{mode}.json"
            try:
                report = json.load(open(p))
            except (OSError, ValueError):
                continue  # reported as a failure by the shell loop
            for d in report["diagnostics"]:
                if d["severity"] not in ("error", "warning"):
                    continue
                msg = " ".join(d["message"].split())
                rows.append([r["repo"], r["base"], r["head"], mode, d["code"],
                             d["severity"], f"{d['path']}:{d['line']}", msg])
                counts[(r["repo"], mode, d["code"], d["severity"])] += 1
with open(f"{out}/findings.tsv", "w") as f:
    f.write("repo\tbase\thead\tmode\tcode\tseverity\tfile:line\tmessage\n")
    for row in rows:
        f.write("\t".join(row) + "\n")
with open(f"{out}/counts.tsv", "w") as f:
    f.write("repo\tmode\tcode\tseverity\tcount\n")
    for k, n in sorted(counts.items()):
        f.write("\t".join(k) + f"\t{n}\n")
print(f"{'repo':36} {'mode':6} {'code':5} {'severity':8} count")
for (repo, mode, code, sev), n in sorted(counts.items()):
    print(f"{repo:36} {mode:6} {code:5} {sev:8} {n}")
by_mode = collections.Counter()
for (_, mode, _, _), n in counts.items():
    by_mode[mode] += n
print(f"total: {len(rows)} findings (base {by_mode['base']}, nobase {by_mode['nobase']})")
print(f"written: {out}/findings.tsv")
PY
exit "$failed"
