//! M107: making an existing column NOT NULL, or a column this release added (with no
//! default) NOT NULL, which the previous release's INSERTs never fill.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M107 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Dialect, Part,
    ops::{ConstraintKind, Op},
};

pub struct SetNotNull;

impl Rule for SetNotNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let (table, column) = match cx.op {
            Op::SetNotNull { table, column } => (table, column),
            // MySQL restates nullability in MODIFY/CHANGE.
            Op::ChangeColumnType {
                table,
                column,
                spec: Some(spec),
                ..
            } if spec.not_null
                && cx
                    .schema
                    .column(table, column)
                    .is_some_and(|c| !c.spec.not_null && !c.spec.data_type.is_empty()) =>
            {
                (table, column)
            }
            _ => return,
        };
        if cx.part != Part::Up || cx.is_new_table(table) {
            return;
        }
        // A column this release adds: the previous release's INSERTs never name it, so
        // NOT NULL breaks them unless a default fills it.
        let added_here = cx.is_new_column(table, column);
        // Added back in place of a column of that name the same part renamed aside or
        // dropped: the previous release's INSERTs do name it.
        if added_here && cx.part_replaces_column(table, column) {
            return;
        }
        if added_here
            && cx
                .schema
                .column(table, column)
                .is_none_or(|c| c.spec.default.is_some() || c.spec.generated)
        {
            return;
        }
        // The same migration first added `CHECK (col IS NOT NULL)` on the new column: the
        // previous release's INSERTs break there already, and M111 reports it at the CHECK.
        let checked_earlier = added_here
            && cx.migration.up_statements().any(|(_, st)| {
                st.start < cx.stmt.start
                    && st.ops.iter().any(|o| {
                        matches!(o, Op::AddConstraint {
                            table: t,
                            kind: ConstraintKind::Check { not_null_of: Some(c) },
                            ..
                        } if t == table && c == column)
                    })
            });
        if checked_earlier {
            return;
        }
        if cx
            .schema
            .table(table)
            .is_some_and(|t| t.not_null_checked.contains(column))
        {
            // A validated CHECK (col IS NOT NULL) already proves it: PostgreSQL 12+ skips
            // the scan, and no running version can write NULL.
            return;
        }
        let col = super::qual(table, column);
        let message = if added_here {
            format!(
                "{col} is added by this release, so the previous release's INSERTs never write it: made NOT NULL with no default, every one of them fails during the rollout and after a rollback"
            )
        } else if cx.dialect() == Dialect::Postgres {
            // The column existed before: whether the previous release ever writes NULL into
            // it is its code's business (Plume 0.7.2's diesel models never did), so that
            // half is said as a condition; the scan under the lock is certain.
            format!(
                "setting {col} NOT NULL scans all of `{table}` under an ACCESS EXCLUSIVE lock (reads and writes wait; a NULL left in a row fails the migration), and any write of the previous release that leaves it NULL starts failing"
            )
        } else {
            format!(
                "making {col} NOT NULL rebuilds `{table}` (a NULL left in a row fails the migration), and any write of the previous release that leaves it NULL starts failing"
            )
        };
        out.push(cx.diag(
            &META,
            cx.span_of(&["SET", "NOT", "NULL"]),
            message,
            if added_here {
                format!(
                    "give `{column}` a default, or set NOT NULL in a later release, once every running version writes it"
                )
            } else {
                format!(
                    "once every running version writes `{column}`: add `CHECK ({column} IS NOT NULL) NOT VALID`, VALIDATE it in a later migration, then SET NOT NULL (PostgreSQL 12+ uses the check and skips the scan)"
                )
            },
            &format!("{table}.{column}"),
        ));
    }
}
