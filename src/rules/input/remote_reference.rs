//! E007: a `$ref` to a URL. rollsafe never fetches anything, so what the URL describes
//! is not compared; this says so instead of staying silent.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::E007 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct RemoteReference;

impl Rule for RemoteReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
