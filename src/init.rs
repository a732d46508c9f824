//! `rollsafe init`: writes rollsafe.toml with every option at its default, and with what
//! the project in the working directory shows: the migration tool (convention) and SQL
//! dialect of its migration folders, and where its manifests, compose files, env files
//! and API descriptions are. Detection is the one `check` runs (the files are loaded as
//! a check loads them), so what init writes is what check would have assumed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::{self, Config};
use crate::migrations::{Convention, Tool, convention, dialect_marks};
use crate::project::discover::{Filter, walk_all};
use crate::project::{self, FileKind};
use crate::sql::Dialect;

/// One migration folder as detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFolder {
    pub dir: String,
    /// The `[migrations] convention` value naming its tool, when the files or the
    /// project name one; `None` for up/down pairs several tools share.
    pub convention: Option<&'static str>,
    /// What the layout is, for people.
    pub layout: &'static str,
    /// `None` when nothing in the folder decides (the configured default applies).
    pub dialect: Option<Dialect>,
    pub migrations: usize,
}

/// What a project holds, by kind.
#[derive(Debug, Default)]
pub struct Detected {
    pub migrations: Vec<MigrationFolder>,
    /// Kind label → folders holding files of that kind (with a count).
    pub layout: BTreeMap<&'static str, BTreeMap<String, usize>>,
}

fn convention_name(tool: Tool, convention: Convention) -> Option<&'static str> {
    Some(match tool {
        Tool::GolangMigrate => "golang-migrate",
        Tool::Pop => "pop",
        Tool::Sqlx => "sqlx",
        Tool::Flyway => "flyway",
        Tool::Dbmate => "dbmate",
        Tool::Goose => "goose",
        Tool::Diesel => "diesel",
        Tool::Prisma => "prisma",
        Tool::Sqitch => "sqitch",
        Tool::Liquibase => "liquibase",
        Tool::Atlas => "atlas",
        Tool::Drizzle => "drizzle",
        Tool::SqlMigrate => "sql-migrate",
        Tool::Morph => "morph",
        Tool::Bun => "bun",
        // Detected from go.mod only; not a `convention` value.
        Tool::Maragu => return None,
        Tool::Unknown => match convention {
            Convention::Plain => "plain",
            _ => return None,
        },
    })
}

fn kind_label(k: FileKind) -> Option<&'static str> {
    Some(match k {
        FileKind::Manifest => "Kubernetes manifests",
        FileKind::Kustomization => "kustomizations",
        FileKind::HelmTemplate => "Helm templates (not read: render them to check them)",
        FileKind::Compose => "compose files",
        FileKind::Env => "env files",
        FileKind::OpenApi => "API descriptions",
        FileKind::CloudFormation => "CloudFormation templates",
        FileKind::Migration | FileKind::Other => return None,
    })
}

fn load(root: &Path, config: &Config) -> project::Project {
    let filter = Filter::new(&config.include, &config.exclude);
    let max = config.max_file_size;
    project::load(walk_all(root, &filter, max).0, config)
}

/// Detects the migration folders and the layout of the project at `root`, read with
/// `config` (its include/exclude and classification apply; its dialect does not: what
/// is shown is what the files say).
pub fn detect(root: &Path, config: &Config) -> Detected {
    let mut open = config.clone();
    open.migrations.dialect = None;
    let p = load(root, &open);
    let mut d = Detected::default();
    for s in &p.migration_sets {
        d.migrations.push(MigrationFolder {
            dir: if s.dir.is_empty() {
                ".".into()
            } else {
                s.dir.clone()
            },
            convention: convention_name(s.tool, s.convention),
            layout: s.convention.label(),
            dialect: shown_dialect(s),
            migrations: s.migrations.len(),
        });
    }
    for (path, (_, kind)) in &p.sources {
        let Some(label) = kind_label(*kind) else {
            continue;
        };
        let dir = path.rsplit_once('/').map_or(".", |(d, _)| d).to_string();
        *d.layout.entry(label).or_default().entry(dir).or_default() += 1;
    }
    d
}

