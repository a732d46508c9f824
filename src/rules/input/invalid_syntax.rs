//! E001: a file the deploying tool would reject cannot be parsed (YAML/JSON syntax,
//! invalid UTF-8, unterminated SQL string, malformed env line).

use crate::diagnostic::InputCode;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct InvalidSyntax;

static META: RuleMeta = RuleMeta {
    code: InputCode::InvalidSyntax.code(),
    name: "invalid-syntax",
    domain: Domain::Input,
    severity: Severity::Error,
    summary: "A manifest, compose file, API description, env file or SQL file cannot be parsed.",
    needs_base: false,
};

impl Rule for InvalidSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
