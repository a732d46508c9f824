//! Walks every migration set in version order, replaying the schema, and hands each
//! operation of each checked migration to the rules with what they need to judge it.

pub mod noise;

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, catalogue};
use crate::migrations::replay::{is_guarded, note_unreadable};
use crate::rules::{Rule, RuleMeta};
use crate::settings::MigrationsConfig;
use crate::source::Span;
use crate::sql::ops::Op;
use crate::sql::{Dialect, Part, SqlFile, Statement};

use crate::migrations::schema::Schema;
use crate::migrations::{Convention, Migration, MigrationSet, TxMode};

/// A constraint added `NOT VALID`, and the byte range of the statement that added it.
#[derive(Debug, Clone)]
pub struct NotValidAdd {
    pub table: String,
    pub name: Option<String>,
    pub foreign_key: bool,
    pub start: usize,
    pub end: usize,
}

pub struct OpCx<'a> {
    pub set: &'a MigrationSet,
    pub index: usize,
    pub migration: &'a Migration,
    pub part: Part,
    pub part_ref: &'a crate::migrations::PartRef,
    pub file: &'a Arc<SqlFile>,
    pub stmt: &'a Statement,
    pub op: &'a Op,
    /// The schema before this operation.
    pub schema: &'a Schema,
    pub in_transaction: bool,
    /// The transaction was opened by an explicit BEGIN.
    pub explicit_tx: bool,
    pub tx_mode: TxMode,
    /// Number of statements in this part.
    pub part_len: usize,
    pub lock_timeout_set: bool,
    /// MySQL: `SET FOREIGN_KEY_CHECKS = 0` ran earlier in this part.
    pub foreign_key_checks_off: bool,
    /// An earlier operation of this part already took a table-blocking lock.
    pub blocking_lock_before: bool,
    /// Constraints added `NOT VALID` earlier in the current transaction.
    pub not_valid_in_tx: &'a [NotValidAdd],
    pub config: &'a MigrationsConfig,
    /// The statement says `IF [NOT] EXISTS`.
    pub guarded: bool,
    /// The dialect variant replayed (`mysql`, `postgres`, `cockroach`, …) when the set's
    /// files carry pop-style infixes.
    pub variant: Option<&'static str>,
    /// Which migrations are judged (no base: the older ones are taken as shipped).
    pub judge: Judge,
}

impl<'a> OpCx<'a> {
    /// The operations of the up part's statements before this one (every statement of
    /// the migration's other up files, which run as one unit with this one).
    pub fn earlier_up_ops(&self) -> impl Iterator<Item = &'a Op> + '_ {
        self.migration
            .up_statements()
            .filter(|(p, s)| !Arc::ptr_eq(&p.file, self.file) || s.start < self.stmt.start)
            .flat_map(|(_, s)| s.ops.iter())
    }
}

