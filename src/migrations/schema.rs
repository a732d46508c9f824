//! The schema as the migrations build it, replayed in order, remembering which migration
//! created each table, column and index. Rules ask it whether a table existed before this
//! migration (a lock risk) or is new (not yet in production, so safe to change), whether a
//! statement's objects exist at that point, and what a down part leaves different.
//!
//! The replay is incremental: every change is written to a journal of previous values, so
//! a down part is applied in place and undone afterwards (no copy of the schema per
//! migration), and the journal tells exactly which objects an up-then-down changed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::sql::Dialect;
use crate::sql::ops::{ColumnSpec, ConstraintKind, Op};

#[derive(Debug, Clone)]
pub struct Column {
    pub created_in: usize,
    pub spec: ColumnSpec,
}

/// Made before the oldest migration kept in the repository: assumed to exist, contents
/// unknown.
pub const BEFORE_HISTORY: usize = usize::MAX;

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub created_in: usize,
    /// Migration that gave the table its current name (creation or rename).
    pub named_in: usize,
    /// Migration in which a stored procedure or dynamic SQL was handed this table's name:
    /// what it changed on the table is unknown.
    pub opaque_in: Option<usize>,
    /// A statement rollsafe could not read touched this table: its columns, indexes and
    /// constraints may differ from the model, so rules stay quiet about them.
    pub uncertain: bool,
    /// A backup made by renaming a table away and creating a new one under the old name
    /// in the same migration: no application version uses it by this name.
    pub backup: bool,
    /// A view or materialized view (no columns kept).
    pub view: bool,
    /// Made by `CREATE TABLE … AS` / `LIKE`: its columns are not known.
    pub copied: bool,
    pub columns: HashMap<String, Column>,
    /// Columns that a validated `CHECK (col IS NOT NULL)` already guarantees.
    pub not_null_checked: HashSet<String>,
    /// Column sets kept unique by an unnamed key: `UNIQUE (…)` / `PRIMARY KEY (…)` in
    /// `CREATE TABLE`, a column's own `UNIQUE` / `PRIMARY KEY`, an unnamed `ADD UNIQUE`.
    pub unique_keys: Vec<Vec<String>>,
}

impl Table {
    /// A statement rollsafe could not read, or a stored procedure, touched it.
    pub fn unreadable(&self) -> bool {
        self.uncertain || self.opaque_in.is_some()
    }

    /// Whether the model knows this table's columns (it created it from a full definition
    /// and nothing unreadable touched it since).
    pub fn fully_known(&self) -> bool {
        self.created_in != BEFORE_HISTORY
            && self.opaque_in.is_none()
            && !self.uncertain
            && !self.copied
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub table: String,
    pub made_in: usize,
    pub unique: bool,
    /// Plain key columns; empty when a key is an expression.
    pub columns: Vec<String>,
}

/// A dropped index or constraint: the migration that dropped it, and its table and key
/// columns when it was a unique key (a rule the data obeyed until then).
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    pub migration: usize,
    pub unique_key: Option<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    pub table: String,
    pub kind: ConstraintKind,
    pub not_valid: bool,
    /// Key columns of a unique or primary-key constraint (empty when unknown).
    pub columns: Vec<String>,
}

/// The previous value of one entry, to undo a change.
#[derive(Debug, Clone)]
enum Undo {
    Table(String, Option<Arc<Table>>),
    Enum(String, Option<(Vec<String>, usize)>),
    Index(String, Option<Index>),
    Constraint(String, Option<Constraint>),
    Dropped(String, Option<Dropped>),
    RenamedTable(String, Option<(String, usize)>),
    RenamedEnum(String, Option<Vec<String>>),
    /// A drop of an object the model did not know (older than the kept history): an
    /// object of that name made again afterwards is the old one restored. Key: `t:table`,
    /// `c:table.column`, `i:index`, `k:constraint`. Nothing to undo.
    Ghost(String),
}

