//! The repository's `.gitignore` files, read as git reads them: a file a compose file
//! names that git ignores is kept out of the repository on purpose (a secret the install
//! step writes, as Apicurio Registry's `pg-secrets/.gitignore` keeps `secrets/`).

use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Every `.gitignore` of the release with the folder it applies to.
#[derive(Debug, Clone, Default)]
pub struct Ignores {
    files: Vec<(String, Gitignore)>,
}

impl Ignores {
    /// Adds the `.gitignore` at `path` (its folder is where its patterns apply).
    pub fn add(&mut self, path: &str, text: &str) {
        let dir = path.rsplit_once('/').map_or("", |x| x.0);
        let mut b = GitignoreBuilder::new(Path::new(dir));
        for line in text.lines() {
            // A line git would reject is skipped, as git skips it.
            let _ = b.add_line(None, line);
        }
        if let Ok(g) = b.build() {
            self.files.push((path.to_string(), g));
        }
    }

    /// The `.gitignore` that ignores the file at `path`, if one does (the deepest
    /// folder's rules win, as in git; a `!pattern` there keeps the file).
    pub fn ignoring(&self, path: &str) -> Option<&str> {
        let mut found: Option<(usize, &str, bool)> = None;
        for (file, g) in &self.files {
            let dir = file.rsplit_once('/').map_or("", |x| x.0);
            if !(dir.is_empty() || path.starts_with(&format!("{dir}/"))) {
                continue;
            }
            let m = g.matched_path_or_any_parents(Path::new(path), false);
            if m.is_none() {
                continue;
            }
            let depth = dir.len();
            if found.is_none_or(|(d, _, _)| depth >= d) {
                found = Some((depth, file.as_str(), m.is_ignore()));
            }
        }
        found.filter(|(_, _, ignored)| *ignored).map(|(_, f, _)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_pattern_ignores_what_is_below_it_and_a_deeper_negation_keeps_it() {
        let mut i = Ignores::default();
        i.add("deploy/.gitignore", "secrets/\n*.key\n");
        assert_eq!(
            i.ignoring("deploy/secrets/db_user.txt"),
            Some("deploy/.gitignore")
        );
        assert_eq!(
            i.ignoring("deploy/tls/server.key"),
            Some("deploy/.gitignore")
        );
        assert_eq!(i.ignoring("deploy/compose.yaml"), None);
        assert_eq!(i.ignoring("other/secrets/db_user.txt"), None);
        i.add("deploy/tls/.gitignore", "!server.key\n");
        assert_eq!(i.ignoring("deploy/tls/server.key"), None);
        i.add(".gitignore", "/.env\n");
        assert_eq!(i.ignoring(".env"), Some(".gitignore"));
        assert_eq!(i.ignoring("deploy/.env"), None);
    }
}
