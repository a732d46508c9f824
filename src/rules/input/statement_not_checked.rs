//! E002: a migration statement whose effect rollsafe could not determine, so no rule
//! checked it. The rest of the file is still checked.

use crate::diagnostic::InputCode;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct StatementNotChecked;

static META: RuleMeta = RuleMeta {
    code: InputCode::StatementNotChecked.code(),
    name: "statement-not-checked",
    domain: Domain::Input,
    severity: Severity::Info,
    summary: "A migration statement neither the SQL parser nor the token recogniser understands is left unchecked.",
    needs_base: false,
};

impl Rule for StatementNotChecked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
