//! rollsafe's replayed schema model against the catalogs, object by object. Objects the
//! model marks uncertain (tables from before the kept history, touched by unreadable
//! statements or stored procedures, made by `CREATE TABLE … AS`) are counted apart: the
//! rules stay quiet on them, so a difference there is not a wrong claim.

use rollsafe::migrations::schema::{BEFORE_HISTORY, Schema, bare_name};
use rollsafe::migrations::types::canonical;
use rollsafe::sql::Dialect;
use rollsafe::sql::ops::{ConstraintKind, mysql_canonical_type};

use super::catalog::{Snapshot, constraint_id};

#[derive(Debug, Default)]
pub struct Agreement {
    pub compared: usize,
    pub mismatches: Vec<String>,
    /// Objects the model marks uncertain (rules stay quiet on them).
    pub uncertain: usize,
    /// Catalog objects the model does not keep (unnamed constraints, sequences, MySQL
    /// keys declared inside CREATE TABLE).
    pub not_modelled: usize,
}

impl Agreement {
    pub fn add(&mut self, other: Agreement) {
        self.compared += other.compared;
        self.mismatches.extend(other.mismatches);
        self.uncertain += other.uncertain;
        self.not_modelled += other.not_modelled;
    }
}

fn same_type(d: Dialect, model: &str, catalog: &str) -> bool {
    match d {
        Dialect::Mysql => {
            let m = mysql_canonical_type(model);
            // MariaDB prints `int(11)`, `tinyint(1)` for booleans, lower-case enum lists.
            m == catalog || canonical(&m) == canonical(catalog)
        }
        _ => canonical(model).eq_ignore_ascii_case(catalog),
    }
}

