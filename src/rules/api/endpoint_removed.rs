//! A101: an endpoint, webhook or base path that clients of the previous release call is
//! gone. During the rollout old clients hit new pods and get 404s; after it, every
//! client not yet updated does.

use crate::api::Group;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::A101 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct EndpointRemoved;

impl Rule for EndpointRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report(
            &META,
            cx,
            Group::Endpoint,
            &|ch| {
                if ch.id.contains("before-sunset") {
                    "keep the endpoint until its `x-sunset` date has passed, then remove it".into()
                } else if ch.id == "api-base-path-changed" {
                    "serve the old base path too (keep the old server entry) until clients have moved".into()
                } else if ch.id.contains("sunset-parse") {
                    "write `x-sunset` as an RFC 3339 date (2026-12-31) so the removal can be judged"
                        .into()
                } else {
                    "deprecate it first (`deprecated: true` with an `x-sunset` date), remove it after the sunset".into()
                }
            },
            out,
        );
    }
}
