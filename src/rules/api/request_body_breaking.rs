//! A301: a request body change that makes the new version reject bodies old clients
//! send: a new required property, a narrower type, enum or bounds, a removed media type.

use crate::api::Group;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::A301 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct RequestBodyBreaking;

impl Rule for RequestBodyBreaking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report(
            &META,
            cx,
            Group::RequestBody,
            &|ch| {
                if ch.id.starts_with("new-required")
                    || ch.id.contains("became-required")
                    || ch.id.ends_with("added-required")
                {
                    "add it as optional with a server-side default; require it only once every client sends it".into()
                } else if ch.id.contains("property-removed") {
                    "keep accepting (and ignoring) the property until clients stop sending it"
                        .into()
                } else if ch.id.contains("media-type-removed") || ch.id == "request-body-removed" {
                    "keep accepting the old media type (or body) until clients have moved".into()
                } else {
                    "accept what the previous release accepted: widen now, narrow only after clients have changed".into()
                }
            },
            out,
        );
    }
}