impl OpCx<'_> {
    /// Flyway refuses this part (`mixed = false` and both kinds of statement).
    pub fn flyway_refuses(&self) -> bool {
        self.tx_mode == TxMode::FlywayAuto && !self.explicit_tx && {
            let text = &self.file.source.text;
            let kinds: Vec<bool> = crate::migrations::section(self.part_ref)
                .statements
                .iter()
                .map(|s| crate::migrations::flyway_non_transactional(&s.tokens_text(text)))
                .collect();
            kinds.contains(&true) && kinds.contains(&false)
        }
    }

    /// Why the statement runs inside a transaction (tool default or explicit BEGIN).
    pub fn tx_reason(&self) -> String {
        if self.migration.convention == Convention::Flyway && !self.explicit_tx {
            return self.flyway_reason();
        }
        if self.migration.tool == crate::migrations::convention::Tool::Pop
            && self.tx_mode == TxMode::Wrapped
            && !self.explicit_tx
        {
            return "pop runs each migration in a transaction unless its file name says `.autocommit.`".into();
        }
        if self.migration.tool == crate::migrations::convention::Tool::Morph
            && self.tx_mode == TxMode::Wrapped
            && !self.explicit_tx
        {
            return "morph runs each migration in a transaction unless the file opens with `-- morph:nontransactional`".into();
        }
        if self.migration.tool == crate::migrations::convention::Tool::Bun && !self.explicit_tx {
            return match self.tx_mode {
                TxMode::Wrapped => "bun runs a `.tx.up.sql` (or `.tx.down.sql`) migration in a transaction".into(),
                _ => "bun sends the statements between two `--bun:split` lines as one query, and PostgreSQL runs a query of several statements as a single implicit transaction".into(),
            };
        }
        tx_reason(self.migration.convention, self.tx_mode, self.explicit_tx)
    }

    pub fn dialect(&self) -> Dialect {
        self.set.dialect
    }

    fn flyway_reason(&self) -> String {
        if self.flyway_refuses() {
            return "Flyway refuses this migration, because it mixes non-transactional statements with transactional ones and `mixed` is false (the default), so the deploy stops here".into();
        }
        match self.tx_mode {
            TxMode::Wrapped => "the script configuration sets `executeInTransaction=true`, so Flyway runs it in a transaction".into(),
            _ => "Flyway does not count this statement among the non-transactional ones (only CREATE/DROP INDEX CONCURRENTLY and REINDEX SCHEMA/DATABASE/SYSTEM are), so it runs it in a transaction".into(),
        }
    }

    /// True when the table does not exist in production yet: created by this migration,
    /// or by another migration that is new in this release (when a base is known).
    pub fn is_new_table(&self, table: &str) -> bool {
        match self.schema.table(table) {
            Some(t) => self.is_fresh(t.created_in),
            None => false,
        }
    }

    /// True when the table's current name was given by this release (a rename or
    /// creation the previous release never saw).
    pub fn is_new_name(&self, table: &str) -> bool {
        self.schema
            .table(table)
            .is_some_and(|t| self.is_fresh(t.named_in))
    }

    /// `DROP TABLE IF EXISTS t; CREATE TABLE t …` where no earlier migration made `t`:
    /// an idempotent creation of a table this migration introduces, not a dropped one.
    pub fn recreates_unknown_table(&self, table: &str) -> bool {
        self.schema.table(table).is_none() && self.migration_creates_table(table)
    }

    /// Whether an up part of this migration creates a table or view called `name`.
    pub fn migration_creates_table(&self, name: &str) -> bool {
        self.migration
            .up_statements()
            .flat_map(|(_, s)| s.ops.iter())
            .any(|o| match o {
                Op::CreateTable { table, .. } => table == name,
                Op::CreateView { name: view } => view == name,
                _ => false,
            })
    }

    /// Whether a later statement of this part gives `table` a column called `column`
    /// again (added, or renamed to it): the add-copy-drop-rename swap that changes a
    /// column's type where ALTER cannot (SQLite), after which readers find the column.
    pub fn part_recreates_column(&self, table: &str, column: &str) -> bool {
        crate::migrations::section(self.part_ref)
            .statements
            .iter()
            .filter(|s| s.start > self.stmt.start)
            .flat_map(|s| s.ops.iter())
            .any(|o| match o {
                Op::AddColumn {
                    table: t,
                    column: c,
                } => t == table && c.name == column,
                Op::RenameColumn { table: t, to, .. } => t == table && to == column,
                _ => false,
            })
    }

    /// Whether this part gave `column` its name by renaming another column (`RENAME c TO
    /// c_old`, as the swap that keeps a name does before it adds `c` back with a new type
    /// and drops `c_old`: sharry's varchar-to-timestamp migration). The previous release
    /// never named `column`: what it reads is the old name, which M103 judges at the
    /// rename (and finds again when the swap adds it back).
    pub fn part_renamed_to(&self, table: &str, column: &str) -> bool {
        crate::migrations::section(self.part_ref)
            .statements
            .iter()
            .flat_map(|s| s.ops.iter())
            .any(|o| matches!(o, Op::RenameColumn { table: t, to, .. } if t == table && to == column))
    }

    /// Whether an earlier statement of this part renamed `column` aside or dropped it:
    /// a column added under that name replaces one the previous release reads and writes.
    pub fn part_replaces_column(&self, table: &str, column: &str) -> bool {
        crate::migrations::section(self.part_ref)
            .statements
            .iter()
            .filter(|s| s.start < self.stmt.start)
            .flat_map(|s| s.ops.iter())
            .any(|o| match o {
                Op::RenameColumn { table: t, from, .. } => t == table && from == column,
                Op::DropColumn {
                    table: t,
                    column: c,
                } => t == table && c == column,
                _ => false,
            })
    }

    pub fn is_new_column(&self, table: &str, column: &str) -> bool {
        self.is_new_table(table)
            || self
                .schema
                .column(table, column)
                .is_some_and(|c| self.is_fresh(c.created_in))
    }

    /// Whether something made by migration number `made_in` is new in this release.
    pub fn is_fresh(&self, made_in: usize) -> bool {
        fresh(self.set, self.index, made_in)
    }

    /// Span of the whole statement.
    pub fn stmt_span(&self) -> Span {
        self.file.source.span(self.stmt.start, self.stmt.end)
    }

    /// Span of the first occurrence of `words` in the statement, else the statement.
    pub fn span_of(&self, words: &[&str]) -> Span {
        match self.stmt.find_words(&self.file.source.text, words) {
            Some((s, e)) => self.file.source.span(s, e),
            None => self.stmt_span(),
        }
    }

    /// Span of an added constraint: `CONSTRAINT name` when named (a statement may also drop
    /// one with the same keyword), else the first `keyword`.
    pub fn constraint_span(&self, name: Option<&str>, keyword: &str) -> Span {
        let text = &self.file.source.text;
        if let Some(n) = name
            && let Some((s, e)) = self
                .stmt
                .find_words(text, &["ADD", "CONSTRAINT", n])
                .or_else(|| self.stmt.find_words(text, &["CONSTRAINT", n]))
        {
            return self.file.source.span(s, e);
        }
        self.span_of(&[keyword])
    }

    pub fn diag(
        &self,
        rule: &'static RuleMeta,
        span: Span,
        message: String,
        help: impl Into<String>,
        detail: &str,
    ) -> Diagnostic {
        // The anchor is the statement's text and the detail: stable when lines move.
        let anchor = format!(
            "{:016x}|{}",
            crate::diagnostic::fnv1a(&self.stmt.normalised),
            detail
        );
        Diagnostic::new(rule, &self.file.source, span, message, help, anchor)
    }
}

