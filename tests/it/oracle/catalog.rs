//! The schema as a real server's catalogs show it, in the terms rollsafe's model keeps:
//! tables and views, columns (canonical type, nullability, whether a default exists),
//! standalone indexes, named constraints with their validation state, enum types.

use std::collections::{BTreeMap, BTreeSet};

use rollsafe::migrations::types::canonical;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    pub data_type: String,
    pub not_null: bool,
    /// The default expression as the server prints it (compared for the down proof only).
    pub default: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: BTreeMap<String, BTreeMap<String, Col>>,
    pub views: BTreeSet<String>,
    /// Index name → (table, unique). Indexes that back a constraint are left out (the
    /// constraint stands for them).
    pub indexes: BTreeMap<String, (String, bool)>,
    /// Constraint name → (table, kind letter, validated).
    /// `name on table` (see [`constraint_id`]) → (table, kind letter, validated).
    pub constraints: BTreeMap<String, (String, char, bool)>,
    pub enums: BTreeMap<String, Vec<String>>,
    pub sequences: BTreeSet<String>,
}

impl Snapshot {
    /// What differs between two snapshots, one line per object.
    pub fn diff(&self, other: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        diff_maps("table", &self.tables, &other.tables, &mut out, |t, a, b| {
            let mut v = Vec::new();
            diff_maps("column", a, b, &mut v, |c, x, y| {
                vec![format!("column {t}.{c}: {x:?} → {y:?}")]
            });
            v.into_iter().map(|l| format!("{t}: {l}")).collect()
        });
        diff_sets("view", &self.views, &other.views, &mut out);
        diff_maps(
            "index",
            &self.indexes,
            &other.indexes,
            &mut out,
            |i, a, b| vec![format!("index {i}: {a:?} → {b:?}")],
        );
        diff_maps(
            "constraint",
            &self.constraints,
            &other.constraints,
            &mut out,
            |c, a, b| vec![format!("constraint {c}: {a:?} → {b:?}")],
        );
        diff_maps("type", &self.enums, &other.enums, &mut out, |e, a, b| {
            vec![format!("enum {e}: {a:?} → {b:?}")]
        });
        diff_sets("sequence", &self.sequences, &other.sequences, &mut out);
        out
    }
}

fn diff_sets(what: &str, a: &BTreeSet<String>, b: &BTreeSet<String>, out: &mut Vec<String>) {
    for x in a.difference(b) {
        out.push(format!("{what} {x} gone"));
    }
    for x in b.difference(a) {
        out.push(format!("{what} {x} added"));
    }
}

fn diff_maps<V: PartialEq>(
    what: &str,
    a: &BTreeMap<String, V>,
    b: &BTreeMap<String, V>,
    out: &mut Vec<String>,
    changed: impl Fn(&str, &V, &V) -> Vec<String>,
) {
    for (k, x) in a {
        match b.get(k) {
            None => out.push(format!("{what} {k} gone")),
            Some(y) if x != y => out.extend(changed(k, x, y)),
            _ => {}
        }
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        out.push(format!("{what} {k} added"));
    }
}

