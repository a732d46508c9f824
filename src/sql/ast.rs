//! Maps a statement parsed by sqlparser to the operations the rules reason about.

use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableAlgorithm, AlterTableLock, AlterTableOperation,
    AlterTypeOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable, DataType, EnumMember,
    Expr, Ident, ObjectName, ObjectNamePart, ObjectType, RenameTableNameKind, Statement,
    TableConstraint, TableFactor, TableWithJoins, UserDefinedTypeRepresentation,
};

use super::ops::{ColumnSpec, ConstraintKind, DefaultKind, Op, VOLATILE_FUNCTIONS, table_key};

pub fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

pub fn name_parts(n: &ObjectName) -> Vec<String> {
    n.0.iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => ident(i),
            ObjectNamePart::Function(f) => ident(&f.name),
        })
        .collect()
}

pub fn table_name(n: &ObjectName) -> String {
    table_key(&name_parts(n))
}

pub fn type_name(t: &DataType) -> String {
    normalise_type(&t.to_string())
}

pub fn normalise_type(s: &str) -> String {
    let collapsed = s
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // No spaces around punctuation: `numeric ( 12 , 2 )` and `NUMERIC(12, 2)` read alike.
    let mut out = String::with_capacity(collapsed.len());
    let chars: Vec<char> = collapsed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = chars.get(i.wrapping_sub(1)).copied().unwrap_or(' ');
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            if matches!(prev, '(' | ',') || matches!(next, '(' | ')' | ',') {
                continue;
            }
        }
        out.push(c);
    }
    out
}

pub fn default_kind(e: &Expr) -> DefaultKind {
    default_kind_text(&e.to_string())
}

pub fn default_kind_text(text: &str) -> DefaultKind {
    let lower = text.to_lowercase();
    for f in VOLATILE_FUNCTIONS {
        if let Some(i) = lower.find(f) {
            let before_ok = i == 0
                || !lower.as_bytes()[i - 1].is_ascii_alphanumeric()
                    && lower.as_bytes()[i - 1] != b'_';
            let after = lower[i + f.len()..].trim_start();
            if before_ok && after.starts_with('(') {
                return DefaultKind::Volatile(format!("{f}()"));
            }
        }
    }
    DefaultKind::Constant
}

pub fn column_spec(c: &ColumnDef) -> ColumnSpec {
    let mut spec = ColumnSpec {
        name: ident(&c.name),
        data_type: type_name(&c.data_type),
        ..Default::default()
    };
    match &c.data_type {
        DataType::Enum(members, _) => {
            spec.enum_values = members
                .iter()
                .map(|m| match m {
                    EnumMember::Name(n) | EnumMember::NamedValue(n, _) => n.clone(),
                })
                .collect()
        }
        DataType::Set(values) => spec.enum_values = values.clone(),
        _ => {}
    }
    if matches!(
        spec.data_type.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
    ) {
        spec.generated = true;
        spec.not_null = true;
    }
    for o in &c.options {
        apply_column_option(&mut spec, &o.option);
    }
    spec
}

fn apply_column_option(spec: &mut ColumnSpec, o: &ColumnOption) {
    match o {
        ColumnOption::NotNull => spec.not_null = true,
        ColumnOption::Null => spec.not_null = false,
        // `DEFAULT NULL` stores no default (the catalogs show none).
        ColumnOption::Default(e) if e.to_string().eq_ignore_ascii_case("null") => {
            spec.default = None
        }
        ColumnOption::Default(e) => spec.default = Some(default_kind(e)),
        ColumnOption::PrimaryKey(_) => {
            spec.primary_key = true;
            spec.not_null = true;
        }
        ColumnOption::Unique(_) => spec.unique = true,
        ColumnOption::ForeignKey(_) => spec.references = true,
        ColumnOption::Check(_) => spec.check = true,
        ColumnOption::Generated { .. } | ColumnOption::Identity(_) => spec.generated = true,
        ColumnOption::DialectSpecific(tokens) => {
            let text = tokens
                .iter()
                .map(|t| t.to_string().to_uppercase())
                .collect::<Vec<_>>()
                .join(" ");
            if text.contains("AUTO_INCREMENT") || text.contains("AUTOINCREMENT") {
                spec.generated = true;
            }
        }
        _ => {}
    }
}