pub struct MigrationCx<'a> {
    pub set: &'a MigrationSet,
    pub index: usize,
    pub migration: &'a Migration,
    /// The parts the database being replayed runs (one dialect variant's files, else
    /// the dialect-neutral ones).
    pub up_parts: &'a [&'a crate::migrations::PartRef],
    pub down_parts: &'a [&'a crate::migrations::PartRef],
    /// The dialect variant replayed, for sets with pop-style dialect files.
    pub variant: Option<&'static str>,
    /// Schema after the up parts of this migration ran.
    pub schema_after: &'a Schema,
    /// What the up parts followed by the down parts leave different from the schema
    /// before the up (when the migration has a down part and is judged).
    pub down_differences: Option<&'a [crate::migrations::schema::Difference]>,
    pub uses_down: bool,
    pub config: &'a MigrationsConfig,
    pub judge: Judge,
}

impl MigrationCx<'_> {
    /// True when an earlier migration of this release (or this one) created `table`:
    /// the previous release never held data in it.
    pub fn table_made_in_release(&self, table: &str) -> bool {
        if is_fresh_table(self.schema_after, self.set, self.index, table) {
            return true;
        }
        self.set.migrations[..self.index]
            .iter()
            .enumerate()
            .filter(|(j, _)| fresh(self.set, self.index, *j))
            .any(|(_, m)| {
                m.up_statements()
                    .flat_map(|(_, s)| s.ops.iter())
                    .any(|o| matches!(o, Op::CreateTable { table: t, .. } if t == table))
            })
    }
}

