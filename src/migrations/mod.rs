//! Migrations as the tools see them: files grouped into sets (one folder, one dialect),
//! ordered by version, up parts paired with their down parts, each with the transaction
//! mode its tool runs it in.

pub mod code;
pub mod convention;
pub mod dialect_marks;
pub mod mysql_inplace;
pub mod replay;
pub mod same_effect;
pub mod schema;
pub mod types;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::sql::{Dialect, Part, SqlFile};
pub use convention::{Convention, FileInfo, FilePart, Tool};

/// How the migration tool runs one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxMode {
    /// The tool wraps the part in a transaction.
    Wrapped,
    /// The tool runs statements as given (only explicit BEGIN opens a transaction).
    AsGiven,
    /// PostgreSQL runs a multi-statement simple query as one implicit transaction
    /// (golang-migrate sends the whole file at once).
    ImplicitIfMultiple,
    /// Flyway with `mixed = false` (the default): wraps, but runs a migration made only of
    /// non-transactional statements outside a transaction and refuses a mix of both.
    FlywayAuto,
    /// Flyway with `mixed = true`: a migration holding any non-transactional statement
    /// runs entirely outside a transaction; others are wrapped.
    FlywayMixed,
}

/// What Flyway's configuration in the repository says about transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlywaySettings {
    /// `mixed = true` (flyway.conf, flyway.toml, `spring.flyway.mixed`).
    pub mixed: bool,
    /// `executeInTransaction`: the script's own `V…sql.conf`, else the project's.
    pub execute_in_transaction: Option<bool>,
}

/// Whether Flyway's PostgreSQL parser marks a statement non-transactional
/// (`PostgreSQLParser.detectCanExecuteInTransaction`): `CREATE|DROP [UNIQUE] INDEX
/// CONCURRENTLY`, `REINDEX [VERBOSE] SCHEMA|DATABASE|SYSTEM`, `VACUUM`, `ALTER SYSTEM`,
/// `CREATE|DROP DATABASE|TABLESPACE|SUBSCRIPTION`, `DISCARD ALL` (and `ALTER TYPE … ADD
/// VALUE` before PostgreSQL 12, not assumed). `REINDEX INDEX|TABLE … CONCURRENTLY` is not
/// in the list: Flyway runs it in a transaction.
pub fn flyway_non_transactional(tokens: &str) -> bool {
    let t = tokens
        .strip_prefix("reindex verbose ")
        .map_or(tokens.to_string(), |r| format!("reindex {r}"));
    let starts = |p: &str| t.starts_with(p);
    starts("create index concurrently")
        || starts("create unique index concurrently")
        || starts("drop index concurrently")
        || starts("drop unique index concurrently")
        || ["schema", "database", "system"]
            .iter()
            .any(|k| starts(&format!("reindex {k}")))
        || starts("vacuum")
        || starts("alter system")
        || ["create", "drop"].iter().any(|v| {
            ["database", "tablespace", "subscription"]
                .iter()
                .any(|k| starts(&format!("{v} {k}")))
        })
        || starts("discard all")
}

#[derive(Debug, Clone)]
pub struct PartRef {
    pub file: Arc<SqlFile>,
    /// Index into `file.sections`.
    pub section: usize,
    pub tx: TxMode,
}

#[derive(Debug, Clone)]
pub struct Migration {
    pub convention: Convention,
    /// The program that applies it (shared by its set).
    pub tool: Tool,
    pub version: String,
    pub name: String,
    pub dialect: Dialect,
    pub up: Vec<PartRef>,
    pub down: Vec<PartRef>,
    /// Paths of every file that makes up this migration (for base comparison).
    pub paths: Vec<String>,
    /// Flyway repeatable migrations are not ordered.
    pub repeatable: bool,
    /// Set when the project has a base and this migration is not in it.
    pub is_new: bool,
    /// Another dialect's set holds a dialect-neutral down file for this migration (ory/pop
    /// applies neutral files to every dialect).
    pub down_elsewhere: bool,
    /// Primary file (where findings about the migration as a whole point).
    pub primary: Arc<SqlFile>,
    /// The up parts the base release shipped, when this release edited them (same tool):
    /// the databases that applied the migration ran these, not the edited text.
    pub shipped_up: Option<Vec<PartRef>>,
}

