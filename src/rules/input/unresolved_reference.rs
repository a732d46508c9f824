//! E006: a `$ref` of an API description that points at a missing file or element. The
//! description is invalid, and what it references cannot be compared.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::E006 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct UnresolvedReference;

impl Rule for UnresolvedReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
