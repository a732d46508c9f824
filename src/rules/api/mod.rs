//! A rules: API contracts. The comparison (src/api) runs once per check; each rule
//! reports one group of its changes at the level oasdiff gives them.

pub mod changelog;
pub mod endpoint_removed;
pub mod lifecycle_policy;
pub mod request_body_breaking;
pub mod request_parameter_breaking;
pub mod response_breaking;

use crate::api::{self, Change, Group, Level};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::project::ProjectCx;
use crate::rules::RuleMeta;

/// Every change between the base and the head descriptions, computed by the first
/// rule that asks.
pub fn changes<'c>(cx: &'c ProjectCx) -> &'c [Change] {
    let Some(base) = cx.base else { return &[] };
    cx.head.api_changes.get_or_init(|| {
        let c = &cx.config.api;
        let opts = api::Options {
            days_beta: c.deprecation_days_beta,
            days_stable: c.deprecation_days_stable,
            ignore: c.ignore.clone(),
            ..api::Options::default()
        };
        api::changes(base, cx.head, &c.moved, &opts)
    })
}

fn severity(level: Level) -> Severity {
    match level {
        Level::Error => Severity::Error,
        Level::Warn => Severity::Warning,
        Level::Info => Severity::Info,
    }
}

pub fn diagnostic(meta: &'static RuleMeta, ch: &Change, help: &str) -> Diagnostic {
    let src = &ch.head.source;
    let start = ch.head.offset.min(src.text.len());
    let end = (start + ch.head.len).min(src.text.len());
    let mut d = Diagnostic::new(
        meta,
        src,
        src.span(start, end),
        format!("{} [{}]", ch.message(), ch.id),
        help,
        format!("{}|{}|{}", ch.id, ch.operation, ch.pointer),
    )
    .with_severity(severity(ch.level));
    if let Some(b) = &ch.base {
        let bs = b.offset.min(b.source.text.len());
        let be = (bs + b.len).min(b.source.text.len());
        d = d.with_related(
            Location::new(&b.source, b.source.span(bs, be))
                .in_base()
                .with_message("in the previous release"),
        );
    }
    d
}

/// Reports the breaking (error and warn) changes of one group.
pub fn report(
    meta: &'static RuleMeta,
    cx: &ProjectCx,
    group: Group,
    help: &dyn Fn(&Change) -> String,
    out: &mut Vec<Diagnostic>,
) {
    for ch in changes(cx) {
        if ch.group != group || ch.level == Level::Info {
            continue;
        }
        let mut d = diagnostic(meta, ch, &help(ch));
        if ch.tolerated {
            d.severity = Severity::Info;
            // Before the trailing `[id]`, which tools read.
            let at = d.message.rfind(" [").unwrap_or(d.message.len());
            d.message.insert_str(
                at,
                "; the schema still accepts it (no `additionalProperties: false`), so a server that ignores unknown properties takes old requests and drops the value: check that nothing depended on it",
            );
        }
        out.push(d);
    }
}