impl Migration {
    /// Stable key used to match the same migration in the base: folder, database,
    /// version and, where the tool records it, name (the dialect variants of one version
    /// are different migrations). morph records the name alone: a migration it applied
    /// is the same one under a new version.
    pub fn key(&self) -> String {
        let version = if self.tool == Tool::Morph {
            ""
        } else {
            &self.version
        };
        format!(
            "{}|{:?}|{}|{}",
            self.set_dir(),
            self.dialect,
            version,
            self.recorded_name()
        )
    }

    /// The key with the name as written, whatever the tool records: tells two migrations
    /// of one version apart (a duplicate) from one migration renamed.
    pub fn exact_key(&self) -> String {
        format!(
            "{}|{:?}|{}|{}",
            self.set_dir(),
            self.dialect,
            self.version,
            self.name
        )
    }

    /// Key without the database: a version the base shipped in any variant was applied
    /// (tools record the version, so a variant file added later never runs on upgrade).
    pub fn any_dialect_key(&self) -> String {
        format!("{}|{}|{}", self.set_dir(), self.version, self.name)
    }

    /// The name as the tool records it to tell migrations apart: nothing for tools keyed
    /// by version alone (renaming `0003_a.sql` to `0003_b.sql` changes nothing goose,
    /// golang-migrate, dbmate, pop, sqlx or diesel see; Flyway's description check is
    /// M304's), the name for Prisma (the folder name is `migration_name`), sqitch and
    /// Liquibase, or when there is no version.
    fn recorded_name(&self) -> &str {
        // sql-migrate's record is the file name (`ParseMigration(info.Name(), …)` sets
        // `Id`), and so is GoAlert's runner of the same files; morph records the name
        // after the version (`models.NewMigration`: `Name: identifier`).
        let by_name = self.version.is_empty()
            || matches!(
                self.tool,
                Tool::Prisma | Tool::Sqitch | Tool::Liquibase | Tool::Morph
            )
            || self.convention == Convention::SqlMigrate;
        if by_name { &self.name } else { "" }
    }

    /// Key without the folder, to recognise a migration whose folder moved.
    pub fn moved_key(&self) -> String {
        format!(
            "{:?}|{}|{}|{:016x}",
            self.dialect,
            self.version,
            self.name,
            { crate::diagnostic::fnv1a(&self.up_tokens()) }
        )
    }

    /// What the up parts run, without comments and layout.
    pub fn up_tokens(&self) -> String {
        self.up
            .iter()
            .map(part_tokens)
            .collect::<Vec<_>>()
            .join(";")
    }

    pub fn set_dir(&self) -> String {
        self.paths
            .first()
            .map(|p| p.rsplit_once('/').map(|x| x.0).unwrap_or("").to_string())
            .unwrap_or_default()
    }

    pub fn label(&self) -> String {
        // sqitch versions are plan positions, not names people use.
        if self.version.is_empty() || self.convention == Convention::Sqitch {
            self.name.clone()
        } else {
            format!("{}_{}", self.version, self.name)
        }
    }

    /// Every statement of the up parts, in order, with the part it belongs to.
    pub fn up_statements(&self) -> impl Iterator<Item = (&PartRef, &crate::sql::Statement)> {
        parts_statements(&self.up)
    }

    /// The up (or down) parts a database of `variant` runs: the files written for it,
    /// else the dialect-neutral ones (pop and ory's popx apply a file without a dialect
    /// infix to every database that has no file of its own for that version).
    pub fn parts_for(&self, variant: Option<&str>, down: bool) -> Vec<&PartRef> {
        variant_parts(if down { &self.down } else { &self.up }, variant)
    }

    /// The up parts databases that applied this migration ran: the base release's text
    /// when this release edited a shipped migration, else `parts_for`.
    pub fn applied_up_for(&self, variant: Option<&str>) -> Vec<&PartRef> {
        match &self.shipped_up {
            Some(up) => variant_parts(up, variant),
            None => self.parts_for(variant, false),
        }
    }

    /// Every statement of the down parts, in order, with the part it belongs to.
    pub fn down_statements(&self) -> impl Iterator<Item = (&PartRef, &crate::sql::Statement)> {
        parts_statements(&self.down)
    }
}

/// The parts of `parts` a database of `variant` runs (see `Migration::parts_for`).
fn variant_parts<'p>(parts: &'p [PartRef], variant: Option<&str>) -> Vec<&'p PartRef> {
    let of = |v: Option<&str>| -> Vec<&PartRef> {
        parts.iter().filter(|p| part_variant(p) == v).collect()
    };
    match of(variant) {
        own if !own.is_empty() || variant.is_none() => own,
        _ => of(None),
    }
}

