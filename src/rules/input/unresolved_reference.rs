//! E006: a `$ref` of an API description that points at a missing file or element. The
//! description is invalid, and what it references cannot be compared.

use crate::diagnostic::InputCode;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct UnresolvedReference;

static META: RuleMeta = RuleMeta {
    code: InputCode::UnresolvedReference.code(),
    name: "unresolved-reference",
    domain: Domain::Input,
    severity: Severity::Warning,
    summary: "A `$ref` in an API description points at a file or element that does not exist.",
    needs_base: false,
};

impl Rule for UnresolvedReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
