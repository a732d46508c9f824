//! M205: validating a constraint in the same transaction that added it NOT VALID.

use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::walk::OpCx;
use crate::rules::{Domain, Rule, RuleMeta};
use crate::sql::{Dialect, ops::Op};

pub struct ValidateInSameTransaction;

static META: RuleMeta = RuleMeta {
    code: "M205",
    name: "validate-in-same-transaction",
    domain: Domain::Migrations,
    severity: Severity::Warning,
    summary: "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID keeps the exclusive lock for the whole scan.",
    needs_base: false,
};

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
        let Some((_, _, start, end)) = cx
            .not_valid_in_tx
            .iter()
            .find(|(t, n, _, _)| t == table && n.as_deref() == Some(name.as_str()))
        else {
            return;
        };
        let src = &cx.file.source;
        let added = crate::diagnostic::Location::new(src, src.span(*start, *end))
            .with_message("added NOT VALID here, in the same transaction");
        out.push(cx.diag(
            &META,
            cx.span_of(&["VALIDATE"]),
            format!(
                "validating `{name}` in the same transaction that added it NOT VALID keeps the ACCESS EXCLUSIVE lock on `{table}` for the whole validation scan, which is what NOT VALID was meant to avoid"
            ),
            format!("commit after ADD CONSTRAINT … NOT VALID and validate `{name}` in a separate migration (or after a COMMIT)"),
            &format!("{table}:{name}"),
        )
        .with_related(added));
    }
}