/// What one part runs, without comments and layout (an edit that changes only those
/// changes nothing for tools that do not checksum files).
pub fn part_tokens(p: &PartRef) -> String {
    section(p)
        .statements
        .iter()
        .map(|s| s.tokens_text(&p.file.source.text))
        .collect::<Vec<_>>()
        .join(";")
}

/// The previous release's migrations, indexed to find which one a migration of this
/// release is.
pub struct Shipped<'a> {
    exact: HashMap<String, &'a Migration>,
    by_key: HashMap<String, Vec<&'a Migration>>,
    moved: HashMap<String, &'a Migration>,
    any_dialect: HashSet<String>,
    /// Exact keys of the release being checked (a shipped name still there is no rename).
    current: HashSet<String>,
}

impl<'a> Shipped<'a> {
    pub fn new<'b>(
        base: impl Iterator<Item = &'a Migration>,
        head: impl Iterator<Item = &'b Migration>,
    ) -> Shipped<'a> {
        let mut s = Shipped {
            exact: HashMap::new(),
            by_key: HashMap::new(),
            moved: HashMap::new(),
            any_dialect: HashSet::new(),
            current: head.map(Migration::exact_key).collect(),
        };
        for m in base {
            s.exact.insert(m.exact_key(), m);
            s.by_key.entry(m.key()).or_default().push(m);
            s.moved.insert(m.moved_key(), m);
            s.any_dialect.insert(m.any_dialect_key());
        }
        s
    }

    /// The shipped migration `m` is: the same file name; else the same recorded identity
    /// (version) under a name this release no longer has, a rename; else the same
    /// statements in a folder that moved. A second migration of a shipped version, while
    /// the shipped one is still there, is none: it is a duplicate (M306).
    pub fn counterpart(&self, m: &Migration) -> Option<&'a Migration> {
        if let Some(old) = self.exact.get(&m.exact_key()) {
            return Some(old);
        }
        if let Some(old) = self
            .by_key
            .get(&m.key())
            .and_then(|v| v.iter().find(|o| !self.current.contains(&o.exact_key())))
        {
            return Some(old);
        }
        self.moved.get(&m.moved_key()).copied()
    }

    /// Whether the base shipped `m`: its counterpart, or its version in another dialect
    /// variant (tools record versions, so a variant added later never runs on upgrade).
    pub fn has(&self, m: &Migration) -> bool {
        self.any_dialect.contains(&m.any_dialect_key()) || self.counterpart(m).is_some()
    }
}

#[derive(Debug, Clone)]
pub struct MigrationSet {
    pub dir: String,
    pub dialect: Dialect,
    pub convention: Convention,
    pub tool: Tool,
    pub migrations: Vec<Migration>,
    /// Versions of the folder's migrations written in code (goose's `00042_x.go`,
    /// concourse's `…up.go`), with the tables their SQL strings name (`None`: any table):
    /// the replay cannot know what they change.
    pub code_versions: Vec<(String, Option<Vec<String>>)>,
}

/// One classified migration file, parsed.
#[derive(Debug, Clone)]
pub struct MigrationFile {
    pub info: FileInfo,
    pub sql: Arc<SqlFile>,
    /// diesel `metadata.toml` says `run_in_transaction = false`.
    pub diesel_no_tx: bool,
    /// Flyway's transaction settings for this script.
    pub flyway: FlywaySettings,
}

/// Compares versions by their digit runs as numbers (`2` < `10`, `1.2` < `1.10`).
pub fn version_key(v: &str) -> Vec<(usize, String)> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let t = s.trim_start_matches('0');
            (t.len(), t.to_string())
        })
        .collect()
}

