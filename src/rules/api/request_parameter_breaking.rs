//! A201: a request parameter change that makes the new version reject requests old
//! clients send: a new required parameter, one made required, a narrower type, enum or
//! bounds, a changed default or serialisation.

use crate::api::Group;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::A201 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct RequestParameterBreaking;

impl Rule for RequestParameterBreaking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report(
            &META,
            cx,
            Group::Parameter,
            &|ch| {
                if ch.id.starts_with("new-") || ch.id.contains("became-required") {
                    "make the parameter optional with a server-side default until every client sends it".into()
                } else if ch.id.ends_with("-removed") && !ch.id.contains("enum") {
                    "keep accepting (and ignoring) the parameter until clients stop sending it"
                        .into()
                } else if ch.id.contains("default") {
                    "keep the default: clients that omit the parameter rely on it".into()
                } else {
                    "accept what the previous release accepted: widen now, narrow only after clients have changed".into()
                }
            },
            out,
        );
    }
}
