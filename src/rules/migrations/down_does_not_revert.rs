//! M302: the down part is empty or does not touch what the up part created, renamed,
//! altered or dropped.

use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::walk::MigrationCx;
use crate::rules::{Domain, Rule, RuleMeta};
use crate::sql::{Understood, ops::Op};

pub struct DownDoesNotRevert;

static META: RuleMeta = RuleMeta {
    code: "M302",
    name: "down-does-not-revert",
    domain: Domain::Migrations,
    severity: Severity::Warning,
    summary: "The down migration is empty or leaves in place what the up migration created, so a rollback does not restore the previous schema.",
    needs_base: false,
};

/// What an up part changes, and how a down part may undo it.
#[derive(Debug)]
enum Made {
    Table(String),
    Column(String, String),
    /// Name, table, plain key columns (empty when unknown).
    Index(String, String, Vec<String>),
    Rename(String, String),
    /// A table rebuilt under its own name (SQLite's copy, drop, rename): any change the
    /// down part makes to it counts.
    Rebuilt(String),
    /// A named constraint (and its table).
    Constraint(String, String),
    /// A column whose type or nullability changed.
    Altered(String, String),
    /// A dropped column or table the down part should bring back.
    DroppedColumn(String, String),
    DroppedTable(String),
    Type(String),
    View(String),
}

impl Made {
    fn describe(&self) -> String {
        match self {
            Made::Table(t) => format!("table `{t}`"),
            Made::Column(t, c) => format!("column `{t}.{c}`"),
            Made::Index(i, _, _) => format!("index `{i}`"),
            Made::Rebuilt(t) => format!("the rebuild of table `{t}`"),
            Made::Rename(f, t) => format!("the rename of `{f}` to `{t}`"),
            Made::Constraint(c, t) => format!("constraint `{c}` on `{t}`"),
            Made::Altered(t, c) => format!("the change to column `{t}.{c}`"),
            Made::DroppedColumn(t, c) => format!("the drop of column `{t}.{c}`"),
            Made::DroppedTable(t) => format!("the drop of table `{t}`"),
            Made::Type(n) => format!("type `{n}`"),
            Made::View(n) => format!("view `{n}`"),
        }
    }

    fn reverted_by(&self, op: &Op) -> bool {
        match (self, op) {
            (Made::Table(t), Op::DropTable { table }) => t == table,
            (Made::Table(t), Op::RenameTable { from, .. }) => t == from,
            (Made::Column(t, c), Op::DropColumn { table, column }) => t == table && c == column,
            (Made::Column(t, _), Op::DropTable { table }) => t == table,
            (Made::Column(t, c), Op::RenameColumn { table, from, .. }) => t == table && c == from,
            (Made::Index(i, _, _), Op::DropIndex { name, .. }) => i == name,
            (Made::Index(_, t, _), Op::DropTable { table } | Op::DropView { name: table }) => {
                t == table
            }
            // Dropping a column drops the indexes on it (PostgreSQL: "indexes and table
            // constraints involving the column will be automatically dropped"; MySQL drops
            // an index whose every column is dropped).
            (Made::Index(_, t, cols), Op::DropColumn { table, column }) => {
                t == table && cols.contains(column)
            }
            (Made::Rebuilt(t), Op::RenameTable { to, .. }) if t == to => true,
            (Made::Rebuilt(t), op) => op.table() == Some(t.as_str()),
            (Made::Rename(f, t), Op::RenameTable { from, to }) => t == from && f == to,
            // Rebuilding the old table under its old name also restores it.
            (Made::Rename(f, _), Op::CreateTable { table, .. }) => f == table,
            (Made::Rename(f, t), Op::RenameColumn { from, to, .. }) => t == from && f == to,
            (
                Made::Constraint(c, _),
                Op::DropConstraint { name, .. } | Op::DropIndex { name, .. },
            ) => c == name,
            (Made::Constraint(_, t), Op::DropTable { table }) => t == table,
            (
                Made::Altered(t, c),
                Op::ChangeColumnType { table, column, .. }
                | Op::DropNotNull { table, column }
                | Op::SetNotNull { table, column }
                | Op::DropColumn { table, column },
            ) => t == table && c == column,
            (Made::Altered(t, _), Op::DropTable { table }) => t == table,
            (Made::DroppedColumn(t, c), Op::AddColumn { table, column }) => {
                t == table && c == &column.name
            }
            (
                Made::DroppedTable(t),
                Op::CreateTable { table, .. } | Op::RenameTable { to: table, .. },
            ) => t == table,
            (Made::Type(n), Op::DropType { name }) => n == name,
            (Made::View(n), Op::DropView { name }) => n == name,
            _ => false,
        }
    }
}

