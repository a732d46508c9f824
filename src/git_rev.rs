//! `--base REV`: which commit the previous release is. A pull request is compared with
//! where its branch left the target (`git merge-base REV HEAD`, what `git diff A...B`
//! shows), not with the target's tip: once `main` has moved on, its tip holds migrations
//! the branch never had, and they would look deleted. In a shallow clone (the default
//! checkout of GitHub Actions and GitLab CI) the revision or the merge base may be
//! missing: the error names the cause and the command that fetches it. rollsafe never
//! fetches by itself.

use std::path::Path;
use std::process::{Command, Output};

/// The commit a git base resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// What is compared with: the merge base, or the tip with `--base-exact`.
    pub commit: String,
    /// The commit REV itself names.
    pub tip: String,
}

fn git(root: &Path, args: &[&str]) -> Result<Output, String> {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| format!("git could not run: {e}"))
}

/// The commit `rev` names, if the repository holds it.
fn commit_of(root: &Path, rev: &str) -> Result<Option<String>, String> {
    let out = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
}

fn is_shallow(root: &Path) -> bool {
    git(root, &["rev-parse", "--is-shallow-repository"])
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "true")
}

/// Resolves `spec` to the commit to compare with: the merge base of `spec` and HEAD,
/// or `spec`'s own commit when `exact` (or when HEAD has no commit yet).
pub fn resolve(spec: &str, root: &Path, exact: bool) -> Result<Resolved, String> {
    // `main...HEAD`, as typed for `git diff`: the merge base, which --base is already.
    if let Some((left, right)) = spec.split_once("...") {
        let flag = if exact { "--base-exact" } else { "--base" };
        if !(right.is_empty() || right == "HEAD") {
            return Err(format!(
                "{flag} {spec}: the release checked is the working tree at HEAD, so the right side of `...` can only be HEAD: pass `--base {left}`"
            ));
        }
        if exact {
            return Err(format!(
                "--base-exact {spec}: `{left}...HEAD` names the merge base: pass `--base {left}` for it, or `--base-exact {left}` for {left} itself"
            ));
        }
        return resolve(left, root, false);
    }
    let not_found = |root: &Path| {
        let mut e = format!(
            "--base {spec}: neither a directory nor a git revision of {}",
            root.display()
        );
        e.push_str(&missing_hint(spec, root));
        e
    };
    let tip = commit_of(root, spec)
        .map_err(|e| format!("--base {spec}: not a directory, and {e}"))?
        .ok_or_else(|| not_found(root))?;
    if exact {
        return Ok(Resolved {
            commit: tip.clone(),
            tip,
        });
    }
    let Some(head) = commit_of(root, "HEAD")? else {
        return Ok(Resolved {
            commit: tip.clone(),
            tip,
        });
    };
    let out = git(root, &["merge-base", &tip, &head])?;
    if out.status.success() {
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        return Ok(Resolved { commit, tip });
    }
    // Exit status 1 with nothing printed: no common ancestor in the commits at hand.
    if out.status.code() == Some(1) && out.stdout.is_empty() {
        return Err(no_merge_base(spec, root));
    }
    Err(format!(
        "--base {spec}: git merge-base failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    ))
}

fn no_merge_base(spec: &str, root: &Path) -> String {
    if is_shallow(root) {
        format!(
            "--base {spec}: this clone is shallow and does not hold the merge base of {spec} and HEAD (where this branch left {spec}), which --base compares with: fetch the history (`fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in GitLab CI, or `git fetch --unshallow`), or compare with the tip of {spec} itself: `--base-exact {spec}`. rollsafe never fetches by itself"
        )
    } else {
        format!(
            "--base {spec}: {spec} and HEAD have no common history, so there is no merge base to compare with: pass `--base-exact {spec}` to compare with {spec} itself"
        )
    }
}

/// What to tell a user whose revision is missing: the remote-tracking branch of that
/// name when there is one; in a shallow clone, the fetch that brings it; otherwise,
/// that a remote's branch or commit must be fetched first.
fn missing_hint(spec: &str, root: &Path) -> String {
    let remotes: Vec<String> = git(root, &["remote"])
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    // `main` in a CI checkout, which has `origin/main` but no local branch.
    for r in &remotes {
        if commit_of(root, &format!("refs/remotes/{r}/{spec}")).is_ok_and(|c| c.is_some()) {
            return format!(
                " (there is no branch {spec} here, but {r}/{spec} exists: pass `--base {r}/{spec}`)"
            );
        }
    }
    let shallow = is_shallow(root);
    if remotes.is_empty() && !shallow {
        return String::new();
    }
    match fetch_command(spec, &remotes, shallow) {
        Some(fetch) if shallow => format!(
            ": this clone is shallow (the default checkout of GitHub Actions and GitLab CI) and does not hold it; fetch it first: {fetch}. rollsafe never fetches by itself"
        ),
        Some(fetch) => format!(" (if it lives on a remote, fetch it first: {fetch})"),
        None => String::new(),
    }
}

/// The command that brings `spec` into a clone (at depth 1 into a shallow one: a full
/// clone must not be made shallow), with what to pass as --base after; `None` when no
/// fetch can help (an ancestor missing from a complete history).
fn fetch_command(spec: &str, remotes: &[String], shallow: bool) -> Option<String> {
    let origin = remotes
        .iter()
        .find(|r| *r == "origin")
        .or(remotes.first())
        .map_or("origin", String::as_str);
    let depth = if shallow { "--depth=1 " } else { "" };
    let spec_trim = spec.strip_prefix("refs/remotes/").unwrap_or(spec);
    // `origin/main`: a remote-tracking branch.
    if let Some((remote, branch)) = spec_trim.split_once('/')
        && remotes.iter().any(|r| r == remote)
    {
        return Some(format!(
            "`git fetch {depth}{remote} {branch}:refs/remotes/{remote}/{branch}`"
        ));
    }
    // `HEAD~3`, `main^`: ancestors cut off by the clone's depth.
    if spec.contains(['~', '^']) {
        let n = spec
            .rsplit_once('~')
            .map_or(1, |(_, n)| n.parse::<u32>().unwrap_or(1));
        return shallow.then(|| {
            format!("`git fetch --deepen={n}` (or `fetch-depth: 0` in actions/checkout)")
        });
    }
    if (7..=64).contains(&spec.len()) && spec.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some(format!("`git fetch {depth}{origin} {spec}`"));
    }
    // A branch or tag name of the remote.
    let branch = spec.strip_prefix("refs/heads/").unwrap_or(spec);
    Some(format!(
        "`git fetch {depth}{origin} {branch}:refs/remotes/{origin}/{branch}` and pass `--base {origin}/{branch}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::fetch_command;

    #[test]
    fn the_fetch_named_fits_the_revision() {
        let remotes = ["origin".to_string(), "upstream".to_string()];
        let shallow = |spec: &str| fetch_command(spec, &remotes, true).unwrap_or_default();
        assert_eq!(
            shallow("origin/main"),
            "`git fetch --depth=1 origin main:refs/remotes/origin/main`"
        );
        assert_eq!(
            shallow("upstream/release/2.1"),
            "`git fetch --depth=1 upstream release/2.1:refs/remotes/upstream/release/2.1`"
        );
        assert_eq!(
            shallow("HEAD~3"),
            "`git fetch --deepen=3` (or `fetch-depth: 0` in actions/checkout)"
        );
        assert_eq!(shallow("0123abc"), "`git fetch --depth=1 origin 0123abc`");
        assert_eq!(
            shallow("main"),
            "`git fetch --depth=1 origin main:refs/remotes/origin/main` and pass `--base origin/main`"
        );
        // A complete clone stays complete; a missing ancestor there is no fetch's to fix.
        assert_eq!(
            fetch_command("origin/main", &remotes, false).unwrap(),
            "`git fetch origin main:refs/remotes/origin/main`"
        );
        assert_eq!(fetch_command("HEAD~3", &remotes, false), None);
    }
}
