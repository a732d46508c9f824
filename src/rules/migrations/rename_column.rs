//! M103: renaming a column the previous release uses by its old name.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M103 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct RenameColumn;

impl Rule for RenameColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::RenameColumn { table, from, to } = cx.op else {
            return;
        };
        // A column added back under the old name keeps the previous release's queries
        // working (they read NULL for old rows): a data change, not a broken query.
        let re_added = cx
            .migration
            .up_statements()
            .flat_map(|(_, s)| s.ops.iter())
            .any(|o| matches!(o, Op::AddColumn { table: t, column } if t == table && column.name == *from));
        if cx.part != Part::Up || cx.is_new_column(table, from) || re_added {
            return;
        }
        out.push(cx.diag(
            &META,
            cx.span_of(&["RENAME"]),
            format!(
                "renaming column {} to `{to}` breaks the previous release, whose queries still name `{from}` until every instance is replaced",
                super::qual(table, from)
            ),
            format!(
                "add `{to}` as a new column, write to both, backfill, switch reads to `{to}`, and drop `{from}` in a later release"
            ),
            &format!("{table}.{from}->{to}"),
        ));
    }
}