/// Operations that take a lock blocking reads or writes on an existing table.
pub fn takes_blocking_lock(op: &Op, dialect: Dialect) -> bool {
    match op {
        Op::CreateIndex { concurrently, .. } | Op::DropIndex { concurrently, .. } => {
            !concurrently && dialect == Dialect::Postgres
        }
        Op::Reindex { concurrently, .. } => !concurrently,
        Op::AddColumn { .. }
        | Op::DropColumn { .. }
        | Op::RenameColumn { .. }
        | Op::ChangeColumnType { .. }
        | Op::SetNotNull { .. }
        | Op::DropNotNull { .. }
        | Op::SetDefault { .. }
        | Op::DropDefault { .. }
        | Op::AddConstraint { .. }
        | Op::DropConstraint { .. }
        | Op::RenameTable { .. }
        | Op::DropTable { .. }
        | Op::Truncate { .. }
        | Op::VacuumFull { .. }
        | Op::Cluster { .. }
        | Op::MysqlRebuild { .. } => true,
        // ACCESS SHARE … SHARE UPDATE EXCLUSIVE let reads and writes go on.
        Op::LockTable { blocks, .. } => *blocks != crate::sql::ops::LockBlocks::Nothing,
        // VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on.
        _ => false,
    }
}

fn tx_reason(convention: Convention, mode: TxMode, explicit: bool) -> String {
    if explicit {
        return "the migration opens a transaction with BEGIN".into();
    }
    match (convention, mode) {
        (Convention::Goose, _) => {
            "goose runs each migration in a transaction unless the file says `-- +goose NO TRANSACTION`".into()
        }
        (Convention::SqlMigrate, _) => {
            "sql-migrate's runners (rubenv/sql-migrate, GoAlert's) run each migration in a transaction unless its `-- +migrate Up` line says `notransaction`".into()
        }
        (Convention::Dbmate, _) => {
            "dbmate runs each part in a transaction unless the marker says `transaction:false`".into()
        }
        (Convention::Diesel, _) => {
            "diesel runs each migration in a transaction unless its metadata.toml sets `run_in_transaction = false`".into()
        }
        (Convention::Prisma, TxMode::ImplicitIfMultiple) => {
            "Prisma Migrate sends migration.sql as one query, and PostgreSQL runs a query of several statements as a single implicit transaction".into()
        }
        (Convention::Prisma, _) => "Prisma Migrate runs each migration.sql in a transaction".into(),
        (Convention::Liquibase, _) => {
            "Liquibase runs each changeset in a transaction unless it sets `runInTransaction:false`".into()
        }
        (_, TxMode::ImplicitIfMultiple) => {
            "PostgreSQL runs a multi-statement file sent in one call (as golang-migrate does) as a single implicit transaction".into()
        }
        (Convention::Drizzle, _) => {
            "drizzle-orm's migrator runs all pending migrations in one transaction".into()
        }
        (Convention::Plain, _) => {
            "the migration tool wraps each migration in a transaction unless the file starts with `-- no-transaction` (sqlx) or `-- atlas:txmode none` (Atlas)".into()
        }
        _ => "the migration runs inside a transaction".into(),
    }
}

/// Which migrations the rules judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// Every migration (`--all`).
    All,
    /// Migrations the base release does not have.
    New,
    /// No base: production is assumed to have run all but the newest migration of each
    /// set, so only that one is judged (a first run is about the change at hand, not
    /// years of shipped history).
    Newest,
}

/// The pseudo-variant of databases that have no files of their own in a folder of
/// dialect files, and run only the dialect-neutral ones.
pub const NEUTRAL: &str = "neutral";

