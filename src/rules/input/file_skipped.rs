//! E003: a file rollsafe did not read (binary, oversized, templated), so nothing in it
//! was checked.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::E003 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct FileSkipped;

impl Rule for FileSkipped {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