impl Rule for DownDoesNotRevert {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_migration(&self, cx: &MigrationCx, out: &mut Vec<Diagnostic>) {
        let m = cx.migration;
        if m.down.is_empty() {
            return;
        }
        let mut made = Vec::new();
        let mut dropped_here: Vec<String> = Vec::new();
        for (_, st) in m.up_statements() {
            for op in &st.ops {
                match op {
                    Op::CreateTable { table, .. } => made.push(Made::Table(table.clone())),
                    Op::AddColumn { table, column } => {
                        made.push(Made::Column(table.clone(), column.name.clone()))
                    }
                    Op::CreateIndex {
                        table,
                        name: Some(n),
                        columns,
                        ..
                    } => made.push(Made::Index(n.clone(), table.clone(), columns.clone())),
                    // A copy renamed to the name of the table this part dropped: a
                    // rebuild of that table, not a new table and a rename.
                    Op::RenameTable { from, to }
                        if made.iter().any(|x| matches!(x, Made::DroppedTable(t) if t == to))
                            && made.iter().any(|x| matches!(x, Made::Table(t) if t == from)) =>
                    {
                        made.retain(|x| {
                            !matches!(x, Made::DroppedTable(t) if t == to)
                                && !matches!(x, Made::Table(t) if t == from)
                        });
                        made.push(Made::Rebuilt(to.clone()));
                    }
                    Op::RenameTable { from, to } => {
                        made.push(Made::Rename(from.clone(), to.clone()))
                    }
                    Op::RenameColumn { from, to, .. } => {
                        made.push(Made::Rename(from.clone(), to.clone()))
                    }
                    // Re-adding a constraint the up part just dropped replaces it: the
                    // previous release had one by that name too.
                    Op::AddConstraint {
                        table,
                        name: Some(n),
                        ..
                    } if !dropped_here.contains(n) => {
                        made.push(Made::Constraint(n.clone(), table.clone()))
                    }
                    Op::ChangeColumnType { table, column, .. }
                    | Op::SetNotNull { table, column } => {
                        made.push(Made::Altered(table.clone(), column.clone()))
                    }
                    Op::CreateEnum { name, .. } => made.push(Made::Type(name.clone())),
                    Op::CreateView { name } => made.push(Made::View(name.clone())),
                    // Net effect only: what the up part itself removes again (a backup
                    // table, a temporary index) needs no undoing.
                    Op::DropTable { table } => {
                        let made_here = made.iter().any(
                            |x| matches!(x, Made::Table(t) | Made::Rename(_, t) if t == table),
                        );
                        made.retain(|x| match x {
                            Made::Table(t)
                            | Made::Column(t, _)
                            | Made::Index(_, t, _)
                            | Made::Rename(_, t)
                            | Made::Constraint(_, t)
                            | Made::Altered(t, _)
                            | Made::DroppedColumn(t, _) => t != table,
                            _ => true,
                        });
                        if !made_here {
                            made.push(Made::DroppedTable(table.clone()));
                        }
                    }
                    Op::DropIndex { name, .. } => made.retain(
                        |x| !matches!(x, Made::Index(n, _, _) | Made::Constraint(n, _) if n == name),
                    ),
                    Op::DropConstraint { name, .. } => {
                        dropped_here.push(name.clone());
                        made.retain(|x| !matches!(x, Made::Constraint(n, _) if n == name))
                    }
                    Op::DropColumn { table, column } => {
                        let added_here = made
                            .iter()
                            .any(|x| matches!(x, Made::Column(t, c) if t == table && c == column));
                        made.retain(|x| {
                            !matches!(x, Made::Column(t, c) | Made::Altered(t, c) if t == table && c == column)
                        });
                        if !added_here {
                            made.push(Made::DroppedColumn(table.clone(), column.clone()));
                        }
                    }
                    Op::DropView { name } => {
                        made.retain(|x| !matches!(x, Made::View(n) if n == name))
                    }
                    Op::DropType { name } => {
                        made.retain(|x| !matches!(x, Made::Type(n) if n == name))
                    }
                    _ => {}
                }
            }
        }
        let down: Vec<(&crate::migrations::PartRef, &crate::sql::Statement)> =
            m.down_statements().collect();
        // A down that runs code rollsafe cannot read (unparsed statements, stored
        // procedures, dynamic SQL) may well revert everything.
        if down.iter().any(|(_, s)| {
            !matches!(s.understood, Understood::Parsed | Understood::Recognised(_))
                || s.ops.iter().any(|o| matches!(o, Op::Opaque { .. }))
        }) {
            return;
        }
        let down_ops: Vec<&Op> = down.iter().flat_map(|(_, s)| s.ops.iter()).collect();
        // Point at the first down statement, else the down marker, else the down file.
        let (file, span) = match down.first() {
            Some((p, st)) => (
                p.file.clone(),
                p.file.source.first_line_span(st.start, st.end),
            ),
            None => {
                let p = &m.down[0];
                let marker = crate::migrations::section(p).marker;
                let src = &p.file.source;
                let span = if marker > 0 {
                    src.first_line_span(marker, src.text.len())
                } else {
                    src.line_span(1)
                };
                (p.file.clone(), span)
            }
        };
        let significant = down_ops.iter().any(|o| {
            !matches!(
                o,
                Op::Other | Op::Begin | Op::Commit | Op::SetTimeout { .. }
            )
        });
        let (message, detail) = if !significant {
            if made.is_empty() {
                return;
            }
            (
                format!(
                    "the down part of migration `{}` does nothing, so a rollback leaves {} in place",
                    m.label(),
                    made.iter()
                        .take(3)
                        .map(Made::describe)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "empty".to_string(),
            )
        } else {
            let left: Vec<String> = made
                .iter()
                .filter(|x| !down_ops.iter().any(|o| x.reverted_by(o)))
                .map(Made::describe)
                .collect();
            if left.is_empty() {
                return;
            }
            (
                format!(
                    "the down part of migration `{}` does not undo {}, so a rollback leaves the schema different from the previous release",
                    m.label(),
                    left.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                ),
                left.join(","),
            )
        };
        out.push(Diagnostic::new(
            &META,
            &file.source,
            span,
            message,
            "make the down part reverse every change of the up part, in reverse order (drop what it created, rename back what it renamed)",
            format!("{}|{detail}", m.label()),
        ));
    }
}
