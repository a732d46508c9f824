//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod gitrepo;
pub mod rng;

use std::path::{Path, PathBuf};

use rollsafe::check::{Options, Outcome, check};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the tests run under CI (`CI=true`, as `.ci/run`, GitHub and GitLab set it).
/// There a missing input (`../shared`, a tool, a database) fails the test instead of
/// skipping it, so that a green run has checked what it claims.
pub fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Skips a test whose input is missing: prints why and returns, unless under CI
/// ([`under_ci`]), where it panics with the same reason.
pub fn skip_or_fail(reason: &str) {
    assert!(
        !under_ci(),
        "{reason}, and CI=true: the test would check nothing"
    );
    eprintln!("skipping: {reason}");
}

/// A path under `../shared` (the corpus, the schemas), or `None` with the reason printed
/// when it is absent, so tests skip instead of failing on a machine without it. Under CI
/// an absent path fails the test ([`skip_or_fail`]): it must not pass without checking.
/// Every test that reads `../shared` goes through here.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        skip_or_fail(&format!("{} is absent", p.display()));
        None
    }
}

/// Checks `fixtures/<dir>/head` against `fixtures/<dir>/base` (when present).
pub fn check_fixture(dir: &str) -> Outcome {
    let root = repo().join("fixtures").join(dir);
    let head = root.join("head");
    let base = root.join("base");
    check(&Options {
        root: Some(head),
        base: base.is_dir().then(|| format!("fixtures/{dir}/base")),
        cwd: Some(repo()),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{dir}: {}", e.0))
}

/// Writes `files` (path, text) under a new temporary folder.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), files);
    tmp
}

pub fn write(dir: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Every migration is judged (`--all`): these projects have no base, and without `--all`
/// only the newest migration of each folder would be.
pub fn check_dir(dir: &Path) -> Outcome {
    check(&Options {
        root: Some(dir.to_path_buf()),
        cwd: Some(dir.to_path_buf()),
        all: true,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{}", e.0))
}

/// `path:line:col code` for each finding: compact and easy to assert on.
pub fn summary(o: &Outcome) -> Vec<String> {
    o.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d.location.path, d.location.line, d.location.column, d.code
            )
        })
        .collect()
}

/// Every finding points inside its file: line and column from 1, the end not before the
/// start, and — where the file's text is known — a byte range inside it, on char
/// boundaries, at the line and column it claims. Returns the first broken promise.
pub fn location_problem(o: &Outcome) -> Option<String> {
    use std::collections::BTreeMap;
    let sources: BTreeMap<&str, &rollsafe::source::SourceFile> = o
        .diagnostics
        .iter()
        .filter_map(|d| d.source.as_deref())
        .map(|s| (s.path.as_str(), s))
        .collect();
    for d in &o.diagnostics {
        for loc in std::iter::once(&d.location).chain(&d.related) {
            if loc.in_base {
                continue;
            }
            let at = format!("{} at {}:{}:{}", d.code, loc.path, loc.line, loc.column);
            if loc.line == 0 || loc.column == 0 {
                return Some(format!("{at}: not 1-based"));
            }
            if (loc.end_line, loc.end_column) < (loc.line, loc.column) {
                return Some(format!("{at}: ends before it starts"));
            }
            let Some(src) = sources.get(loc.path.as_str()) else {
                continue;
            };
            let (start, end) = (loc.offset, loc.offset + loc.len);
            if end > src.text.len()
                || !src.text.is_char_boundary(start)
                || !src.text.is_char_boundary(end)
            {
                return Some(format!(
                    "{at}: bytes {start}..{end} not inside the text ({} bytes)",
                    src.text.len()
                ));
            }
            let p = src.pos(start);
            if (p.line, p.column) != (loc.line, loc.column) {
                return Some(format!("{at}: byte {start} is at {}:{}", p.line, p.column));
            }
            if loc.end_line > src.line_count() {
                return Some(format!("{at}: ends past the last line"));
            }
        }
    }
    None
}

pub use gitrepo::git;

/// A git repository in a new temporary folder whose two commits are
/// `fixtures/<dir>/base` and then `fixtures/<dir>/head`: the scenario as a team's
/// history, with the repository's top where the fixture's root is.
pub fn git_release_pair(dir: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = repo().join("fixtures").join(dir);
    git(tmp.path(), &["init", "-q"]);
    for (side, message) in [("base", "previous release"), ("head", "this release")] {
        git(tmp.path(), &["rm", "-rqf", "--ignore-unmatch", "."]);
        copy_tree(&fixture.join(side), tmp.path());
        git(tmp.path(), &["add", "-A"]);
        git(tmp.path(), &["commit", "-qm", message]);
    }
    tmp
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
