#!/usr/bin/env bash
# rollsafe's pre-commit hooks run by pre-commit itself (from PyPI, in a virtual
# environment outside the repository) on a scratch repository made from
# fixtures/monorepo/base: a staged bad migration fails with its finding, the fix passes,
# a ConfigMap renamed in the only staged file fails on the Deployment that still reads
# it, a deleted migration fails the hook instead of skipping it, and one call over two
# services judges each by its own configuration. The `-system` hooks are run, with the
# rollsafe this checkout builds on PATH: the `language: rust` ones would compile rollsafe
# for minutes, and run the same command.
#
# Usage: ci/test-precommit.sh   (run by .ci/run; needs python3 with venv, git, cargo)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cache=${ROLLSAFE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rollsafe-ci}
venv=$cache/pre-commit-venv
if [ ! -x "$venv/bin/pre-commit" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit>=4,<5'
fi
pre_commit=$venv/bin/pre-commit
echo "pre-commit $("$pre_commit" --version | cut -d' ' -f2)"

(cd "$src" && cargo build --quiet --bin rollsafe)
target=$(cd "$src" && cargo metadata --format-version 1 --no-deps |
    "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export PATH="$target/debug:$PATH"
echo "rollsafe: $(command -v rollsafe)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME=$work/pre-commit-home
repo=$work/repo

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The manifest is valid, and its `files` pattern takes every file kind rollsafe reads.
"$pre_commit" validate-manifest "$src/.pre-commit-hooks.yaml"
"$venv/bin/python" - "$src/.pre-commit-hooks.yaml" <<'EOF'
import re, sys, yaml
hooks = {h["id"]: h for h in yaml.safe_load(open(sys.argv[1]))}
pattern = re.compile(hooks["rollsafe"]["files"])
read = ["db/1.sql", "k8s/app.yaml", "k8s/app.YML", "api/openapi.json", "app.env", ".env",
        "config/.env.production", "sqitch.plan", "migrations/2019-01-01_x/metadata.toml",
        "prisma/migrations/migration_lock.toml", "svc/rollsafe.toml", "conf/flyway.conf",
        "flyway.toml", "go.mod", "Cargo.toml", "base/kustomization", "Dockerfile",
        "Dockerfile.prod", "web.dockerfile"]
skipped = ["README.md", "src/main.rs", "pyproject.toml", "envoy.txt", "x.environment"]
missed = [p for p in read if not pattern.search(p)]
extra = [p for p in skipped if pattern.search(p)]
assert not missed and not extra, f"files pattern misses {missed}, takes {extra}"
assert hooks["rollsafe-system"]["files"] == hooks["rollsafe"]["files"]
for id in ("rollsafe-staged", "rollsafe-staged-system"):
    h = hooks[id]
    assert h["always_run"] and not h["pass_filenames"], id
print("manifest: valid; files pattern covers", len(read), "file kinds")
EOF

git init -q "$repo"
cd "$repo"
git config user.email ci@example.com
git config user.name ci
git config commit.gpgsign false
cp -r "$src/fixtures/monorepo/base/." .
git add -A
git commit -qm "release 1"

# Runs one hook on what is staged; prints pre-commit's output; returns its status.
hook() {
    "$pre_commit" try-repo "$src" "$1" --color never >"$work/out" 2>&1 && status=0 || status=$?
    sed 's/^/    /' "$work/out"
    return $status
}
expect_fail() { # hook, what the output must contain, why
    echo "== $3"
    if hook "$1"; then fail "$3: the hook passed"; fi
    grep -qF -- "$2" "$work/out" || fail "$3: no \"$2\" in the output"
    ! grep -q "Skipped" "$work/out" || fail "$3: the hook was skipped"
}
expect_pass() { # hook, why
    echo "== $2"
    hook "$1" || fail "$2: the hook failed"
}

mig=services/shop/db/migrations
printf 'CREATE INDEX orders_created_at_idx ON orders (created_at);\n' >$mig/000002_created_at.up.sql
printf 'DROP INDEX orders_created_at_idx;\n' >$mig/000002_created_at.down.sql
git add $mig
# Neither an untracked file nor an unstaged edit is part of the commit.
printf 'ALTER TABLE invoices DROP COLUMN note;\n' >services/billing/migrations/0002_drop_note.sql
printf '\n-- unstaged\nDROP TABLE orders;\n' >>$mig/000001_init.up.sql
expect_fail rollsafe-staged-system \
    "services/shop/db/migrations/000002_created_at.up.sql:1:1: error[M201]" \
    "a staged migration that blocks writes fails with its finding"
grep -q "0002_drop_note\|M304" "$work/out" && fail "the untracked file or the unstaged edit was judged"

printf 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\n' >$mig/000002_created_at.up.sql
printf 'DROP INDEX CONCURRENTLY orders_created_at_idx;\n' >$mig/000002_created_at.down.sql
git add $mig/000002_created_at.up.sql $mig/000002_created_at.down.sql
expect_pass rollsafe-staged-system "the fixed migration passes"
git commit -qm "index" --no-verify
git checkout -q -- $mig/000001_init.up.sql
rm services/billing/migrations/0002_drop_note.sql

sed -i 's/name: shop-config$/name: shop-config-v2/' services/shop/deploy/config.yaml
git add services/shop/deploy/config.yaml
expect_fail rollsafe-staged-system \
    "services/shop/deploy/shop.yaml:16:36: error[S101] ConfigMap \`shop-config\`" \
    "a ConfigMap renamed in the only staged file fails on the unstaged Deployment"
git reset -q --hard

git rm -q services/billing/migrations/0001_init.sql
expect_fail rollsafe-staged-system \
    "services/billing/migrations/0001_init.sql:1:1: error[M304]" \
    "a deleted shipped migration is seen, not skipped"
git reset -q --hard

# The per-file hook over two services in one call: each judged by its own rollsafe.toml
# (billing keeps M209, which the top configuration ignores).
printf 'CREATE INDEX orders_id_created_idx ON orders (id, created_at);\n' >$mig/000003_id_created.up.sql
printf 'DROP INDEX orders_id_created_idx;\n' >$mig/000003_id_created.down.sql
printf 'ALTER TABLE invoices DROP COLUMN note;\n' >services/billing/migrations/0002_drop_note.sql
git add -A
expect_fail rollsafe-system "services/billing/migrations/0002_drop_note.sql:1:1: warning[M209]" \
    "the per-file hook judges two services in one call"
grep -qF "services/shop/db/migrations/000003_id_created.up.sql:1:1: error[M201]" "$work/out" ||
    fail "the per-file hook missed shop's finding"

echo "pre-commit hooks: all scenarios behave"
