//! M205: validating a constraint in the same transaction that added it NOT VALID.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M205 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, ops::Op};

pub struct ValidateInSameTransaction;

impl Rule for ValidateInSameTransaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::ValidateConstraint { table, name } = cx.op else {
            return;
        };
        if cx.dialect() != Dialect::Postgres || !cx.in_transaction || cx.is_new_table(table) {
            return;
        }
        let Some(added) = cx
            .not_valid_in_tx
            .iter()
            .find(|a| a.table == *table && a.name.as_deref() == Some(name.as_str()))
        else {
            return;
        };
        let src = &cx.file.source;
        let here = crate::diagnostic::Location::new(src, src.span(added.start, added.end))
            .with_message("added NOT VALID here, in the same transaction");
        // ADD CONSTRAINT's lock is held until commit: SHARE ROW EXCLUSIVE on both tables
        // for a foreign key, ACCESS EXCLUSIVE for the other kinds.
        let held = if added.foreign_key {
            format!(
                "keeps the SHARE ROW EXCLUSIVE locks the foreign key's ADD took on `{table}` and on the table it references for the whole validation scan: writes to both wait, reads go on"
            )
        } else {
            format!(
                "keeps the ACCESS EXCLUSIVE lock the ADD took on `{table}` for the whole validation scan: reads and writes wait"
            )
        };
        out.push(cx.diag(
            &META,
            cx.span_of(&["VALIDATE"]),
            format!(
                "validating `{name}` in the same transaction that added it NOT VALID {held}, which is what NOT VALID was meant to avoid"
            ),
            format!("commit after ADD CONSTRAINT … NOT VALID and validate `{name}` in a separate migration (or after a COMMIT)"),
            &format!("{table}:{name}"),
        )
        .with_related(here));
    }
}