impl Detected {
    /// The convention every migration folder shares, if they share one.
    pub fn convention(&self) -> Option<&'static str> {
        let first = self.migrations.first()?.convention?;
        self.migrations
            .iter()
            .all(|m| m.convention == Some(first))
            .then_some(first)
    }

    /// The dialect every migration folder shows, if they show one.
    pub fn dialect(&self) -> Option<Dialect> {
        let first = self.migrations.first()?.dialect?;
        self.migrations
            .iter()
            .all(|m| m.dialect == Some(first))
            .then_some(first)
    }

    /// Comment lines describing what was found, for the top of rollsafe.toml.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for m in &self.migrations {
            lines.push(format!(
                "migrations: {} ({}, {}, {} migration{})",
                m.dir,
                m.convention.unwrap_or(m.layout),
                m.dialect
                    .map_or("dialect not shown by the SQL", |d| d.as_str()),
                m.migrations,
                if m.migrations == 1 { "" } else { "s" }
            ));
        }
        for (label, dirs) in &self.layout {
            let list: Vec<String> = dirs
                .iter()
                .take(8)
                .map(|(d, n)| format!("{d} ({n})"))
                .collect();
            let more = dirs.len().saturating_sub(8);
            lines.push(format!(
                "{label}: {}{}",
                list.join(", "),
                if more > 0 {
                    format!(", and {more} more folders")
                } else {
                    String::new()
                }
            ));
        }
        lines
    }
}

/// The dialect a folder's paths or SQL name. With no dialect configured, the loader
/// takes any other than PostgreSQL only from them; PostgreSQL is also its default, so
/// that one counts as shown only when a path or the SQL shows it.
fn shown_dialect(s: &crate::migrations::MigrationSet) -> Option<Dialect> {
    if s.dialect != Dialect::Postgres {
        return Some(s.dialect);
    }
    let mut marks = dialect_marks::Marks::default();
    let mut named = convention::dialect_hint(&s.dir) == Some(s.dialect);
    for m in &s.migrations {
        for part in m.up.iter().chain(&m.down) {
            named |= convention::file_dialect_hint(&part.file.source.path) == Some(s.dialect);
            marks.add(dialect_marks::marks(&part.file.source.text));
        }
    }
    (named || marks.decide() == Some(s.dialect)).then_some(s.dialect)
}

/// The template with what was detected filled in.
pub fn template(d: &Detected) -> String {
    let mut out = String::new();
    let found = d.describe();
    if !found.is_empty() {
        out.push_str("# Found by `rollsafe init` in this project:\n");
        for l in &found {
            out.push_str(&format!("#   {l}\n"));
        }
        out.push('\n');
    }
    let folders = d
        .migrations
        .iter()
        .map(|m| m.dir.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for line in config::INIT_TEMPLATE.lines() {
        match line {
            "# convention = \"goose\"" => match d.convention() {
                Some(c) => out.push_str(&format!("convention = \"{c}\"  # detected in {folders}")),
                None if !d.migrations.is_empty() => out.push_str(
                    "# convention = \"golang-migrate\"  # not detected: up/down pairs or mixed tools; name yours",
                ),
                None => out.push_str(line),
            },
            "dialect = \"postgres\"" => match d.dialect() {
                Some(dialect) => out.push_str(&format!(
                    "dialect = \"{}\"  # detected from the SQL in {folders}",
                    dialect.as_str()
                )),
                None => out.push_str(line),
            },
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// `rollsafe init [--force]` in the working directory.
pub fn run(force: bool) -> i32 {
    let path = Path::new(config::FILE_NAME);
    if path.exists() && !force {
        eprintln!(
            "rollsafe: {} already exists (use --force to overwrite)",
            path.display()
        );
        return 2;
    }
    let root = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let detected = detect(&root, &Config::default());
    match std::fs::write(path, template(&detected)) {
        Ok(()) => {
            println!("wrote {}", path.display());
            for l in detected.describe() {
                println!("  {l}");
            }
            0
        }
        Err(e) => {
            eprintln!("rollsafe: cannot write {}: {e}", path.display());
            2
        }
    }
}
