//! Monorepos: every folder holding a `rollsafe.toml` is a project of its own — its
//! configuration governs its subtree, its files are the context of its rules — and one
//! call checks all the projects the PATHS touch (as ruff's hierarchical configuration
//! does). The findings come back named from the repository's top.

use std::path::{Path, PathBuf};

use crate::check::{self, Failure, Options, Outcome};
use crate::config;
use crate::project::discover::Filter;
use crate::relocate::{canonical, relocated};
use crate::{baseline, diagnostic};

/// One project of the run: its root, the PATHS it reports on (`None`: everything), and
/// the folders under it that are projects of their own.
#[derive(Debug)]
struct Member {
    root: PathBuf,
    paths: Option<Vec<PathBuf>>,
    nested: Vec<PathBuf>,
}

/// Checks every project the PATHS (or the working directory) touch and merges the
/// findings, named relative to [`top`]. `--config` names one configuration for
/// everything, so it makes one project, as before.
pub fn check(opts: &Options) -> Result<Outcome, Failure> {
    let cwd = match &opts.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()
            .map_err(|e| Failure(format!("cannot read the working directory: {e}")))?,
    };
    let cwd = canonical(&cwd);
    let opts = &Options {
        cwd: Some(cwd.clone()),
        ..opts.clone()
    };
    if opts.config.is_some() {
        let outcome = check::check(opts)?;
        let top = top(&outcome.root, &cwd);
        return Ok(relocated(outcome, &top));
    }
    let members = members(opts, &cwd);
    let several = members.len() > 1;
    let mut merged: Option<Outcome> = None;
    let mut top_dir: Option<PathBuf> = None;
    for m in &members {
        let sub = Options {
            root: Some(m.root.clone()),
            paths: m.paths.clone().unwrap_or_default(),
            skip: m
                .nested
                .iter()
                .filter_map(|n| crate::project::discover::rel(&m.root, n))
                .collect(),
            base: member_base(opts, &m.root, &members[0].root, &cwd),
            // Written once below, from every project's findings.
            write_baseline: if several {
                None
            } else {
                opts.write_baseline.clone()
            },
            ..opts.clone()
        };
        let outcome = check::check(&sub)?;
        let t = top_dir
            .get_or_insert_with(|| top(&outcome.root, &cwd))
            .clone();
        let outcome = relocated(outcome, &t);
        merged = Some(match merged {
            None => outcome,
            Some(mut acc) => {
                acc.diagnostics.extend(outcome.diagnostics);
                acc.files_checked += outcome.files_checked;
                for n in outcome.notes {
                    if !acc.notes.contains(&n) {
                        acc.notes.push(n);
                    }
                }
                acc
            }
        });
    }
    let mut outcome = merged.ok_or_else(|| Failure("no project to check".into()))?;
    diagnostic::sort(&mut outcome.diagnostics);
    if several && let Some(p) = &opts.write_baseline {
        baseline::write(&cwd.join(p), &outcome.diagnostics).map_err(Failure)?;
    }
    Ok(outcome)
}

/// The folder reports name files from: the git top level of the project, else the
/// working directory when the project lies under it, else the project's root.
pub fn top(root: &Path, cwd: &Path) -> PathBuf {
    if let Some(t) = crate::project::base::git_toplevel(root) {
        return canonical(&t);
    }
    let root = canonical(root);
    if root.starts_with(cwd) {
        cwd.to_path_buf()
    } else {
        root
    }
}

/// The projects to check: the root of every PATH (nearest `rollsafe.toml`, else the git
/// top level), and every project nested below those roots; each keeps the PATHS that
/// fall in it and not in a project below it.
fn members(opts: &Options, cwd: &Path) -> Vec<Member> {
    let starts: Vec<Options> = if opts.root.is_some() || opts.paths.is_empty() {
        vec![opts.clone()]
    } else {
        opts.paths
            .iter()
            .map(|p| Options {
                paths: vec![p.clone()],
                ..opts.clone()
            })
            .collect()
    };
    let mut roots: Vec<PathBuf> = Vec::new();
    for s in &starts {
        let root = canonical(&check::find_root(s, cwd));
        if roots.contains(&root) {
            continue;
        }
        for r in std::iter::once(root.clone()).chain(nested_projects(&root)) {
            if !roots.contains(&r) {
                roots.push(r);
            }
        }
    }
    let given: Option<Vec<PathBuf>> = (!opts.paths.is_empty()).then(|| {
        opts.paths
            .iter()
            .map(|p| {
                canonical(&if p.is_absolute() {
                    p.clone()
                } else {
                    cwd.join(p)
                })
            })
            .collect()
    });
    let mut members: Vec<Member> = roots
        .iter()
        .map(|r| Member {
            root: r.clone(),
            paths: given.as_ref().map(|_| Vec::new()),
            nested: roots
                .iter()
                .filter(|o| *o != r && o.starts_with(r))
                .cloned()
                .collect(),
        })
        .collect();
    if let Some(given) = &given {
        for (p, original) in given.iter().zip(&opts.paths) {
            // A PATH inside a project goes to the deepest project holding it; a PATH
            // that holds whole projects selects each of them entirely.
            let owner = members
                .iter()
                .enumerate()
                .filter(|(_, m)| p.starts_with(&m.root))
                .max_by_key(|(_, m)| m.root.components().count())
                .map(|(i, _)| i);
            for (i, m) in members.iter_mut().enumerate() {
                let list = m.paths.get_or_insert_with(Vec::new);
                if Some(i) == owner {
                    list.push(original.clone());
                } else if m.root.starts_with(p) {
                    list.push(m.root.clone());
                }
            }
            if owner.is_none() {
                // Outside every root: the first project reports it as a usage error.
                if let Some(m) = members.first_mut() {
                    m.paths.get_or_insert_with(Vec::new).push(original.clone());
                }
            }
        }
        members.retain(|m| m.paths.as_ref().is_some_and(|p| !p.is_empty()));
    }
    members
}

/// Folders below `root` holding a `rollsafe.toml` (the walk honours `.gitignore` and
/// the root's `exclude`, as the check's own walk does).
fn nested_projects(root: &Path) -> Vec<PathBuf> {
    // An invalid configuration is reported by the root's own check.
    let exclude = config::load(&root.join(config::FILE_NAME))
        .map(|c| c.exclude)
        .unwrap_or_default();
    let filter = Filter::new(&[], &exclude);
    let mut found: Vec<PathBuf> = crate::project::listing::walker(root)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == config::FILE_NAME && e.depth() > 1)
        .filter(|e| {
            crate::project::discover::rel(root, e.path()).is_some_and(|r| !filter.excludes(&r))
        })
        .filter_map(|e| e.path().parent().map(canonical))
        .collect();
    found.sort();
    found
}

/// The base for a project: a directory base holds the previous release of the first
/// project, so a project nested in it finds its own at the same folder below; a git
/// revision is the same for every project of the repository.
fn member_base(opts: &Options, root: &Path, first: &Path, cwd: &Path) -> Option<String> {
    let spec = opts.base.as_ref()?;
    let dir = cwd.join(spec);
    if spec.trim().is_empty() || !dir.is_dir() {
        return Some(spec.clone());
    }
    match root.strip_prefix(first) {
        Ok(sub) if !sub.as_os_str().is_empty() => Some(dir.join(sub).to_string_lossy().into()),
        _ => Some(spec.clone()),
    }
}
