#!/usr/bin/env bash
# The Python wheel, as `pip install rollsafe` will get it: maturin (from PyPI, in a
# virtual environment outside the repository) builds it from pyproject.toml; a fresh
# virtual environment installs it; the installed `rollsafe` prints its version and checks
# the demo fixture. Then the pre-commit mirror (ci/pre-commit-mirror, `language: python`)
# is installed by pre-commit from that wheel, offline, and its hook fails a staged bad
# migration.
#
# Usage: ci/test-wheel.sh   (run by .ci/run; needs python3 with venv, git, cargo)
#   ROLLSAFE_WHEEL_RELEASE=1  build with the release profile (as the release workflow
#                             does; minutes) instead of the dev profile cargo test built
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROLLSAFE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rollsafe-ci}
tools=$cache/maturin-venv
if [ ! -x "$tools/bin/maturin" ]; then
    python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.9,<2'
fi
echo "maturin $("$tools/bin/maturin" --version | cut -d' ' -f2)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/Cargo.toml" | head -n 1)

profile=()
[ "${ROLLSAFE_WHEEL_RELEASE:-}" = 1 ] && profile=(--release)
start=$(date +%s)
(cd "$src" && "$tools/bin/maturin" build "${profile[@]}" --out "$work/dist")
echo "wheel built in $(($(date +%s) - start)) s"
wheel=$(ls "$work"/dist/rollsafe-"$version"-py3-none-*.whl) ||
    fail "no py3-none wheel of version $version in $(ls "$work/dist")"
echo "wheel: $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"
"$tools/bin/python" - "$wheel" "$version" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
script = f"rollsafe-{sys.argv[2]}.data/scripts/rollsafe"
assert script in names or script + ".exe" in names, names
assert not [n for n in names if n.endswith(".py")], "the wheel holds only the binary"
EOF

python3 -m venv "$work/venv"
start=$(date +%s)
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
echo "installed into a fresh virtual environment in $(($(date +%s) - start)) s"
got=$("$work/venv/bin/rollsafe" --version)
[ "$got" = "rollsafe $version" ] || fail "--version printed \"$got\""
cd "$src"
status=0
"$work/venv/bin/rollsafe" check fixtures/demo/head --base fixtures/demo/base --format compact \
    >"$work/out" || status=$?
[ "$status" = 1 ] || fail "check exited $status"
[ "$(wc -l <"$work/out")" = 6 ] || fail "check found $(wc -l <"$work/out") findings, not 6"
grep -q "^fixtures/demo/head/db/migrations/000003_order_status.up.sql:10:20: error\[M106\]" \
    "$work/out" || fail "check output: $(cat "$work/out")"
echo "installed rollsafe: --version and check behave"

# The mirror stays in step with the rollsafe release and with this repository's hooks.
python3 - "$src" "$version" <<'EOF'
import json, re, sys
src, version = sys.argv[1], sys.argv[2]
mirror = open(f"{src}/ci/pre-commit-mirror/pyproject.toml").read()
assert f'version = "{version}"' in mirror, "ci/pre-commit-mirror/pyproject.toml: version"
assert f'"rollsafe=={version}"' in mirror, "ci/pre-commit-mirror/pyproject.toml: the pin"
def hooks(path):
    # The keys each hook sets, read line by line: both files are flat lists of hooks.
    out, cur = {}, None
    for line in open(path):
        m = re.match(r"^- id: (\S+)", line)
        if m:
            cur = out.setdefault(m.group(1), {})
            continue
        m = re.match(r"^  (\w+): (.*)$", line)
        if m and cur is not None:
            cur[m.group(1)] = m.group(2).replace("&files ", "")
    return out
here, there = hooks(f"{src}/.pre-commit-hooks.yaml"), hooks(f"{src}/ci/pre-commit-mirror/.pre-commit-hooks.yaml")
for id, h in there.items():
    assert h.pop("language") == "python", id
    mine = dict(here[id]); mine.pop("language")
    assert h == mine, (id, h, mine)
print("mirror: in step with Cargo.toml and .pre-commit-hooks.yaml")
EOF

# pre-commit installs the mirror's hook environment from the wheel alone (no index):
# what users get from PyPI, in seconds.
pc_venv=$cache/pre-commit-venv
if [ ! -x "$pc_venv/bin/pre-commit" ]; then
    python3 -m venv "$pc_venv"
    "$pc_venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit>=4,<5'
fi
"$tools/bin/pip" download --quiet --disable-pip-version-check --dest "$work/dist" 'setuptools>=61'
mkdir "$work/mirror" "$work/repo"
cp -r "$src/ci/pre-commit-mirror/." "$work/mirror/"
for d in "$work/mirror" "$work/repo"; do
    git -C "$d" init -q
    git -C "$d" config user.email ci@example.com
    git -C "$d" config user.name ci
    git -C "$d" config commit.gpgsign false
done
git -C "$work/mirror" add -A
git -C "$work/mirror" commit -qm mirror
cd "$work/repo"
mkdir -p db/migrations
printf 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\n' >db/migrations/000001_init.up.sql
printf 'DROP TABLE t;\n' >db/migrations/000001_init.down.sql
git add -A
git commit -qm "release 1"
printf 'SET lock_timeout = '\''5s'\'';\nALTER TABLE t DROP COLUMN a;\n' >db/migrations/000002_drop.up.sql
git add -A
start=$(date +%s)
status=0
PRE_COMMIT_HOME=$work/pre-commit-home PIP_NO_INDEX=1 PIP_FIND_LINKS=$work/dist \
    "$pc_venv/bin/pre-commit" try-repo "$work/mirror" rollsafe-staged --color never \
    >"$work/out" 2>&1 || status=$?
sed 's/^/    /' "$work/out"
[ "$status" = 1 ] || fail "the mirror's hook exited $status"
grep -q "000002_drop.up.sql:2:15: error\[M101\]" "$work/out" || fail "no M101 from the mirror's hook"
echo "mirror hook (language: python): environment installed and run in $(($(date +%s) - start)) s"
echo "wheel: all checks pass"
