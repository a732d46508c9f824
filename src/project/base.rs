//! The previous release: a directory holding its checkout, or a git revision read from
//! the object store with the `git` binary (see the README for why not gix).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::project::discover::{Filter, RawFile, walk};

#[derive(Debug)]
pub enum BaseSource {
    Dir(PathBuf),
    /// `commit` is what is compared with (the merge base of `rev` and HEAD, or with
    /// `--base-exact` the tip); `tip` is the commit `rev` names.
    Git {
        rev: String,
        commit: String,
        tip: String,
    },
}

/// Resolves `--base`: an existing directory wins (taken as is), else a git revision of
/// the repository that holds `root`, as its merge base with HEAD unless `exact`.
pub fn resolve(spec: &str, root: &Path, cwd: &Path, exact: bool) -> Result<BaseSource, String> {
    for candidate in [cwd.join(spec), root.join(spec)] {
        if candidate.is_dir() {
            return Ok(BaseSource::Dir(candidate));
        }
    }
    let r = crate::git_rev::resolve(spec, root, exact)?;
    Ok(BaseSource::Git {
        rev: spec.to_string(),
        commit: r.commit,
        tip: r.tip,
    })
}

impl BaseSource {
    /// For people: which commit was compared with, when it is not the one REV names.
    pub fn note(&self) -> Option<String> {
        match self {
            BaseSource::Git { rev, commit, tip } if commit != tip => {
                let rev = rev.split("...").next().unwrap_or(rev);
                Some(format!(
                    "{rev} has moved on since this branch left it: compared with their merge base {} (as `git diff {rev}...HEAD` does); `--base-exact {rev}` compares with its tip",
                    &commit[..commit.len().min(12)]
                ))
            }
            _ => None,
        }
    }
}

/// Reads the base release's candidate files.
pub fn read(
    b: &BaseSource,
    root: &Path,
    filter: &Filter,
    max_size: u64,
) -> Result<Vec<RawFile>, String> {
    match b {
        BaseSource::Dir(d) => Ok(walk(d, filter, max_size)),
        BaseSource::Git { commit, .. } => read_git(root, commit, filter, max_size),
    }
}

/// Lists the tree under `root` at `commit` and reads the wanted blobs through one
/// `git cat-file --batch` process.
fn read_git(
    root: &Path,
    commit: &str,
    filter: &Filter,
    max_size: u64,
) -> Result<Vec<RawFile>, String> {
    let git_err = |e: std::io::Error| format!("git: {e}");
    let ls = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-tree", "-r", "-z", "--long", commit, "."])
        .output()
        .map_err(git_err)?;
    if !ls.status.success() {
        return Err(format!(
            "git ls-tree failed: {}",
            String::from_utf8_lossy(&ls.stderr).trim()
        ));
    }
    // Entries: "<mode> blob <oid> <size>\t<path>" with paths relative to `root`.
    let mut wanted = Vec::new();
    for entry in ls.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let f: Vec<&str> = meta.split_whitespace().collect();
        // A symbolic link's blob is its target's name, not content: the target is read
        // at its own path when it is in the tree.
        if f.len() < 4 || f[1] != "blob" || f[0] == "120000" || !filter.keep(path) {
            continue;
        }
        let size = f[3].parse::<u64>().unwrap_or(0);
        wanted.push((path.to_string(), f[2].to_string(), Some(size)));
    }
    read_blobs(root, wanted, max_size)
}

