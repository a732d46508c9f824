//! A401: a response change old clients may not handle: a success status or media type
//! removed, a property removed, made optional or nullable, a type changed, an enum
//! widened, a required header removed.

use crate::api::Group;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::A401 as META;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct ResponseBreaking;

impl Rule for ResponseBreaking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        super::report(
            &META,
            cx,
            Group::Response,
            &|ch| {
                if ch.id.contains("enum-value-added") {
                    "tell clients to expect unknown values first (`x-extensible-enum`), then add the value".into()
                } else if ch.id.contains("removed")
                    || ch.id.contains("optional")
                    || ch.id.contains("nullable")
                {
                    "keep returning it (deprecate it first) until no client reads it".into()
                } else {
                    "return what the previous release returned; add a new field or version for the new shape".into()
                }
            },
            out,
        );
    }
}
