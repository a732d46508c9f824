//! M307: a statement that fails at deploy time because of the schema at that point: it
//! creates an object that already exists, or drops or changes one that does not.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M307 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::Part;

pub struct FailsAgainstSchema;

impl Rule for FailsAgainstSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Some(reason) = cx.schema.failure(cx.op, cx.guarded, cx.index) else {
            return;
        };
        let part = match cx.part {
            Part::Down => "the rollback",
            _ => "the deploy",
        };
        let variant = crate::rules::migrations::walk::variant_phrase(cx.variant);
        out.push(cx.diag(
            &META,
            cx.stmt_span(),
            format!("this statement fails and stops {part}{variant}: {reason} at this point of the migrations"),
            "make the statement match the schema the earlier migrations leave (drop or create the right name), or guard it with `IF EXISTS` / `IF NOT EXISTS` where either state is expected",
            &reason,
        ));
    }
}
