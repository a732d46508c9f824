#!/usr/bin/env bash
# Benchmarks `rollsafe diff` against optic on the real OpenAPI pairs of the shared corpus
# (../shared/corpus/openapi/real: Twilio 1.6→1.7 MB, Stripe 3.9→4.1 MB). Prints medians
# and ratios; nothing is asserted. optic goes into an npm prefix outside the repository.
#
#   bash bench/api.sh [RUNS]          (ROLLSAFE_BENCH_OPTIC_STRIPE=1 also runs optic on
#                                      Stripe, which did not finish in 400 s here)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work="${ROLLSAFE_BENCH_DIR:-${TMPDIR:-/tmp}/rollsafe-bench}"
real="$(pwd)/../shared/corpus/openapi/real"
mkdir -p "$work/optic"

if ! command -v hyperfine >/dev/null; then
    apt-get update -q && apt-get install -y -q hyperfine
fi
if ! command -v npm >/dev/null; then
    apt-get update -q && apt-get install -y -q nodejs npm
fi
if [ ! -x "$work/optic/node_modules/.bin/optic" ]; then
    # Two ajv copies make optic crash at startup (spectral's ajv-errors); one version
    # for the whole tree fixes it.
    cat > "$work/optic/package.json" <<'JSON'
{ "name": "rollsafe-bench-optic", "private": true,
  "dependencies": { "@useoptic/optic": "1.0.9" },
  "overrides": { "ajv": "8.17.1" } }
JSON
    (cd "$work/optic" && npm install --no-audit --no-fund --loglevel=error)
fi
optic="$work/optic/node_modules/.bin/optic"
cargo build --release -q
rollsafe="$(pwd)/target/release/rollsafe"
export OPTIC_TELEMETRY_LEVEL=off CI=true
cd "$work/optic"   # optic writes ci-run-details.json into the working directory

twilio_old="$real/twilio-api-v2010-2025-01-13.yaml"
twilio_new="$real/twilio-api-v2010-2025-07-24.yaml"
stripe_old="$real/stripe-spec3-2023-03-03.yaml"
stripe_new="$real/stripe-spec3-2023-09-06.yaml"

hyperfine -N -w 1 -r "$runs" -i --export-json "$work/api-twilio.json" \
    -n "optic" "$optic diff $twilio_old $twilio_new --check" \
    -n "rollsafe" "$rollsafe diff $twilio_old $twilio_new --format json --fail-on never"
if [ "${ROLLSAFE_BENCH_OPTIC_STRIPE:-0}" = 1 ]; then
    hyperfine -N -r 1 -i --export-json "$work/api-stripe-optic.json" \
        -n "optic" "timeout 400 $optic diff $stripe_old $stripe_new --check"
fi
hyperfine -N -w 1 -r "$runs" -i --export-json "$work/api-stripe.json" \
    -n "rollsafe" "$rollsafe diff $stripe_old $stripe_new --format json --fail-on never"

echo "findings: twilio $("$rollsafe" diff "$twilio_old" "$twilio_new" --format compact --fail-on never | grep -c '' ) lines, stripe $("$rollsafe" diff "$stripe_old" "$stripe_new" --format compact --fail-on never | grep -c '') lines"
python3 - "$work/api-twilio.json" "$work/api-stripe.json" <<'PY'
import json, sys
t = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s = {x["command"]: x for x in json.load(open(sys.argv[2]))["results"]}
o, r = t["optic"]["median"], t["rollsafe"]["median"]
print(f"twilio median wall: optic {o:.2f} s, rollsafe {r*1000:.0f} ms, ratio {o/r:.0f}x")
print(f"stripe median wall: rollsafe {s['rollsafe']['median']*1000:.0f} ms (optic: see ROLLSAFE_BENCH_OPTIC_STRIPE)")
PY