/// ` on postgres`, for messages about one variant's replay.
pub fn variant_phrase(variant: Option<&str>) -> String {
    match variant {
        Some(NEUTRAL) => " on databases that run only the dialect-neutral files".into(),
        Some(v) => format!(" on {v}"),
        None => String::new(),
    }
}

/// Runs the per-operation and per-migration rules over all sets.
pub fn run(
    sets: &[MigrationSet],
    rules: &[&dyn Rule],
    config: &MigrationsConfig,
    judge: Judge,
    out: &mut Vec<Diagnostic>,
) {
    crate::workers::init();
    use rayon::prelude::*;
    // No migration rule selected: the replay would feed nobody.
    if !rules
        .iter()
        .any(|r| r.meta().domain == crate::rules::Domain::Migrations)
    {
        return;
    }
    // Sets are independent: walk them in parallel.
    let found: Vec<Vec<Diagnostic>> = sets
        .par_iter()
        .map(|set| {
            let mut out = Vec::new();
            run_set(set, sets, rules, config, judge, &mut out);
            out
        })
        .collect();
    let mut found: Vec<Diagnostic> = found.into_iter().flatten().collect();
    noise::merge_variants(sets, &mut found);
    noise::shape_deploy(&mut found, config);
    out.extend(found);
}

/// What a borrowed, shipped dialect-neutral migration made: before every migration of
/// the set that is judged, and not "before history" (`schema::BEFORE_HISTORY`).
const BORROWED_SHIPPED: usize = usize::MAX - 1;

/// The index of the newest ordered migration of a set.
pub fn newest_index(set: &MigrationSet) -> Option<usize> {
    set.migrations.iter().rposition(|m| !m.repeatable)
}

fn run_set(
    set: &MigrationSet,
    sets: &[MigrationSet],
    rules: &[&dyn Rule],
    config: &MigrationsConfig,
    judge: Judge,
    out: &mut Vec<Diagnostic>,
) {
    let uses_down = crate::migrations::set_uses_down(set);
    // Without a base, the newest migration of the folder: in a folder of pop dialect files
    // another database's set may hold it, and then every file of this set is older.
    let folder_newest = sets
        .iter()
        .filter(|o| o.dir == set.dir)
        .filter_map(|o| newest_index(o).map(|i| &o.migrations[i].version))
        .max_by_key(|v| crate::migrations::version_key(v));
    let newest = newest_index(set).filter(|&i| {
        folder_newest.is_none_or(|v| {
            crate::migrations::version_key(v)
                <= crate::migrations::version_key(&set.migrations[i].version)
        })
    });
    let mut variants = crate::migrations::set_variants(set);
    // A database with no files of its own in a folder of dialect files runs only the
    // dialect-neutral ones (pop): replayed too, for the rules about what fails or is not
    // undone there; the other rules judge each file in the variants that name it.
    let neutral_only = variants.iter().all(Option::is_some)
        && set
            .migrations
            .iter()
            .flat_map(|m| m.up.iter().chain(&m.down))
            .any(|p| crate::migrations::part_variant(p).is_none());
    if neutral_only {
        variants.push(Some(NEUTRAL));
    }
    let schema_rules: Vec<&dyn Rule> = rules
        .iter()
        .copied()
        .filter(|r| [catalogue::M302.code, catalogue::M307.code].contains(&r.meta().code))
        .collect();
    let borrowed = crate::migrations::replay::borrowed(set, sets);
    let neutral_ups = crate::migrations::replay::neutral_ups(set, sets);
    let mut all = Vec::new();
    for variant in &variants {
        let rules = if *variant == Some(NEUTRAL) {
            &schema_rules[..]
        } else {
            rules
        };
        let mut schema = Schema::new(set.dialect);
        let mut pending = borrowed.iter().peekable();
        for (index, m) in set.migrations.iter().enumerate() {
            let key = crate::migrations::version_key(&m.version);
            while let Some(b) =
                pending.next_if(|b| crate::migrations::version_key(&b.version) < key)
            {
                // Made "by" a migration of this set that is new exactly when it is, so
                // what it adds counts as the release's own (or as shipped).
                let made_in = if b.is_new {
                    (index..set.migrations.len())
                        .find(|&i| set.migrations[i].is_new)
                        .unwrap_or(BORROWED_SHIPPED)
                } else {
                    BORROWED_SHIPPED
                };
                crate::migrations::replay::apply_up(&mut schema, b, *variant, made_in);
            }
            crate::migrations::replay::apply_code_migrations(&mut schema, set, index);
            let checked = match judge {
                Judge::All => true,
                Judge::New => m.is_new,
                Judge::Newest => Some(index) == newest,
            };
            // A migration whose up part is written per database (no dialect-neutral up
            // file) is not one a database without its own files runs.
            if *variant == Some(NEUTRAL)
                && !m
                    .up
                    .iter()
                    .any(|p| crate::migrations::part_variant(p).is_none())
            {
                continue;
            }
            // A shipped migration is replayed as the databases ran it.
            let up = if checked {
                m.parts_for(*variant, false)
            } else {
                m.applied_up_for(*variant)
            };
            let parts = (up, m.parts_for(*variant, true));
            let found = walk_migration(
                set,
                index,
                m,
                neutral_ups.get(m.version.as_str()).copied(),
                &parts,
                &mut schema,
                checked,
                uses_down,
                rules,
                config,
                (*variant, judge),
            );
            all.extend(found);
        }
    }
    if variants.len() > 1 {
        // A dialect-neutral file runs in every variant without its own: report it once.
        crate::diagnostic::drop_identical(&mut all);
    }
    out.extend(all);
}

