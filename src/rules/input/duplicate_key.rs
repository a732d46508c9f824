//! E004: a repeated key in a YAML mapping. go-yaml's non-strict path (kubectl apply)
//! keeps the last value without a word, so what the file seems to say is not what runs.

use crate::diagnostic::InputCode;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct DuplicateKey;

static META: RuleMeta = RuleMeta {
    code: InputCode::DuplicateKey.code(),
    name: "duplicate-key",
    domain: Domain::Input,
    severity: Severity::Warning,
    summary: "A YAML mapping repeats a key: kubectl silently keeps the last value, strict decoders reject the file.",
    needs_base: false,
};

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
