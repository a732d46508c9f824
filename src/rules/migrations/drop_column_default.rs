//! M110: dropping a default the previous release relies on when it omits the column.

use crate::diagnostic::catalogue::M110 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct DropColumnDefault;

impl Rule for DropColumnDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::DropDefault { table, column } = cx.op else {
            return;
        };
        if cx.part != Part::Up || cx.is_new_table(table) || trigger_fills(cx, table) {
            return;
        }
        if cx.is_new_column(table, column) {
            // Added by this release with a default that backfilled the rows, then the
            // default dropped: the previous release never writes the column, so once it is
            // NOT NULL without a default, every INSERT of the previous release fails.
            if cx
                .schema
                .column(table, column)
                .is_some_and(|c| c.spec.not_null && c.spec.default.is_some() && !c.spec.generated)
            {
                out.push(cx.diag(
                    &META,
                    default_span(cx, column),
                    format!(
                        "{} is added by this release, so the previous release's INSERTs never write it: without its default they fail, because the column is NOT NULL, during the rollout and after a rollback",
                        super::qual(table, column)
                    ),
                    "keep the default until no running version omits the column, and drop it in a later release",
                    &format!("{table}.{column}"),
                ).with_severity(Severity::Error));
            }
            return;
        }
        // A column the model saw created with no default has none to lose (`SET DEFAULT
        // NULL` on it changes nothing).
        if cx.schema.column(table, column).is_some_and(|c| {
            c.created_in != crate::migrations::schema::BEFORE_HISTORY
                && c.spec.default.is_none()
                && !c.spec.generated
        }) {
            return;
        }
        let col = super::qual(table, column);
        let not_null = cx
            .schema
            .column(table, column)
            .is_some_and(|c| c.spec.not_null);
        let effect = if not_null {
            "fail, because the column is NOT NULL"
        } else {
            "store NULL instead of the default"
        };
        out.push(cx.diag(
            &META,
            default_span(cx, column),
            format!("dropping the default of {col} makes INSERTs of the previous release that omit the column {effect}"),
            format!("first ship code that always writes `{column}`, then drop the default in a later release"),
            &format!("{table}.{column}"),
        ));
    }
}

/// The column's own `… DROP DEFAULT` clause (one ALTER may drop several defaults), else
/// the statement's first.
fn default_span(cx: &OpCx, column: &str) -> crate::source::Span {
    let own = cx.span_of(&[column, "DROP", "DEFAULT"]);
    if own == cx.stmt_span() {
        cx.span_of(&["DROP", "DEFAULT"])
    } else {
        own
    }
}

/// Whether an earlier statement of this migration creates a BEFORE INSERT trigger on the
/// table: it may write the column an INSERT omits (civitai creates `set_image_sort_at()`
/// before it drops `Image.sortAt`'s default, so no INSERT window lacks a value). What the
/// trigger's function writes is not read; a trigger that leaves the column alone would
/// make this a missed finding, never a false one.
fn trigger_fills(cx: &OpCx, table: &str) -> bool {
    cx.earlier_up_ops()
        .any(|o| matches!(o, Op::CreateTrigger { table: t, before_insert: true } if t == table))
}
