//! The schema as the migrations build it, replayed in order, remembering which migration
//! created each table and column. Rules ask it whether a table existed before this
//! migration (a lock risk) or is new (not yet in production, so safe to change).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::sql::ops::{ColumnSpec, ConstraintKind, Op};

#[derive(Debug, Clone)]
pub struct Column {
    pub created_in: usize,
    pub spec: ColumnSpec,
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub created_in: usize,
    /// Migration that gave the table its current name (creation or rename).
    pub named_in: usize,
    /// Migration in which a stored procedure or dynamic SQL was handed this table's name:
    /// what it changed on the table is unknown.
    pub opaque_in: Option<usize>,
    /// A backup made by renaming a table away and creating a new one under the old name
    /// in the same migration: no application version uses it by this name.
    pub backup: bool,
    pub columns: HashMap<String, Column>,
    /// Columns that a validated `CHECK (col IS NOT NULL)` already guarantees.
    pub not_null_checked: HashSet<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Shared tables: cloning the schema (done per migration) copies pointers only.
    pub tables: HashMap<String, Arc<Table>>,
    /// Enum types: values and the migration that created them.
    pub enums: HashMap<String, (Vec<String>, usize)>,
    /// Index name → (table, creating migration).
    pub indexes: HashMap<String, (String, usize)>,
    /// Constraint name → (table, column of a NOT NULL check).
    checks: HashMap<String, (String, Option<String>)>,
    /// Index and constraint names dropped, with the migration that dropped them: a unique
    /// index re-created under the same name restores a rule that already held.
    pub dropped_names: HashMap<String, usize>,
    /// Table renames: old name → (new name, migration), to recognise backups.
    renamed_tables: HashMap<String, (String, usize)>,
    /// Enum types renamed away (old name → values), kept to spot a "recreate with fewer
    /// values" sequence.
    pub renamed_enums: HashMap<String, Vec<String>>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name).map(|t| t.as_ref())
    }

    pub fn column(&self, table: &str, column: &str) -> Option<&Column> {
        self.tables.get(table).and_then(|t| t.columns.get(column))
    }

    /// Applies one operation of migration number `m`.
    pub fn apply(&mut self, op: &Op, m: usize) {
        match op {
            Op::CreateTable { table, columns, .. } => {
                if let Some((backup, when)) = self.renamed_tables.get(table).cloned()
                    && when == m
                    && let Some(b) = self.tables.get_mut(&backup)
                {
                    Arc::make_mut(b).backup = true;
                }
                let mut t = Table {
                    created_in: m,
                    named_in: m,
                    ..Default::default()
                };
                for c in columns {
                    t.columns.insert(
                        c.name.clone(),
                        Column {
                            created_in: m,
                            spec: c.clone(),
                        },
                    );
                }
                self.tables.insert(table.clone(), Arc::new(t));
            }
            Op::DropTable { table } => {
                self.tables.remove(table);
            }
            Op::DropView { name } => {
                self.tables.remove(name);
            }
            // A (materialized) view made here can be indexed with no traffic on it yet.
            Op::CreateView { name } => {
                self.tables.insert(
                    name.clone(),
                    Arc::new(Table {
                        created_in: m,
                        named_in: m,
                        ..Default::default()
                    }),
                );
            }
            Op::RenameTable { from, to } => {
                let mut t = self.tables.remove(from).unwrap_or_else(|| {
                    Arc::new(Table {
                        created_in: usize::MAX,
                        ..Default::default()
                    })
                });
                Arc::make_mut(&mut t).named_in = m;
                self.tables.insert(to.clone(), t);
                self.renamed_tables.insert(from.clone(), (to.clone(), m));
            }
            Op::AddColumn { table, column } => {
                let t = self.table_mut(table, m);
                t.columns.insert(
                    column.name.clone(),
                    Column {
                        created_in: m,
                        spec: column.clone(),
                    },
                );
            }
            Op::DropColumn { table, column } => {
                if let Some(t) = self.tables.get_mut(table) {
                    Arc::make_mut(t).columns.remove(column);
                }
            }
            Op::RenameColumn { table, from, to } => {
                if let Some(t) = self.tables.get_mut(table).map(Arc::make_mut)
                    && let Some(mut c) = t.columns.remove(from)
                {
                    c.spec.name = to.clone();
                    t.columns.insert(to.clone(), c);
                }
            }
            Op::ChangeColumnType {
                table,
                column,
                new_type,
                spec,
                ..
            } => {
                let t = self.table_mut(table, m);
                let c = t.columns.entry(column.clone()).or_insert(Column {
                    created_in: 0,
                    spec: ColumnSpec {
                        name: column.clone(),
                        ..Default::default()
                    },
                });
                c.spec.data_type = new_type.clone();
                if let Some(s) = spec {
                    c.spec.not_null = s.not_null;
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
                kind: ConstraintKind::Check { not_null_of },
                not_valid,
            } => {
                if let Some(n) = name {
                    self.checks
                        .insert(n.clone(), (table.clone(), not_null_of.clone()));
                }
                if !not_valid && let Some(col) = not_null_of {
                    self.table_mut(table, m)
                        .not_null_checked
                        .insert(col.clone());
                }
            }
            Op::ValidateConstraint { table, name } => {
                if let Some((_, Some(col))) = self.checks.get(name).cloned() {
                    self.table_mut(table, m).not_null_checked.insert(col);
                }
            }
            Op::CreateIndex {
                table,
                name: Some(n),
                ..
            } => {
                self.indexes.insert(n.clone(), (table.clone(), m));
            }
            Op::DropIndex { name, .. } => {
                self.indexes.remove(name);
                self.dropped_names.insert(name.clone(), m);
            }
            Op::DropConstraint { name, .. } => {
                self.dropped_names.insert(name.clone(), m);
            }
            Op::CreateEnum { name, values } => {
                self.enums.insert(name.clone(), (values.clone(), m));
            }
            Op::AddEnumValue { name, value } => {
                if let Some((v, _)) = self.enums.get_mut(name) {
                    v.push(value.clone());
                }
            }
            Op::RenameEnumValue { name, from, to } => {
                if let Some((v, _)) = self.enums.get_mut(name) {
                    for x in v.iter_mut().filter(|x| *x == from) {
                        *x = to.clone();
                    }
                }
            }
            Op::RenameType { from, to } => {
                if let Some(e) = self.enums.remove(from) {
                    self.renamed_enums.insert(from.clone(), e.0.clone());
                    self.enums.insert(to.clone(), e);
                }
            }
            Op::Opaque { args } => {
                for a in args {
                    if let Some(t) = self.tables.get_mut(a) {
                        Arc::make_mut(t).opaque_in = Some(m);
                    }
                }
            }
            Op::DropType { name } => {
                if let Some((values, _)) = self.enums.remove(name) {
                    self.renamed_enums.insert(name.clone(), values);
                }
            }
            _ => {}
        }
    }

    /// A table the migrations never created is assumed to exist already (created before
    /// the oldest migration kept in the repository).
    fn table_mut(&mut self, table: &str, _m: usize) -> &mut Table {
        let t = self.tables.entry(table.to_string()).or_insert_with(|| {
            Arc::new(Table {
                created_in: usize::MAX,
                named_in: usize::MAX,
                ..Default::default()
            })
        });
        Arc::make_mut(t)
    }

    fn with_column(&mut self, table: &str, column: &str, f: impl FnOnce(&mut ColumnSpec)) {
        if let Some(c) = self
            .tables
            .get_mut(table)
            .map(Arc::make_mut)
            .and_then(|t| t.columns.get_mut(column))
        {
            f(&mut c.spec);
        }
    }
}