fn tx_mode(f: &MigrationFile, section_no_tx: bool, assume: Option<bool>) -> TxMode {
    if section_no_tx || f.info.autocommit || f.diesel_no_tx {
        return TxMode::AsGiven;
    }
    match f.info.convention {
        Convention::Goose
        | Convention::SqlMigrate
        | Convention::Dbmate
        | Convention::Diesel
        | Convention::Liquibase
        | Convention::Plain => TxMode::Wrapped,
        // drizzle-orm's migrator runs every pending migration in one transaction
        // (`PgDialect.migrate`: `session.transaction(…)`; SQLite: `BEGIN` … `COMMIT`).
        Convention::Drizzle => TxMode::Wrapped,
        // Prisma sends migration.sql as one query: PostgreSQL makes a multi-statement
        // query one implicit transaction, a single statement runs on its own.
        Convention::Prisma if f.sql.dialect == Dialect::Postgres => TxMode::ImplicitIfMultiple,
        Convention::Prisma => TxMode::Wrapped,
        Convention::Flyway => match (f.flyway.execute_in_transaction, f.flyway.mixed) {
            (Some(false), _) => TxMode::AsGiven,
            (Some(true), _) => TxMode::Wrapped,
            (None, true) => TxMode::FlywayMixed,
            (None, false) => TxMode::FlywayAuto,
        },
        Convention::Sqitch => TxMode::AsGiven,
        Convention::UpDownFiles => match assume {
            Some(true) => TxMode::Wrapped,
            Some(false) => TxMode::AsGiven,
            None if f.sql.dialect == Dialect::Postgres => TxMode::ImplicitIfMultiple,
            None => TxMode::AsGiven,
        },
    }
}

/// The transaction mode of a part once the runner is known, from the one its layout
/// implies (`tx_mode`): what the tool does differently from the layout's usual runner.
fn tool_tx(tool: Tool, convention: Convention, dialect: Dialect, p: &PartRef) -> TxMode {
    match (tool, p.tx) {
        // pop and ory's popx run every migration in a transaction (`Migrator.UpTo`,
        // `isolatedTransaction`) unless the file is `.autocommit.` (already AsGiven);
        // maragudk/migrate runs each file in a transaction with its version update
        // (`Migrator.apply`).
        (Tool::Pop | Tool::Maragu, TxMode::ImplicitIfMultiple) => TxMode::Wrapped,
        // morph wraps each file in a transaction on PostgreSQL unless it opens with
        // `-- morph:nontransactional` (drivers/postgres `Apply`; MySQL's driver sends the
        // file as it is).
        (Tool::Morph, TxMode::ImplicitIfMultiple)
            if dialect == Dialect::Postgres
                && !p.file.source.text.starts_with("-- morph:nontransactional") =>
        {
            TxMode::Wrapped
        }
        // bun runs `.tx.up.sql`/`.tx.down.sql` in a transaction (`NewSQLMigrationFunc`);
        // other files go chunk by chunk (`--bun:split`), each chunk one query.
        (Tool::Bun, TxMode::ImplicitIfMultiple)
            if p.file.source.path.ends_with(".tx.up.sql")
                || p.file.source.path.ends_with(".tx.down.sql") =>
        {
            TxMode::Wrapped
        }
        // diesel's layout (`<version>_<name>/up.sql`) run by another program — a Go
        // module's own runner (formance's ledger: one `ExecContext` per file) — is not
        // known to open a transaction: the file goes as one query, as golang-migrate
        // sends it.
        (Tool::Unknown, TxMode::Wrapped) if convention == Convention::Diesel => {
            if dialect == Dialect::Postgres {
                TxMode::ImplicitIfMultiple
            } else {
                TxMode::AsGiven
            }
        }
        (_, mode) => mode,
    }
}

/// Folders named `templates` beside another migration folder: the sources a generator
/// renders into that folder (ory's `migrations/templates`, rendered into
/// `migrations/sql`), which no database runs.
fn template_dirs(files: &[MigrationFile]) -> std::collections::BTreeSet<String> {
    let dirs: std::collections::BTreeSet<&str> =
        files.iter().map(|f| f.info.set_dir.as_str()).collect();
    let parent = |d: &str| d.rsplit_once('/').map_or("", |x| x.0).to_string();
    dirs.iter()
        .filter(|d| d.rsplit('/').next() == Some("templates"))
        .filter(|d| {
            let p = parent(d);
            dirs.iter().any(|o| o != *d && parent(o) == p)
        })
        .map(|d| d.to_string())
        .collect()
}

