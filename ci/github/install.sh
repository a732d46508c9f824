#!/usr/bin/env bash
# The install step of the rollsafe GitHub Action (action.yml).
#
# INPUT_VERSION:
#   latest (default)  the newest `rollsafe` wheel from PyPI (a prebuilt binary, seconds)
#   X.Y.Z             that version's wheel
#   installed         the `rollsafe` already on PATH (installed by an earlier step)
#   source            build the action's own source with cargo (cached by the next steps)
# A wheel that cannot be installed (no release yet, or none for this platform) falls
# back to building the source. Outputs ($GITHUB_OUTPUT): build=true when the source
# must be built, and cache-key, a hash of that source, for actions/cache.
set -euo pipefail

version=${INPUT_VERSION:-latest}
action_dir=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}
tools=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/rollsafe

output() {
    if [[ -n ${GITHUB_OUTPUT:-} ]]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

add_path() {
    if [[ -n ${GITHUB_PATH:-} ]]; then
        echo "$1" >>"$GITHUB_PATH"
    fi
}

case $version in
installed)
    command -v rollsafe >/dev/null || {
        echo "::error title=rollsafe::version: installed, but no rollsafe on PATH"
        exit 1
    }
    rollsafe --version
    output build false
    exit 0
    ;;
latest) spec=rollsafe ;;
source) spec= ;;
*) spec="rollsafe==$version" ;;
esac

if [[ -n $spec ]] && python3 -m venv "$tools/venv" &&
    "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: "$spec"; then
    add_path "$tools/venv/bin"
    "$tools/venv/bin/rollsafe" --version
    output build false
    exit 0
fi
if [[ -n $spec ]]; then
    echo "::notice title=rollsafe::no wheel for $spec on this runner: building the action's source with cargo (cached)"
fi

# The key changes with the source that is built, whatever the ref is called.
key=$(cd "$action_dir" && find Cargo.toml Cargo.lock build.rs src lints -type f -print0 2>/dev/null |
    sort -z | xargs -0 sha256sum | sha256sum | cut -c1-32)
output build true
output cache-key "rollsafe-${RUNNER_OS:-local}-${RUNNER_ARCH:-local}-$key"
output build-root "$tools/build"
add_path "$tools/build/bin"
