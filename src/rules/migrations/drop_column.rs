//! M101: dropping a column the previous release still uses.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M101 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct DropColumn;

impl Rule for DropColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::DropColumn { table, column } = cx.op else {
            return;
        };
        if cx.part != Part::Up
            || cx.is_new_column(table, column)
            || cx.part_recreates_column(table, column)
            || cx.part_renamed_to(table, column)
        {
            return;
        }
        let span = cx.span_of(&["DROP", "COLUMN", column]);
        let span = if span == cx.stmt_span() {
            cx.span_of(&["DROP", column])
        } else {
            span
        };
        out.push(cx.diag(
            &META,
            span,
            format!(
                "dropping column {} breaks the previous release wherever it still reads or writes it (ORMs name every mapped column), during the rollout and after a rollback",
                super::qual(table, column)
            ),
            format!(
                "contract in two releases: first ship code that no longer reads or writes `{column}` (tell the ORM to ignore it), then drop the column in a later release"
            ),
            &format!("{table}.{column}"),
        ));
    }
}
