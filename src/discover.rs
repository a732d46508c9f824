//! Finding the files of a release: a walk of the working tree (honouring .gitignore, as
//! users expect) or the tree of a git revision, filtered by the configured globs.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

/// One file of a release: path relative to the project root (`/`-separated) and bytes.
/// Oversized files keep only their size.
pub struct RawFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub size: u64,
}

/// Extensions and names rollsafe may read; everything else is never opened.
pub fn is_candidate(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".yaml")
        || name.ends_with(".yml")
        || name.ends_with(".json")
        || name.ends_with(".sql")
        || name.ends_with(".env")
        || name == ".env"
        || name.starts_with(".env.")
        || name == "sqitch.plan"
        || name == "metadata.toml"
        || name == "migration_lock.toml"
        || name == "go.mod"
        || name == "cargo.toml"
        || name == "flyway.conf"
        || name == "flyway.toml"
        || name == "kustomization"
        || name == "dockerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
}

pub struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
}

fn globset(globs: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        if let Ok(g) = Glob::new(g) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

impl Filter {
    pub fn new(include: &[String], exclude: &[String]) -> Filter {
        Filter {
            include: (!include.is_empty()).then(|| globset(include)),
            exclude: globset(exclude),
        }
    }

    pub fn keep(&self, path: &str) -> bool {
        if self.exclude.is_match(path) {
            return false;
        }
        match &self.include {
            // `include` adds to the candidates: a listed glob is read even with another
            // extension.
            Some(inc) => inc.is_match(path) || is_candidate(path),
            None => is_candidate(path),
        }
    }
}

fn rel(root: &Path, p: &Path) -> Option<String> {
    let r = p.strip_prefix(root).ok()?;
    let parts: Vec<String> = r
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Walks `root` and reads every candidate file (in parallel).
pub fn walk(root: &Path, filter: &Filter, max_size: u64) -> Vec<RawFile> {
    walk_all(root, filter, max_size).0
}

/// Like [`walk`], and also lists every other file that is not ignored (never read): the
/// S rules check that files compose refers to exist.
pub fn walk_all(root: &Path, filter: &Filter, max_size: u64) -> (Vec<RawFile>, Vec<String>) {
    // A parallel walk: migration folders hold one directory per migration (diesel,
    // Prisma), so directory reads dominate on large repositories.
    let found = std::sync::Mutex::new(Vec::new());
    let others = std::sync::Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if let Ok(entry) = entry
                    && entry.file_type().is_some_and(|t| t.is_file())
                    && let Some(r) = rel(root, entry.path())
                {
                    if filter.keep(&r) {
                        if let Ok(mut v) = found.lock() {
                            v.push((r, entry.into_path()));
                        }
                    } else if let Ok(mut v) = others.lock() {
                        v.push(r);
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut paths = found.into_inner().unwrap_or_default();
    paths.sort();
    let mut others = others.into_inner().unwrap_or_default();
    others.sort();
    let files = paths
        .into_par_iter()
        .filter_map(|(r, p)| {
            let size = std::fs::metadata(&p).ok()?.len();
            let bytes = if size > max_size {
                Vec::new()
            } else {
                std::fs::read(&p).ok()?
            };
            Some(RawFile {
                path: r,
                bytes,
                size,
            })
        })
        .collect();
    (files, others)
}
