//! Migration-tool conventions: which files are migrations, their version and name, which
//! part (up/down) they hold, and how the tool wraps them in transactions.

use crate::sql::{Annotations, Dialect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Convention {
    /// golang-migrate, sqlx reversible, migrate-rs, ory/pop: `<ver>_<name>.up.sql` + `.down.sql`.
    UpDownFiles,
    Flyway,
    Dbmate,
    Goose,
    /// rubenv/sql-migrate: `-- +migrate Up` / `-- +migrate Down` sections in one file.
    SqlMigrate,
    Diesel,
    Prisma,
    Sqitch,
    Liquibase,
    /// drizzle-kit: `<idx>_<tag>.sql` files listed in `meta/_journal.json`, no downs.
    Drizzle,
    /// One file per version with no down (sqlx simple, Atlas, plain numbered files).
    Plain,
}

impl Convention {
    pub fn parse(s: &str) -> Option<Convention> {
        Some(match s {
            "golang-migrate" | "sqlx" | "migrate-rs" | "pop" | "morph" | "bun" | "up-down" => {
                Convention::UpDownFiles
            }
            "flyway" => Convention::Flyway,
            "dbmate" => Convention::Dbmate,
            "goose" => Convention::Goose,
            "sql-migrate" => Convention::SqlMigrate,
            "diesel" => Convention::Diesel,
            "prisma" => Convention::Prisma,
            "sqitch" => Convention::Sqitch,
            "liquibase" => Convention::Liquibase,
            "drizzle" => Convention::Drizzle,
            "plain" | "atlas" => Convention::Plain,
            _ => return None,
        })
    }

    pub const NAMES: &'static [&'static str] = &[
        "golang-migrate",
        "sqlx",
        "migrate-rs",
        "pop",
        "morph",
        "bun",
        "flyway",
        "dbmate",
        "goose",
        "sql-migrate",
        "diesel",
        "prisma",
        "sqitch",
        "liquibase",
        "drizzle",
        "plain",
        "atlas",
    ];

    pub fn label(self) -> &'static str {
        match self {
            Convention::UpDownFiles => "golang-migrate",
            Convention::Flyway => "Flyway",
            Convention::Dbmate => "dbmate",
            Convention::Goose => "goose",
            Convention::SqlMigrate => "sql-migrate",
            Convention::Diesel => "diesel",
            Convention::Prisma => "Prisma",
            Convention::Sqitch => "sqitch",
            Convention::Liquibase => "Liquibase",
            Convention::Drizzle => "drizzle",
            Convention::Plain => "plain",
        }
    }

    pub fn annotations(self) -> Annotations {
        match self {
            Convention::Goose => Annotations::Goose,
            Convention::SqlMigrate => Annotations::SqlMigrate,
            Convention::Dbmate => Annotations::Dbmate,
            Convention::Liquibase => Annotations::Liquibase,
            _ => Annotations::None,
        }
    }

    /// Whether the tool has down migrations at all (so a missing one is a gap).
    pub fn has_down(self) -> bool {
        !matches!(
            self,
            Convention::Prisma | Convention::Drizzle | Convention::Plain
        )
    }
}

/// drizzle-kit's `meta/_journal.json`: the database and, per migration file (its `tag`),
/// the time (`when`, milliseconds) drizzle-orm's migrator orders and compares it by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrizzleJournal {
    pub dialect: Option<Dialect>,
    pub entries: Vec<(String, u64)>,
}

impl DrizzleJournal {
    pub fn parse(text: &str) -> Option<DrizzleJournal> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let dialect = match v.get("dialect")?.as_str()? {
            "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "singlestore" => Some(Dialect::Mysql),
            "sqlite" | "turso" => Some(Dialect::Sqlite),
            _ => None,
        };
        let entries = v
            .get("entries")?
            .as_array()?
            .iter()
            .filter_map(|e| {
                Some((
                    e.get("tag")?.as_str()?.to_string(),
                    e.get("when")?.as_u64()?,
                ))
            })
            .collect();
        Some(DrizzleJournal { dialect, entries })
    }

    /// The journal time of the migration file `tag` (`0003_brave_hulk`).
    pub fn when_of(&self, tag: &str) -> Option<u64> {
        self.entries.iter().find(|(t, _)| t == tag).map(|(_, w)| *w)
    }
}

/// The program that applies a set. The file layout alone does not say it for
/// `<ver>_<name>.up.sql` files (golang-migrate, pop and sqlx share it), and what happens
/// to an edited or out-of-order migration depends on the program, not the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    GolangMigrate,
    Pop,
    Sqlx,
    Flyway,
    Dbmate,
    Goose,
    Diesel,
    Prisma,
    Sqitch,
    Liquibase,
    Atlas,
    Drizzle,
    /// maragu.dev/migrate (formerly github.com/maragudk/migrate): `NAME.up.sql` files, the
    /// whole name is the version, compared as text.
    Maragu,
    /// rubenv/sql-migrate: `-- +migrate Up` files, each recorded by its file name.
    SqlMigrate,
    /// mattermost/morph (Mattermost and its plugins): golang-migrate's file names, each
    /// migration recorded by its name (the part after the version).
    Morph,
    /// uptrace/bun's migrator (`bun/migrate`): `<14 digits>_<name>.up.sql`/`.down.sql`,
    /// `.tx.up.sql` run in a transaction, each `--bun:split` chunk sent as its own query.
    Bun,
    /// A layout several tools share, with nothing in the repository naming the tool.
    Unknown,
}

