//! What a statement does, in the terms the migration rules reason about. Both the
//! sqlparser AST and the token-level recogniser produce these, so rules never care which
//! one understood a statement.

/// A column's type as written, normalised (lower case, single spaces), e.g. `varchar(255)`.
pub type TypeName = String;

pub use super::mysql_types::mysql_canonical_type;

/// What an explicit table lock stops other sessions from doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockBlocks {
    /// PostgreSQL ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE: reads and
    /// writes (INSERT/UPDATE/DELETE) go on.
    Nothing,
    /// PostgreSQL SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE; MySQL `READ`: writes wait, plain
    /// reads go on.
    Writes,
    /// PostgreSQL ACCESS EXCLUSIVE (the default); MySQL `WRITE`: reads and writes wait.
    ReadsAndWrites,
}

/// What PostgreSQL's `LOCK … IN <mode> MODE` blocks (the conflict table of *Explicit
/// Locking*: DML takes ROW EXCLUSIVE, plain SELECT takes ACCESS SHARE).
pub fn postgres_lock_blocks(mode: &str) -> LockBlocks {
    match mode {
        "access share" | "row share" | "row exclusive" | "share update exclusive" => {
            LockBlocks::Nothing
        }
        "share" | "share row exclusive" | "exclusive" => LockBlocks::Writes,
        _ => LockBlocks::ReadsAndWrites,
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
        /// `CREATE TABLE … AS SELECT` / `LIKE` (a copy), or a definition only the token
        /// recogniser read: the columns are not known.
        from_query: bool,
        /// Column lists of the table-level `UNIQUE (…)` and `PRIMARY KEY (…)` constraints.
        unique_keys: Vec<Vec<String>>,
        /// Constraints the statement names (`CONSTRAINT n FOREIGN KEY …`, table or column
        /// level, and MySQL/CockroachDB inline `INDEX n (…)`): (name, kind, key columns).
        named: Vec<(String, ConstraintKind, Vec<String>)>,
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
        /// The key columns of a `UNIQUE` / `PRIMARY KEY` constraint (plain columns only;
        /// empty when unknown).
        columns: Vec<String>,
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
        /// The mode: PostgreSQL `IN … MODE` (`IN ACCESS EXCLUSIVE MODE` when none is
        /// written), MySQL `READ`/`WRITE`.
        mode: String,
        /// What other sessions can no longer do while it is held.
        blocks: LockBlocks,
    },
    Truncate {
        tables: Vec<String>,
    },
    Update {
        table: String,
        has_where: bool,
        /// `SET target = source` assignments whose value is a plain column of the table.
        copies: Vec<(String, String)>,
    },
    /// `INSERT INTO table …`; `from_query` when the rows come from a query (`INSERT …
    /// SELECT`), not from `VALUES`.
    Insert {
        table: String,
        from_query: bool,
    },
    Delete {
        table: String,
        has_where: bool,
    },
    /// `CREATE TRIGGER`: `before_insert` when it fires BEFORE INSERT (and may fill columns
    /// the INSERT omits).
    CreateTrigger {
        table: String,
        before_insert: bool,
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
    /// `DROP SCHEMA` (PostgreSQL; with CASCADE every object in it goes too) or MySQL
    /// `DROP DATABASE|SCHEMA` (always with its tables).
    DropSchema {
        name: String,
        cascade: bool,
    },
    /// `GRANT` (`grant: true`) or `REVOKE` of privileges that let an application use
    /// tables: SELECT/INSERT/UPDATE/DELETE/ALL on tables (keys as [`table_key`]), and
    /// USAGE/ALL on schemas or on all tables of a schema (`schemas`). Upper-cased
    /// privilege names, lower-cased grantees (`public` for PUBLIC).
    Privileges {
        grant: bool,
        privileges: Vec<String>,
        tables: Vec<String>,
        schemas: Vec<String>,
        grantees: Vec<String>,
    },
    /// Anything else: recognised and harmless for the rules (COMMENT, functions…).
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
            | Insert { table, .. }
            | Delete { table, .. }
            | CreateTrigger { table, .. }
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
        // A templated schema (`{{ .Schema }}.t`) is the one the deploy configures.
        [.., schema, name]
            if schema == "public" || super::template::is_schema_placeholder(schema) =>
        {
            name.clone()
        }
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
