//! E001: a file the deploying tool would reject cannot be parsed (YAML/JSON syntax,
//! invalid UTF-8, unterminated SQL string, malformed env line).

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::E001 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct InvalidSyntax;

impl Rule for InvalidSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
