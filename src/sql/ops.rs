//! What a statement does, in the terms the migration rules reason about. Both the
//! sqlparser AST and the token-level recogniser produce these, so rules never care which
//! one understood a statement.

/// A column's type as written, normalised (lower case, single spaces), e.g. `varchar(255)`.
pub type TypeName = String;

/// The type MySQL stores for a type name: `boolean`/`bool` are `tinyint(1)`, `integer` is
/// `int`, and integer display widths (`int(11)`) change nothing (deprecated and ignored
/// since 8.0.17, "Numeric Data Type Syntax"), so restating them is not a type change.
pub fn mysql_canonical_type(t: &str) -> String {
    let t = t.trim();
    let (base, rest) = match t.split_once('(') {
        Some((b, r)) => (b.trim(), Some(r)),
        None => (t, None),
    };
    // `integer unsigned`: the attributes follow the name.
    let (base, bare_suffix) = match (rest, base.split_once(' ')) {
        (None, Some((b, attrs))) => (b, attrs.trim()),
        _ => (base, ""),
    };
    let suffix = rest
        .and_then(|r| r.split_once(')'))
        .map(|(_, after)| after.trim())
        .unwrap_or(bare_suffix);
    // Fractional seconds precision 0 is the default: `timestamp(0)` is `timestamp`.
    if matches!(base, "timestamp" | "datetime" | "time")
        && rest.is_some_and(|r| r.trim_start().starts_with("0)"))
    {
        return format!("{base}{}", pad(suffix));
    }
    let base = match base {
        "integer" => "int",
        "bool" | "boolean" => return format!("tinyint(1){}", pad(suffix)),
        b => b,
    };
    match base {
        "tinyint" if rest.is_some_and(|r| r.trim_start().starts_with("1)")) => {
            format!("tinyint(1){}", pad(suffix))
        }
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" => format!("{base}{}", pad(suffix)),
        _ => t.to_string(),
    }
}