fn constraint(c: &TableConstraint) -> (Option<String>, ConstraintKind) {
    match c {
        TableConstraint::Unique(u) => (u.name.as_ref().map(ident), ConstraintKind::Unique),
        TableConstraint::PrimaryKey(p) => (p.name.as_ref().map(ident), ConstraintKind::PrimaryKey),
        TableConstraint::ForeignKey(f) => (f.name.as_ref().map(ident), ConstraintKind::ForeignKey),
        TableConstraint::Check(ch) => (
            ch.name.as_ref().map(ident),
            ConstraintKind::Check {
                not_null_of: not_null_check(&ch.expr),
            },
        ),
        TableConstraint::PrimaryKeyUsingIndex(u) | TableConstraint::UniqueUsingIndex(u) => {
            (u.name.as_ref().map(ident), ConstraintKind::UsingIndex)
        }
        TableConstraint::Exclude(_) => (None, ConstraintKind::Exclude),
        TableConstraint::Index(i) => (i.name.as_ref().map(ident), ConstraintKind::UsingIndex),
        TableConstraint::FulltextOrSpatial(_) => (None, ConstraintKind::UsingIndex),
    }
}

/// `CHECK (col IS NOT NULL)`: the constraint that makes a later SET NOT NULL instant.
fn not_null_check(e: &Expr) -> Option<String> {
    match e {
        Expr::Nested(inner) => not_null_check(inner),
        Expr::IsNotNull(inner) => match inner.as_ref() {
            Expr::Identifier(i) => Some(ident(i)),
            Expr::CompoundIdentifier(parts) => parts.last().map(ident),
            _ => None,
        },
        _ => None,
    }
}

