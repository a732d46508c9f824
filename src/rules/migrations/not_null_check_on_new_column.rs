//! M111: a column this release adds without a default, and a `CHECK (col IS NOT NULL)`
//! on it in the same release. `NOT VALID` only skips the scan of the existing rows: the
//! check holds for every row written from then on, and the previous release's INSERTs,
//! which never name the new column, write NULL into it and are rejected.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M111 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Part,
    ops::{ConstraintKind, Op},
};

pub struct NotNullCheckOnNewColumn;

impl Rule for NotNullCheckOnNewColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::AddConstraint {
            table,
            name,
            kind: ConstraintKind::Check {
                not_null_of: Some(column),
            },
            not_valid,
            ..
        } = cx.op
        else {
            return;
        };
        // A table new in this release has no previous release writing to it; a table an
        // unreadable statement touched may have a default the model did not see.
        if cx.part != Part::Up
            || cx.is_new_table(table)
            || cx.schema.table(table).is_none_or(|t| t.unreadable())
        {
            return;
        }
        let Some(col) = cx.schema.column(table, column) else {
            return;
        };
        // Only a column this release adds: the previous release's INSERTs never name it.
        // A default (or a generated value) fills it for them.
        if !cx.is_fresh(col.created_in) || col.spec.default.is_some() || col.spec.generated {
            return;
        }
        // A default set later in the same migration fills it too.
        let defaulted_later = cx.migration.up_statements().any(|(_, s)| {
            s.start > cx.stmt.start
                && s.ops.iter().any(|o| {
                    matches!(o, Op::SetDefault { table: t, column: c } if t == table && c == column)
                })
        });
        if defaulted_later {
            return;
        }
        let qual = super::qual(table, column);
        let how = if *not_valid {
            " (NOT VALID skips only the rows already there)"
        } else {
            ""
        };
        out.push(cx.diag(
            &META,
            cx.constraint_span(name.as_deref(), "CHECK"),
            format!(
                "{qual} is added by this release without a default, and this CHECK makes it NOT NULL for every row written from now on{how}: every INSERT of the previous release, which never names the column, is rejected (`violates check constraint`) during the rollout and after a rollback"
            ),
            format!(
                "give `{column}` a default, or add the check in a later release, once every running version writes `{column}`"
            ),
            &format!("{table}.{column}"),
        ));
    }
}
