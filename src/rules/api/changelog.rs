//! A900: the non-breaking API changes, listed as information when `[api] changelog` is
//! on (what `rollsafe diff --changelog` prints). Off by default: they are not findings.

use crate::api::Level;
use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct Changelog;

static META: RuleMeta = RuleMeta {
    code: "A900",
    name: "api-changelog",
    domain: Domain::Api,
    severity: Severity::Info,
    summary: "A non-breaking API change, listed only when the changelog is asked for.",
    needs_base: true,
};

impl Rule for Changelog {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        if !cx.config.api.changelog {
            return;
        }
        for ch in super::changes(cx) {
            if ch.level == Level::Info {
                out.push(super::diagnostic(
                    &META,
                    ch,
                    "nothing to do: clients of the previous release keep working",
                ));
            }
        }
    }
}
