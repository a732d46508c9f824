//! Files whose contents are not the ones on disk: the file piped to `rollsafe check -
//! --stdin-filename PATH`, and the unsaved buffers of an editor (`rollsafe server`).
//! An overlay maps absolute paths to contents; the release read from the working tree
//! takes a file's contents from the overlay when it has them (the rest of the project is
//! read from disk as usual), and gains the overlay's files that do not exist on disk yet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::project::discover::{Filter, RawFile};

#[derive(Debug, Clone, Default)]
pub struct Overlay {
    files: BTreeMap<PathBuf, Arc<Vec<u8>>>,
}

/// `p` absolute and, as far as its folders exist, canonical: an overlay's path may name a
/// file that does not exist yet.
pub fn normal(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => normal(dir).join(name),
        _ => abs,
    }
}

impl Overlay {
    /// Sets the contents of the file at `path` (absolute).
    pub fn insert(&mut self, path: &Path, bytes: Vec<u8>) {
        self.files.insert(normal(path), Arc::new(bytes));
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(&normal(path));
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains_key(&normal(path))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The overlay's files under `root`, by root-relative `/`-separated path.
    pub fn under(&self, root: &Path) -> Vec<(String, Arc<Vec<u8>>)> {
        let root = normal(root);
        self.files
            .iter()
            .filter_map(|(p, b)| Some((crate::project::discover::rel(&root, p)?, b.clone())))
            .filter(|(rel, _)| !rel.is_empty())
            .collect()
    }

    /// Puts the overlay's files into a release read from the working tree of `root`:
    /// a file read from disk takes the overlay's contents, and a file the filter keeps
    /// that is not on disk (or that `.gitignore` hides: the user named it) is added.
    /// `files` stays sorted by path.
    pub fn apply(
        &self,
        root: &Path,
        filter: &Filter,
        max_size: u64,
        files: &mut Vec<RawFile>,
        others: &mut Vec<String>,
    ) {
        for (rel, bytes) in self.under(root) {
            if !filter.keep(&rel) {
                continue;
            }
            let size = bytes.len() as u64;
            let file = if size > max_size {
                RawFile {
                    path: rel.clone(),
                    bytes: Vec::new(),
                    size,
                    unread: None,
                }
            } else {
                RawFile::read(rel.clone(), bytes.to_vec(), size)
            };
            others.retain(|o| *o != rel);
            match files.binary_search_by(|f| f.path.as_str().cmp(&rel)) {
                Ok(i) => files[i] = file,
                Err(i) => files.insert(i, file),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_adds_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut files = vec![
            RawFile::read("a.yaml".into(), b"old".to_vec(), 3),
            RawFile::read("c.yaml".into(), b"c".to_vec(), 1),
        ];
        let mut others = vec!["b.yaml".to_string()];
        let mut o = Overlay::default();
        o.insert(&root.join("a.yaml"), b"new".to_vec());
        o.insert(&root.join("sub/b.yaml"), b"b".to_vec());
        o.insert(&root.join("notes.txt"), b"skipped".to_vec());
        o.insert(Path::new("/elsewhere/x.yaml"), b"outside".to_vec());
        o.apply(
            root,
            &Filter::new(&[], &[]),
            1 << 20,
            &mut files,
            &mut others,
        );
        let got: Vec<(&str, &[u8])> = files
            .iter()
            .map(|f| (f.path.as_str(), f.bytes.as_slice()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a.yaml", b"new".as_slice()),
                ("c.yaml", b"c".as_slice()),
                ("sub/b.yaml", b"b".as_slice()),
            ]
        );
        assert_eq!(others, vec!["b.yaml".to_string()]);
    }

    #[test]
    fn excluded_files_stay_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        let mut o = Overlay::default();
        o.insert(&dir.path().join("vendor/x.yaml"), b"x".to_vec());
        let filter = Filter::new(&[], &["vendor/**".to_string()]);
        o.apply(dir.path(), &filter, 1 << 20, &mut files, &mut Vec::new());
        assert!(files.is_empty());
    }
}
