//! E002: a migration statement whose effect rollsafe could not determine, so no rule
//! checked it. The rest of the file is still checked.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::E002 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct StatementNotChecked;

impl Rule for StatementNotChecked {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
