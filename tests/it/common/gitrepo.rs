//! Git repositories built in a temporary folder for the tests of `--base` and the CI
//! scripts: `main` ships the demo's base release, the `feature` branch adds the demo's
//! migration 000003, and `main` then moves on with a migration the branch never had
//! (000004_audit).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs git in `dir` with a fixed identity; panics with git's message on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Whether `tool --version` runs; prints why a test is skipped when it does not (and
/// fails instead under CI, where .ci/run installs it).
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        super::skip_or_fail(&format!("{tool} is not installed"));
    }
    ok
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub const AUDIT_UP: &str =
    "SET lock_timeout = '5s';\nCREATE TABLE audit (id bigint PRIMARY KEY, note text);\n";
pub const AUDIT_DOWN: &str = "DROP TABLE audit;\n";

/// The upstream repository at `<tmp>/upstream`, with `feature` checked out. Returns its
/// path and the commits of `main` when `feature` left it and now.
pub struct Upstream {
    pub dir: PathBuf,
    pub fork_point: String,
    pub main_tip: String,
    pub feature_tip: String,
}

/// Clones `up`'s `feature` branch into `tmp/name`, as a CI checkout does: whole, or
/// `depth` commits deep (a shallow clone).
pub fn clone_feature(tmp: &Path, up: &Upstream, name: &str, depth: Option<&str>) -> PathBuf {
    let url = format!("file://{}", up.dir.display());
    let mut args = vec!["clone", "-q", "--branch", "feature"];
    if let Some(d) = depth {
        args.extend(["--depth", d]);
    }
    args.extend([url.as_str(), name]);
    git(tmp, &args);
    tmp.join(name)
}

pub fn upstream(tmp: &Path) -> Upstream {
    let demo = super::repo().join("fixtures/demo");
    let dir = tmp.join("upstream");
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    copy_tree(&demo.join("base"), &dir);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "release 1"]);
    let fork_point = git(&dir, &["rev-parse", "HEAD"]);
    git(&dir, &["checkout", "-qb", "feature"]);
    copy_tree(&demo.join("head"), &dir);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "order status"]);
    let feature_tip = git(&dir, &["rev-parse", "HEAD"]);
    git(&dir, &["checkout", "-q", "main"]);
    super::write(
        &dir,
        &[
            ("db/migrations/000004_audit.up.sql", AUDIT_UP),
            ("db/migrations/000004_audit.down.sql", AUDIT_DOWN),
        ],
    );
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "audit"]);
    let main_tip = git(&dir, &["rev-parse", "HEAD"]);
    git(&dir, &["checkout", "-q", "feature"]);
    Upstream {
        dir,
        fork_point,
        main_tip,
        feature_tip,
    }
}
