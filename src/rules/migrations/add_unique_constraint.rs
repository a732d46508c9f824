//! M108: a new uniqueness rule on an existing table.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M108 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Part,
    ops::{ConstraintKind, Op},
};

pub struct AddUniqueConstraint;

impl Rule for AddUniqueConstraint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let (table, what, words): (&String, String, &[&str]) = match cx.op {
            Op::AddConstraint {
                table,
                kind: ConstraintKind::Unique,
                name,
                ..
            } => (
                table,
                format!(
                    "unique constraint{}",
                    name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default()
                ),
                &["UNIQUE"],
            ),
            Op::CreateIndex {
                table,
                unique: true,
                name,
                ..
            } => (
                table,
                format!(
                    "unique index{}",
                    name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default()
                ),
                &["UNIQUE"],
            ),
            Op::AddColumn { table, column } if column.unique && !column.primary_key => (
                table,
                format!("unique column `{}`", column.name),
                &["UNIQUE"],
            ),
            _ => return,
        };
        if cx.part != Part::Up || cx.is_new_table(table) {
            return;
        }
        // A unique index on columns this release adds: the previous release never
        // writes them, and their values come from this release's own backfill.
        if let Op::CreateIndex { columns, .. } = cx.op
            && !columns.is_empty()
            && columns.iter().all(|c| cx.is_new_column(table, c))
        {
            return;
        }
        // One column this release adds as nullable with no default: the previous
        // release's rows get NULL there, and a unique index never compares NULLs, so its
        // writes cannot collide (PostgreSQL, MySQL and SQLite alike).
        if let Op::CreateIndex { columns, .. } = cx.op
            && columns.iter().any(|c| {
                cx.is_new_column(table, c)
                    && cx.schema.column(table, c).is_some_and(|col| {
                        !col.spec.not_null && col.spec.default.is_none() && !col.spec.generated
                    })
            })
        {
            return;
        }
        // Re-creating a unique index or constraint this migration just dropped (itself, or
        // through a stored procedure it handed the table to) restores a rule the data
        // already obeys.
        let name = match cx.op {
            Op::AddConstraint { name, .. } | Op::CreateIndex { name, .. } => name.as_deref(),
            _ => None,
        };
        if name.is_some_and(|n| cx.schema.dropped_names.get(n) == Some(&cx.index))
            || cx.schema.table(table).and_then(|t| t.opaque_in) == Some(cx.index)
        {
            return;
        }
        out.push(cx.diag(
            &META,
            cx.span_of(words),
            format!(
                "adding {what} on existing table `{table}` fails the migration if duplicates exist, and the previous release's writes that duplicate a value start failing"
            ),
            "first ship code that never writes duplicates and clean existing ones; then CREATE UNIQUE INDEX CONCURRENTLY and attach it with ADD CONSTRAINT … UNIQUE USING INDEX",
            &what,
        ));
    }
}