/// Walks one migration's up parts, then its down parts on the schema after the up,
/// comparing, then undoing them; runs the per-migration rules.
#[allow(clippy::too_many_arguments)]
fn walk_migration(
    set: &MigrationSet,
    index: usize,
    m: &Migration,
    // Only a down file of its own: the database runs this neutral up, replayed here but
    // judged in the set that holds it.
    neutral_up: Option<&Migration>,
    (up, down): &(
        Vec<&crate::migrations::PartRef>,
        Vec<&crate::migrations::PartRef>,
    ),
    schema: &mut Schema,
    checked: bool,
    uses_down: bool,
    rules: &[&dyn Rule],
    config: &MigrationsConfig,
    (variant, judge): (Option<&'static str>, Judge),
) -> Vec<Diagnostic> {
    // The journal only has to reach back to the start of this migration.
    schema.forget();
    let before_up = schema.mark();
    if let Some(n) = neutral_up {
        crate::migrations::replay::apply_up(schema, n, variant, index);
    }
    let mut found = Vec::new();
    for part in up {
        walk_part(
            set,
            index,
            m,
            part,
            Part::Up,
            schema,
            checked,
            rules,
            config,
            (variant, judge),
            &mut found,
        );
    }
    // The down part runs on the schema after the up, in place; what it changed is
    // compared with the state before the up, then undone.
    let after_up = schema.mark();
    let mut down_found = Vec::new();
    for part in down {
        walk_part(
            set,
            index,
            m,
            part,
            Part::Down,
            schema,
            checked,
            rules,
            config,
            (variant, judge),
            &mut down_found,
        );
    }
    let down_differences =
        (checked && !down.is_empty()).then(|| schema.differences_since(before_up, after_up));
    schema.rollback(after_up);
    if config.demote_down_parts {
        // Before folding: the folded statements still cover their M209s.
        noise::drop_covered_lock_timeouts(&mut down_found);
        noise::fold_rollback(&mut down_found);
    }
    found.extend(down_found);
    if checked {
        let cx = MigrationCx {
            set,
            index,
            migration: m,
            up_parts: up,
            down_parts: down,
            variant,
            schema_after: schema,
            down_differences: down_differences.as_deref(),
            uses_down,
            config,
            judge,
        };
        for r in rules {
            r.check_migration(&cx, &mut found);
        }
    }
    noise::shape_migration(&mut found);
    found
}

/// For a bun migration: how many statements share the `--bun:split` chunk of the
/// statement starting at a byte offset (bun's `Exec` splits on lines that are exactly
/// `--bun:split`).
fn bun_chunk_sizes(
    text: &str,
    statements: &[crate::sql::Statement],
) -> impl Fn(usize) -> usize + use<> {
    let mut splits = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "--bun:split" {
            splits.push(at);
        }
        at += line.len();
    }
    let chunk_of = move |start: usize| splits.partition_point(|&s| s < start);
    let mut sizes: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for st in statements {
        *sizes.entry(chunk_of(st.start)).or_default() += 1;
    }
    move |start| sizes.get(&chunk_of(start)).copied().unwrap_or(1)
}

