//! M104: renaming a table the previous release uses by its old name.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M104 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct RenameTable;

impl Rule for RenameTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::RenameTable { from, to } = cx.op else {
            return;
        };
        // Rename-and-rebuild keeps the old name alive: the same migration creates it again.
        if cx.part != Part::Up || cx.is_new_table(from) || cx.migration_creates_table(from) {
            return;
        }
        out.push(cx.diag(
            &META,
            cx.span_of(&["RENAME"]),
            format!(
                "renaming table `{from}` to `{to}` breaks the previous release, whose queries still name `{from}` until every instance is replaced"
            ),
            format!(
                "rename in the same migration but keep the old name working with `CREATE VIEW {from} AS SELECT * FROM {to}` until no running version uses it, then drop the view"
            ),
            &format!("{from}->{to}"),
        ));
    }
}
