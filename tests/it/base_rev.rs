//! `--base REV` compares with where the branch left REV (the merge base), `--base-exact
//! REV` with REV itself, and a shallow clone that lacks either gets an error naming the
//! fetch that helps. Built on real git repositories in a temporary folder.

use crate::common;

use assert_cmd::Command;
use common::gitrepo::{self, git, have};

fn rollsafe(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("rollsafe")
        .unwrap()
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const AUDIT_M304: &str = "db/migrations/000004_audit.up.sql:1:1: error[M304]";

#[test]
fn base_is_the_merge_base_and_base_exact_the_tip() {
    if !have("git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let (code, out, err) = rollsafe(&up.dir, &["check", "--base", "main", "--format", "compact"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !out.contains("M304"),
        "main's new migration is not this branch's: {out}"
    );
    assert!(
        out.contains("000003_order_status.up.sql:12:23: error[M101]"),
        "{out}"
    );
    let (_, human, _) = rollsafe(&up.dir, &["check", "--base", "main"]);
    assert!(
        human.contains(&format!(
            "note: main has moved on since this branch left it: compared with their merge base {}",
            &up.fork_point[..12]
        )),
        "{human}"
    );
    let (code, exact, err) = rollsafe(
        &up.dir,
        &["check", "--base-exact", "main", "--format", "compact"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(exact.contains(AUDIT_M304), "{exact}");
    // The same comparison, spelt with the merge base's commit.
    let (_, by_commit, _) = rollsafe(
        &up.dir,
        &["check", "--base", &up.fork_point, "--format", "compact"],
    );
    assert_eq!(by_commit, out);
    let (code, _, err) = rollsafe(
        &up.dir,
        &["check", "--base", "main", "--base-exact", "main"],
    );
    assert_eq!(code, 2, "{err}");
    // `git diff` users' spelling of the same.
    let (_, dots, _) = rollsafe(
        &up.dir,
        &["check", "--base", "main...HEAD", "--format", "compact"],
    );
    assert_eq!(dots, out);
    let (code, _, err) = rollsafe(&up.dir, &["check", "--base", "main...feature"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("the right side of `...` can only be HEAD"),
        "{err}"
    );
    // `--show-settings` says which commit was taken and why.
    let (code, settings, err) = rollsafe(&up.dir, &["check", "--base", "main", "--show-settings"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        settings.contains(&format!("base-resolved = \"{}\"", up.fork_point))
            && settings.contains(&format!(
                "# merge base of main (now {}) and HEAD",
                &up.main_tip[..12]
            )),
        "{settings}"
    );
}

#[test]
fn shallow_clones_get_the_fetch_that_helps() {
    if !have("git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let clone = gitrepo::clone_feature(tmp.path(), &up, "clone", Some("1"));
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );

    // The base revision is not in the clone.
    let (code, _, err) = rollsafe(&clone, &["check", "--base", "origin/main"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("this clone is shallow")
            && err.contains("`git fetch --depth=1 origin main:refs/remotes/origin/main`")
            && err.contains("never fetches"),
        "{err}"
    );
    let (code, _, err) = rollsafe(&clone, &["check", "--base", "HEAD~1"]);
    assert_eq!(code, 2);
    assert!(err.contains("`git fetch --deepen=1`"), "{err}");
    let (code, _, err) = rollsafe(&clone, &["check", "--base", &up.main_tip[..10]]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "`git fetch --depth=1 origin {}`",
            &up.main_tip[..10]
        )),
        "{err}"
    );

    // The fetch named brings the tip, but not the merge base.
    git(
        &clone,
        &[
            "fetch",
            "-q",
            "--depth=1",
            "origin",
            "main:refs/remotes/origin/main",
        ],
    );
    let (code, _, err) = rollsafe(&clone, &["check", "--base", "origin/main"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("does not hold the merge base of origin/main and HEAD")
            && err.contains("`fetch-depth: 0`")
            && err.contains("`--base-exact origin/main`"),
        "{err}"
    );
    let (code, out, err) = rollsafe(
        &clone,
        &[
            "check",
            "--base-exact",
            "origin/main",
            "--format",
            "compact",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains(AUDIT_M304), "{out}");

    // With the history, the merge base is found.
    git(&clone, &["fetch", "-q", "--unshallow", "origin"]);
    let (code, out, err) = rollsafe(
        &clone,
        &["check", "--base", "origin/main", "--format", "compact"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains("M304"), "{out}");
    assert_eq!(out.lines().count(), 6, "{out}");
}

#[test]
fn a_directory_base_is_taken_as_is() {
    let demo = common::repo().join("fixtures/demo");
    let head = demo.join("head");
    let (code, out, err) = rollsafe(
        &head,
        &["check", "--base-exact", "../base", "--format", "compact"],
    );
    assert_eq!(code, 1, "{err}");
    let (_, same, _) = rollsafe(
        &head,
        &["check", "--base", "../base", "--format", "compact"],
    );
    assert_eq!(out, same);
    assert_eq!(out.lines().count(), 6, "{out}");
}

#[test]
fn a_branch_only_the_remote_has_is_named() {
    if !have("git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let clone = gitrepo::clone_feature(tmp.path(), &up, "clone", None);
    // A CI checkout has origin/main but no local main.
    let (code, _, err) = rollsafe(&clone, &["check", "--base", "main"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "(there is no branch main here, but origin/main exists: pass `--base origin/main`)"
        ),
        "{err}"
    );
    // A complete clone is told to fetch without --depth, which would make it shallow.
    let (code, _, err) = rollsafe(&clone, &["check", "--base", "origin/release"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("(if it lives on a remote, fetch it first: `git fetch origin release:refs/remotes/origin/release`)"),
        "{err}"
    );
}

/// Without a base, a clone with tags judges the migrations added since the previous
/// release's tag (pre-release tags passed over; a tag on HEAD is the release checked);
/// the same history without its tags judges only the newest migration.
#[test]
fn without_a_base_the_previous_tag_is_the_release_before() {
    if !have("git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    std::fs::create_dir_all(dir.join("db/migrations")).unwrap();
    git(&dir, &["init", "-q"]);
    let commit = |files: &[(&str, &str)], tag: &str| {
        for (name, sql) in files {
            std::fs::write(dir.join("db/migrations").join(name), sql).unwrap();
        }
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-qm", tag]);
        git(&dir, &["tag", tag]);
    };
    let drop = |column: &str| format!("ALTER TABLE users DROP COLUMN {column};\n");
    commit(
        &[
            (
                "000001_init.up.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY, a text, b text, c text, d text);\n",
            ),
            ("000002_drop_a.up.sql", &drop("a")),
        ],
        "v1.0.0",
    );
    commit(&[("000003_drop_b.up.sql", &drop("b"))], "v1.1.0-rc.1");
    commit(&[("000004_drop_c.up.sql", &drop("c"))], "v1.1.0");
    let (_, out, err) = rollsafe(&dir, &["check", "--format", "compact"]);
    let judged: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("[M101]"))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        judged,
        [
            "db/migrations/000003_drop_b.up.sql",
            "db/migrations/000004_drop_c.up.sql"
        ],
        "{out}{err}"
    );
    let (_, human, _) = rollsafe(&dir, &["check"]);
    assert!(
        human.contains("only the migrations added since tag `v1.0.0` (the previous release) were judged: 2 of 4"),
        "{human}"
    );
    // The same history without tags: only the newest migration.
    for tag in ["v1.0.0", "v1.1.0-rc.1", "v1.1.0"] {
        git(&dir, &["tag", "-d", tag]);
    }
    let (_, out, err) = rollsafe(&dir, &["check", "--format", "compact"]);
    let judged: Vec<&str> = out.lines().filter(|l| l.contains("[M101]")).collect();
    assert_eq!(judged.len(), 1, "{out}{err}");
    assert!(
        judged[0].starts_with("db/migrations/000004_drop_c.up.sql"),
        "{out}"
    );
}

/// A tag that lacks more than 50 of the migrations is not the previous release (a
/// project that stopped tagging long ago): a first run judges each folder's newest and
/// says why the tag was not used.
#[test]
fn a_tag_far_behind_is_not_the_previous_release() {
    if !have("git") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    let migrations = dir.join("db/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(
        migrations.join("000001_init.up.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, note text);\n",
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "v0.1.0"]);
    git(&dir, &["tag", "v0.1.0"]);
    for n in 2..=53 {
        let sql = format!("ALTER TABLE users ADD COLUMN c{n} text;\n");
        std::fs::write(migrations.join(format!("{n:06}_c{n}.up.sql")), sql).unwrap();
    }
    std::fs::write(
        migrations.join("000054_drop_note.up.sql"),
        "ALTER TABLE users DROP COLUMN note;\n",
    )
    .unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "years of work"]);
    let (_, human, err) = rollsafe(&dir, &["check"]);
    assert!(
        human.contains("the newest tag before HEAD, `v0.1.0`, lacks 53 of the migrations"),
        "{human}{err}"
    );
    assert!(
        human.contains("only the newest migration of each folder was judged"),
        "{human}"
    );
}