pub fn compare(model: &Schema, db: &Snapshot, dialect: Dialect, at: &str) -> Agreement {
    let mut a = Agreement::default();
    let miss = |a: &mut Agreement, what: String| a.mismatches.push(format!("{at}: {what}"));
    for (name, t) in &model.tables {
        if t.view {
            a.compared += 1;
            if !db.views.contains(name) {
                miss(
                    &mut a,
                    format!("view {name}: in the model, not on the server"),
                );
            }
            continue;
        }
        if t.created_in == BEFORE_HISTORY {
            // Assumed to exist before the kept history: the server has never seen it.
            a.uncertain += 1;
            continue;
        }
        a.compared += 1;
        let Some(cols) = db.tables.get(name) else {
            miss(
                &mut a,
                format!("table {name}: in the model, not on the server"),
            );
            continue;
        };
        if !t.fully_known() {
            a.uncertain += cols.len();
            continue;
        }
        for (c, col) in &t.columns {
            a.compared += 1;
            let Some(dbc) = cols.get(c) else {
                miss(
                    &mut a,
                    format!("column {name}.{c}: in the model, not on the server"),
                );
                continue;
            };
            let s = &col.spec;
            if !s.data_type.is_empty() && !same_type(dialect, &s.data_type, &dbc.data_type) {
                miss(
                    &mut a,
                    format!(
                        "column {name}.{c}: type {} in the model, {} on the server",
                        s.data_type, dbc.data_type
                    ),
                );
            }
            if s.not_null != dbc.not_null {
                miss(
                    &mut a,
                    format!(
                        "column {name}.{c}: NOT NULL {} in the model, {} on the server",
                        s.not_null, dbc.not_null
                    ),
                );
            }
            let model_default = s.default.is_some() || (s.generated && dialect != Dialect::Mysql);
            // MySQL AUTO_INCREMENT has no default; a generated column's expression is no
            // default either.
            if !(s.generated && dialect == Dialect::Mysql) && model_default != dbc.default.is_some()
            {
                miss(
                    &mut a,
                    format!(
                        "column {name}.{c}: default {} in the model, {:?} on the server",
                        model_default, dbc.default
                    ),
                );
            }
        }
        for c in cols.keys().filter(|c| !t.columns.contains_key(*c)) {
            a.compared += 1;
            miss(
                &mut a,
                format!("column {name}.{c}: on the server, not in the model"),
            );
        }
    }
    for (name, cols) in &db.tables {
        if !model.tables.contains_key(name) {
            a.compared += 1 + cols.len();
            miss(
                &mut a,
                format!("table {name}: on the server, not in the model"),
            );
        }
    }
    for v in &db.views {
        if !model.tables.get(v).is_some_and(|t| t.view) {
            a.compared += 1;
            miss(&mut a, format!("view {v}: on the server, not in the model"));
        }
    }
    for (name, i) in &model.indexes {
        if model.is_uncertain(&i.table) {
            a.uncertain += 1;
            continue;
        }
        a.compared += 1;
        match db.indexes.get(name) {
            None => miss(
                &mut a,
                format!("index {name}: in the model, not on the server"),
            ),
            Some((t, unique)) if *t != i.table || *unique != i.unique => miss(
                &mut a,
                format!(
                    "index {name}: on {} (unique {}) in the model, on {t} (unique {unique}) on the server",
                    i.table, i.unique
                ),
            ),
            _ => {}
        }
    }
    for (name, (table, _)) in &db.indexes {
        if model.indexes.contains_key(name) {
            continue;
        }
        if model.is_uncertain(table) {
            a.uncertain += 1;
        } else if dialect == Dialect::Mysql
            && db.constraints.contains_key(&constraint_id(name, table))
        {
            // A MySQL UNIQUE/FOREIGN KEY constraint is also an index by the same name.
            a.not_modelled += 1;
        } else if dialect == Dialect::Mysql && made_inside_create_table(model, table) {
            a.not_modelled += 1;
        } else {
            a.compared += 1;
            miss(
                &mut a,
                format!("index {name} on {table}: on the server, not in the model"),
            );
        }
    }
    let mut model_ids = std::collections::BTreeSet::new();
    for (key, c) in &model.constraints {
        let name = bare_name(key);
        let id = constraint_id(name, &c.table);
        model_ids.insert(id.clone());
        if model.is_uncertain(&c.table) {
            a.uncertain += 1;
            continue;
        }
        // MySQL keeps no NOT VALID state, and PostgreSQL's USING INDEX renames the index.
        a.compared += 1;
        match db.constraints.get(&id) {
            None if matches!(c.kind, ConstraintKind::UsingIndex) && dialect == Dialect::Mysql => {
                // MySQL `ADD INDEX name` inside ALTER TABLE: an index, not a constraint.
                if !db.indexes.contains_key(name) {
                    miss(
                        &mut a,
                        format!("index {name}: in the model, not on the server"),
                    );
                }
            }
            None => miss(
                &mut a,
                format!("constraint {name}: in the model, not on the server"),
            ),
            Some((t, _, validated)) => {
                if *t != c.table {
                    miss(
                        &mut a,
                        format!(
                            "constraint {name}: on {} in the model, on {t} on the server",
                            c.table
                        ),
                    );
                } else if dialect == Dialect::Postgres && c.not_valid == *validated {
                    miss(
                        &mut a,
                        format!(
                            "constraint {name}: NOT VALID {} in the model, validated {validated} on the server",
                            c.not_valid
                        ),
                    );
                }
            }
        }
    }
    for (id, (table, _, _)) in &db.constraints {
        if !model_ids.contains(id) {
            if model.is_uncertain(table) {
                a.uncertain += 1;
            } else {
                a.not_modelled += 1;
            }
        }
    }
    for (name, (values, _)) in &model.enums {
        a.compared += 1;
        match db.enums.get(name) {
            None => miss(
                &mut a,
                format!("type {name}: in the model, not on the server"),
            ),
            Some(v) if v != values => miss(
                &mut a,
                format!("type {name}: values {values:?} in the model, {v:?} on the server"),
            ),
            _ => {}
        }
    }
    for name in db.enums.keys().filter(|n| !model.enums.contains_key(*n)) {
        a.compared += 1;
        miss(
            &mut a,
            format!("type {name}: on the server, not in the model"),
        );
    }
    a.not_modelled += db.sequences.len();
    a
}

/// MySQL tables made by a CREATE TABLE: their inline `KEY`/`INDEX` clauses are not kept.
fn made_inside_create_table(model: &Schema, table: &str) -> bool {
    model
        .table(table)
        .is_some_and(|t| t.created_in != BEFORE_HISTORY)
}
