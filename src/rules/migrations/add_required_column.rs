//! M106: adding a NOT NULL column without a default to an existing table.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M106 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct AddRequiredColumn;

impl Rule for AddRequiredColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::AddColumn { table, column } = cx.op else {
            return;
        };
        if cx.part != Part::Up
            || cx.is_new_table(table)
            || !column.not_null
            || column.default.is_some()
            || column.generated
        {
            return;
        }
        let name = &column.name;
        out.push(cx.diag(
            &META,
            cx.span_of(&["ADD", "COLUMN", name]),
            format!(
                "adding NOT NULL column {} without a default makes every INSERT of the previous release, which does not know the column, fail",
                super::qual(table, name)
            ),
            format!(
                "add `{name}` as nullable (or with a constant DEFAULT), backfill it, ship code that always writes it, then add `CHECK ({name} IS NOT NULL) NOT VALID`, validate, and set NOT NULL"
            ),
            &format!("{table}.{name}"),
        ));
    }
}