impl Tool {
    pub fn label(self) -> &'static str {
        match self {
            Tool::GolangMigrate => "golang-migrate",
            Tool::Pop => "pop",
            Tool::Sqlx => "sqlx",
            Tool::Flyway => "Flyway",
            Tool::Dbmate => "dbmate",
            Tool::Goose => "goose",
            Tool::Diesel => "diesel",
            Tool::Prisma => "Prisma",
            Tool::Sqitch => "sqitch",
            Tool::Liquibase => "Liquibase",
            Tool::Atlas => "Atlas",
            Tool::Drizzle => "drizzle",
            Tool::Maragu => "maragudk/migrate",
            Tool::SqlMigrate => "sql-migrate",
            Tool::Morph => "morph",
            Tool::Bun => "bun",
            Tool::Unknown => "the migration tool",
        }
    }

    /// The tool a layout implies by itself, when only one tool uses it.
    pub fn of_convention(c: Convention) -> Tool {
        match c {
            Convention::Flyway => Tool::Flyway,
            Convention::Dbmate => Tool::Dbmate,
            Convention::Goose => Tool::Goose,
            Convention::Diesel => Tool::Diesel,
            Convention::Prisma => Tool::Prisma,
            Convention::Sqitch => Tool::Sqitch,
            Convention::Liquibase => Tool::Liquibase,
            Convention::Drizzle => Tool::Drizzle,
            // Several runners read sql-migrate's markers (rubenv/sql-migrate, GoAlert's
            // own): the layout does not name one.
            Convention::UpDownFiles | Convention::Plain | Convention::SqlMigrate => Tool::Unknown,
        }
    }

    /// A tool named in `[migrations] convention`.
    pub fn parse(s: &str) -> Option<Tool> {
        Some(match s {
            "golang-migrate" => Tool::GolangMigrate,
            "pop" => Tool::Pop,
            "sqlx" => Tool::Sqlx,
            "atlas" => Tool::Atlas,
            "sql-migrate" => Tool::SqlMigrate,
            "morph" => Tool::Morph,
            "bun" => Tool::Bun,
            other => match Convention::parse(other)? {
                Convention::UpDownFiles | Convention::Plain | Convention::SqlMigrate => {
                    return None;
                }
                c => Tool::of_convention(c),
            },
        })
    }

    /// Whether the tool stores a checksum of each applied migration and refuses to run
    /// when an applied file's bytes change (Flyway `validate`, Liquibase checksums, sqlx
    /// `VersionMismatch`, Atlas `atlas.sum`).
    pub fn verifies_checksums(self) -> bool {
        matches!(
            self,
            Tool::Flyway | Tool::Liquibase | Tool::Sqlx | Tool::Atlas
        )
    }

    /// What the tool's checksum covers of a file's text. Flyway feeds its CRC32 each line
    /// without its line break (`ChecksumCalculator`: "the checksum is encoding and
    /// line-ending independent"), so line endings, a final newline and blank lines do not
    /// count (HertzBeat 1.8 removed blank lines from a shipped migration); the others
    /// hash the bytes.
    pub fn checksummed(self, text: &str) -> std::borrow::Cow<'_, str> {
        if self == Tool::Flyway {
            text.trim_start_matches('\u{feff}')
                .chars()
                .filter(|c| *c != '\n' && *c != '\r')
                .collect::<String>()
                .into()
        } else {
            text.into()
        }
    }
}

/// The SQLPage configuration folder whose migrations `dir` would hold: SQLPage applies
/// `<configuration_directory>/migrations` (`webserver/database/migrations.rs`).
pub fn sqlpage_config_of(dir: &str) -> Option<&str> {
    if dir == "migrations" {
        return Some("");
    }
    dir.strip_suffix("/migrations")
}

/// Whether a SQLPage configuration file (`sqlpage.json`, `.yaml`/`.yml`, `.toml`) points
/// `database_url` at an in-memory SQLite database (`sqlite::memory:`,
/// `sqlite://:memory:`, `…?mode=memory`): one that starts empty at every start.
pub fn sqlpage_in_memory(file_name: &str, text: &str) -> bool {
    let url = if file_name.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("database_url")?.as_str().map(String::from))
    } else if file_name.ends_with(".toml") {
        toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| t.get("database_url")?.as_str().map(String::from))
    } else {
        crate::yaml::events::parse_plain(text)
            .and_then(|docs| docs.into_iter().next())
            .and_then(|d| match &d.get("database_url")?.kind {
                crate::yaml::Kind::Str(s) => Some(s.clone()),
                _ => None,
            })
    };
    url.is_some_and(|u| u.contains(":memory:") || u.contains("mode=memory"))
}

