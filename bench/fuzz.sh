#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after another (one fuzzer
# process at a time), after seeding each corpus from ../shared/corpus and fixtures/.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]
#
# Corpora live outside the repository (FUZZ_CORPUS, default /work/fuzz-corpus/TARGET);
# crashes land in fuzz/artifacts/TARGET. Needs the nightly toolchain and cargo-fuzz.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(yaml sql env compose_vars openapi kustomize config render)
corpus=${FUZZ_CORPUS:-/work/fuzz-corpus}
target_dir=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-target}/fuzz}
logs=${FUZZ_LOGS:-$corpus/logs}
mkdir -p "$logs"

python3 fuzz/seed.py "$corpus" "${targets[@]}" || exit 2
(cd fuzz && cargo +nightly fuzz build -s none -a --target-dir "$target_dir") || exit 2

printf '%-14s %8s %12s %10s %8s\n' target seconds executions exec/s findings
for t in "${targets[@]}"; do
    log="$logs/$t.log"
    start=$(date +%s)
    (cd fuzz && cargo +nightly fuzz run -s none -a --target-dir "$target_dir" "$t" "$corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1) >"$log" 2>&1
    took=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    found=$(grep -c 'Test unit written to' "$log")
    printf '%-14s %8s %12s %10s %8s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" "$found"
done
# libFuzzer stops a target at its first finding: each is named here, to reproduce with
# `cargo +nightly fuzz run -s none -a TARGET ARTIFACT` and to turn into a test.
grep -ho 'Test unit written to .*' "$logs"/*.log 2>/dev/null | sed 's/^Test unit written to /finding: /'
