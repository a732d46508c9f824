//! E005: a suppression comment or annotation that is malformed (no reason, unknown code)
//! or suppresses nothing. Unused ones are found by the pipeline after filtering.

use crate::diagnostic::Diagnostic;
pub use crate::diagnostic::catalogue::E005 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct InvalidSuppression;

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        if cx.no_inline_ignores {
            return;
        }
        for b in &cx.head.bad_suppressions {
            out.push(Diagnostic::new(
                &META,
                &b.source,
                b.span,
                b.message.clone(),
                "write `rollsafe: ignore[CODE] reason`, with a code from `rollsafe rules` and the reason the finding is safe",
                "malformed",
            ));
        }
    }
}