fn pad(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" {s}")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DefaultKind {
    /// A constant or a stable expression (`now()`): no rewrite on PostgreSQL 11+.
    Constant,
    /// A volatile expression (`random()`, `gen_random_uuid()`, `clock_timestamp()`, …).
    Volatile(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnSpec {
    pub name: String,
    pub data_type: TypeName,
    pub not_null: bool,
    pub default: Option<DefaultKind>,
    pub primary_key: bool,
    pub unique: bool,
    pub references: bool,
    /// `serial`/`bigserial`, identity or `GENERATED … STORED`: filled for every row.
    pub generated: bool,
    /// The column carries a CHECK or FOREIGN KEY that PostgreSQL validates on add.
    pub check: bool,
    /// MySQL ENUM/SET values, PostgreSQL enum values come from CREATE TYPE.
    pub enum_values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintKind {
    ForeignKey,
    Check {
        not_null_of: Option<String>,
    },
    Unique,
    PrimaryKey,
    Exclude,
    /// `UNIQUE/PRIMARY KEY USING INDEX existing_index`: no new scan.
    UsingIndex,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    CreateTable {
        table: String,
        columns: Vec<ColumnSpec>,
        /// `CREATE TABLE … AS SELECT` / `LIKE`: a copy.
        from_query: bool,
    },
    DropTable {
        table: String,
    },
    /// A view keeps an old table name readable (and, when simple, writable).
    CreateView {
        name: String,
    },
    DropView {
        name: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: ColumnSpec,
    },
    DropColumn {
        table: String,
        column: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// PostgreSQL `ALTER COLUMN … TYPE`, MySQL `MODIFY`/`CHANGE` (which restate the column).
    ChangeColumnType {
        table: String,
        column: String,
        new_type: TypeName,
        /// MySQL restates nullability and enum values in MODIFY/CHANGE.
        spec: Option<ColumnSpec>,
        using: bool,
    },
    SetNotNull {
        table: String,
        column: String,
    },
    DropNotNull {
        table: String,
        column: String,
    },
    SetDefault {
        table: String,
        column: String,
    },
    DropDefault {
        table: String,
        column: String,
    },
    AddConstraint {
        table: String,
        name: Option<String>,
        kind: ConstraintKind,
        not_valid: bool,
    },
    ValidateConstraint {
        table: String,
        name: String,
    },
    DropConstraint {
        table: String,
        name: String,
    },
    CreateIndex {
        table: String,
        name: Option<String>,
        /// Plain column names; empty when unknown or when a key is an expression.
        columns: Vec<String>,
        unique: bool,
        concurrently: bool,
    },
    DropIndex {
        name: String,
        concurrently: bool,
        /// MySQL `DROP INDEX i ON t`.
        table: Option<String>,
    },
    CreateEnum {
        name: String,
        values: Vec<String>,
    },
    AddEnumValue {
        name: String,
        value: String,
    },
    RenameEnumValue {
        name: String,
        from: String,
        to: String,
    },
    RenameType {
        from: String,
        to: String,
    },
    DropType {
        name: String,
    },
    VacuumFull {
        table: Option<String>,
    },
    Cluster {
        table: Option<String>,
    },
    Reindex {
        target: String,
        concurrently: bool,
    },
    LockTable {
        tables: Vec<String>,
    },
    Truncate {
        tables: Vec<String>,
    },
    Update {
        table: String,
        has_where: bool,
    },
    Delete {
        table: String,
        has_where: bool,
    },
    SetTimeout {
        lock: bool,
        local: bool,
    },
    /// MySQL `SET FOREIGN_KEY_CHECKS = 0|1`: with checks off, adding a foreign key is
    /// done in place.
    SetForeignKeyChecks {
        on: bool,
    },
    Begin,
    Commit,
    Rollback,
    /// MySQL `ALGORITHM=` / `LOCK=` clauses on an ALTER TABLE (upper-cased values).
    MysqlOnlineOptions {
        table: String,
        algorithm: Option<String>,
        lock: Option<String>,
    },
    /// A MySQL table option that rebuilds the table (`ENGINE=`, `CONVERT TO CHARACTER SET`).
    MysqlRebuild {
        table: String,
        what: String,
    },
    /// Code whose effect rollsafe cannot read: `CALL proc(…)`, `EXECUTE stmt`. The
    /// string arguments are kept because procedures that change tables take their names.
    Opaque {
        args: Vec<String>,
    },
    /// Anything else: recognised and harmless for the rules (COMMENT, GRANT, functions…).
    Other,
}

impl Op {
    /// The table an operation changes, when it changes one.
    pub fn table(&self) -> Option<&str> {
        use Op::*;
        match self {
            CreateTable { table, .. }
            | DropTable { table }
            | AddColumn { table, .. }
            | DropColumn { table, .. }
            | RenameColumn { table, .. }
            | ChangeColumnType { table, .. }
            | SetNotNull { table, .. }
            | DropNotNull { table, .. }
            | SetDefault { table, .. }
            | DropDefault { table, .. }
            | AddConstraint { table, .. }
            | ValidateConstraint { table, .. }
            | DropConstraint { table, .. }
            | CreateIndex { table, .. }
            | Update { table, .. }
            | Delete { table, .. }
            | MysqlOnlineOptions { table, .. }
            | MysqlRebuild { table, .. } => Some(table),
            RenameTable { from, .. } => Some(from),
            DropIndex { table, .. } => table.as_deref(),
            _ => None,
        }
    }
}

/// Functions whose value differs per row: a default using one rewrites the table.
pub const VOLATILE_FUNCTIONS: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "uuid",
];

/// Normalises an identifier path `schema.table` to the last part unless the schema is
/// meaningful; rules compare tables by this key.
pub fn table_key(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [.., schema, name] if schema == "public" => name.clone(),
        [.., schema, name] => format!("{schema}.{name}"),
    }
}

#[cfg(test)]
mod mysql_type_tests {
    use super::mysql_canonical_type as c;

    #[test]
    fn aliases_are_the_same_type() {
        assert_eq!(c("boolean"), c("tinyint(1)"));
        assert_eq!(c("int(11)"), c("int"));
        assert_eq!(c("integer"), c("int"));
        assert_eq!(c("int(10) unsigned"), c("int unsigned"));
        assert_ne!(c("tinyint(4)"), c("tinyint(1)"));
        assert_ne!(c("int"), c("bigint"));
        assert_eq!(c("varchar(20)"), "varchar(20)");
        assert_eq!(c("integer unsigned"), c("int unsigned"));
        assert_eq!(c("timestamp(0)"), c("timestamp"));
    }
}