/// Names as rollsafe keys them: the `public` schema is implied.
fn qualified(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

const PG_USER_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'";

pub fn read_postgres(c: &mut postgres::Client) -> Result<Snapshot, postgres::Error> {
    let mut s = Snapshot::default();
    for r in c.query(
        &format!(
            "SELECT n.nspname::text, c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {PG_USER_SCHEMAS} AND c.relkind IN ('r','p','v','m','S')"
        ),
        &[],
    )? {
        let name = qualified(r.get(0), r.get(1));
        match r.get::<_, String>(2).as_str() {
            "v" | "m" => {
                s.views.insert(name);
            }
            "S" => {
                s.sequences.insert(name);
            }
            _ => {
                s.tables.insert(name, BTreeMap::new());
            }
        }
    }
    for r in c.query(
        &format!(
            "SELECT n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE {PG_USER_SCHEMAS} AND c.relkind IN ('r','p') AND a.attnum > 0 AND NOT a.attisdropped"
        ),
        &[],
    )? {
        let table = qualified(r.get(0), r.get(1));
        let identity: String = r.get(6);
        // `DEFAULT NULL` is stored as `NULL::type`: no default in effect.
        let default: Option<String> = r
            .get::<_, Option<String>>(5)
            .filter(|d| d != "NULL" && !d.starts_with("NULL::"));
        let col = Col {
            data_type: canonical(r.get::<_, &str>(3)),
            not_null: r.get(4),
            default: default.or_else(|| (!identity.is_empty()).then(|| "identity".into())),
        };
        if let Some(t) = s.tables.get_mut(&table) {
            t.insert(r.get(2), col);
        }
    }
    for r in c.query(
        &format!(
            "SELECT n.nspname::text, ic.relname::text, tn.nspname::text, tc.relname::text, i.indisunique
             FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
             JOIN pg_class tc ON tc.oid = i.indrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
             WHERE {PG_USER_SCHEMAS} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p','u','x'))"
        ),
        &[],
    )? {
        s.indexes.insert(
            qualified(r.get(0), r.get(1)),
            (qualified(r.get(2), r.get(3)), r.get(4)),
        );
    }
    for r in c.query(
        &format!(
            "SELECT k.conname::text, n.nspname::text, c.relname::text, k.contype::text, k.convalidated
             FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {PG_USER_SCHEMAS}"
        ),
        &[],
    )? {
        let kind: String = r.get(3);
        let table = qualified(r.get(1), r.get(2));
        s.constraints.insert(
            constraint_id(r.get(0), &table),
            (
                table,
                kind.chars().next().unwrap_or('?'),
                r.get(4),
            ),
        );
    }
    for r in c.query(
        &format!(
            "SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
             FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE {PG_USER_SCHEMAS} GROUP BY 1, 2"
        ),
        &[],
    )? {
        s.enums.insert(qualified(r.get(0), r.get(1)), r.get(2));
    }
    Ok(s)
}

pub fn read_mysql(c: &mut mysql::Conn, db: &str) -> Result<Snapshot, mysql::Error> {
    use mysql::prelude::Queryable;
    let mut s = Snapshot::default();
    let q = |sql: &str| sql.replace("{db}", &db.replace('\'', "''"));
    let tables: Vec<(String, String)> = c.query(q(
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{db}'",
    ))?;
    for (name, kind) in tables {
        if kind == "VIEW" {
            s.views.insert(name);
        } else if kind == "SEQUENCE" {
            s.sequences.insert(name);
        } else {
            s.tables.insert(name, BTreeMap::new());
        }
    }
    let cols: Vec<(String, String, String, String, Option<String>)> = c.query(q(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{db}'",
    ))?;
    for (table, col, ty, nullable, default) in cols {
        if let Some(t) = s.tables.get_mut(&table) {
            t.insert(
                col,
                Col {
                    data_type: rollsafe::sql::ops::mysql_canonical_type(&ty.to_lowercase()),
                    not_null: nullable == "NO",
                    // MariaDB prints a missing default of a nullable column as NULL.
                    default: default.filter(|d| d != "NULL"),
                },
            );
        }
    }
    let idx: Vec<(String, String, i64)> = c.query(q(
        "SELECT DISTINCT TABLE_NAME, INDEX_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '{db}'",
    ))?;
    for (table, name, non_unique) in idx {
        if name != "PRIMARY" {
            s.indexes.insert(name, (table, non_unique == 0));
        }
    }
    let cons: Vec<(String, String, String)> = c.query(q(
        "SELECT CONSTRAINT_NAME, TABLE_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '{db}'",
    ))?;
    for (name, table, kind) in cons {
        let letter = match kind.as_str() {
            "PRIMARY KEY" => 'p',
            "UNIQUE" => 'u',
            "FOREIGN KEY" => 'f',
            "CHECK" => 'c',
            _ => '?',
        };
        s.constraints
            .insert(constraint_id(&name, &table), (table, letter, true));
    }
    Ok(s)
}

/// A constraint's identity: PostgreSQL and SQLite name CHECK and foreign-key constraints
/// per table, so two tables may both have `name_length`.
pub fn constraint_id(name: &str, table: &str) -> String {
    format!("{name} on {table}")
}