/// An object an up-then-down left different from before the up.
#[derive(Debug, Clone, PartialEq)]
pub enum Difference {
    /// A table or view that exists afterwards and did not before.
    Added(Object),
    /// One that existed before and is gone afterwards.
    Removed(Object),
    /// A column whose type or nullability differs.
    ColumnChanged {
        table: String,
        column: String,
        what: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Table(String),
    View(String),
    Column(String, String),
    Index(String, String),
    Constraint(String, String),
    Type(String),
}

impl Object {
    pub fn describe(&self) -> String {
        match self {
            Object::Table(t) => format!("table `{t}`"),
            Object::View(v) => format!("view `{v}`"),
            Object::Column(t, c) => format!("column `{t}.{c}`"),
            Object::Index(i, t) => format!("index `{i}` on `{t}`"),
            Object::Constraint(c, t) => format!("constraint `{}` on `{t}`", bare_name(c)),
            Object::Type(n) => format!("type `{n}`"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub dialect: Option<Dialect>,
    pub tables: HashMap<String, Arc<Table>>,
    /// Enum types: values and the migration that created them.
    pub enums: HashMap<String, (Vec<String>, usize)>,
    pub indexes: HashMap<String, Index>,
    /// Named constraints.
    pub constraints: HashMap<String, Constraint>,
    /// Index and constraint names dropped, with the migration that dropped them: a unique
    /// index re-created under the same name restores a rule that already held.
    pub dropped_names: HashMap<String, Dropped>,
    /// Table renames: old name → (new name, migration), to recognise backups.
    renamed_tables: HashMap<String, (String, usize)>,
    /// Enum types renamed away (old name → values), kept to spot a "recreate with fewer
    /// values" sequence.
    pub renamed_enums: HashMap<String, Vec<String>>,
    /// Tables dropped by the replay (to tell "does not exist" from "never heard of").
    dropped_tables: HashSet<String>,
    /// A statement rollsafe could not read ran: objects may exist that it never saw.
    unreadable_seen: bool,
    /// The statement being applied says `IF [NOT] EXISTS`.
    guarded: bool,
    journal: Vec<Undo>,
    /// The names of the indexes and of the constraints on each table, kept with `indexes`
    /// and `constraints`: dropping, renaming or altering a table visits only its own
    /// (a scan of every index per dropped table made a long replay quadratic: 8,000
    /// migrations with down parts spent about a second there).
    index_names: HashMap<String, BTreeSet<String>>,
    constraint_names: HashMap<String, BTreeSet<String>>,
}

/// Separates a constraint's name from its table in a key (see `Schema::constraint_key`).
const QUALIFIER: char = '\u{1f}';

/// A constraint's name as written, without the table a key may carry.
pub fn bare_name(key: &str) -> &str {
    key.split(QUALIFIER).next().unwrap_or(key)
}

/// Sets `map[name]` and keeps `names` (table → names) in step; returns the old value.
fn set_named<V>(
    map: &mut HashMap<String, V>,
    names: &mut HashMap<String, BTreeSet<String>>,
    table_of: impl Fn(&V) -> &str,
    name: &str,
    v: Option<V>,
) -> Option<V> {
    if let Some(v) = &v {
        names
            .entry(table_of(v).to_string())
            .or_default()
            .insert(name.to_string());
    }
    let new_table = v.as_ref().map(|v| table_of(v).to_string());
    let old = match v {
        Some(v) => map.insert(name.to_string(), v),
        None => map.remove(name),
    };
    if let Some(o) = &old {
        let t = table_of(o);
        if new_table.as_deref() != Some(t)
            && let Some(set) = names.get_mut(t)
        {
            set.remove(name);
            if set.is_empty() {
                names.remove(t);
            }
        }
    }
    old
}

impl Schema {
    pub fn new(dialect: Dialect) -> Schema {
        Schema {
            dialect: Some(dialect),
            ..Default::default()
        }
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name).map(|t| t.as_ref())
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.tables.get(table).and_then(|t| t.columns.get(column))
    }

    /// Whether a unique index, a unique or primary-key constraint, or a key declared with
    /// the table already keeps exactly this set of columns of `table` unique (the columns
    /// still exist: dropping one drops the keys on it).
    pub fn has_unique_key(&self, table: &str, columns: &[String]) -> bool {
        let Some(t) = self.tables.get(table) else {
            return false;
        };
        let mut want: Vec<&str> = columns.iter().map(String::as_str).collect();
        want.sort_unstable();
        want.dedup();
        if want.is_empty() || want.iter().any(|c| !t.columns.contains_key(*c)) {
            return false;
        }
        let same = |cols: &[String]| {
            let mut have: Vec<&str> = cols.iter().map(String::as_str).collect();
            have.sort_unstable();
            have.dedup();
            have == want
        };
        t.unique_keys.iter().any(|k| same(k))
            || self.indexes_on(table).iter().any(|n| {
                self.indexes
                    .get(n)
                    .is_some_and(|i| i.unique && same(&i.columns))
            })
            || self.constraints_on(table).iter().any(|n| {
                self.constraints.get(n).is_some_and(|c| {
                    matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey)
                        && !c.not_valid
                        && same(&c.columns)
                })
            })
    }

    /// A position in the journal, to undo back to or to compare with.
    pub fn mark(&self) -> usize {
        self.journal.len()
    }

    /// Undoes every change made since `mark`.
    pub fn rollback(&mut self, mark: usize) {
        while self.journal.len() > mark {
            match self.journal.pop() {
                Some(Undo::Table(k, v)) => restore(&mut self.tables, k, v),
                Some(Undo::Enum(k, v)) => restore(&mut self.enums, k, v),
                Some(Undo::Index(k, v)) => {
                    set_named(
                        &mut self.indexes,
                        &mut self.index_names,
                        |i| &i.table,
                        &k,
                        v,
                    );
                }
                Some(Undo::Constraint(k, v)) => {
                    set_named(
                        &mut self.constraints,
                        &mut self.constraint_names,
                        |c| &c.table,
                        &k,
                        v,
                    );
                }
                Some(Undo::Dropped(k, v)) => restore(&mut self.dropped_names, k, v),
                Some(Undo::RenamedTable(k, v)) => restore(&mut self.renamed_tables, k, v),
                Some(Undo::RenamedEnum(k, v)) => restore(&mut self.renamed_enums, k, v),
                Some(Undo::Ghost(_)) => {}
                None => break,
            }
        }
    }

    /// Forgets the journal: what came before can no longer be undone (called between
    /// migrations, so the journal stays as small as one migration).
    pub fn forget(&mut self) {
        self.journal.clear();
    }

    /// What differs now from the state at `mark`, object by object. Objects on tables the
    /// model does not fully know are left out (`None` when the change touched one of them
    /// in a way that makes the comparison meaningless).
    /// `down` is the mark where the down part started: what the up part dropped without
    /// the model knowing it (an object older than the kept history) and is not there at
    /// the end was not brought back.
    pub fn differences_since(&self, mark: usize, down: usize) -> Vec<Difference> {
        let mut seen: HashSet<(u8, &str)> = HashSet::new();
        let mut out = Vec::new();
        let since = &self.journal[mark.min(self.journal.len())..];
        // Indexes and constraints of a table an unreadable statement touched, before or
        // after, may have changed in ways the model did not follow (a RENAME CONSTRAINT).
        let unreadable = |table: &str| {
            let before = since.iter().find_map(|u| match u {
                Undo::Table(k, b) if k == table => Some(b.as_deref()),
                _ => None,
            });
            let now = self.table(table);
            before
                .flatten()
                .into_iter()
                .chain(now)
                .any(Table::unreadable)
        };
        let ghosts: HashSet<&str> = since
            .iter()
            .filter_map(|u| match u {
                Undo::Ghost(k) => Some(k.as_str()),
                _ => None,
            })
            .collect();
        let ghost = |kind: &str, name: &str| ghosts.contains(format!("{kind}:{name}").as_str());
        let mut constraints_before: BTreeSet<(&str, &str)> = BTreeSet::new();
        let mut constraints_now: BTreeSet<(&str, &str)> = BTreeSet::new();
        for u in &self.journal[mark.min(self.journal.len())..down.min(self.journal.len())] {
            let Some(k) = (match u {
                Undo::Ghost(k) => k.strip_prefix('!'),
                _ => None,
            }) else {
                continue;
            };
            let Some((kind, name)) = k.split_once(':') else {
                continue;
            };
            let gone = match kind {
                "t" => (!self.tables.contains_key(name)).then(|| Object::Table(name.into())),
                "c" => name.split_once('.').and_then(|(t, c)| {
                    self.column(t, c)
                        .is_none()
                        .then(|| Object::Column(t.into(), c.into()))
                }),
                _ => None,
            };
            if let Some(o) = gone
                && !out.contains(&Difference::Removed(o.clone()))
            {
                out.push(Difference::Removed(o));
            }
        }
        for u in since {
            match u {
                Undo::Table(k, before) if seen.insert((0, k)) => {
                    if before.is_none() && ghost("t", k) {
                        continue;
                    }
                    let restored = |c: &str| ghost("c", &format!("{k}.{c}"));
                    table_differences(
                        k,
                        before.as_deref(),
                        self.table(k),
                        &restored,
                        self.dialect == Some(Dialect::Sqlite),
                        &mut out,
                    )
                }
                Undo::Index(k, before) if seen.insert((1, k)) => {
                    let now = self.indexes.get(k);
                    if before.iter().chain(now).any(|i| unreadable(&i.table)) {
                        continue;
                    }
                    // Re-created after a drop of an index the model never saw made (older
                    // than the kept history): it existed before, so it is restored.
                    if before.is_none() && ghost("i", k) {
                        continue;
                    }
                    // Made again on a table or column whose drop the model could not
                    // follow (older than the history): the drop took the old index along.
                    if let (None, Some(n)) = (before, now)
                        && (ghost("t", &n.table)
                            || n.columns
                                .iter()
                                .any(|c| ghost("c", &format!("{}.{c}", n.table))))
                    {
                        continue;
                    }
                    let on = |i: &Index| Object::Index(k.clone(), i.table.clone());
                    match (before, now) {
                        (Some(b), None) => out.push(Difference::Removed(on(b))),
                        (None, Some(n)) => out.push(Difference::Added(on(n))),
                        (Some(b), Some(n)) if b.table != n.table => {
                            out.push(Difference::Removed(on(b)));
                            out.push(Difference::Added(on(n)));
                        }
                        _ => {}
                    }
                }
                Undo::Constraint(k, before) if seen.insert((2, k)) => {
                    let now = self.constraints.get(k);
                    if before.iter().chain(now).any(|c| unreadable(&c.table)) {
                        continue;
                    }
                    if before.is_none() && ghost("k", k) {
                        continue;
                    }
                    // Compared by (name, table), not by key: a SQLite rebuild re-creates
                    // a table's constraints while the renamed copy still holds their
                    // names, so the same constraint can end under another key.
                    if let Some(b) = before {
                        constraints_before.insert((bare_name(k), b.table.as_str()));
                    }
                    if let Some(n) = now {
                        constraints_now.insert((bare_name(k), n.table.as_str()));
                    }
                }
                Undo::Enum(k, before) if seen.insert((3, k)) => {
                    match (before.is_some(), self.enums.contains_key(k)) {
                        (true, false) => out.push(Difference::Removed(Object::Type(k.clone()))),
                        (false, true) => out.push(Difference::Added(Object::Type(k.clone()))),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let on =
            |(name, table): &(&str, &str)| Object::Constraint(name.to_string(), table.to_string());
        for c in constraints_before.difference(&constraints_now) {
            out.push(Difference::Removed(on(c)));
        }
        for c in constraints_now.difference(&constraints_before) {
            out.push(Difference::Added(on(c)));
        }
        out
    }

    /// The tables and views the model holds in schema (MySQL: database) `name`, sorted:
    /// keys qualified with it, and on PostgreSQL the unqualified ones for `public`.
    pub fn tables_in_schema(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}.");
        let public = name == "public" && self.dialect != Some(Dialect::Mysql);
        let mut v: Vec<String> = self
            .tables
            .keys()
            .filter(|k| k.starts_with(&prefix) || (public && !k.contains('.')))
            .cloned()
            .collect();
        v.sort();
        v
    }

    /// Whether a table is one the model cannot vouch for (unknown history or unreadable
    /// statements touched it).
    pub fn is_uncertain(&self, table: &str) -> bool {
        self.table(table).is_none_or(|t| !t.fully_known())
    }

    /// A migration written in code ran (goose's Go migrations): any table may have changed.
    pub fn mark_all_uncertain(&mut self) {
        let names: Vec<String> = self.tables.keys().cloned().collect();
        self.mark_uncertain(names.iter().map(String::as_str));
    }

    /// Marks the tables named in a statement rollsafe could not read as uncertain.
    pub fn mark_uncertain<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        self.unreadable_seen = true;
        let hit: Vec<String> = names
            .filter(|n| self.tables.contains_key(*n))
            .map(str::to_string)
            .collect();
        for n in hit {
            if !self.tables[&n].uncertain {
                self.table_mut(&n).uncertain = true;
            }
        }
    }

    /// Applies one operation of a statement of migration number `m`, as the server does:
    /// a statement that fails changes nothing, and `IF NOT EXISTS` skips an object that is
    /// already there (it is not replaced).
    pub fn apply_statement_op(&mut self, op: &Op, m: usize, guarded: bool) {
        if self.failure(op, guarded, m).is_some() || (guarded && self.exists_already(op)) {
            return;
        }
        self.guarded = guarded;
        self.apply(op, m);
        self.guarded = false;
    }

    /// Whether the object `op` creates is there already.
    fn exists_already(&self, op: &Op) -> bool {
        match op {
            Op::CreateTable { table, .. } | Op::CreateView { name: table } => {
                self.tables.contains_key(table)
            }
            Op::CreateIndex { name: Some(n), .. } => self.relation_name_taken(n),
            Op::AddColumn { table, column } => self
                .table(table)
                .is_some_and(|t| t.columns.contains_key(&column.name)),
            Op::CreateEnum { name, .. } => self.enums.contains_key(name),
            _ => false,
        }
    }

    /// The key an index is kept under. PostgreSQL keeps an index in its table's schema,
    /// as its catalogs say: an index made `ON webhook.t` is `webhook.i`, one in `public`
    /// is `i`. A statement may name it either way (hook0's up parts write `i`, its down
    /// parts `webhook.i`; `public.i` is `i`): the name is looked up as written, then in the
    /// other form when exactly one index fits.
    pub fn index_key(&self, name: &str) -> String {
        if self.indexes.contains_key(name) || self.constraints.contains_key(name) {
            return name.to_string();
        }
        match name.split_once('.') {
            Some(("public", bare)) if self.indexes.contains_key(bare) => bare.to_string(),
            Some(_) => name.to_string(),
            None => {
                let suffix = format!(".{name}");
                let mut fits = self.indexes.keys().filter(|k| k.ends_with(&suffix));
                match (fits.next(), fits.next()) {
                    (Some(k), None) => k.clone(),
                    _ => name.to_string(),
                }
            }
        }
    }

    /// The key of an index `name` created on `table` (see [`Schema::index_key`]).
    fn new_index_key(&self, table: &str, name: &str) -> String {
        match table.split_once('.') {
            Some((schema, _))
                if schema != "public"
                    && !name.contains('.')
                    && !matches!(self.dialect, Some(Dialect::Mysql | Dialect::Sqlite)) =>
            {
                format!("{schema}.{name}")
            }
            _ => name.to_string(),
        }
    }

    /// The name PostgreSQL gives an index created without one (`ChooseIndexName` →
    /// `ChooseRelationName`): `<table>_<column>[_<column>…]_idx` (see [`pg_choose_name`]),
    /// and `idx1`, `idx2`, … while the name is taken.
    fn pg_index_name(&self, table: &str, columns: &[String]) -> String {
        let mut name = pg_choose_name(table, columns, "idx");
        let mut pass = 0;
        while self.relation_name_taken(&name) || self.constraints.contains_key(&name) {
            pass += 1;
            name = pg_choose_name(table, columns, &format!("idx{pass}"));
        }
        name
    }

    /// PostgreSQL keeps tables, views and indexes in one namespace of relation names;
    /// MySQL's index names are per table.
    fn relation_name_taken(&self, name: &str) -> bool {
        self.indexes.contains_key(name)
            || (self.dialect != Some(Dialect::Mysql) && self.tables.contains_key(name))
    }

    /// Every table the model holds was created by a readable statement it saw, and no
    /// statement it could not read ran: an index or constraint it does not know does
    /// not exist.
    pub fn knows_everything(&self) -> bool {
        !self.unreadable_seen && self.tables.values().all(|t| t.fully_known())
    }

    /// Why the statement fails against the schema at this point, if the model is sure:
    /// it creates an object that exists (without `IF NOT EXISTS`), or drops or changes
    /// one that does not (without `IF EXISTS`).
    /// Index names are judged within migration `m` only (a down re-creating what its up
    /// made), where the model follows every step.
    pub fn failure(&self, op: &Op, guarded: bool, m: usize) -> Option<String> {
        if guarded {
            return None;
        }
        let known = |t: &str| self.table(t).filter(|t| t.fully_known());
        match op {
            Op::CreateTable { table, .. } if self.table(table).is_some_and(|t| !t.view) => {
                Some(format!("table `{table}` already exists"))
            }
            // An index name taken by an index on a table the model fully knows (MySQL:
            // on the same table).
            Op::CreateIndex {
                name: Some(n),
                table,
                ..
            } if known(table).is_some()
                && match self.indexes.get(&self.new_index_key(table, n)) {
                    Some(i) if i.made_in != m => false,
                    Some(i) if self.dialect == Some(Dialect::Mysql) => &i.table == table,
                    Some(i) => known(&i.table).is_some(),
                    None => {
                        self.dialect != Some(Dialect::Mysql) && known(n).is_some_and(|t| !t.view)
                    }
                } =>
            {
                Some(format!("a relation named `{n}` already exists"))
            }
            Op::CreateEnum { name, .. } if self.enums.contains_key(name) => {
                Some(format!("type `{name}` already exists"))
            }
            Op::AddColumn { table, column }
                if known(table).is_some_and(|t| t.columns.contains_key(&column.name)) =>
            {
                Some(format!("column `{table}.{}` already exists", column.name))
            }
            Op::AddConstraint {
                table,
                name: Some(n),
                ..
            } if known(table).is_some()
                && self
                    .constraints
                    .get(&self.constraint_key(table, n))
                    .is_some_and(|c| &c.table == table) =>
            {
                Some(format!("constraint `{n}` already exists on `{table}`"))
            }
            Op::DropColumn { table, column }
            | Op::RenameColumn {
                table,
                from: column,
                ..
            }
            | Op::SetNotNull { table, column }
            | Op::DropNotNull { table, column }
            | Op::SetDefault { table, column }
            | Op::DropDefault { table, column }
                if known(table).is_some_and(|t| !t.columns.contains_key(column)) =>
            {
                Some(format!("column `{table}.{column}` does not exist"))
            }
            // PostgreSQL's default RESTRICT refuses a schema that still holds objects.
            Op::DropSchema {
                name,
                cascade: false,
            } if self.dialect != Some(Dialect::Mysql)
                && !self.tables_in_schema(name).is_empty() =>
            {
                Some(format!(
                    "schema `{name}` still holds {} (DROP SCHEMA without CASCADE refuses a schema that is not empty)",
                    self.tables_in_schema(name)
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
            Op::DropTable { table } if self.is_gone(table) => {
                Some(format!("table `{table}` does not exist"))
            }
            Op::DropIndex { name, .. }
                if self.dialect != Some(Dialect::Mysql)
                    && !self.indexes.contains_key(&self.index_key(name))
                    && !self.constraints.contains_key(name)
                    && self
                        .dropped_names
                        .get(&self.index_key(name))
                        .map(|d| d.migration)
                        == Some(m)
                    && self.knows_everything() =>
            {
                Some(format!("index `{name}` does not exist"))
            }
            Op::DropConstraint { table, name }
                if !self
                    .constraints
                    .contains_key(&self.constraint_key(table, name))
                    && !server_named(name)
                    && known(table).is_some()
                    && self.knows_everything() =>
            {
                Some(format!("constraint `{name}` does not exist on `{table}`"))
            }
            _ => None,
        }
    }

    /// A table the replay dropped or renamed away, and did not make again.
    fn is_gone(&self, table: &str) -> bool {
        !self.tables.contains_key(table)
            && (self.renamed_tables.contains_key(table) || self.dropped_tables.contains(table))
    }

    /// Applies one operation of migration number `m`.
    pub fn apply(&mut self, op: &Op, m: usize) {
        match op {
            Op::CreateTable {
                table,
                columns,
                from_query,
                unique_keys,
                named,
            } => {
                if let Some((backup, when)) = self.renamed_tables.get(table).cloned()
                    && when == m
                    && self.tables.contains_key(&backup)
                {
                    self.table_mut(&backup).backup = true;
                }
                let mut t = Table {
                    created_in: m,
                    named_in: m,
                    copied: *from_query,
                    unique_keys: unique_keys.clone(),
                    ..Default::default()
                };
                for c in columns {
                    if c.unique || c.primary_key {
                        t.unique_keys.push(vec![c.name.clone()]);
                    }
                    t.columns.insert(
                        c.name.clone(),
                        Column {
                            created_in: m,
                            spec: c.clone(),
                        },
                    );
                }
                self.put_table(table, Some(Arc::new(t)));
                for (name, kind, columns) in named {
                    if self.mysql_primary_key(kind) {
                        self.table_mut(table).unique_keys.push(columns.clone());
                        continue;
                    }
                    let c = Constraint {
                        table: table.clone(),
                        kind: kind.clone(),
                        not_valid: false,
                        columns: columns.clone(),
                    };
                    let key = self.constraint_key(table, name);
                    self.put_constraint(&key, Some(c));
                }
            }
            Op::DropTable { table } | Op::DropView { name: table } => {
                self.dropped_tables.insert(table.clone());
                if self.tables.contains_key(table) {
                    self.put_table(table, None);
                } else {
                    self.ghost("t", table);
                }
                // Also when the table was made by a statement the replay could not read:
                // its indexes and constraints go with it all the same.
                self.drop_dependents(table);
            }
            Op::DropSchema { name, .. } => {
                for table in self.tables_in_schema(name) {
                    self.dropped_tables.insert(table.clone());
                    self.put_table(&table, None);
                    self.drop_dependents(&table);
                }
            }
            // A (materialized) view made here can be indexed with no traffic on it yet.
            Op::CreateView { name } => {
                let v = Table {
                    created_in: m,
                    named_in: m,
                    view: true,
                    ..Default::default()
                };
                self.put_table(name, Some(Arc::new(v)));
            }
            Op::RenameTable { from, to } => {
                let t = self.tables.get(from).cloned().unwrap_or_else(|| {
                    Arc::new(Table {
                        created_in: BEFORE_HISTORY,
                        ..Default::default()
                    })
                });
                let mut t = (*t).clone();
                t.named_in = m;
                self.put_table(from, None);
                self.put_table(to, Some(Arc::new(t)));
                self.move_dependents(from, to);
                let old = self.renamed_tables.insert(from.clone(), (to.clone(), m));
                self.journal.push(Undo::RenamedTable(from.clone(), old));
            }
            Op::AddColumn { table, column } => {
                let t = self.table_mut(table);
                t.columns.insert(
                    column.name.clone(),
                    Column {
                        created_in: m,
                        spec: column.clone(),
                    },
                );
            }
            Op::DropColumn { table, column } => {
                if self.column(table, column).is_none() {
                    self.ghost("c", &format!("{table}.{column}"));
                }
                if self.tables.contains_key(table) {
                    self.table_mut(table).columns.remove(column);
                }
                self.drop_column_dependents(table, column);
            }
            Op::RenameColumn { table, from, to } => {
                if self
                    .tables
                    .get(table)
                    .is_some_and(|t| t.columns.contains_key(from))
                {
                    let t = self.table_mut(table);
                    if let Some(mut c) = t.columns.remove(from) {
                        c.spec.name = to.clone();
                        t.columns.insert(to.clone(), c);
                    }
                }
                let renamed: Vec<(String, Index)> = self
                    .indexes
                    .iter()
                    .filter(|(_, i)| &i.table == table && i.columns.contains(from))
                    .map(|(n, i)| (n.clone(), i.clone()))
                    .collect();
                for (n, mut i) in renamed {
                    for c in i.columns.iter_mut().filter(|c| *c == from) {
                        *c = to.clone();
                    }
                    self.put_index(&n, Some(i));
                }
            }
            Op::ChangeColumnType {
                table,
                column,
                new_type,
                spec,
                ..
            } => {
                let t = self.table_mut(table);
                let c = t
                    .columns
                    .entry(column.clone())
                    .or_insert_with(|| stub(column));
                c.spec.data_type = new_type.clone();
                if let Some(s) = spec {
                    // Primary key columns stay NOT NULL whatever MODIFY says (MySQL: "columns
                    // in a PRIMARY KEY are made NOT NULL implicitly").
                    c.spec.not_null = s.not_null || c.spec.primary_key;
                    c.spec.enum_values = s.enum_values.clone();
                    c.spec.default = s.default.clone();
                }
            }
            Op::SetNotNull { table, column } => {
                self.with_column(table, column, |c| c.not_null = true)
            }
            Op::DropNotNull { table, column } => {
                self.with_column(table, column, |c| c.not_null = false)
            }
            Op::SetDefault { table, column } => self.with_column(table, column, |c| {
                c.default = Some(crate::sql::ops::DefaultKind::Constant)
            }),
            Op::DropDefault { table, column } => {
                self.with_column(table, column, |c| c.default = None)
            }
            Op::AddConstraint {
                table,
                name,
                kind,
                not_valid,
                columns,
            } => {
                if let Some(n) = name.as_ref().filter(|_| !self.mysql_primary_key(kind)) {
                    let c = Constraint {
                        table: table.clone(),
                        kind: kind.clone(),
                        not_valid: *not_valid,
                        columns: columns.clone(),
                    };
                    let key = self.constraint_key(table, n);
                    self.put_constraint(&key, Some(c));
                } else if matches!(kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey)
                    && !columns.is_empty()
                    && self.tables.contains_key(table)
                {
                    self.table_mut(table).unique_keys.push(columns.clone());
                }
                if let ConstraintKind::Check {
                    not_null_of: Some(col),
                } = kind
                    && !not_valid
                {
                    self.table_mut(table).not_null_checked.insert(col.clone());
                }
            }
            Op::ValidateConstraint { table, name } => {
                let name = &self.constraint_key(table, name);
                if let Some(mut c) = self.constraints.get(name).cloned() {
                    c.not_valid = false;
                    if let ConstraintKind::Check {
                        not_null_of: Some(col),
                    } = &c.kind
                    {
                        self.table_mut(table).not_null_checked.insert(col.clone());
                    }
                    self.put_constraint(name, Some(c));
                }
            }
            Op::CreateIndex {
                table,
                name,
                columns,
                unique,
                ..
            } => {
                // PostgreSQL names an unnamed index itself (GoAlert's `CREATE INDEX ON
                // message_status_history(message_id)`, dropped later as
                // `message_status_history_message_id_idx`); with an expression key the
                // name is not known here.
                let n = match name {
                    Some(n) => n.clone(),
                    None if self.dialect == Some(Dialect::Postgres) && !columns.is_empty() => {
                        self.pg_index_name(table, columns)
                    }
                    None => return,
                };
                let n = self.new_index_key(table, &n);
                let i = Index {
                    table: table.clone(),
                    made_in: m,
                    unique: *unique,
                    columns: columns.clone(),
                };
                self.put_index(&n, Some(i));
            }
            Op::DropIndex { name, .. } => {
                let name = &self.index_key(name);
                if !self.indexes.contains_key(name) && !self.constraints.contains_key(name) {
                    self.ghost("i", name);
                }
                let key = self.unique_key_named(name);
                self.put_index(name, None);
                // PostgreSQL: a unique or primary key constraint is dropped with its
                // index only through ALTER TABLE; MySQL's DROP INDEX drops a UNIQUE key.
                if self.dialect == Some(Dialect::Mysql) {
                    self.put_constraint(name, None);
                }
                self.note_dropped(name, m, key);
            }
            Op::DropConstraint { name, table } => {
                let name = &self.constraint_key(table, name);
                let known = self.constraints.contains_key(name);
                let mut key = self.unique_key_named(name);
                if !known {
                    self.ghost("k", name);
                    // One of the unnamed keys, under the name PostgreSQL gave it
                    // (`email text UNIQUE` on `accounts` is `accounts_email_key`): that
                    // key goes, and the migration is known to have dropped it. Otherwise
                    // perhaps any of them: none is relied on any more.
                    let unnamed = self.tables.get(table).map(|t| t.unique_keys.clone());
                    let named = unnamed.as_ref().and_then(|keys| {
                        keys.iter()
                            .find(|cols| {
                                self.dialect == Some(Dialect::Postgres)
                                    && pg_unique_name(table, cols) == *name
                            })
                            .cloned()
                    });
                    if let Some(cols) = named {
                        self.table_mut(table).unique_keys.retain(|k| *k != cols);
                        key = Some((table.clone(), cols));
                    } else if unnamed.is_some_and(|k| !k.is_empty()) {
                        self.table_mut(table).unique_keys.clear();
                    }
                }
                self.put_constraint(name, None);
                // A unique constraint's index goes with it; a plain index of that name
                // is no constraint (PostgreSQL refuses the statement) and stays.
                if known {
                    self.put_index(name, None);
                }
                self.note_dropped(name, m, key);
            }
            Op::CreateEnum { name, values } => {
                let old = self.enums.insert(name.clone(), (values.clone(), m));
                self.journal.push(Undo::Enum(name.clone(), old));
            }
            Op::AddEnumValue { name, value } => {
                self.with_enum(name, |v| v.push(value.clone()));
            }
            Op::RenameEnumValue { name, from, to } => self.with_enum(name, |v| {
                for x in v.iter_mut().filter(|x| *x == from) {
                    *x = to.clone();
                }
            }),
            Op::RenameType { from, to } => {
                if let Some(e) = self.enums.remove(from) {
                    self.journal.push(Undo::Enum(from.clone(), Some(e.clone())));
                    self.note_renamed_enum(from, e.0.clone());
                    let old = self.enums.insert(to.clone(), e);
                    self.journal.push(Undo::Enum(to.clone(), old));
                }
            }
            Op::Opaque { args } => {
                for a in args {
                    if self.tables.contains_key(a) {
                        self.table_mut(a).opaque_in = Some(m);
                    }
                }
            }
            Op::DropType { name } => {
                if let Some(e) = self.enums.remove(name) {
                    let values = e.0.clone();
                    self.journal.push(Undo::Enum(name.clone(), Some(e)));
                    self.note_renamed_enum(name, values);
                }
            }
            _ => {}
        }
    }

    /// Notes the drop of an object the model did not know. A drop without `IF EXISTS`
    /// also says the object existed (`!` key).
    fn ghost(&mut self, kind: &str, name: &str) {
        self.journal.push(Undo::Ghost(format!("{kind}:{name}")));
        if !self.guarded {
            self.journal.push(Undo::Ghost(format!("!{kind}:{name}")));
        }
    }

    fn put_table(&mut self, name: &str, t: Option<Arc<Table>>) {
        let old = match t {
            Some(t) => self.tables.insert(name.to_string(), t),
            None => self.tables.remove(name),
        };
        self.journal.push(Undo::Table(name.to_string(), old));
    }

    fn put_index(&mut self, name: &str, i: Option<Index>) {
        let old = set_named(
            &mut self.indexes,
            &mut self.index_names,
            |i| &i.table,
            name,
            i,
        );
        if old.is_some() || self.indexes.contains_key(name) {
            self.journal.push(Undo::Index(name.to_string(), old));
        }
    }

    /// The key of constraint `name` on `table`. PostgreSQL and SQLite name a CHECK or
    /// foreign-key constraint per table (river's `river_client` and `river_client_queue`
    /// both have `name_length`); MySQL names them per schema. The first table keeps the
    /// bare name; another table's constraint of the same name is keyed with its table.
    /// MySQL keeps no name for a primary key: whatever `CONSTRAINT name PRIMARY KEY`
    /// says, the key is `PRIMARY` (reference manual, *CREATE TABLE*: "The name of a
    /// PRIMARY KEY is always PRIMARY"), so it is a key of its table, not a named
    /// constraint.
    fn mysql_primary_key(&self, kind: &ConstraintKind) -> bool {
        self.dialect == Some(Dialect::Mysql) && matches!(kind, ConstraintKind::PrimaryKey)
    }

    fn constraint_key(&self, table: &str, name: &str) -> String {
        if self.dialect == Some(Dialect::Mysql) {
            return name.to_string();
        }
        let qualified = format!("{name}{QUALIFIER}{table}");
        if self.constraints.contains_key(&qualified) {
            return qualified;
        }
        match self.constraints.get(name) {
            Some(c) if c.table != table => qualified,
            _ => name.to_string(),
        }
    }

    fn put_constraint(&mut self, name: &str, c: Option<Constraint>) {
        let old = set_named(
            &mut self.constraints,
            &mut self.constraint_names,
            |c| &c.table,
            name,
            c,
        );
        if old.is_some() || self.constraints.contains_key(name) {
            self.journal.push(Undo::Constraint(name.to_string(), old));
        }
    }

    /// The table and columns of the unique index or unique/primary-key constraint `name`.
    fn unique_key_named(&self, name: &str) -> Option<(String, Vec<String>)> {
        let index = self
            .indexes
            .get(name)
            .filter(|i| i.unique && !i.columns.is_empty())
            .map(|i| (i.table.clone(), i.columns.clone()));
        index.or_else(|| {
            self.constraints
                .get(name)
                .filter(|c| {
                    matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey)
                        && !c.not_valid
                        && !c.columns.is_empty()
                })
                .map(|c| (c.table.clone(), c.columns.clone()))
        })
    }

    /// Whether a unique key on some of `columns` of `table` holds, or held until this
    /// migration (`m`) dropped it: then the data has no duplicates of `columns` either.
    pub fn unique_on_subset(&self, table: &str, columns: &[String], m: usize) -> bool {
        let within = |cols: &[String]| !cols.is_empty() && cols.iter().all(|c| columns.contains(c));
        let now = self
            .tables
            .get(table)
            .is_some_and(|t| t.unique_keys.iter().any(|k| within(k)))
            || self.indexes_on(table).iter().any(|n| {
                self.indexes
                    .get(n)
                    .is_some_and(|i| i.unique && within(&i.columns))
            })
            // A named key (`ADD CONSTRAINT apps_pkey PRIMARY KEY (app_id)`, capgo's base).
            || self.constraints_on(table).iter().any(|n| {
                self.constraints.get(n).is_some_and(|c| {
                    matches!(c.kind, ConstraintKind::Unique | ConstraintKind::PrimaryKey)
                        && !c.not_valid
                        && within(&c.columns)
                })
            });
        now || self.dropped_names.values().any(|d| {
            d.migration == m
                && d.unique_key
                    .as_ref()
                    .is_some_and(|(t, cols)| t == table && within(cols))
        })
    }

    fn note_dropped(&mut self, name: &str, m: usize, unique_key: Option<(String, Vec<String>)>) {
        let old = self.dropped_names.insert(
            name.to_string(),
            Dropped {
                migration: m,
                unique_key,
            },
        );
        self.journal.push(Undo::Dropped(name.to_string(), old));
    }

    fn note_renamed_enum(&mut self, name: &str, values: Vec<String>) {
        let old = self.renamed_enums.insert(name.to_string(), values);
        self.journal.push(Undo::RenamedEnum(name.to_string(), old));
    }

    fn with_enum(&mut self, name: &str, f: impl FnOnce(&mut Vec<String>)) {
        if let Some(e) = self.enums.get_mut(name) {
            self.journal
                .push(Undo::Enum(name.to_string(), Some(e.clone())));
            f(&mut e.0);
        }
    }

    /// Indexes and constraints of a dropped table go with it.
    /// The names of the indexes on `table`, in order.
    fn indexes_on(&self, table: &str) -> Vec<String> {
        self.index_names
            .get(table)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The names of the constraints on `table`, in order.
    fn constraints_on(&self, table: &str) -> Vec<String> {
        self.constraint_names
            .get(table)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn drop_dependents(&mut self, table: &str) {
        for n in self.indexes_on(table) {
            self.put_index(&n, None);
        }
        let cons = self.constraints_on(table);
        for n in cons {
            self.put_constraint(&n, None);
        }
    }

    /// Dropping a column drops the indexes on it. PostgreSQL: "Indexes and table
    /// constraints involving the column will be automatically dropped as well" (ALTER
    /// TABLE, DROP COLUMN). MySQL removes the column from each index and drops an index
    /// only when no column is left ("Columns are also removed from any index they are a
    /// part of. If all columns that make up an index are dropped, the index is dropped
    /// as well").
    fn drop_column_dependents(&mut self, table: &str, column: &str) {
        let hit: Vec<(String, Index)> = self
            .indexes_on(table)
            .into_iter()
            .filter_map(|n| self.indexes.get(&n).cloned().map(|i| (n, i)))
            .filter(|(_, i)| i.columns.iter().any(|c| c == column))
            .collect();
        for (n, mut i) in hit {
            let keep = self.key_survives(&mut i.columns, column);
            self.put_index(&n, keep.then_some(i));
        }
        // Unique and primary-key constraints are indexes too.
        for n in self.constraints_on(table) {
            match self.constraints.get(&n).cloned() {
                Some(mut c) if c.columns.iter().any(|c| c == column) => {
                    let keep = self.key_survives(&mut c.columns, column);
                    self.put_constraint(&n, keep.then_some(c));
                }
                _ => {}
            }
        }
    }

    /// MySQL takes a dropped column out of a key and keeps the key while columns remain;
    /// the other databases drop the key.
    fn key_survives(&self, columns: &mut Vec<String>, column: &str) -> bool {
        self.dialect == Some(Dialect::Mysql) && {
            columns.retain(|c| c != column);
            !columns.is_empty()
        }
    }

    fn move_dependents(&mut self, from: &str, to: &str) {
        let idx: Vec<(String, Index)> = self
            .indexes_on(from)
            .into_iter()
            .filter_map(|n| self.indexes.get(&n).cloned().map(|i| (n, i)))
            .collect();
        for (n, mut i) in idx {
            i.table = to.to_string();
            self.put_index(&n, Some(i));
        }
        let cons: Vec<(String, Constraint)> = self
            .constraints_on(from)
            .into_iter()
            .filter_map(|n| self.constraints.get(&n).cloned().map(|c| (n, c)))
            .collect();
        for (n, mut c) in cons {
            self.put_constraint(&n, None);
            c.table = to.to_string();
            let key = self.constraint_key(to, bare_name(&n));
            self.put_constraint(&key, Some(c));
        }
    }

    /// A table the migrations never created is assumed to exist already (created before
    /// the oldest migration kept in the repository).
    fn table_mut(&mut self, table: &str) -> &mut Table {
        let old = self.tables.get(table).cloned();
        self.journal.push(Undo::Table(table.to_string(), old));
        let t = self.tables.entry(table.to_string()).or_insert_with(|| {
            Arc::new(Table {
                created_in: BEFORE_HISTORY,
                named_in: BEFORE_HISTORY,
                ..Default::default()
            })
        });
        Arc::make_mut(t)
    }

    /// Changes a column; one the model never saw created is kept as a stub (its table
    /// predates the kept history), so a later change can be compared with it.
    fn with_column(&mut self, table: &str, column: &str, f: impl FnOnce(&mut ColumnSpec)) {
        let t = self.table_mut(table);
        let c = t
            .columns
            .entry(column.to_string())
            .or_insert_with(|| stub(column));
        f(&mut c.spec);
    }
}

/// PostgreSQL's name for an object it names (`makeObjectName`, as `ChooseRelationName`
/// calls it): the table and the columns joined by `_`, the longer cut until the whole
/// fits NAMEDATALEN, then `_label` (`idx` for an index, `key` for a unique constraint).
fn pg_choose_name(table: &str, columns: &[String], label: &str) -> String {
    const NAMEDATALEN: usize = 64;
    let table = table.rsplit('.').next().unwrap_or(table);
    let cols = columns.join("_");
    let cut = |s: &str, n: usize| -> String {
        let mut end = n.min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_string()
    };
    let avail = NAMEDATALEN - 1 - (label.len() + 2);
    let (mut a, mut b) = (table.len(), cols.len());
    while a + b > avail {
        if a > b {
            a -= 1;
        } else {
            b -= 1;
        }
    }
    format!("{}_{}_{label}", cut(table, a), cut(&cols, b))
}

/// The name PostgreSQL gives an unnamed unique constraint on these columns.
fn pg_unique_name(table: &str, columns: &[String]) -> String {
    pg_choose_name(table, columns, "key")
}

/// A column known only from a change to it: created before the kept history.
fn stub(column: &str) -> Column {
    Column {
        created_in: BEFORE_HISTORY,
        spec: ColumnSpec {
            name: column.to_string(),
            ..Default::default()
        },
    }
}

fn restore<V>(map: &mut HashMap<String, V>, k: String, v: Option<V>) {
    match v {
        Some(v) => {
            map.insert(k, v);
        }
        None => {
            map.remove(&k);
        }
    }
}

fn table_differences(
    name: &str,
    before: Option<&Table>,
    now: Option<&Table>,
    restored: &dyn Fn(&str) -> bool,
    sqlite: bool,
    out: &mut Vec<Difference>,
) {
    let object = |t: &Table| {
        if t.view {
            Object::View(name.to_string())
        } else {
            Object::Table(name.to_string())
        }
    };
    // A table first met in an ALTER was there before the kept history: its appearance in
    // the model is no creation.
    let placeholder = Table {
        created_in: BEFORE_HISTORY,
        ..Default::default()
    };
    let before = match (before, now) {
        (None, Some(n)) if n.created_in == BEFORE_HISTORY => Some(&placeholder),
        _ => before,
    };
    match (before, now) {
        (Some(b), None) => out.push(Difference::Removed(object(b))),
        (None, Some(n)) => out.push(Difference::Added(object(n))),
        (Some(b), Some(n)) => {
            if b.view != n.view {
                out.push(Difference::Removed(object(b)));
                out.push(Difference::Added(object(n)));
                return;
            }
            // Columns of a table whose definition the model never saw are not compared
            // (a column it only heard of through an ALTER is as good as unknown).
            if b.copied || n.copied || b.opaque_in.is_some() || n.uncertain {
                return;
            }
            let col = |c: &str| Object::Column(name.to_string(), c.to_string());
            let mut names: Vec<&String> = b.columns.keys().chain(n.columns.keys()).collect();
            names.sort();
            names.dedup();
            for c in names {
                match (b.columns.get(c), n.columns.get(c)) {
                    (Some(_), None) => out.push(Difference::Removed(col(c))),
                    // A column the model first heard of through a change of its type or
                    // nullability: changed, not added.
                    (None, Some(y)) if y.created_in == BEFORE_HISTORY => {
                        if !y.spec.data_type.is_empty() || y.spec.not_null {
                            out.push(Difference::ColumnChanged {
                                table: name.to_string(),
                                column: c.clone(),
                                what: String::new(),
                            })
                        }
                    }
                    // Added again after a drop of the column the model never saw made.
                    (None, Some(_)) if restored(c) => {}
                    (None, Some(_)) => out.push(Difference::Added(col(c))),
                    (Some(x), Some(y)) => {
                        if x.spec.data_type.is_empty() || y.spec.data_type.is_empty() {
                            continue;
                        }
                        let mut what = Vec::new();
                        // SQLite stores any value in any column of an ordinary table; a
                        // declared type only picks the affinity ("Datatypes In SQLite",
                        // section 3): a rebuild that spells `uuid` as `TEXT` changes no
                        // value the application reads.
                        if !sqlite && !same_type(&x.spec.data_type, &y.spec.data_type) {
                            what.push(format!(
                                "type {} instead of {}",
                                y.spec.data_type, x.spec.data_type
                            ));
                        }
                        if x.spec.not_null != y.spec.not_null {
                            what.push(if y.spec.not_null {
                                "NOT NULL where it was nullable".to_string()
                            } else {
                                "nullable where it was NOT NULL".to_string()
                            });
                        }
                        if !what.is_empty() {
                            out.push(Difference::ColumnChanged {
                                table: name.to_string(),
                                column: c.clone(),
                                what: what.join(", "),
                            });
                        }
                    }
                    (None, None) => {}
                }
            }
        }
        (None, None) => {}
    }
}

fn same_type(a: &str, b: &str) -> bool {
    // MySQL's stored spellings too (`boolean` is `tinyint(1)`): no other database
    // accepts both spellings of such a pair, so the second test never joins two
    // different PostgreSQL types.
    super::types::canonical(a) == super::types::canonical(b)
        || crate::sql::ops::mysql_canonical_type(a) == crate::sql::ops::mysql_canonical_type(b)
}

/// A name the server gives a constraint declared without one, which the model does not
/// record: PostgreSQL's `<table>_<columns>_fkey`, `_pkey`, `_key`, `_check`, `_excl`
/// (`ChooseConstraintName` in `src/backend/catalog/pg_constraint.c`), MySQL's
/// `<table>_ibfk_<n>` and `<table>_chk_<n>` (reference manual, *FOREIGN KEY Constraints*
/// and *CHECK Constraints*). Dropping one by that name is not provably wrong.
fn server_named(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["_fkey", "_pkey", "_key", "_check", "_excl"]
        .iter()
        .any(|s| n.ends_with(s))
        || n.contains("_ibfk_")
        || n.contains("_chk_")
        || n == "primary"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::sql::{Annotations, read};

    fn replay(sql: &str) -> Schema {
        let file = read(
            SourceFile::new("m.sql", sql.to_string()),
            Dialect::Postgres,
            Annotations::None,
        );
        let mut schema = Schema::new(Dialect::Postgres);
        for st in file.statements() {
            for op in &st.ops {
                schema.apply(op, 0);
            }
        }
        schema
    }

    #[test]
    fn unnamed_indexes_get_postgresql_names() {
        let s = replay(
            "CREATE TABLE message_status_history (id bigint, message_id uuid, status text);
             CREATE INDEX ON message_status_history (message_id);
             CREATE INDEX ON message_status_history (message_id);
             CREATE INDEX ON message_status_history (message_id, status);",
        );
        for name in [
            "message_status_history_message_id_idx",
            "message_status_history_message_id_idx1",
            "message_status_history_message_id_status_idx",
        ] {
            assert!(
                s.indexes.contains_key(name),
                "{name}: {:?}",
                s.indexes.keys()
            );
        }
        // 63 bytes at most: the longer part is cut first.
        let long = replay(
            "CREATE TABLE a_table_with_a_rather_long_name_for_testing (a_column_with_an_even_longer_name_than_the_table int);
             CREATE INDEX ON a_table_with_a_rather_long_name_for_testing (a_column_with_an_even_longer_name_than_the_table);",
        );
        let name = long.indexes.keys().next().unwrap();
        assert_eq!(name.len(), 63, "{name}");
        assert_eq!(
            name,
            "a_table_with_a_rather_long_na_a_column_with_an_even_longer__idx"
        );
        assert!(name.ends_with("_idx"), "{name}");
    }
}
