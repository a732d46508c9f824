//! E007: a `$ref` to a URL. rollsafe never fetches anything, so what the URL describes
//! is not compared; this says so instead of staying silent.

use crate::diagnostic::InputCode;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct RemoteReference;

static META: RuleMeta = RuleMeta {
    code: InputCode::RemoteReference.code(),
    name: "remote-reference-not-followed",
    domain: Domain::Input,
    severity: Severity::Info,
    summary: "A `$ref` in an API description points at a URL, which rollsafe does not fetch.",
    needs_base: false,
};

impl Rule for RemoteReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report_problems(&META, cx, out);
    }
}