/// One dependency a `go.mod` or `Cargo.toml` declares: the Go module path or crate name,
/// the text declaring it (for Cargo's `features = [...]`), and whether go.mod marks it
/// `// indirect`.
struct Dependency<'a> {
    name: &'a str,
    declaration: &'a str,
    indirect: bool,
}

/// The dependencies of a manifest, read once for both [`tools_in_manifest`] and
/// [`drivers_in_manifest`]. In a `Cargo.toml` only the dependency tables count
/// (`[dependencies]`, `[dev-dependencies]`, `[workspace.dependencies]`,
/// `[target.….dependencies]`, and `[dependencies.NAME]` tables), not `[features]`.
fn dependencies<'a>(file_name: &str, text: &'a str) -> Vec<Dependency<'a>> {
    let mut out = Vec::new();
    if file_name == "go.mod" {
        for line in text.lines() {
            let name = line
                .trim()
                .trim_start_matches("require")
                .trim_start_matches(['(', ' '])
                .split_whitespace()
                .next()
                .unwrap_or("");
            if !name.is_empty() {
                out.push(Dependency {
                    name,
                    declaration: line,
                    indirect: line.contains("// indirect"),
                });
            }
        }
    } else if file_name.eq_ignore_ascii_case("cargo.toml") {
        let mut in_table = false;
        for line in text.lines() {
            let line = line.trim();
            if let Some(header) = line.strip_prefix('[') {
                let header = header.trim_end_matches(']');
                // `[dependencies.sqlx]`: the table is that one dependency.
                if let Some((_, name)) = header.split_once("dependencies.") {
                    out.push(Dependency {
                        name,
                        declaration: line,
                        indirect: false,
                    });
                    in_table = false;
                } else {
                    in_table = header.ends_with("dependencies");
                }
                continue;
            }
            if let Some(last) = out.last_mut()
                && !in_table
                && last.declaration.starts_with('[')
                && line.starts_with("features")
            {
                last.declaration = line;
                continue;
            }
            if in_table {
                let name = line.split(['=', '.', ' ']).next().unwrap_or("");
                if !name.is_empty() && !name.starts_with('#') {
                    out.push(Dependency {
                        name,
                        declaration: line,
                        indirect: false,
                    });
                }
            }
        }
    }
    out
}

/// Migration tools named as dependencies in a `go.mod` or `Cargo.toml`.
pub fn tools_in_manifest(file_name: &str, text: &str) -> Vec<Tool> {
    let mut out = Vec::new();
    // An indirect requirement is one no package of the module imports: another
    // dependency runs it, not this module's migrations (focalboard requires
    // golang-migrate indirectly and migrates with morph).
    for dep in dependencies(file_name, text)
        .into_iter()
        .filter(|d| !d.indirect)
    {
        let tool = match dep.name {
            m if m.starts_with("github.com/golang-migrate/migrate") => Tool::GolangMigrate,
            m if m.starts_with("github.com/gobuffalo/pop") => Tool::Pop,
            // popx (ory/x) runs pop-style migration folders.
            "github.com/ory/x" | "github.com/ory/pop/v6" => Tool::Pop,
            m if m.starts_with("github.com/pressly/goose") => Tool::Goose,
            m if m.starts_with("github.com/amacneil/dbmate") => Tool::Dbmate,
            "github.com/maragudk/migrate" | "maragu.dev/migrate" => Tool::Maragu,
            "github.com/rubenv/sql-migrate" => Tool::SqlMigrate,
            "github.com/mattermost/morph" => Tool::Morph,
            // The ORM's module carries its migrator (`github.com/uptrace/bun/migrate`).
            "github.com/uptrace/bun" => Tool::Bun,
            "sqlx" => Tool::Sqlx,
            "diesel" | "diesel_migrations" => Tool::Diesel,
            _ => continue,
        };
        if !out.contains(&tool) {
            out.push(tool);
        }
    }
    out
}