/// `<ver>_<name>_up.sql` beside `<ver>_<name>_down.sql`: an up and a down part of one
/// migration. maragudk/migrate matches `^([\w-]+).up.sql$` with an unescaped dot, so it
/// runs such files as the parts of migration `<ver>_<name>` (harness' early migrations);
/// read one by one they would be two single-file migrations, the down one dropping what
/// the up made. Only a complete pair is read so: a lone `…_down.sql` may be named for
/// what it does.
fn pair_underscore_parts(mut files: Vec<MigrationFile>) -> Vec<MigrationFile> {
    let key = |f: &MigrationFile, suffix: &str| {
        (f.info.convention == Convention::Plain && f.info.part != FilePart::Repeatable)
            .then(|| f.info.name.strip_suffix(suffix))
            .flatten()
            .map(|base| {
                (
                    f.info.set_dir.clone(),
                    f.info.version.clone(),
                    base.to_string(),
                )
            })
    };
    let ups: std::collections::BTreeSet<_> = files.iter().filter_map(|f| key(f, "_up")).collect();
    let downs: std::collections::BTreeSet<_> =
        files.iter().filter_map(|f| key(f, "_down")).collect();
    for f in &mut files {
        if let Some(k) = key(f, "_up").filter(|k| downs.contains(k)) {
            f.info.name = k.2;
            f.info.part = FilePart::Up;
        } else if let Some(k) = key(f, "_down").filter(|k| ups.contains(k)) {
            f.info.name = k.2;
            f.info.part = FilePart::Down;
        }
    }
    files
}

/// Groups classified files into ordered sets with paired parts.
pub fn build_sets(
    files: Vec<MigrationFile>,
    default_dialect: Dialect,
    assume_in_transaction: Option<bool>,
    tool_of: &dyn Fn(&str, Convention, bool) -> Tool,
) -> Vec<MigrationSet> {
    // (folder, dialect) → (version, name) → files.
    type Versions = BTreeMap<(String, String), Vec<MigrationFile>>;
    let mut sets: BTreeMap<(String, Dialect), Versions> = BTreeMap::new();
    // Folders whose file names carry dialect infixes (pop's naming).
    let variant_dirs: std::collections::BTreeSet<String> = files
        .iter()
        .filter(|f| f.info.variant.is_some())
        .map(|f| f.info.set_dir.clone())
        .collect();
    let templates = template_dirs(&files);
    let files = pair_underscore_parts(files);
    for f in files {
        if f.info.part == FilePart::Verify || templates.contains(&f.info.set_dir) {
            continue;
        }
        let dialect = f.sql.dialect;
        let _ = default_dialect;
        sets.entry((f.info.set_dir.clone(), dialect))
            .or_default()
            .entry((f.info.version.clone(), f.info.name.clone()))
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for ((dir, dialect), group) in sets {
        let mut migrations = Vec::new();
        let mut conventions = Vec::new();
        for ((version, name), mut files) in group {
            files.sort_by(|a, b| a.sql.source.path.cmp(&b.sql.source.path));
            let convention = files[0].info.convention;
            conventions.push(convention);
            let mut up = Vec::new();
            let mut down = Vec::new();
            let mut repeatable = false;
            for f in &files {
                repeatable |= f.info.part == FilePart::Repeatable;
                for (i, s) in f.sql.sections.iter().enumerate() {
                    let tx = tx_mode(f, s.no_transaction, assume_in_transaction);
                    let r = PartRef {
                        file: f.sql.clone(),
                        section: i,
                        tx,
                    };
                    let is_down = match f.info.part {
                        FilePart::Down => true,
                        FilePart::Both => s.part == Part::Down,
                        _ => false,
                    };
                    if is_down { down.push(r) } else { up.push(r) }
                }
                if f.sql.sections.is_empty() && f.info.part == FilePart::Down {
                    // An unreadable or empty down file still counts as present.
                }
            }
            let primary = files
                .iter()
                .find(|f| f.info.part != FilePart::Down)
                .unwrap_or(&files[0])
                .sql
                .clone();
            migrations.push(Migration {
                convention,
                tool: Tool::Unknown,
                version,
                name,
                dialect,
                up,
                down,
                paths: files.iter().map(|f| f.sql.source.path.clone()).collect(),
                repeatable,
                is_new: false,
                down_elsewhere: false,
                primary,
                shipped_up: None,
            });
        }
        migrations.sort_by(|a, b| {
            (a.repeatable, version_key(&a.version), &a.name).cmp(&(
                b.repeatable,
                version_key(&b.version),
                &b.name,
            ))
        });
        conventions.sort();
        // The most frequent convention; on a tie the greatest (what `max_by_key` over the
        // sorted list gave: its last maximum). Counted in one pass over the sorted runs —
        // a count per migration made 8,000 migrations cost 64 million comparisons.
        let mut convention = Convention::Plain;
        let mut best = 0;
        for run in conventions.chunk_by(|a, b| a == b) {
            if run.len() >= best {
                best = run.len();
                convention = run[0];
            }
        }
        let has_variants = variant_dirs.contains(&dir);
        let tool = tool_of(&dir, convention, has_variants);
        if tool == Tool::Bun {
            // bun's `Discover` reads only `.up.sql` and `.down.sql` files: another `.sql`
            // file beside them is run by nobody (lndhub's hand-run CONCURRENTLY indexes).
            migrations.retain(|m| {
                m.paths
                    .iter()
                    .all(|p| p.ends_with(".up.sql") || p.ends_with(".down.sql"))
            });
        }
        for m in &mut migrations {
            m.tool = tool;
            if assume_in_transaction.is_none() {
                for p in m.up.iter_mut().chain(m.down.iter_mut()) {
                    p.tx = tool_tx(tool, convention, dialect, p);
                }
            }
        }
        out.push(MigrationSet {
            dir,
            dialect,
            convention,
            tool,
            migrations,
            code_versions: Vec::new(),
        });
    }
    // Dialect-neutral down files (no dialect in the path) count for every dialect's set.
    let neutral_downs: std::collections::BTreeSet<(String, String, String)> = out
        .iter()
        .flat_map(|s| s.migrations.iter().map(move |m| (s, m)))
        .filter(|(_, m)| {
            m.down
                .iter()
                .any(|p| convention::file_dialect_hint(&p.file.source.path).is_none())
        })
        .map(|(s, m)| (s.dir.clone(), m.version.clone(), m.name.clone()))
        .collect();
    for s in &mut out {
        for m in &mut s.migrations {
            m.down_elsewhere = m.down.is_empty()
                && neutral_downs.contains(&(s.dir.clone(), m.version.clone(), m.name.clone()));
        }
    }
    out
}

/// The database a part's file is written for, by its pop-style infix (`.postgres.`,
/// `.cockroach.`, …), spelled one way.
pub fn part_variant(p: &PartRef) -> Option<&'static str> {
    convention::file_variant(&p.file.source.path).map(|v| match v {
        "postgresql" => "postgres",
        "cockroachdb" => "cockroach",
        "sqlite" => "sqlite3",
        v => v,
    })
}

