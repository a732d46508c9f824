//! M208: TRUNCATE of a table the running version serves.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M208 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct TruncateTable;

impl Rule for TruncateTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::Truncate { tables } = cx.op else {
            return;
        };
        if cx.part != Part::Up {
            return;
        }
        for t in tables.iter().filter(|t| !cx.is_new_table(t)) {
            out.push(cx.diag(
                &META,
                cx.span_of(&["TRUNCATE"]),
                format!(
                    "TRUNCATE `{t}` deletes every row the running version serves, under an ACCESS EXCLUSIVE lock, and no rollback brings them back"
                ),
                "if the data is really disposable, delete it in batches outside the deploy; otherwise keep it and stop using the table first",
                t,
            ));
        }
    }
}
