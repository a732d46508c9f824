#!/usr/bin/env bash
# Keystroke latency and memory of `rollsafe server` on the shared corpus opened as one
# workspace (../shared/corpus, about 3,500 files). Prints medians; nothing is asserted.
#
#   bash bench/server.sh [KEYSTROKES] [WORKSPACE]
set -euo pipefail
cd "$(dirname "$0")/.."
keystrokes="${1:-60}"
workspace="${2:-$(pwd)/../shared/corpus}"
cargo build --release -q
bin="${CARGO_TARGET_DIR:-$(pwd)/target}/release/rollsafe"
for debounce in 0 10; do
    python3 bench/server.py "$bin" "$workspace" --keystrokes "$keystrokes" --debounce-ms "$debounce"
    echo
done
