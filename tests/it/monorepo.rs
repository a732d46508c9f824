//! Monorepos from the command line: several projects, each with its own `rollsafe.toml`,
//! checked in one call; every format names files so that the consumer finds them — the
//! machine formats from the repository's top, the text formats from the working
//! directory.

use crate::common;

use assert_cmd::Command;

fn rollsafe(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("rollsafe").unwrap();
    c.env_remove("NO_COLOR").current_dir(dir);
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const BILLING_DROP: &str = "services/billing/migrations/0002_drop_note.sql";
const SHOP_INDEX: &str = "services/shop/db/migrations/000002_created_at.up.sql";

/// Where the release's findings are, from the repository's top: billing's own
/// configuration keeps M209 (1:1), which the top one ignores; shop's Deployment lost
/// its ConfigMap to billing's project.
const FOUND: [&str; 4] = [
    "services/billing/migrations/0002_drop_note.sql:1:1",
    "services/billing/migrations/0002_drop_note.sql:1:22",
    "services/shop/db/migrations/000002_created_at.up.sql:1:1",
    "services/shop/deploy/shop.yaml:16:36",
];

/// `path:line:column` of each compact line.
fn places(out: &str) -> Vec<&str> {
    out.lines().map(|l| l.split(": ").next().unwrap()).collect()
}

#[test]
fn files_of_two_projects_in_one_call_are_each_judged_by_their_own_configuration() {
    // What pre-commit does when a commit touches two services.
    let repo = common::git_release_pair("monorepo");
    let (code, out, err) = run(rollsafe(repo.path())
        .args(["check", "--base", "HEAD~1", "--format", "compact"])
        .args([BILLING_DROP, SHOP_INDEX]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(places(&out), FOUND[..3], "{out}");
    assert!(out.lines().next().unwrap().contains("[M209]"), "{out}");
}

#[test]
fn machine_formats_name_files_from_the_repository_top_even_from_a_subfolder() {
    let repo = common::git_release_pair("monorepo");
    let sub = repo.path().join("services/billing");
    let (code, out, err) = run(rollsafe(&sub).args([
        "check", "--base", "HEAD~1", "--format", "json", "--output", "r.json", "--format", "sarif",
        "--output", "r.sarif", "--format", "gitlab", "--output", "r.gitlab", "--format", "rdjson",
        "--output", "r.rdjson", "--format", "github",
    ]));
    assert_eq!(code, 1, "{err}");
    // From services/billing the nearest configuration is billing's: its project only.
    assert!(
        out.starts_with(&format!("::error file={BILLING_DROP},line=1,col=22")),
        "{out}"
    );
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(sub.join(f)).unwrap()).unwrap()
    };
    assert_eq!(read("r.json")["diagnostics"][0]["path"], BILLING_DROP);
    assert_eq!(read("r.gitlab")[0]["location"]["path"], BILLING_DROP);
    assert_eq!(
        read("r.rdjson")["diagnostics"][0]["location"]["path"],
        BILLING_DROP
    );
    let sarif = read("r.sarif");
    let run0 = &sarif["runs"][0];
    assert_eq!(
        run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        BILLING_DROP
    );
    // %SRCROOT% is the repository's top, where the URIs resolve.
    let root = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let top = repo.path().canonicalize().unwrap();
    assert!(
        root.trim_end_matches('/')
            .ends_with(&*top.to_string_lossy()),
        "{root}"
    );
}

#[test]
fn text_formats_name_files_from_the_working_directory() {
    let repo = common::git_release_pair("monorepo");
    let sub = repo.path().join("services/shop/db");
    let (_, out, err) = run(rollsafe(&sub)
        .args(["check", "--base", "HEAD~1", "--format", "compact"])
        .arg("migrations/000002_created_at.up.sql"));
    assert_eq!(
        places(&out),
        ["migrations/000002_created_at.up.sql:1:1"],
        "{err}"
    );
    let (_, out, _) = run(rollsafe(&sub)
        .args(["check", "--base", "HEAD~1", "--no-color"])
        .arg("migrations"));
    assert!(
        out.contains("[migrations/000002_created_at.up.sql:1:1]"),
        "{out}"
    );
    // A file outside the working directory is named absolutely, so it still opens.
    let (_, out, _) = run(rollsafe(&sub)
        .args(["check", "--base", "HEAD~1", "--format", "compact"])
        .arg("../../billing/migrations"));
    let billing = repo.path().canonicalize().unwrap().join(BILLING_DROP);
    assert!(
        out.starts_with(&format!("{}:1:1: warning[M209]", billing.display())),
        "{out}"
    );
}

#[test]
fn a_nested_project_is_not_read_by_its_parent() {
    // From the top without PATHS: the top project and billing. shop's ConfigMap, moved
    // into billing's folder, is not shop's to see.
    let repo = common::git_release_pair("monorepo");
    let (_, out, _) = run(rollsafe(repo.path()).args([
        "check", "--base", "HEAD~1", "--format", "compact", "--select", "S101",
    ]));
    assert!(
        out.starts_with(
            "services/shop/deploy/shop.yaml:16:36: error[S101] ConfigMap `shop-config`"
        ),
        "{out}"
    );
    // --config names one configuration for everything: one project, as before.
    let (_, out, _) = run(rollsafe(repo.path()).args([
        "check",
        "--base",
        "HEAD~1",
        "--format",
        "compact",
        "--select",
        "S101,M209",
        "--config",
        "rollsafe.toml",
    ]));
    assert_eq!(
        out, "",
        "one project: the ConfigMap is found and M209 ignored"
    );
}

#[test]
fn a_baseline_written_from_the_top_covers_every_project() {
    let repo = common::git_release_pair("monorepo");
    let (code, _, err) = run(rollsafe(repo.path()).args([
        "check",
        "--base",
        "HEAD~1",
        "--write-baseline",
        "baseline.json",
    ]));
    // Writing a baseline accepts the findings it records: that run succeeds.
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(rollsafe(repo.path()).args([
        "check",
        "--base",
        "HEAD~1",
        "--baseline",
        "baseline.json",
        "--format",
        "compact",
    ]));
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn a_directory_base_gives_each_nested_project_the_same_folder_of_the_previous_release() {
    let fixture = common::repo().join("fixtures/monorepo");
    let (code, out, err) = run(rollsafe(&fixture.join("head"))
        .args(["check", "--format", "compact", "--base"])
        .arg(fixture.join("base")));
    assert_eq!(code, 1, "{err}");
    assert_eq!(places(&out), FOUND, "{out}");
}