/// The databases a set's files are written for, each replayed on its own: one version's
/// `.postgres.` and `.cockroach.` files are alternatives, not two steps. `[None]` for a
/// set without dialect infixes.
pub fn set_variants(set: &MigrationSet) -> Vec<Option<&'static str>> {
    let mut v: Vec<Option<&'static str>> = set
        .migrations
        .iter()
        .flat_map(|m| m.up.iter().chain(&m.down))
        .filter_map(|p| part_variant(p).map(Some))
        .collect();
    v.sort();
    v.dedup();
    if v.is_empty() {
        v.push(None);
    }
    v
}

/// Whether a migration set's files declare down parts (so a missing one is a gap).
pub fn set_uses_down(set: &MigrationSet) -> bool {
    set.migrations.iter().any(|m| !m.down.is_empty())
        || set.migrations.iter().any(|m| {
            m.paths
                .iter()
                .any(|p| p.ends_with(".down.sql") || p.ends_with("/down.sql"))
        })
}

fn parts_statements(parts: &[PartRef]) -> impl Iterator<Item = (&PartRef, &crate::sql::Statement)> {
    parts
        .iter()
        .flat_map(|p| section(p).statements.iter().map(move |s| (p, s)))
}

/// Which down part statements belong to: the file holding `part`.
pub fn section(p: &PartRef) -> &crate::sql::Section {
    &p.file.sections[p.section]
}

/// Every statement of `parts`, in order, with the part it is in.
pub fn part_statements<'a>(parts: &[&'a PartRef]) -> Vec<(&'a PartRef, &'a crate::sql::Statement)> {
    parts
        .iter()
        .flat_map(|p| section(p).statements.iter().map(move |s| (*p, s)))
        .collect()
}

#[cfg(test)]
mod flyway_tests {
    use super::flyway_non_transactional as nontx;

    #[test]
    fn flyway_s_own_list_of_non_transactional_statements() {
        assert!(nontx("create index concurrently i on t ( a )"));
        assert!(nontx("drop index concurrently if exists i"));
        assert!(nontx("create unique index concurrently i on t ( a )"));
        assert!(nontx("reindex verbose database app"));
        assert!(nontx("vacuum analyze t"));
        // Not in Flyway's list: it wraps these in a transaction.
        assert!(!nontx("reindex index concurrently i"));
        assert!(!nontx("create index i on t ( a )"));
        assert!(!nontx("alter table t add column c int"));
    }
}
