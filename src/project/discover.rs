//! Finding the files of a release: a walk of the working tree (honouring .gitignore, as
//! users expect) or the tree of a git revision, filtered by the configured globs.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::diagnostic::Severity;

/// One file of a release: path relative to the project root (`/`-separated) and bytes.
/// Oversized files keep only their size; files and folders that could not be read keep
/// why, and are reported as skipped.
pub struct RawFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub size: u64,
    pub unread: Option<Unread>,
}

/// Why a file of the release was not read, and how much that matters.
pub struct Unread {
    pub severity: Severity,
    pub message: String,
}

impl RawFile {
    /// A file as read: byte order marks and UTF-16 are undone here, once, so that every
    /// reader of the release sees the same text.
    pub fn read(path: String, bytes: Vec<u8>, size: u64) -> RawFile {
        RawFile {
            path,
            bytes: crate::decode::normalise(bytes),
            size,
            unread: None,
        }
    }

    pub fn unread(path: String, severity: Severity, message: String) -> RawFile {
        RawFile {
            path,
            bytes: Vec::new(),
            size: 0,
            unread: Some(Unread { severity, message }),
        }
    }
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
        // What git keeps out of the repository on purpose (S202).
        || name == ".gitignore"
        || name == "flyway.conf"
        || name == "flyway.toml"
        || name == "sqlpage.toml"
        // Flyway script configurations and Spring Boot's Flyway settings.
        || name.ends_with(".sql.conf")
        || is_spring_settings(path)
        || name == "kustomization"
        || name == "dockerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
        // Images a Tiltfile builds for development (K402).
        || name == "tiltfile"
        // Shell scripts that launch compose (the variables they hand to it) or create
        // objects with kubectl, as Makefiles and install guides do.
        || name.ends_with(".sh")
        || name == "makefile"
        || name.ends_with(".md")
        // goose's Go migrations (`00042_backfill.go`): their schema changes are unknown.
        || is_code_migration(&name)
        // An example compose override the setup copies (`compose.override.yaml.example`).
        || crate::project::classify::is_compose_name(&name)
}

/// A goose Go migration's file name: `<version>_<name>.go`, not a test.
pub fn is_code_migration(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".go") else {
        return false;
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && stem.as_bytes().get(digits) == Some(&b'_') && !stem.ends_with("_test")
}

#[derive(Clone)]
pub struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
    /// Read only what migration rules read (see [`Filter::migrations_only`]).
    migrations_only: bool,
    /// Read no migration input (see [`Filter::without_migrations`]).
    without_migrations: bool,
}

/// Files the migration rules read: the migrations and the settings of their tools.
/// Spring Boot's configuration files (`application.properties`, `application-prod.yml`),
/// where its Flyway settings live, and the other properties files at the top of a
/// `resources` folder, which `@PropertySource` loads the same way (MeterSphere's
/// `commons.properties` sets `spring.flyway.*`); message bundles are not settings.
fn is_spring_settings(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let (dir, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let application = name.starts_with("application")
        && (name.ends_with(".properties") || name.ends_with(".yml") || name.ends_with(".yaml"));
    let resource = name.ends_with(".properties")
        && (dir == "resources" || dir.ends_with("/resources"))
        && !name.starts_with("messages");
    application || resource
}

pub fn is_migration_input(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".sql")
        || is_code_migration(&name)
        || matches!(
            name.as_str(),
            "sqitch.plan"
                | "metadata.toml"
                | "migration_lock.toml"
                | "go.mod"
                | "cargo.toml"
                | "flyway.conf"
                | "flyway.toml"
                // drizzle-kit's journal (`meta/_journal.json`).
                | "_journal.json"
                // SQLPage's configuration (its `database_url`).
                | "sqlpage.json"
                | "sqlpage.yaml"
                | "sqlpage.yml"
                | "sqlpage.toml"
        )
        // Flyway script configurations and Spring Boot's Flyway settings.
        || name.ends_with(".sql.conf")
        || is_spring_settings(path)
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
            migrations_only: false,
            without_migrations: false,
        }
    }

    /// The same filter reading only [`is_migration_input`] files: when every file to
    /// report on is a migration, no manifest, env file or API description can change
    /// what is reported, and a one-file pre-commit run in a large repository need not
    /// parse them (the others are still listed).
    pub fn migrations_only(mut self) -> Filter {
        self.migrations_only = true;
        self
    }

    /// The same filter reading no [`is_migration_input`] file: when every file to report on
    /// is a YAML or JSON file (a manifest, compose file, API description), no migration can
    /// change what is reported — no rule outside the migration domain reads them — and a
    /// one-file manifest run need not parse the repository's SQL (the files are still
    /// listed).
    pub fn without_migrations(mut self) -> Filter {
        self.without_migrations = true;
        self
    }

    /// Whether an `exclude` glob matches `path`.
    pub fn excludes(&self, path: &str) -> bool {
        self.exclude.is_match(path)
    }

    pub fn keep(&self, path: &str) -> bool {
        if self.exclude.is_match(path)
            // A compose file is read too: one that mounts a folder as
            // `/docker-entrypoint-initdb.d` makes its scripts init scripts, not migrations
            // (`model::compose::init_script_dirs`).
            || (self.migrations_only
                && !is_migration_input(path)
                && !super::classify::is_compose_name(path))
            || (self.without_migrations && is_migration_input(path))
        {
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

pub(crate) fn rel(root: &Path, p: &Path) -> Option<String> {
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
    crate::workers::init();
    let listing = crate::project::listing::list(root, filter);
    let mut files: Vec<RawFile> = listing
        .read
        .into_par_iter()
        .map(|(r, p)| read_one(r, &p, max_size))
        .collect();
    files.extend(listing.skipped);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, listing.others)
}

fn read_one(r: String, p: &Path, max_size: u64) -> RawFile {
    let cannot = |e: std::io::Error| {
        RawFile::unread(
            r.clone(),
            Severity::Warning,
            format!(
                "file skipped: it cannot be read ({e}), so nothing in it was checked; make it readable by the user running rollsafe"
            ),
        )
    };
    let size = match std::fs::metadata(p) {
        Ok(m) => m.len(),
        Err(e) => return cannot(e),
    };
    if size > max_size {
        return RawFile {
            path: r,
            bytes: Vec::new(),
            size,
            unread: None,
        };
    }
    match std::fs::read(p) {
        Ok(bytes) => RawFile::read(r, bytes, size),
        Err(e) => cannot(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_candidate, is_code_migration};

    #[test]
    fn goose_go_migrations_are_read_and_other_go_files_are_not() {
        assert!(is_code_migration("00042_backfill_users.go"));
        assert!(is_code_migration("20241026183640_support_new_scanner.go"));
        assert!(!is_code_migration("00042_backfill_users_test.go"));
        assert!(!is_code_migration("migrations.go"));
        assert!(!is_code_migration("v2_helpers.go"));
        assert!(is_candidate("db/migrations/00042_backfill_users.go"));
        assert!(!is_candidate("cmd/main.go"));
    }
}
