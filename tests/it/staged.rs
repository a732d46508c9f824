//! `check --staged`, the pre-commit hook's mode: the commit being made (the git index)
//! against HEAD, over the whole project. The findings are those the commit introduces,
//! wherever they land; untracked files and unstaged edits are not part of the commit.

use crate::common;

use assert_cmd::Command;
use common::git;

const CONFIG_MAP: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cart-config\ndata:\n  MODE: fast\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers:
        - name: cart
          image: cart:1.2.3
          envFrom:
            - configMapRef: {name: cart-config}
";
const INIT_UP: &str = "CREATE TABLE t (id bigint PRIMARY KEY, a text);\n";
const DROP_A: &str = "SET lock_timeout = '5s';\nALTER TABLE t DROP COLUMN a;\n";

/// A repository with one commit: a ConfigMap, the Deployment reading it, a migration.
fn repo() -> tempfile::TempDir {
    let tmp = common::project(&[
        ("deploy/config.yaml", CONFIG_MAP),
        ("deploy/cart.yaml", DEPLOYMENT),
        ("db/migrations/000001_init.up.sql", INIT_UP),
        ("db/migrations/000001_init.down.sql", "DROP TABLE t;\n"),
    ]);
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-qm", "release 1"]);
    tmp
}

fn staged(dir: &std::path::Path) -> (i32, String) {
    let out = Command::cargo_bin("rollsafe")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--staged", "--format", "compact"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let codes = text
        .lines()
        .map(|l| {
            let (place, rest) = l.split_once(": ").unwrap();
            let code = &rest[rest.find('[').unwrap() + 1..rest.find(']').unwrap()];
            format!("{place} {code}\n")
        })
        .collect();
    (out.status.code().unwrap_or(-1), codes)
}

#[test]
fn a_rename_in_the_staged_file_is_reported_where_it_breaks_an_unchanged_file() {
    let r = repo();
    common::write(
        r.path(),
        &[(
            "deploy/config.yaml",
            &CONFIG_MAP.replace("cart-config", "cart-config-v2"),
        )],
    );
    git(r.path(), &["add", "deploy/config.yaml"]);
    assert_eq!(
        staged(r.path()),
        (1, "deploy/cart.yaml:16:36 S101\n".into())
    );
}

#[test]
fn a_deleted_shipped_migration_is_reported() {
    let r = repo();
    git(r.path(), &["rm", "-q", "db/migrations/000001_init.up.sql"]);
    git(
        r.path(),
        &["rm", "-q", "db/migrations/000001_init.down.sql"],
    );
    assert_eq!(
        staged(r.path()),
        (1, "db/migrations/000001_init.up.sql:1:1 M304\n".into())
    );
}

#[test]
fn only_what_is_staged_is_judged() {
    let r = repo();
    // Untracked: not part of the commit.
    common::write(r.path(), &[("db/migrations/000002_drop.up.sql", DROP_A)]);
    assert_eq!(staged(r.path()), (0, String::new()));
    // Staged: judged, and only what it adds (the shipped migration is not re-judged).
    git(r.path(), &["add", "db/migrations/000002_drop.up.sql"]);
    assert_eq!(
        staged(r.path()),
        (
            1,
            "db/migrations/000002_drop.up.sql:1:1 M301\ndb/migrations/000002_drop.up.sql:2:15 M101\n"
                .into()
        )
    );
    // An unstaged fix does not change the commit; the staged fix does.
    common::write(
        r.path(),
        &[("db/migrations/000002_drop.up.sql", "SELECT 1;\n")],
    );
    assert_eq!(staged(r.path()).0, 1);
    git(r.path(), &["add", "db/migrations/000002_drop.up.sql"]);
    assert_eq!(
        staged(r.path()),
        (0, "db/migrations/000002_drop.up.sql:1:1 M301\n".into()),
        "the missing down part is a warning: the hook passes"
    );
}

#[test]
fn before_the_first_commit_everything_staged_is_new() {
    let tmp = common::project(&[
        ("db/migrations/000001_init.up.sql", INIT_UP),
        ("db/migrations/000002_drop.up.sql", DROP_A),
    ]);
    git(tmp.path(), &["init", "-q"]);
    assert_eq!(staged(tmp.path()), (0, String::new()), "nothing staged yet");
    git(tmp.path(), &["add", "-A"]);
    let (code, found) = staged(tmp.path());
    assert_eq!(code, 1);
    assert!(found.contains("000002_drop.up.sql:2:15 M101"), "{found}");
}