/// Reads blobs `(path, object id, size if known)` through one `git cat-file --batch`
/// process; a blob larger than `max_size` keeps only its size.
fn read_blobs(
    root: &Path,
    wanted: Vec<(String, String, Option<u64>)>,
    max_size: u64,
) -> Result<Vec<RawFile>, String> {
    let git_err = |e: std::io::Error| format!("git: {e}");
    let mut child = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(git_err)?;
    let mut stdin = child.stdin.take().ok_or("git: no stdin")?;
    let too_big = |size: Option<u64>| size.is_some_and(|s| s > max_size);
    let to_read: Vec<String> = wanted
        .iter()
        .filter(|(_, _, size)| !too_big(*size))
        .map(|(_, oid, _)| oid.clone())
        .collect();
    let writer = std::thread::spawn(move || {
        for oid in to_read {
            if writeln!(stdin, "{oid}").is_err() {
                break;
            }
        }
    });
    let mut out = BufReader::new(child.stdout.take().ok_or("git: no stdout")?);
    let mut files = Vec::new();
    for (path, _, size) in wanted {
        if too_big(size) {
            files.push(oversized(path, size.unwrap_or(0)));
            continue;
        }
        let mut header = String::new();
        out.read_line(&mut header).map_err(git_err)?;
        let len = header
            .split_whitespace()
            .nth(2)
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| format!("git cat-file: unexpected reply {header:?}"))?;
        let mut bytes = vec![0; len + 1];
        out.read_exact(&mut bytes).map_err(git_err)?;
        bytes.truncate(len);
        if len as u64 > max_size {
            files.push(oversized(path, len as u64));
        } else {
            files.push(RawFile::read(path, bytes, len as u64));
        }
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(files)
}

fn oversized(path: String, size: u64) -> RawFile {
    RawFile {
        path,
        bytes: Vec::new(),
        size,
        unread: None,
    }
}

/// The files staged in the git index under `root` (what `git commit` would record),
/// read from the object store, and the other staged paths (listed, never read). A
/// pre-commit hook judges exactly the commit being made: untracked files and unstaged
/// edits are not part of it.
pub fn read_index(
    root: &Path,
    filter: &Filter,
    max_size: u64,
) -> Result<(Vec<RawFile>, Vec<String>), String> {
    let ls = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "--stage", "-z", "--", "."])
        .output()
        .map_err(|e| format!("--staged: git could not run: {e}"))?;
    if !ls.status.success() {
        return Err(format!(
            "--staged: {} is not in a git work tree ({})",
            root.display(),
            String::from_utf8_lossy(&ls.stderr).trim()
        ));
    }
    // Entries: "<mode> <oid> <stage>\t<path>", paths relative to `root`.
    let mut wanted = Vec::new();
    let mut others = Vec::new();
    for entry in ls.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let f: Vec<&str> = meta.split_whitespace().collect();
        // Links and submodules are not files of the release (as in `read_git`); an
        // unmerged path (stage 1–3) cannot be committed.
        if f.len() < 3 || f[2] != "0" || f[0] == "120000" || f[0] == "160000" {
            continue;
        }
        if filter.keep(path) {
            wanted.push((path.to_string(), f[1].to_string(), None));
        } else {
            others.push(path.to_string());
        }
    }
    let files = read_blobs(root, wanted, max_size)?;
    Ok((files, others))
}

/// Whether the repository holding `root` has a commit at HEAD (not a repository whose
/// first commit is being made).
pub fn has_head(root: &Path) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The top level of the git work tree holding `dir`, if any.
pub fn git_toplevel(dir: &Path) -> Option<PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Tags of pre-releases, which `previous_tag` passes over.
const PRE_RELEASE: &[&str] = &[
    "*-rc*",
    "*.rc*",
    "*-alpha*",
    "*-beta*",
    "*-pre*",
    "*-dev*",
    "*-nightly*",
    "*-snapshot*",
    "*-SNAPSHOT*",
];

/// Without a base: the previous release, as the newest tag (not a pre-release) reachable
/// from HEAD's first parent — a tag on HEAD itself names the release being checked —
/// and its commit. `None` outside git, before the second commit, in a clone without
/// tags (a shallow CI checkout), or when git fails.
pub fn previous_tag(root: &Path) -> Option<BaseSource> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let mut describe = vec!["describe", "--tags", "--abbrev=0"];
    for p in PRE_RELEASE {
        describe.extend(["--exclude", p]);
    }
    describe.push("HEAD^");
    let tag = git(&describe)?;
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("refs/tags/{tag}^{{commit}}"),
    ])?;
    Some(BaseSource::Git {
        rev: tag,
        commit: commit.clone(),
        tip: commit,
    })
}