fn create_table(ct: &CreateTable) -> Vec<Op> {
    let table = table_name(&ct.name);
    let mut columns: Vec<ColumnSpec> = ct.columns.iter().map(column_spec).collect();
    for c in &ct.constraints {
        if let TableConstraint::PrimaryKey(p) = c {
            for col in &p.columns {
                let name = col.column.expr.to_string().to_lowercase();
                if let Some(spec) = columns.iter_mut().find(|s| s.name == name) {
                    spec.not_null = true;
                    spec.primary_key = true;
                }
            }
        }
    }
    let mut named: Vec<(String, ConstraintKind, Vec<String>)> = ct
        .constraints
        .iter()
        .filter(|c| !matches!(c, TableConstraint::Index(_)))
        .filter_map(|c| {
            let (name, kind) = constraint(c);
            name.map(|n| (n, kind, key_columns(c).unwrap_or_default()))
        })
        .collect();
    // MySQL's inline `INDEX n (…)` / `KEY n (…)` is an index like one `CREATE INDEX`
    // makes (`DROP INDEX n ON t` drops either, and a down re-creating it with `CREATE
    // INDEX` restores the same thing), not a constraint.
    let inline_indexes = ct.constraints.iter().filter_map(|c| match c {
        TableConstraint::Index(i) => Some(Op::CreateIndex {
            table: table.clone(),
            name: i.name.as_ref().map(ident),
            columns: i
                .columns
                .iter()
                .map(|col| match &col.column.expr {
                    Expr::Identifier(id) => Some(ident(id)),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()
                .unwrap_or_default(),
            unique: false,
            concurrently: false,
        }),
        _ => None,
    });
    for col in &ct.columns {
        for o in &col.options {
            let Some(name) = &o.name else { continue };
            let kind = match &o.option {
                ColumnOption::ForeignKey(_) => ConstraintKind::ForeignKey,
                ColumnOption::Check(ch) => ConstraintKind::Check {
                    not_null_of: not_null_check(&ch.expr),
                },
                ColumnOption::Unique(_) => ConstraintKind::Unique,
                ColumnOption::PrimaryKey(_) => ConstraintKind::PrimaryKey,
                _ => continue,
            };
            named.push((ident(name), kind, vec![ident(&col.name)]));
        }
    }
    let indexes: Vec<Op> = inline_indexes.collect();
    let mut ops = vec![Op::CreateTable {
        table,
        columns,
        from_query: ct.query.is_some() || ct.like.is_some(),
        unique_keys: ct.constraints.iter().filter_map(key_columns).collect(),
        named,
    }];
    ops.extend(indexes);
    ops
}

/// The plain key columns of a `UNIQUE (…)` or `PRIMARY KEY (…)` table constraint (`None`
/// for other constraints, or when a key part is an expression).
fn key_columns(c: &TableConstraint) -> Option<Vec<String>> {
    let parts = match c {
        TableConstraint::Unique(u) => &u.columns,
        TableConstraint::PrimaryKey(p) => &p.columns,
        _ => return None,
    };
    parts
        .iter()
        .map(|col| match &col.column.expr {
            Expr::Identifier(i) => Some(ident(i)),
            _ => None,
        })
        .collect::<Option<Vec<String>>>()
        .filter(|v| !v.is_empty())
}

fn create_index(ci: &CreateIndex) -> Vec<Op> {
    // Only plain column keys: an expression (`lower(email)`) leaves the list empty.
    let plain: Option<Vec<String>> = ci
        .columns
        .iter()
        .map(|c| match &c.column.expr {
            sqlparser::ast::Expr::Identifier(i) => Some(ident(i)),
            _ => None,
        })
        .collect();
    vec![Op::CreateIndex {
        table: table_name(&ci.table_name),
        name: ci.name.as_ref().map(table_name),
        columns: plain.unwrap_or_default(),
        unique: ci.unique,
        concurrently: ci.concurrently,
    }]
}

/// MySQL `MODIFY`/`CHANGE` restate the whole column: its type and options.
fn restated_column(
    table: String,
    name: &Ident,
    data_type: &DataType,
    options: &[ColumnOption],
) -> Op {
    let mut spec = column_spec(&ColumnDef {
        name: name.clone(),
        data_type: data_type.clone(),
        options: vec![],
    });
    for o in options {
        apply_column_option(&mut spec, o);
    }
    Op::ChangeColumnType {
        table,
        column: spec.name.clone(),
        new_type: spec.data_type.clone(),
        spec: Some(spec),
        using: false,
    }
}

fn alter_table(at: &AlterTable) -> Vec<Op> {
    let table = table_name(&at.name);
    let mut ops = Vec::new();
    let mut algorithm = None;
    let mut lock = None;
    for op in &at.operations {
        let t = table.clone();
        match op {
            AlterTableOperation::AddColumn { column_def, .. } => ops.push(Op::AddColumn {
                table: t,
                column: column_spec(column_def),
            }),
            AlterTableOperation::DropColumn { column_names, .. } => {
                for c in column_names {
                    ops.push(Op::DropColumn {
                        table: t.clone(),
                        column: ident(c),
                    });
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => ops.push(Op::RenameColumn {
                table: t,
                from: ident(old_column_name),
                to: ident(new_column_name),
            }),
            AlterTableOperation::RenameTable { table_name } => {
                let to = match table_name {
                    RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => self::table_name(n),
                };
                ops.push(Op::RenameTable { from: t, to });
            }
            AlterTableOperation::AddConstraint {
                constraint: c,
                not_valid,
            } => {
                let (name, kind) = constraint(c);
                ops.push(Op::AddConstraint {
                    table: t,
                    name,
                    kind,
                    not_valid: *not_valid,
                    columns: key_columns(c).unwrap_or_default(),
                });
            }
            AlterTableOperation::ValidateConstraint { name } => ops.push(Op::ValidateConstraint {
                table: t,
                name: ident(name),
            }),
            AlterTableOperation::DropConstraint { name, .. }
            | AlterTableOperation::DropForeignKey { name, .. } => ops.push(Op::DropConstraint {
                table: t,
                name: ident(name),
            }),
            AlterTableOperation::DropIndex { name } => ops.push(Op::DropIndex {
                name: ident(name),
                concurrently: false,
                table: Some(t),
            }),
            AlterTableOperation::AlterColumn { column_name, op } => {
                let column = ident(column_name);
                ops.push(match op {
                    AlterColumnOperation::SetNotNull => Op::SetNotNull { table: t, column },
                    AlterColumnOperation::DropNotNull => Op::DropNotNull { table: t, column },
                    // `SET DEFAULT NULL` leaves no default in effect.
                    AlterColumnOperation::SetDefault { value }
                        if value.to_string().eq_ignore_ascii_case("null") =>
                    {
                        Op::DropDefault { table: t, column }
                    }
                    AlterColumnOperation::SetDefault { .. } => Op::SetDefault { table: t, column },
                    AlterColumnOperation::DropDefault => Op::DropDefault { table: t, column },
                    AlterColumnOperation::SetDataType {
                        data_type, using, ..
                    } => Op::ChangeColumnType {
                        table: t,
                        column,
                        new_type: type_name(data_type),
                        spec: None,
                        using: using.is_some(),
                    },
                    _ => Op::Other,
                });
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => ops.push(restated_column(t, col_name, data_type, options)),
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => {
                if ident(old_name) != ident(new_name) {
                    ops.push(Op::RenameColumn {
                        table: t.clone(),
                        from: ident(old_name),
                        to: ident(new_name),
                    });
                }
                ops.push(restated_column(t, new_name, data_type, options));
            }
            AlterTableOperation::DropPrimaryKey { .. } => ops.push(Op::DropConstraint {
                table: t,
                name: "primary".into(),
            }),
            AlterTableOperation::Algorithm { algorithm: a, .. } => {
                algorithm = Some(
                    match a {
                        AlterTableAlgorithm::Default => "DEFAULT",
                        AlterTableAlgorithm::Instant => "INSTANT",
                        AlterTableAlgorithm::Inplace => "INPLACE",
                        AlterTableAlgorithm::Copy => "COPY",
                    }
                    .to_string(),
                )
            }
            AlterTableOperation::Lock { lock: l, .. } => {
                lock = Some(
                    match l {
                        AlterTableLock::Default => "DEFAULT",
                        AlterTableLock::None => "NONE",
                        AlterTableLock::Shared => "SHARED",
                        AlterTableLock::Exclusive => "EXCLUSIVE",
                    }
                    .to_string(),
                )
            }
            _ => ops.push(Op::Other),
        }
    }
    if algorithm.is_some() || lock.is_some() {
        ops.push(Op::MysqlOnlineOptions {
            table,
            algorithm,
            lock,
        });
    }
    ops
}

fn factor_table(t: &TableWithJoins) -> Option<String> {
    match &t.relation {
        TableFactor::Table { name, .. } => Some(table_name(name)),
        _ => None,
    }
}

/// Operations of one parsed statement. `None` means the statement kind is one the
/// token-level recogniser handles better (it sees keywords sqlparser drops).
pub fn ops_of(stmt: &Statement) -> Option<Vec<Op>> {
    Some(match stmt {
        Statement::CreateTable(ct) => create_table(ct),
        Statement::CreateIndex(ci) => create_index(ci),
        Statement::AlterTable(at) => alter_table(at),
        Statement::CreateView(v) => vec![Op::CreateView {
            name: table_name(&v.name),
        }],
        Statement::Drop {
            object_type,
            names,
            cascade,
            ..
        } => names
            .iter()
            .map(|n| match object_type {
                ObjectType::Table => Op::DropTable {
                    table: table_name(n),
                },
                ObjectType::Index => Op::DropIndex {
                    name: table_name(n),
                    concurrently: false,
                    table: None,
                },
                ObjectType::Type => Op::DropType {
                    name: table_name(n),
                },
                ObjectType::View | ObjectType::MaterializedView => Op::DropView {
                    name: table_name(n),
                },
                ObjectType::Schema | ObjectType::Database => Op::DropSchema {
                    name: name_parts(n).join("."),
                    cascade: *cascade,
                },
                _ => Op::Other,
            })
            .collect(),
        Statement::RenameTable(r) => r
            .iter()
            .map(|r| Op::RenameTable {
                from: table_name(&r.old_name),
                to: table_name(&r.new_name),
            })
            .collect(),
        Statement::CreateType {
            name,
            representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
        } => vec![Op::CreateEnum {
            name: table_name(name),
            values: labels.iter().map(|l| l.value.clone()).collect(),
        }],
        Statement::AlterType(at) => vec![match &at.operation {
            AlterTypeOperation::AddValue(v) => Op::AddEnumValue {
                name: table_name(&at.name),
                value: v.value.value.clone(),
            },
            AlterTypeOperation::RenameValue(v) => Op::RenameEnumValue {
                name: table_name(&at.name),
                from: v.from.value.clone(),
                to: v.to.value.clone(),
            },
            AlterTypeOperation::Rename(r) => Op::RenameType {
                from: table_name(&at.name),
                to: ident(&r.new_name),
            },
        }],
        Statement::Truncate(t) => vec![Op::Truncate {
            tables: t.table_names.iter().map(|n| table_name(&n.name)).collect(),
        }],
        Statement::Insert(i) => match &i.table {
            sqlparser::ast::TableObject::TableName(name) => vec![Op::Insert {
                table: table_name(name),
                from_query: i.source.as_ref().is_some_and(|q| {
                    !matches!(q.body.as_ref(), sqlparser::ast::SetExpr::Values(_))
                }),
            }],
            _ => Vec::new(),
        },
        Statement::Update(u) => vec![Op::Update {
            table: factor_table(&u.table).unwrap_or_default(),
            has_where: u.selection.is_some() || u.limit.is_some(),
            copies: u
                .assignments
                .iter()
                .filter_map(|a| match (&a.target, &a.value) {
                    (sqlparser::ast::AssignmentTarget::ColumnName(t), Expr::Identifier(v)) => {
                        Some((name_parts(t).pop()?, ident(v)))
                    }
                    _ => None,
                })
                .collect(),
        }],
        Statement::Delete(d) => {
            let table = d
                .tables
                .first()
                .map(table_name)
                .or_else(|| match &d.from {
                    sqlparser::ast::FromTable::WithFromKeyword(v)
                    | sqlparser::ast::FromTable::WithoutKeyword(v) => {
                        v.first().and_then(factor_table)
                    }
                })
                .unwrap_or_default();
            vec![Op::Delete {
                table,
                has_where: d.selection.is_some() || d.limit.is_some(),
            }]
        }
        Statement::CreateTrigger(t) => vec![Op::CreateTrigger {
            table: table_name(&t.table_name),
            before_insert: matches!(t.period, Some(sqlparser::ast::TriggerPeriod::Before))
                && t.events
                    .iter()
                    .any(|e| matches!(e, sqlparser::ast::TriggerEvent::Insert)),
        }],
        Statement::Vacuum(v) if v.full => vec![Op::VacuumFull {
            table: v.table_name.as_ref().map(table_name),
        }],
        Statement::Grant(g) => vec![privileges_op(
            true,
            &g.privileges,
            g.objects.as_ref(),
            &g.grantees,
        )],
        Statement::Revoke(r) => vec![privileges_op(
            false,
            &r.privileges,
            r.objects.as_ref(),
            &r.grantees,
        )],
        Statement::StartTransaction { .. } => vec![Op::Begin],
        Statement::Commit { .. } => vec![Op::Commit],
        Statement::Rollback { .. } => vec![Op::Rollback],
        // SET, LOCK, CLUSTER, REINDEX, DO and friends: the token recogniser reads them.
        Statement::Set(_)
        | Statement::Lock(_)
        | Statement::LockTables { .. }
        | Statement::Call(_)
        | Statement::Execute { .. } => return None,
        _ => vec![Op::Other],
    })
}

/// A GRANT or REVOKE of the privileges an application needs to use tables; other
/// privileges (CREATE on a schema, EXECUTE, TRIGGER…) are [`Op::Other`].
fn privileges_op(
    grant: bool,
    privileges: &sqlparser::ast::Privileges,
    objects: Option<&sqlparser::ast::GrantObjects>,
    grantees: &[sqlparser::ast::Grantee],
) -> Op {
    use sqlparser::ast::{GrantObjects, Privileges};
    let names = |p: &[&str]| -> Vec<String> {
        match privileges {
            Privileges::All { .. } => vec!["ALL".into()],
            Privileges::Actions(a) => {
                let mut v: Vec<String> = a
                    .iter()
                    .filter_map(|a| {
                        let s = a.to_string().to_uppercase();
                        let word = s.split([' ', '(']).next().unwrap_or("").to_string();
                        p.contains(&word.as_str()).then_some(word)
                    })
                    .collect();
                v.dedup();
                v
            }
        }
    };
    let table_privs = ["SELECT", "INSERT", "UPDATE", "DELETE"];
    let (privileges, mut tables, mut schemas) = match objects {
        Some(GrantObjects::Tables(t)) => (
            names(&table_privs),
            t.iter().map(table_name).collect::<Vec<_>>(),
            Vec::new(),
        ),
        Some(GrantObjects::AllTablesInSchema { schemas }) => (
            names(&table_privs),
            Vec::new(),
            schemas.iter().map(|s| name_parts(s).join(".")).collect(),
        ),
        Some(GrantObjects::Schemas(s)) => (
            names(&["USAGE"]),
            Vec::new(),
            s.iter().map(|s| name_parts(s).join(".")).collect(),
        ),
        _ => return Op::Other,
    };
    // MySQL `db.*`: every table of that database; `*.*` is a global privilege.
    let mut star = Vec::new();
    tables.retain(|t| match t.strip_suffix(".*") {
        Some(db) => {
            star.push(db.to_string());
            false
        }
        None => t != "*",
    });
    schemas.extend(star.into_iter().filter(|d| d != "*"));
    if privileges.is_empty() || (tables.is_empty() && schemas.is_empty()) {
        return Op::Other;
    }
    Op::Privileges {
        grant,
        privileges,
        tables,
        schemas,
        grantees: grantees
            .iter()
            .map(|g| {
                let g = g.to_string();
                // MySQL accounts keep their quotes (`'app'@'%'`); identifiers lose them.
                if g.contains('@') {
                    g.to_lowercase()
                } else if g.starts_with(['"', '`']) {
                    // A quoted identifier keeps its case, as the server does.
                    g.trim_matches(['"', '`']).to_string()
                } else {
                    g.trim_matches('\'').to_lowercase()
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_defaults() {
        assert_eq!(default_kind_text("now()"), DefaultKind::Constant);
        assert_eq!(default_kind_text("'x'"), DefaultKind::Constant);
        assert!(matches!(
            default_kind_text("gen_random_uuid()"),
            DefaultKind::Volatile(_)
        ));
        assert!(matches!(
            default_kind_text("NEXTVAL('s')"),
            DefaultKind::Volatile(_)
        ));
        assert_eq!(default_kind_text("my_random()"), DefaultKind::Constant);
    }

    #[test]
    fn type_normalisation() {
        assert_eq!(normalise_type("VARCHAR (255)"), "varchar(255)");
        assert_eq!(normalise_type("NUMERIC(10, 2)"), "numeric(10,2)");
        assert_eq!(
            normalise_type("timestamp with time zone"),
            "timestamp with time zone"
        );
    }
}
