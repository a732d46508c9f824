//! Which files of a folder make the release: a walk that honours .gitignore, follows the
//! symbolic links that stay inside the folder, and says what it could not read. Nothing
//! outside the folder is ever opened: a link's target is resolved first and compared
//! with the folder's own canonical path.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostic::Severity;
use crate::project::discover::{Filter, RawFile, rel};

/// The walk every listing of a project makes: hidden files included, `.gitignore` and
/// `.git/info/exclude` honoured (in a git repository or not), `.git` never entered.
pub fn walker(dir: &Path) -> ignore::WalkBuilder {
    let mut b = ignore::WalkBuilder::new(dir);
    b.hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    b
}

/// The outcome of listing a folder.
#[derive(Default)]
pub struct Listing {
    /// Candidate files to read: path as the release names it, and where to read it.
    pub read: Vec<(String, PathBuf)>,
    /// Other files (listed, never read).
    pub others: Vec<String>,
    /// Files, folders and links that were not read, with why.
    pub skipped: Vec<RawFile>,
}

/// What one walk of a folder found.
#[derive(Default)]
struct Found {
    files: Vec<(String, PathBuf)>,
    links: Vec<(String, PathBuf)>,
    unreadable: Vec<(String, String)>,
}

pub fn list(root: &Path, filter: &Filter) -> Listing {
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = Listing::default();
    // A file reached twice (its own path and a link, or two links) is read once, under
    // the name first met: the walk's own paths come first.
    let mut seen_files: HashSet<PathBuf> = HashSet::new();
    // Folders already walked: the loop guard of linked folders.
    let mut seen_dirs: HashSet<PathBuf> = HashSet::from([root_canon.clone()]);
    let mut queue: Vec<(String, PathBuf)> = Vec::new();
    // Walked by its canonical path, every file's walked path is its real path (links are
    // not followed by the walk), so telling files apart needs no system call per file.
    let first = walk(&root_canon, "");
    take(first, filter, &mut seen_files, &mut queue, &mut out);
    queue.sort();
    queue.reverse();
    while let Some((link_rel, link)) = queue.pop() {
        follow(
            &link_rel,
            &link,
            &root_canon,
            filter,
            &mut seen_files,
            &mut seen_dirs,
            &mut queue,
            &mut out,
        );
    }
    out.others.sort();
    out.others.dedup();
    out
}

/// Adds a walk's files to the listing (each real file once) and queues its links.
fn take(
    found: Found,
    filter: &Filter,
    seen_files: &mut HashSet<PathBuf>,
    queue: &mut Vec<(String, PathBuf)>,
    out: &mut Listing,
) {
    for (r, p) in found.files {
        if !seen_files.insert(p.clone()) {
            continue;
        }
        if filter.keep(&r) {
            out.read.push((r, p));
        } else {
            out.others.push(r);
        }
    }
    for (r, why) in found.unreadable {
        out.skipped.push(RawFile::unread(
            r,
            Severity::Warning,
            format!(
                "folder skipped: it cannot be read ({why}), so nothing in it was checked; make it readable by the user running rollsafe"
            ),
        ));
    }
    queue.extend(found.links);
}

