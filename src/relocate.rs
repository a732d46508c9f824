//! Naming a run's files from another folder than their project's root: a monorepo's
//! reports name files from the repository's top (where GitHub and GitLab resolve them),
//! the text formats from the working directory (where an editor opens them).
//! Fingerprints are left alone: they are made from root-relative paths, so a baseline
//! holds wherever rollsafe is started from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Location;
use crate::diagnostic::Outcome;
use crate::source::SourceFile;

/// `p` made absolute and, when it exists, canonical: roots and working directories are
/// compared in this form (`/tmp` and `/private/tmp`, `a/../b`).
pub fn canonical(p: &Path) -> PathBuf {
    p.canonicalize()
        .unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// How a file named `rel` from folder `from` is named from folder `to`: relative when it
/// lies under `to`, else absolute (as ruff does), so the name always opens the file.
pub fn rename(rel: &str, from: &Path, to: &Path) -> String {
    let abs = if rel.is_empty() {
        from.to_path_buf()
    } else {
        from.join(rel)
    };
    match abs.strip_prefix(to) {
        Ok(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => abs.to_string_lossy().replace('\\', "/"),
    }
}

/// `outcome` with every path (findings, related places, the sources shown) named from
/// `to` instead of `outcome.root`; `to` becomes the root.
pub fn relocated(mut out: Outcome, to: &Path) -> Outcome {
    let from = canonical(&out.root);
    let to = canonical(to);
    out.root = to.clone();
    if from == to {
        return out;
    }
    let mut names: HashMap<String, String> = HashMap::new();
    let mut name = |p: &str| {
        names
            .entry(p.to_string())
            .or_insert_with(|| rename(p, &from, &to))
            .clone()
    };
    // One renamed copy per source file, shared by its findings as the original was.
    let mut sources: HashMap<*const SourceFile, Arc<SourceFile>> = HashMap::new();
    for d in &mut out.diagnostics {
        let rename_loc = |l: &mut Location, name: &mut dyn FnMut(&str) -> String| {
            l.path = name(&l.path);
        };
        rename_loc(&mut d.location, &mut name);
        for r in &mut d.related {
            rename_loc(r, &mut name);
        }
        if let Some(src) = &d.source {
            let renamed = sources
                .entry(Arc::as_ptr(src))
                .or_insert_with(|| src.renamed(name(&src.path)));
            d.source = Some(renamed.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_files_from_the_new_folder_or_absolutely() {
        let root = Path::new("/repo/services/shop");
        assert_eq!(
            rename("db/1.sql", root, Path::new("/repo")),
            "services/shop/db/1.sql"
        );
        assert_eq!(
            rename("db/1.sql", root, Path::new("/repo/services/shop/db")),
            "1.sql"
        );
        assert_eq!(
            rename("db/1.sql", root, Path::new("/repo/services/billing")),
            "/repo/services/shop/db/1.sql"
        );
    }
}