/// The databases a Go module or Rust crate talks to, by the drivers it requires directly
/// (`github.com/mattn/go-sqlite3`, `github.com/lib/pq`, `rusqlite`, sqlx's `postgres`
/// feature, …). Indirect Go requirements are not counted.
pub fn drivers_in_manifest(file_name: &str, text: &str) -> Vec<Dialect> {
    let mut out = Vec::new();
    for dep in dependencies(file_name, text)
        .into_iter()
        .filter(|d| !d.indirect)
    {
        let found: &[Dialect] = match dep.name {
            "github.com/mattn/go-sqlite3"
            | "modernc.org/sqlite"
            | "github.com/glebarez/go-sqlite"
            | "github.com/glebarez/sqlite"
            | "github.com/ncruces/go-sqlite3"
            | "zombiezen.com/go/sqlite"
            | "gorm.io/driver/sqlite"
            | "rusqlite"
            | "libsqlite3-sys" => &[Dialect::Sqlite],
            "github.com/lib/pq" | "gorm.io/driver/postgres" | "tokio-postgres" | "postgres" => {
                &[Dialect::Postgres]
            }
            m if m.starts_with("github.com/jackc/pgx") => &[Dialect::Postgres],
            "github.com/uptrace/bun/driver/pgdriver"
            | "github.com/uptrace/bun/dialect/pgdialect" => &[Dialect::Postgres],
            "github.com/uptrace/bun/dialect/mysqldialect" => &[Dialect::Mysql],
            "github.com/uptrace/bun/driver/sqliteshim"
            | "github.com/uptrace/bun/dialect/sqlitedialect" => &[Dialect::Sqlite],
            "github.com/go-sql-driver/mysql" | "gorm.io/driver/mysql" | "mysql" | "mysql_async" => {
                &[Dialect::Mysql]
            }
            // Drivers chosen by features: `sqlx = { features = ["postgres"] }`.
            "sqlx" | "diesel" | "sea-orm" => {
                let f = |names: &[&str]| {
                    names
                        .iter()
                        .any(|n| dep.declaration.contains(&format!("\"{n}\"")))
                };
                let mut by_feature = Vec::new();
                if f(&["sqlite", "sqlx-sqlite"]) {
                    by_feature.push(Dialect::Sqlite);
                }
                if f(&["postgres", "sqlx-postgres"]) {
                    by_feature.push(Dialect::Postgres);
                }
                if f(&["mysql", "sqlx-mysql"]) {
                    by_feature.push(Dialect::Mysql);
                }
                for d in by_feature {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
                continue;
            }
            _ => continue,
        };
        for d in found {
            if !out.contains(d) {
                out.push(*d);
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePart {
    Up,
    Down,
    /// Both parts in one file (goose, dbmate, Liquibase).
    Both,
    /// Flyway `R__`: re-applied whenever it changes, never ordered.
    Repeatable,
    /// sqitch `verify/`: not a schema change.
    Verify,
}

#[derive(Debug, Clone)]
pub struct FileInfo {
    pub convention: Convention,
    pub version: String,
    pub name: String,
    pub part: FilePart,
    /// Dialect named by the file (pop infix, folder name), if any.
    pub dialect: Option<Dialect>,
    /// pop-style dialect infix of the file name (`postgres`, `mysql`, `cockroach`,
    /// `sqlite3`): one version ships one variant per database, and each is its own file.
    pub variant: Option<&'static str>,
    /// pop `.autocommit.`: run outside a transaction.
    pub autocommit: bool,
    /// Folder that holds the migration set (the migrations directory).
    pub set_dir: String,
}

fn split_dir(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

fn leading_version(s: &str) -> Option<(&str, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.'))
        .unwrap_or(s.len());
    let v = s[..end].trim_end_matches(['-', '.']);
    if v.is_empty() || !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = s[v.len()..].trim_start_matches(['_', '-', '.']);
    Some((v, rest))
}

/// A dialect a migration file's path names: a folder (`migrations/postgres`,
/// `mysql-migrations`) or a dot infix of the file name (`0001_init.postgres.up.sql`). Words
/// of the migration's own name are not one: `007_outbox_sqlite_jsonb.up.sql` (river) and
/// `0023_enable_pg_trgm.sql` are written for the folder's database.
pub fn file_dialect_hint(path: &str) -> Option<Dialect> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    dialect_hint(dir).or_else(|| file.to_ascii_lowercase().split('.').find_map(dialect_named))
}

/// A dialect named by a path segment or file-name infix.
pub fn dialect_hint(path: &str) -> Option<Dialect> {
    path.to_ascii_lowercase()
        .split(['/', '.', '_', '-'])
        .find_map(dialect_named)
}

/// The dialect a word (lower case) names.
fn dialect_named(word: &str) -> Option<Dialect> {
    match word {
        "mysql" | "mariadb" => Some(Dialect::Mysql),
        "postgres" | "postgresql" | "pg" | "psql" | "cockroach" | "cockroachdb" => {
            Some(Dialect::Postgres)
        }
        "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
        _ => None,
    }
}

/// A database rollsafe does not check (H2, HSQLDB, Derby, Oracle, SQL Server, ClickHouse,
/// Snowflake, Spanner), named by a folder of the path (`migrations/h2`,
/// `jdbc-h2`, `clickhouse/migrations`) with no checked dialect named below it. Java
/// projects keep a folder of H2 migrations for their tests beside the production ones;
/// ClickHouse has neither transactions nor lock timeouts. Read as PostgreSQL or MySQL,
/// their files give parse errors and lock findings that are not theirs.
pub fn foreign_database(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let dir = lower.rsplit_once('/').map(|x| x.0).unwrap_or("");
    let mut last = None;
    for folder in dir.split('/') {
        // Words that name other things too (a price oracle, an id generator) count only
        // as a whole folder name; the distinctive ones also inside one (`jdbc-h2`).
        let whole = match folder {
            "oracle" => Some("Oracle"),
            "derby" => Some("Apache Derby"),
            "snowflake" => Some("Snowflake"),
            "spanner" => Some("Spanner"),
            _ => None,
        };
        for piece in folder.split(['.', '_', '-']) {
            let named = whole.or(match piece {
                "h2" | "h2db" => Some("H2"),
                "hsqldb" => Some("HSQLDB"),
                "sqlserver" | "mssql" => Some("SQL Server"),
                "clickhouse" => Some("ClickHouse"),
                _ => None,
            });
            if named.is_some() {
                last = named;
            } else if dialect_hint(piece).is_some() {
                last = None;
            }
        }
    }
    last
}

/// Reads what a path (and, for single-file conventions, the text) says about a migration.
/// `in_migration_dir` is true when the file lies in a configured or conventional
/// migrations folder, which is required before a bare numbered file counts.
pub fn detect(path: &str, text: &str, in_migration_dir: bool) -> Option<FileInfo> {
    let (dir, file) = split_dir(path);
    let lower = file.to_ascii_lowercase();
    if !lower.ends_with(".sql") {
        return None;
    }
    let stem = &file[..file.len() - 4];
    let hint = file_dialect_hint(path);
    let info = |convention, version: &str, name: &str, part, set_dir: &str| FileInfo {
        convention,
        version: version.to_string(),
        name: name.to_string(),
        part,
        dialect: hint,
        variant: None,
        autocommit: false,
        set_dir: set_dir.to_string(),
    };

    // Content markers win: they are unambiguous.
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head
        .to_ascii_lowercase()
        .starts_with("--liquibase formatted sql")
        || head
            .to_ascii_lowercase()
            .starts_with("-- liquibase formatted sql")
    {
        let (v, n) = leading_version(stem).unwrap_or(("", stem));
        return Some(info(Convention::Liquibase, v, n, FilePart::Both, dir));
    }
    if has_marker(text, "+goose up") {
        let (v, n) = leading_version(stem).unwrap_or(("", stem));
        return Some(info(Convention::Goose, v, n, FilePart::Both, dir));
    }
    if has_marker(text, "+migrate up") {
        let (v, n) = leading_version(stem).unwrap_or(("", stem));
        return Some(info(Convention::SqlMigrate, v, n, FilePart::Both, dir));
    }
    if has_marker(text, "migrate:up") {
        let (v, n) = leading_version(stem).unwrap_or(("", stem));
        return Some(info(Convention::Dbmate, v, n, FilePart::Both, dir));
    }

    // diesel: <version>_<name>/up.sql + down.sql
    if lower == "up.sql" || lower == "down.sql" {
        let (parent, dname) = split_dir(dir);
        if let Some((v, n)) = leading_version(dname) {
            let part = if lower == "up.sql" {
                FilePart::Up
            } else {
                FilePart::Down
            };
            return Some(info(Convention::Diesel, v, n, part, parent));
        }
    }
    // Prisma: migrations/<timestamp>_<name>/migration.sql
    if lower == "migration.sql" {
        let (parent, dname) = split_dir(dir);
        if let Some((v, n)) = leading_version(dname) {
            return Some(info(Convention::Prisma, v, n, FilePart::Up, parent));
        }
    }
    // sqitch: deploy/ revert/ verify/
    for (seg, part) in [
        ("deploy", FilePart::Up),
        ("revert", FilePart::Down),
        ("verify", FilePart::Verify),
    ] {
        if let Some(i) = find_segment(dir, seg) {
            let project = &dir[..i.saturating_sub(1)];
            let sub = &dir[(i + seg.len()).min(dir.len())..].trim_start_matches('/');
            let name = if sub.is_empty() {
                stem.to_string()
            } else {
                format!("{sub}/{stem}")
            };
            if in_migration_dir || sqitch_hint(path) {
                return Some(FileInfo {
                    convention: Convention::Sqitch,
                    version: String::new(),
                    name,
                    part,
                    dialect: hint,
                    variant: None,
                    autocommit: false,
                    set_dir: project.to_string(),
                });
            }
        }
    }
    // Flyway: V<ver>__<desc>.sql, U<ver>__<desc>.sql, R__<desc>.sql
    if let Some(rest) = stem.strip_prefix("R__") {
        return Some(info(
            Convention::Flyway,
            "",
            rest,
            FilePart::Repeatable,
            dir,
        ));
    }
    for (prefix, part) in [("V", FilePart::Up), ("U", FilePart::Down)] {
        if let Some(rest) = stem.strip_prefix(prefix)
            && let Some(i) = rest.find("__")
        {
            let v = &rest[..i];
            if !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
            {
                return Some(info(
                    Convention::Flyway,
                    v,
                    &rest[i + 2..],
                    part,
                    flyway_location(dir),
                ));
            }
        }
    }
    // <ver>_<name>[.<dialect>][.autocommit].up.sql / .down.sql (golang-migrate, sqlx, pop),
    // and V<NNNN>.<Name>.up.sql (authelia-style).
    let (part, base) = if let Some(b) = stem.strip_suffix(".up") {
        (Some(FilePart::Up), b)
    } else if let Some(b) = stem.strip_suffix(".down") {
        (Some(FilePart::Down), b)
    } else {
        (None, stem)
    };
    if let Some(part) = part {
        let mut base = base;
        let mut autocommit = false;
        if let Some(b) = base.strip_suffix(".autocommit") {
            base = b;
            autocommit = true;
        }
        let variant = VARIANTS
            .iter()
            .find(|d| base.strip_suffix(*d).is_some_and(|b| b.ends_with('.')))
            .copied();
        if let Some(d) = variant {
            base = &base[..base.len() - d.len() - 1];
        }
        let versioned =
            leading_version(base).or_else(|| base.strip_prefix('V').and_then(leading_version));
        if let Some((v, n)) = versioned {
            let mut i = match major_folder(dir) {
                Some((parent, major)) => info(
                    Convention::UpDownFiles,
                    &in_folders(&major, v),
                    n,
                    part,
                    parent,
                ),
                None => info(Convention::UpDownFiles, v, n, part, dir),
            };
            i.autocommit = autocommit;
            i.variant = variant;
            return Some(i);
        }
    }
    // Plain numbered files inside a migrations folder (sqlx simple, Atlas, …).
    if in_migration_dir || looks_like_migration_dir(dir) {
        if let Some((v, n)) = leading_version(stem) {
            // `up/` and `down/` folders side by side (`migrations/up/003_b.sql` beside
            // `migrations/down/003_b.sql`): one set in the parent, whose down parts are
            // the files of the down folder.
            if let Some((parent, part)) = direction_folder(dir) {
                return Some(info(Convention::Plain, v, n, part, parent));
            }
            // Numbered folders (`migrations/2024/01/20240115_x.sql`): one set above them.
            if let Some((parent, prefix)) = major_folder(dir) {
                return Some(info(
                    Convention::Plain,
                    &in_folders(&prefix, v),
                    n,
                    FilePart::Up,
                    parent,
                ));
            }
            // One folder per release (`0.27/01__x.sql`): the release is part of the
            // version and the parent folder holds the set.
            let (parent, release) = split_dir(dir);
            if is_release_name(release) && !parent.is_empty() {
                let release = release.trim_start_matches(['v', 'V']);
                return Some(info(
                    Convention::Plain,
                    &format!("{release}.{v}"),
                    n,
                    FilePart::Up,
                    parent,
                ));
            }
            return Some(info(Convention::Plain, v, n, FilePart::Up, dir));
        }
        if in_migration_dir {
            return Some(info(Convention::Plain, "", stem, FilePart::Up, dir));
        }
    }
    None
}

/// Dialect infixes of pop-style file names (`<ver>_<name>.<variant>.up.sql`).
const VARIANTS: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "sqlite3",
    "sqlite",
    "cockroach",
    "cockroachdb",
];

/// The dialect infix of a pop-style file name (`…_a.mysql.up.sql` → `mysql`), if any.
pub fn file_variant(path: &str) -> Option<&'static str> {
    let file = path.rsplit('/').next()?;
    let stem = file
        .strip_suffix(".up.sql")
        .or_else(|| file.strip_suffix(".down.sql"))?;
    let stem = stem.strip_suffix(".autocommit").unwrap_or(stem);
    let infix = stem.rsplit_once('.')?.1;
    VARIANTS.iter().find(|v| **v == infix).copied()
}

/// Whether a migration file is written for CockroachDB, whose schema changes are online
/// (no table lock), or ClickHouse (no lock timeout, ALTERs do not queue reads), so the
/// PostgreSQL/MySQL lock rules do not apply to it.
pub fn is_cockroach(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower
        .split(['/', '.', '_', '-'])
        .any(|s| matches!(s, "cockroach" | "cockroachdb" | "crdb" | "clickhouse"))
}

/// A folder that holds one direction of a set's migrations: `up`/`upgrade`, or
/// `down`/`downgrade`/`rollback`/`revert`/`undo` (the set is its parent).
fn direction_folder(dir: &str) -> Option<(&str, FilePart)> {
    let (parent, leaf) = split_dir(dir);
    if parent.is_empty() {
        return None;
    }
    let part = match leaf.to_ascii_lowercase().as_str() {
        "up" | "upgrade" => FilePart::Up,
        "down" | "downgrade" | "rollback" | "revert" | "undo" => FilePart::Down,
        _ => return None,
    };
    Some((parent, part))
}

/// The folder of a Flyway location: Flyway scans a location recursively and orders all
/// its files by version (its `locations` setting: "Locations to scan recursively for
/// migrations"), so
/// MeterSphere's `migration/3.0.0/ddl/V3.0.0_12__x.sql` and `migration/3.1.0/dml/…` are one
/// set. The location is taken as the nearest folder named like a migrations folder, unless
/// a folder below it names a database (`db/migration/postgres` beside `…/mysql`: one set
/// per database) or tests.
fn flyway_location(dir: &str) -> &str {
    let segments: Vec<&str> = dir.split('/').collect();
    let Some(root) = segments
        .iter()
        .rposition(|s| s.to_ascii_lowercase().contains("migration"))
    else {
        return dir;
    };
    let separate = segments[root + 1..].iter().any(|s| {
        let s = s.to_ascii_lowercase();
        dialect_named(&s).is_some()
            || s.contains("test")
            || foreign_database(&format!("{s}/x")).is_some()
    });
    if separate {
        return dir;
    }
    let len: usize = segments[..=root].iter().map(|s| s.len() + 1).sum::<usize>() - 1;
    &dir[..len]
}

/// A numbered folder of a migrations tree holding one major version's files
/// (`migrations/oss/postgres/99/01_refactor.up.sql`): the set is the parent folder and
/// the version is major then minor. This is Boundary's schema layout
/// (`<majorVersion>/<minorVersion>_<description>.up.sql`, version `major*1000+minor`,
/// internal/db/schema/internal/edition/edition.go); reading every folder as a set of
/// its own would take each folder's last file for the newest migration.
/// Nested numbered folders count the same way, outermost first (`migrations/2024/01/…`:
/// version `2024.01.…`).
fn major_folder(dir: &str) -> Option<(&str, String)> {
    let mut parent = dir;
    let mut numbers = Vec::new();
    loop {
        let (up, name) = split_dir(parent);
        if up.is_empty() || name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        numbers.push(name);
        parent = up;
    }
    numbers.reverse();
    (!numbers.is_empty() && looks_like_migration_dir(parent)).then(|| (parent, numbers.join(".")))
}

/// The version of a file `v` under numbered folders `prefix` (`2024.12`): the folders'
/// numbers, then the file's — unless the file's version already starts with them, as a
/// date does in date folders (`2024/12/20241210_x.sql` is `20241210`), which then orders
/// with loose files of the set by their dates alone.
fn in_folders(prefix: &str, v: &str) -> String {
    if v.starts_with(&prefix.replace('.', "")) {
        v.to_string()
    } else {
        format!("{prefix}.{v}")
    }
}

/// A folder named like a release: `0.27`, `v1.2`, `1.2.3`, also with a pre-release
/// suffix (`0.7.0-beta.1.dev`, promscale's `versions/dev/0.1.1-dev`). A dot is required,
/// so a plain numbered folder is not mistaken for one.
fn is_release_name(s: &str) -> bool {
    let s = s.trim_start_matches(['v', 'V']);
    let s = s.split_once('-').map_or(s, |(core, _)| core);
    s.contains('.')
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn has_marker(text: &str, marker: &str) -> bool {
    // Cheap pre-check: the tools spell the keyword (`+goose`, `migrate:`) in lower case.
    let keyword = marker.split(' ').next().unwrap_or(marker);
    let keyword = keyword.strip_suffix("up").unwrap_or(keyword);
    if !text.contains(keyword) {
        return false;
    }
    text.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("--")
            && t.trim_start_matches('-')
                .trim_start()
                .to_ascii_lowercase()
                .starts_with(marker)
    })
}

fn find_segment(dir: &str, seg: &str) -> Option<usize> {
    let mut offset = 0;
    for part in dir.split('/') {
        if part == seg {
            return Some(offset);
        }
        offset += part.len() + 1;
    }
    None
}

/// sqitch is recognised when a `sqitch.plan` exists; the caller passes that knowledge via
/// the path list, so here we only accept the conventional layout under a sqitch folder.
fn sqitch_hint(path: &str) -> bool {
    path.split('/').any(|s| s.eq_ignore_ascii_case("sqitch"))
}

pub fn looks_like_migration_dir(dir: &str) -> bool {
    dir.split('/').any(|s| {
        let s = s.to_ascii_lowercase();
        s.contains("migration") || s == "migrate" || s == "changelog" || s == "changelogs"
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn drivers_name_the_database_of_a_go_module_or_crate() {
        let go = "module x\n\nrequire (\n\tgithub.com/mattn/go-sqlite3 v1.14.22\n\tgithub.com/pressly/goose/v3 v3.21.1\n\tgithub.com/lib/pq v1.10.9 // indirect\n)\n";
        assert_eq!(drivers_in_manifest("go.mod", go), [Dialect::Sqlite]);
        let go = "require github.com/jackc/pgx/v5 v5.5.0\nrequire github.com/go-sql-driver/mysql v1.8.0\n";
        assert_eq!(
            drivers_in_manifest("go.mod", go),
            [Dialect::Postgres, Dialect::Mysql]
        );
        let cargo = "[dependencies]\nsqlx = { version = \"0.8\", features = [\"runtime-tokio\", \"postgres\"] }\n";
        assert_eq!(
            drivers_in_manifest("Cargo.toml", cargo),
            [Dialect::Postgres]
        );
        assert!(drivers_in_manifest("go.mod", "module x\n").is_empty());
        // `[features]` names are not dependencies; `[dependencies.sqlx]` tables are.
        let cargo = "[features]\npostgres = [\"sqlx/postgres\"]\nmysql = []\n\n[dependencies.sqlx]\nversion = \"0.8\"\nfeatures = [\"sqlite\"]\n";
        assert_eq!(drivers_in_manifest("Cargo.toml", cargo), [Dialect::Sqlite]);
        assert_eq!(tools_in_manifest("Cargo.toml", cargo), [Tool::Sqlx]);
    }

    use super::*;

    fn d(path: &str) -> (Convention, String, String, FilePart) {
        let i = detect(path, "", false).expect(path);
        (i.convention, i.version, i.name, i.part)
    }

    #[test]
    fn conventions_from_paths() {
        assert_eq!(
            d("db/migrations/000012_add_users.up.sql"),
            (
                Convention::UpDownFiles,
                "000012".into(),
                "add_users".into(),
                FilePart::Up
            )
        );
        assert_eq!(
            d("migrations/2024-04-12-144536_remove-downloads/down.sql"),
            (
                Convention::Diesel,
                "2024-04-12-144536".into(),
                "remove-downloads".into(),
                FilePart::Down
            )
        );
        assert_eq!(d("sql/V2_1__add_index.sql").0, Convention::Flyway);
        assert_eq!(d("sql/V2_1__add_index.sql").1, "2_1");
        assert_eq!(d("sql/U3__undo.sql").3, FilePart::Down);
        assert_eq!(d("sql/R__views.sql").3, FilePart::Repeatable);
        assert_eq!(
            d("prisma/migrations/20240101000000_init/migration.sql").0,
            Convention::Prisma
        );
        let pop = detect(
            "x/20220101000000000000_a.postgres.autocommit.up.sql",
            "",
            false,
        )
        .unwrap();
        assert!(pop.autocommit);
        assert_eq!(pop.dialect, Some(Dialect::Postgres));
        assert_eq!(pop.variant, Some("postgres"));
        let neutral = detect("x/20220101000000000000_a.up.sql", "", false).unwrap();
        assert_eq!(neutral.variant, None);
        let crdb = detect("x/20220101000000000000_a.cockroach.down.sql", "", false).unwrap();
        assert_eq!(
            (crdb.variant, crdb.part),
            (Some("cockroach"), FilePart::Down)
        );
        assert_eq!(
            d("internal/storage/migrations/postgres/V0003.TOTP.down.sql").3,
            FilePart::Down
        );
        assert_eq!(d("db/migrations/0005_users.sql").0, Convention::Plain);
        let location = detect(
            "resources/migration/3.1.0/dml/V3.1.0_2_1__data.sql",
            "",
            false,
        )
        .unwrap();
        assert_eq!(location.set_dir, "resources/migration");
        let per_database = detect("db/migration/postgres/V2__x.sql", "", false).unwrap();
        assert_eq!(per_database.set_dir, "db/migration/postgres");
        let major = detect(
            "internal/db/schema/migrations/oss/postgres/99/01_refactor.up.sql",
            "",
            false,
        )
        .unwrap();
        assert_eq!(
            (major.version.as_str(), major.set_dir.as_str()),
            ("99.01", "internal/db/schema/migrations/oss/postgres")
        );
        let dated = detect("db/migrations/2024/01/20240115_orders.sql", "", false).unwrap();
        assert_eq!(
            (dated.version.as_str(), dated.set_dir.as_str()),
            ("20240115", "db/migrations")
        );
        let per_release =
            detect("store/migration/postgres/0.27/01__add_uid.sql", "", false).unwrap();
        assert_eq!(
            (per_release.version.as_str(), per_release.set_dir.as_str()),
            ("0.27.01", "store/migration/postgres")
        );
        assert!(detect("src/queries/get_user.sql", "", false).is_none());
    }

    #[test]
    fn conventions_from_content() {
        let g = detect("assets/001_init.sql", "-- +goose Up\nSELECT 1;", false).unwrap();
        assert_eq!(g.convention, Convention::Goose);
        // sql-migrate's markers; the version ends at the first `-` followed by a name.
        let s = detect(
            "migrate/migrations/20250327120521-om-history.sql",
            "-- +migrate Up\nSELECT 1;\n-- +migrate Down\nSELECT 2;\n",
            false,
        )
        .unwrap();
        assert_eq!(s.convention, Convention::SqlMigrate);
        assert_eq!(s.version, "20250327120521");
        assert_eq!(Tool::of_convention(s.convention), Tool::Unknown);
        let m = detect(
            "db/20200101_x.sql",
            "-- migrate:up\nSELECT 1;\n-- migrate:down\n",
            false,
        );
        assert_eq!(m.unwrap().convention, Convention::Dbmate);
        let l = detect("changes/a.sql", "--liquibase formatted sql\n", false).unwrap();
        assert_eq!(l.convention, Convention::Liquibase);
    }

    #[test]
    fn databases_rollsafe_does_not_check() {
        let f = foreign_database;
        assert_eq!(
            f("jdbc-h2/src/main/resources/migrations/h2/V1_1__init.sql"),
            Some("H2")
        );
        assert_eq!(
            f("clickhouse/migrations/0001_traces.up.sql"),
            Some("ClickHouse")
        );
        assert_eq!(f("db/migration/oracle/V1__init.sql"), Some("Oracle"));
        // An ambiguous word inside a folder name is not a database.
        assert_eq!(f("price-oracle/migrations/0001_init.up.sql"), None);
        // A checked dialect named below the foreign one decides.
        assert_eq!(f("h2-compat/migrations/postgres/V1__init.sql"), None);
        // The file name is not a folder: a migration about H2 is still read.
        assert_eq!(f("db/migrations/V3__add_h2_support.sql"), None);
        assert_eq!(f("db/migrations/postgres/V1__init.sql"), None);
    }
}
