//! E004: a repeated key in a YAML mapping. go-yaml's non-strict path (kubectl apply)
//! keeps the last value without a word, so what the file seems to say is not what runs.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::E004 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct DuplicateKey;

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
