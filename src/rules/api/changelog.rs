//! A900: the non-breaking API changes, listed as information when `[api] changelog` is
//! on (what `rollsafe diff --changelog` prints), and — always, as a warning — the
//! security changes oasdiff calls informational that refuse existing clients.

use crate::api::Level;
use crate::diagnostic::catalogue::A900 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct Changelog;

impl Rule for Changelog {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for ch in super::changes(cx) {
            // rollsafe's own judgement where oasdiff says info: an operation that needed
            // no credential now needs one.
            if ch.locks_out {
                let mut d = super::diagnostic(
                    &META,
                    ch,
                    "announce the requirement first and give clients their credentials before enforcing it; or keep anonymous access as an alternative (`security: [{}, …]`) for a release",
                );
                d.severity = Severity::Warning;
                let who = if ch.id.contains("scope-added") {
                    ": clients of the previous release whose tokens lack this scope are now refused (403)"
                } else {
                    ": clients of the previous release that send no such credential are now refused (401/403)"
                };
                super::before_id(
                    &mut d.message,
                    &format!("{who}; oasdiff rates this informational"),
                );
                out.push(d);
                continue;
            }
            if !cx.config.api.changelog {
                continue;
            }
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