#[allow(clippy::too_many_arguments)]
fn walk_part(
    set: &MigrationSet,
    index: usize,
    m: &Migration,
    part_ref: &crate::migrations::PartRef,
    part: Part,
    schema: &mut Schema,
    checked: bool,
    rules: &[&dyn Rule],
    config: &MigrationsConfig,
    (variant, judge): (Option<&'static str>, Judge),
    out: &mut Vec<Diagnostic>,
) {
    let section = crate::migrations::section(part_ref);
    let n = section.statements.len();
    // Flyway decides from its own reading of the statements.
    let flyway_nontx = section
        .statements
        .iter()
        .filter(|s| {
            crate::migrations::flyway_non_transactional(&s.tokens_text(&part_ref.file.source.text))
        })
        .count();
    let mut in_tx = match part_ref.tx {
        TxMode::Wrapped => true,
        TxMode::AsGiven => false,
        TxMode::ImplicitIfMultiple => n > 1,
        // A mix of both is refused (M203 says so); only non-transactional ones run alone.
        TxMode::FlywayAuto => flyway_nontx < n,
        TxMode::FlywayMixed => flyway_nontx == 0,
    };
    // bun sends each `--bun:split` chunk as its own query: a statement is in an implicit
    // transaction only when its chunk holds another.
    let bun_chunks = (m.tool == crate::migrations::convention::Tool::Bun
        && part_ref.tx == TxMode::ImplicitIfMultiple)
        .then(|| bun_chunk_sizes(&part_ref.file.source.text, &section.statements));
    let mut explicit = false;
    let mut lock_timeout_set = false;
    let mut fk_checks_off = false;
    let mut blocking_before = false;
    let mut not_valid: Vec<NotValidAdd> = Vec::new();
    // CockroachDB changes schemas online, without the table locks the lock rules are
    // about: they do not run on its files.
    let cockroach = crate::migrations::convention::is_cockroach(&part_ref.file.source.path);
    let part_rules: Vec<&dyn Rule> = rules
        .iter()
        .copied()
        .filter(|r| !(cockroach && noise::is_lock_rule(r.meta().code)))
        .collect();
    for stmt in &section.statements {
        if let Some(chunks) = &bun_chunks
            && !explicit
        {
            in_tx = chunks(stmt.start) > 1;
        }
        note_unreadable(schema, stmt, &part_ref.file.source.text);
        let guarded = is_guarded(stmt, &part_ref.file.source.text);
        for op in &stmt.ops {
            match op {
                Op::Begin => {
                    in_tx = true;
                    explicit = true;
                    not_valid.clear();
                }
                Op::Commit | Op::Rollback => {
                    in_tx = false;
                    explicit = false;
                    not_valid.clear();
                }
                _ => {}
            }
            if checked {
                let cx = OpCx {
                    set,
                    index,
                    migration: m,
                    part,
                    part_ref,
                    file: &part_ref.file,
                    stmt,
                    op,
                    schema,
                    in_transaction: in_tx,
                    explicit_tx: explicit,
                    tx_mode: part_ref.tx,
                    part_len: n,
                    lock_timeout_set,
                    foreign_key_checks_off: fk_checks_off,
                    blocking_lock_before: blocking_before,
                    not_valid_in_tx: &not_valid,
                    config,
                    guarded,
                    variant,
                    judge,
                };
                let before = out.len();
                for r in &part_rules {
                    r.check_op(&cx, out);
                }
                noise::shape_op(&mut out[before..], part, config);
            }
            if let Op::SetTimeout { lock: true, .. } = op {
                lock_timeout_set = true;
            }
            if let Op::SetForeignKeyChecks { on } = op {
                fk_checks_off = !on;
            }
            if let Some(t) = op.table()
                && takes_blocking_lock(op, set.dialect)
                && !is_fresh_table(schema, set, index, t)
            {
                blocking_before = true;
            }
            if let Op::AddConstraint {
                table,
                name,
                kind,
                not_valid: true,
                ..
            } = op
                && in_tx
            {
                not_valid.push(NotValidAdd {
                    table: table.clone(),
                    name: name.clone(),
                    foreign_key: *kind == crate::sql::ops::ConstraintKind::ForeignKey,
                    start: stmt.start,
                    end: stmt.end,
                });
            }
            schema.apply_statement_op(op, index, guarded);
        }
    }
}

/// Made by the migration being checked (`index`), or by another migration new in this
/// release: production has not got it yet.
fn fresh(set: &MigrationSet, index: usize, made_in: usize) -> bool {
    made_in == index || set.migrations.get(made_in).is_some_and(|m| m.is_new)
}

fn is_fresh_table(schema: &Schema, set: &MigrationSet, index: usize, table: &str) -> bool {
    schema
        .table(table)
        .is_some_and(|t| fresh(set, index, t.created_in))
}

/// The last migration before `index` whose up part creates `table` (or renames a table to
/// it).
pub fn creator(set: &MigrationSet, index: usize, table: &str) -> Option<usize> {
    set.migrations[..index.min(set.migrations.len())]
        .iter()
        .rposition(|m| {
            m.up_statements().flat_map(|(_, s)| s.ops.iter()).any(|o| {
                matches!(o, Op::CreateTable { table: t, .. } | Op::RenameTable { to: t, .. } if t == table)
            })
        })
}

/// An earlier migration that dropped `table` (made by a migration before it) and created
/// it again, empty, without copying rows into it: the project itself discards this
/// table's rows when its shape changes, so they are not data a rollback would need.
pub fn rows_discarded_in(set: &MigrationSet, index: usize, table: &str) -> Option<usize> {
    (0..index.min(set.migrations.len())).rev().find(|&j| {
        let ops: Vec<&Op> = set.migrations[j]
            .up_statements()
            .flat_map(|(_, s)| s.ops.iter())
            .collect();
        let Some(drop) = ops
            .iter()
            .position(|o| matches!(o, Op::DropTable { table: t } if t == table))
        else {
            return false;
        };
        ops[drop..]
            .iter()
            .any(|o| matches!(o, Op::CreateTable { table: t, .. } if t == table))
            && !ops
                .iter()
                .any(|o| matches!(o, Op::Insert { table: t, .. } if t == table))
            && creator(set, j, table).is_some()
    })
}

/// Without a base, the claim that the previous release has `table` rests on taking every
/// migration but the newest as shipped: say so, naming the migration that made it, so
/// the reader can tell (`""` when a base is known or this migration made it).
pub fn shipped_assumption(set: &MigrationSet, judge: Judge, index: usize, table: &str) -> String {
    if judge != Judge::Newest {
        return String::new();
    }
    match creator(set, index, table) {
        Some(j) => format!(
            " (no base given: `{}`, which creates `{table}`, is taken as shipped)",
            set.migrations[j].label()
        ),
        None => String::new(),
    }
}