/// Resolves one symbolic link: reads its target when that stays inside the root, and
/// reports it as skipped otherwise.
#[allow(clippy::too_many_arguments)]
fn follow(
    link_rel: &str,
    link: &Path,
    root_canon: &Path,
    filter: &Filter,
    seen_files: &mut HashSet<PathBuf>,
    seen_dirs: &mut HashSet<PathBuf>,
    queue: &mut Vec<(String, PathBuf)>,
    out: &mut Listing,
) {
    let written = std::fs::read_link(link)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    let mut skip = |severity: Severity, why: String| {
        out.skipped.push(RawFile::unread(
            link_rel.to_string(),
            severity,
            format!("symbolic link skipped: {why}"),
        ));
    };
    let target = match link.canonicalize() {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Only a link with a name rollsafe reads is worth a word, and only as
            // information: a link into a folder the checkout does not hold (a `vendor/`
            // filled by the build) is dangling by design, and there is no file to check.
            if filter.keep(link_rel) {
                skip(
                    Severity::Info,
                    format!(
                        "its target `{written}` does not exist in this checkout, so nothing was checked"
                    ),
                );
            }
            return;
        }
        Err(e) => {
            skip(
                Severity::Info,
                format!("it cannot be followed ({e}); a link that leads back to itself is a loop"),
            );
            return;
        }
    };
    if !target.starts_with(root_canon) {
        // Reading outside the root would let a repository make rollsafe read any file of
        // the machine (and print it in a snippet).
        let (severity, what) = if target.is_dir() {
            (Severity::Info, "folder")
        } else if filter.keep(link_rel) {
            (Severity::Warning, "file")
        } else {
            return;
        };
        skip(
            severity,
            format!(
                "it points outside the project root (`{written}`), and rollsafe reads nothing there; check that {what} on its own, or copy it into the project"
            ),
        );
        return;
    }
    if target.is_file() {
        if !seen_files.insert(target.clone()) {
            return;
        }
        if filter.keep(link_rel) {
            out.read.push((link_rel.to_string(), target));
        } else {
            out.others.push(link_rel.to_string());
        }
        return;
    }
    if !target.is_dir() {
        return;
    }
    let holder = link
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .unwrap_or_default();
    if holder.starts_with(&target) {
        skip(
            Severity::Info,
            format!(
                "it points to `{written}`, a folder that holds the link itself (a loop); that folder is read once, under its own name"
            ),
        );
        return;
    }
    if !seen_dirs.insert(target.clone()) {
        return;
    }
    let found = walk(&target, link_rel);
    take(found, filter, seen_files, queue, out);
}

/// One walk of `dir` (a canonical path; links not followed), naming files `prefix/…`.
fn walk(dir: &Path, prefix: &str) -> Found {
    let found = Mutex::new(Found::default());
    let name = |p: &Path| -> Option<String> {
        let r = rel(dir, p)?;
        Some(match (prefix.is_empty(), r.is_empty()) {
            (true, true) => ".".to_string(),
            (true, false) => r,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}/{r}"),
        })
    };
    // A parallel walk: migration folders hold one directory per migration (diesel,
    // Prisma), so directory reads dominate on large repositories.
    walker(dir).build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) => {
                    let Some(t) = entry.file_type() else {
                        return ignore::WalkState::Continue;
                    };
                    let (is_file, is_link) = (t.is_file(), t.is_symlink());
                    if !(is_file || is_link) {
                        return ignore::WalkState::Continue;
                    }
                    if let Some(r) = name(entry.path())
                        && let Ok(mut f) = found.lock()
                    {
                        let list = if is_file { &mut f.files } else { &mut f.links };
                        list.push((r, entry.into_path()));
                    }
                }
                Err(e) => {
                    if let Some((path, why)) = unreadable(&e)
                        && let Some(r) = name(&path)
                        && let Ok(mut f) = found.lock()
                    {
                        f.unreadable.push((r, why));
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut f = found.into_inner().unwrap_or_default();
    f.files.sort();
    f.links.sort();
    f.unreadable.sort();
    f
}

/// The folder (or file) a walk error is about, and the I/O error, when it is one: a
/// folder that cannot be listed.
fn unreadable(e: &ignore::Error) -> Option<(PathBuf, String)> {
    match e {
        ignore::Error::WithPath { path, err } => {
            io_error(err).map(|io| (path.clone(), io.to_string()))
        }
        ignore::Error::WithDepth { err, .. } => unreadable(err),
        _ => None,
    }
}

fn io_error(e: &ignore::Error) -> Option<&std::io::Error> {
    match e {
        ignore::Error::Io(io) => Some(io),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            io_error(err)
        }
        _ => None,
    }
}
