//! E003: a file rollsafe did not read (binary, oversized, templated), so nothing in it
//! was checked.

use crate::diagnostic::InputCode;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct FileSkipped;

static META: RuleMeta = RuleMeta {
    code: InputCode::FileSkipped.code(),
    name: "file-skipped",
    domain: Domain::Input,
    severity: Severity::Info,
    summary: "A file was skipped: binary, over the size limit, or a Helm/other template that is not plain YAML.",
    needs_base: false,
};

impl Rule for FileSkipped {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
