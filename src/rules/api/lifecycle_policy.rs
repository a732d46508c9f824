//! A102: deprecation and stability promises broken: a sunset date deleted, moved
//! earlier or unreadable, a stability level lowered, or (with a deprecation policy
//! configured) a deprecation without enough notice.

use crate::api::Group;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::A102 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct LifecyclePolicy;

impl Rule for LifecyclePolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report(
            &META,
            cx,
            Group::Lifecycle,
            &|ch| {
                if ch.id.contains("stability") {
                    "keep the stability level (or raise it); use `x-stability-level: draft|alpha|beta|stable`".into()
                } else if ch.id.contains("parse") || ch.id.contains("invalid") {
                    "write `x-sunset` as an RFC 3339 date, e.g. 2026-12-31".into()
                } else {
                    "keep the promised `x-sunset` date, or set one far enough ahead for clients to move".into()
                }
            },
            out,
        );
    }
}
