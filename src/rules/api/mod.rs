//! A rules: API contracts. The comparison (src/api) runs once per check; each rule
//! reports one group of its changes at the level oasdiff gives them.

pub mod broad;
pub mod changelog;
pub mod endpoint_removed;
pub mod lifecycle_policy;
pub mod request_body_breaking;
pub mod request_parameter_breaking;
pub mod response_breaking;

use crate::api::{self, Change, Group, Level};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::ProjectCx;
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
            validates_requests: c.validates_requests,
            closed_response_enums: c.closed_response_enums,
            ..api::Options::default()
        };
        api::changes(base.api(), cx.head.api(), &c.moved, &opts)
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
    let all = changes(cx);
    let chosen: Vec<&Change> = all
        .iter()
        .filter(|ch| ch.group == group && ch.level != Level::Info)
        .filter(|ch| !said_by_type_change(ch, all))
        .collect();
    for (ch, more, twins) in fold_same_api(fold_same_schema(&chosen)) {
        let mut d = diagnostic(meta, ch, &help(ch));
        if !twins.is_empty() {
            let files: Vec<String> = twins
                .iter()
                .map(|c| format!("`{}`", c.head.source.path))
                .collect();
            before_id(
                &mut d.message,
                &format!(" (also in {})", crate::rules::text::and_list(&files)),
            );
            for t in &twins {
                let src = &t.head.source;
                let start = t.head.offset.min(src.text.len());
                let end = (start + t.head.len).min(src.text.len());
                d = d.with_related(
                    Location::new(src, src.span(start, end))
                        .with_message("the same change in another description of this API"),
                );
            }
        }
        if !more.is_empty() {
            let names: Vec<String> = more.iter().map(|c| format!("`{}`", element(c))).collect();
            before_id(
                &mut d.message,
                &format!("; the same for {}", crate::rules::text::and_list(&names)),
            );
        }
        if ch.tolerated {
            d.severity = Severity::Info;
            before_id(
                &mut d.message,
                "; the schema still accepts it (no `additionalProperties: false`), so a server that ignores unknown properties takes old requests and drops the value: check that nothing depended on it",
            );
        }
        out.push(d);
    }
}

/// Adds `text` to a finding's message before its trailing `[id]` (the oasdiff check id,
/// which tools read last).
pub fn before_id(message: &mut String, text: &str) {
    let at = message.rfind(" [").unwrap_or(message.len());
    message.insert_str(at, text);
}

/// A property removed from a schema whose type changed in the same place (an object
/// that became an array) is said by the type change.
fn said_by_type_change(ch: &Change, all: &[Change]) -> bool {
    ch.id.contains("property-removed")
        && all.iter().any(|t| {
            t.id.ends_with("type-changed")
                && t.operation == ch.operation
                && (ch.pointer == t.pointer || ch.pointer.starts_with(&format!("{}/", t.pointer)))
        })
}

/// The changes of one kind on one schema (several properties removed from one object)
/// are one decision: one finding, naming the others.
fn fold_same_schema<'a>(chosen: &[&'a Change]) -> Vec<(&'a Change, Vec<&'a Change>)> {
    let mut out: Vec<(&Change, Vec<&Change>)> = Vec::new();
    for &ch in chosen {
        let same = |c: &&Change| {
            c.id == ch.id
                && c.operation == ch.operation
                && c.pointer == ch.pointer
                && c.level == ch.level
                && c.tolerated == ch.tolerated
                && element(c) != element(ch)
        };
        if ch.id.contains("property")
            && let Some((_, more)) = out.iter_mut().find(|(c, _)| same(c))
        {
            // A bundle may reach one schema twice: name each element once.
            if more.iter().all(|m| element(m) != element(ch)) {
                more.push(ch);
            }
            continue;
        }
        out.push((ch, Vec::new()));
    }
    out
}

/// One API described twice (an OpenAPI 3 `api.json` beside the Swagger 2 `swagger.json`
/// generated from the same source, as ory's projects ship; a bundled `openapi.yaml`
/// beside the split `src/openapi.yaml` it is made from, as lago ships): the same change of
/// the same operation in both is one change, reported where it is written by hand (in a
/// file the root references, else the first description by path). Only descriptions in
/// one folder, or of one file name with one folder inside the other, are taken as one
/// API: two services may share a change.
#[allow(clippy::type_complexity)]
fn fold_same_api<'a>(
    folded: Vec<(&'a Change, Vec<&'a Change>)>,
) -> Vec<(&'a Change, Vec<&'a Change>, Vec<&'a Change>)> {
    // A bundle names a referenced schema by its component, its source by its file; a
    // Swagger 2 rendering of protobuf prefixes the package (`v1Workflow`), the OpenAPI 3
    // one does not: the schema's name is not part of the change.
    let name = |t: &str| {
        let t = t
            .replace(".yaml`", "`")
            .replace(".yml`", "`")
            .replace(".json`", "`");
        match t.find("schema `") {
            Some(i) => match t[i + 8..].find("`, ") {
                Some(j) => format!("{}{}", &t[..i], &t[i + 8 + j + 3..]),
                None => t,
            },
            None => t,
        }
    };
    // Not what was folded with it: a bundle can repeat a schema the source references
    // once, so the same change may gather more elements there; nor how many other
    // operations share it, which differs with how each rendering names its schemas.
    let key = |c: &Change| {
        (
            c.id.clone(),
            c.operation
                .split(" and ")
                .next()
                .unwrap_or_default()
                .to_string(),
            name(&c.text),
            c.level,
            c.tolerated,
        )
    };
    let mut sorted = folded;
    sorted.sort_by(|a, b| {
        let at_root = |c: &Change| c.head.source.path == c.root;
        (at_root(a.0), &a.0.head.source.path).cmp(&(at_root(b.0), &b.0.head.source.path))
    });
    let mut out: Vec<(&Change, Vec<&Change>, Vec<&Change>)> = Vec::new();
    for (ch, more) in sorted {
        let k = key(ch);
        if let Some((_, _, twins)) = out.iter_mut().find(|(c, _, twins)| {
            c.root != ch.root
                && one_api(&c.root, &ch.root)
                && twins.iter().all(|t| t.root != ch.root)
                && key(c) == k
        }) {
            twins.push(ch);
            continue;
        }
        out.push((ch, more, Vec::new()));
    }
    out
}

/// Two root descriptions of one API: in one folder, or of one file name with one folder
/// inside the other (a bundle made from its split source).
fn one_api(a: &str, b: &str) -> bool {
    let (fa, fb) = (folder(a), folder(b));
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let inside =
        |outer: &str, inner: &str| outer.is_empty() || inner.starts_with(&format!("{outer}/"));
    fa == fb || (name(a) == name(b) && (inside(fa, fb) || inside(fb, fa)))
}

fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |x| x.0)
}

/// The property a change names (`property `x``), else its whole clause.
fn element(c: &Change) -> &str {
    c.text
        .split_once("property `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name)
        .unwrap_or(&c.text)
}
