//! Request parameters (path, query, header, cookie; Swagger 2.0 form fields too), paired
//! by location and name — path parameters by position, since `{id}` may be renamed.

use super::lifecycle::{self, Removal};
use super::schema::Cx;
use super::{Cmp, OpCx};
use crate::api::change::{Group, Level};
use crate::api::doc::{Docs, Val, Version};
use crate::api::levels::Place;

struct Param<'a> {
    location: String,
    name: String,
    key: (String, String),
    val: Val<'a>,
    pointer: String,
    /// Declared on the path item, so every operation of the path gets it.
    from_item: bool,
}

fn template_names(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(&rest[i + 1..i + j]);
        rest = &rest[i + j + 1..];
    }
    out
}

fn collect<'a>(
    d: &Docs<'a>,
    item: Val<'a>,
    op: Val<'a>,
    template: &str,
    op_ptr: &str,
) -> Vec<Param<'a>> {
    let names = template_names(template);
    let item_ptr = op_ptr.rsplit_once('/').map(|(p, _)| p).unwrap_or(op_ptr);
    let mut out: Vec<Param<'a>> = Vec::new();
    for (owner, ptr, from_item) in [(item, item_ptr, true), (op, op_ptr, false)] {
        let Some(list) = owner.get("parameters") else {
            continue;
        };
        for (i, raw) in list.items().enumerate() {
            let p = d.resolve(raw);
            let location = p.get("in").and_then(|v| v.str()).unwrap_or("").to_string();
            let name = p
                .get("name")
                .and_then(|v| v.str())
                .unwrap_or("")
                .to_string();
            // Swagger 2.0 bodies are compared as request bodies.
            if location == "body" || name.is_empty() {
                continue;
            }
            // OpenAPI 3: "If `in` is "header" and the `name` field is "Accept",
            // "Content-Type" or "Authorization", the parameter definition SHALL be
            // ignored" (the media types and security requirements say those).
            if location == "header"
                && d.version != Version::Swagger2
                && ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str())
            {
                continue;
            }
            let id = match location.as_str() {
                "path" => match names.iter().position(|n| *n == name) {
                    Some(i) => format!("#{i}"),
                    None => name.clone(),
                },
                "header" => name.to_ascii_lowercase(),
                _ => name.clone(),
            };
            let key = (location.clone(), id);
            let param = Param {
                location,
                name,
                key,
                val: Val { key: raw.key, ..p },
                pointer: format!("{ptr}/parameters/{i}"),
                from_item,
            };
            // An operation's parameter overrides the path item's.
            match out.iter_mut().find(|q| q.key == param.key) {
                Some(q) => *q = param,
                None => out.push(param),
            }
        }
    }
    out
}

/// The schema a parameter's value follows.
fn schema_of<'a>(d: &Docs<'a>, p: &Val<'a>) -> Option<(Val<'a>, &'static str)> {
    if d.version == Version::Swagger2 {
        return Some((*p, ""));
    }
    if let Some(s) = p.get("schema") {
        return Some((s, "/schema"));
    }
    let (_, media) = p.get("content")?.entries().next()?;
    Some((media.get("schema")?, "/content/0/schema"))
}

fn required(p: &Param) -> bool {
    p.location == "path" || p.val.get("required").is_some_and(|r| r.is_true())
}

/// `style`/`explode` as the server reads them (OpenAPI defaults applied).
fn serialisation(p: &Param) -> (String, bool) {
    let default = match p.location.as_str() {
        "path" | "header" => "simple",
        _ => "form",
    };
    let style = p
        .val
        .get("style")
        .and_then(|v| v.str())
        .unwrap_or(default)
        .to_string();
    let explode = match p.val.get("explode") {
        Some(v) => v.is_true(),
        None => style == "form",
    };
    (style, explode)
}

/// Parameter-level ids of a lifecycle transition.
fn lifecycle_id(suffix: &str) -> Option<(&'static str, Level)> {
    Some(match suffix {
        "deprecated" | "deprecated-with-sunset" => ("request-parameter-deprecated", Level::Info),
        "deprecated-sunset-missing" => {
            ("request-parameter-deprecated-sunset-missing", Level::Error)
        }
        "deprecated-sunset-invalid" | "sunset-parse" => {
            ("request-parameter-sunset-parse", Level::Error)
        }
        "sunset-date-too-small" => ("request-parameter-sunset-date-too-small", Level::Error),
        "reactivated" => ("request-parameter-reactivated", Level::Info),
        "sunset-deleted" => ("request-parameter-sunset-deleted", Level::Error),
        "sunset-date-changed-too-small" => (
            "request-parameter-sunset-date-changed-too-small",
            Level::Error,
        ),
        _ => return None,
    })
}

pub(crate) fn compare<'a>(
    c: &mut Cmp<'a, '_>,
    (b_item, b_op, b_template): (Val<'a>, Val<'a>, &str),
    (h_item, h_op, h_template): (Val<'a>, Val<'a>, &str),
    op: &OpCx,
) {
    let bp = collect(c.base, b_item, b_op, b_template, &op.pointer);
    let hp = collect(c.head, h_item, h_op, h_template, &op.pointer);
    // A parameter that kept its name but moved (query → header): one change, not a
    // removal plus an addition.
    let mut moved: Vec<(usize, usize)> = Vec::new();
    for (i, b) in bp.iter().enumerate() {
        if b.location == "path" || hp.iter().any(|h| h.key == b.key) {
            continue;
        }
        if let Some(j) = (0..hp.len()).find(|&j| {
            let h = &hp[j];
            h.location != "path"
                && h.name.eq_ignore_ascii_case(&b.name)
                && !bp.iter().any(|x| x.key == h.key)
                && !moved.iter().any(|(_, mj)| *mj == j)
        }) {
            moved.push((i, j));
        }
    }
    for &(i, j) in &moved {
        let (b, h) = (&bp[i], &hp[j]);
        // Same place, another case (Whisparr's regenerated description: `RenameEpisodes`
        // → `renameEpisodes`): most often the generator's naming policy, not the server.
        if b.location == h.location {
            c.push(
                "request-parameter-name-case-changed",
                Level::Info,
                Group::Parameter,
                Some(op),
                h.pointer.clone(),
                format!(
                    "{} parameter `{}` is now spelled `{}`: a server that matches names exactly ignores what old clients send (ASP.NET Core's model binding ignores case)",
                    h.location, b.name, h.name
                ),
                h.val.loc(),
                Some(b.val.loc()),
            );
            continue;
        }
        c.push(
            "request-parameter-location-changed",
            Level::Error,
            Group::Parameter,
            Some(op),
            h.pointer.clone(),
            format!(
                "parameter `{}` moved from the {} to the {}: old clients still send it in the {}",
                h.name, b.location, h.location, b.location
            ),
            h.val.loc(),
            Some(b.val.loc()),
        );
    }
    for (i, b) in bp.iter().enumerate() {
        if moved.iter().any(|(mi, _)| *mi == i) {
            continue;
        }
        let what = format!("{} parameter `{}`", b.location, b.name);
        let Some(h) = hp.iter().find(|h| h.key == b.key) else {
            let (id, level, why) = match lifecycle::removal(&b.val, c.opts) {
                Removal::NotDeprecated => ("request-parameter-removed", Level::Warn, "removed"),
                Removal::BeforeSunset => (
                    "request-parameter-removed-before-sunset",
                    Level::Error,
                    "removed before its sunset date",
                ),
                Removal::BadSunset => (
                    "request-parameter-sunset-parse",
                    Level::Error,
                    "removed, and its sunset date cannot be read",
                ),
                Removal::Allowed => (
                    "request-parameter-removed-with-deprecation",
                    Level::Info,
                    "removed after deprecation",
                ),
                Removal::Unstable => (
                    "request-parameter-removed-unstable",
                    Level::Info,
                    "removed; it was marked draft, alpha or experimental, which promises no stability",
                ),
            };
            let at = h_op.get("parameters").unwrap_or(h_op);
            c.push(
                id,
                level,
                Group::Parameter,
                Some(op),
                format!("{}/parameters", op.pointer),
                format!("{what} {why}"),
                at.loc(),
                Some(b.val.loc()),
            );
            continue;
        };
        let what = format!("{} parameter `{}`", h.location, h.name);
        let (br, hr) = (required(b), required(h));
        if !br && hr {
            c.push(
                "request-parameter-became-required",
                Level::Error,
                Group::Parameter,
                Some(op),
                format!("{}/required", h.pointer),
                format!("{what} became required"),
                h.val.get("required").unwrap_or(h.val).loc(),
                Some(b.val.loc()),
            );
        } else if br && !hr {
            c.push(
                "request-parameter-became-optional",
                Level::Info,
                Group::Parameter,
                Some(op),
                format!("{}/required", h.pointer),
                format!("{what} became optional"),
                h.val.get("required").unwrap_or(h.val).loc(),
                Some(b.val.loc()),
            );
        }
        for t in lifecycle::transitions(&b.val, &h.val, c.opts) {
            let Some((id, level)) = lifecycle_id(t.suffix) else {
                continue;
            };
            c.push(
                id,
                level,
                Group::Lifecycle,
                Some(op),
                h.pointer.clone(),
                format!("{what} {}", t.text),
                h.val.loc(),
                None,
            );
        }
        if c.head.version != Version::Swagger2 && c.base.version != Version::Swagger2 {
            let (bs, hs) = (serialisation(b), serialisation(h));
            let structured = schema_of(c.head, &h.val)
                .map(|(s, _)| c.head.resolve(s))
                .and_then(|s| s.get("type").and_then(|t| t.str()))
                .is_some_and(|t| t == "array" || t == "object")
                || ["label", "matrix"].contains(&hs.0.as_str());
            if bs != hs && structured {
                c.push(
                    "request-parameter-style-changed",
                    Level::Error,
                    Group::Parameter,
                    Some(op),
                    format!("{}/style", h.pointer),
                    format!(
                        "{what} serialisation changed from style `{}` explode {} to style `{}` explode {}: old clients encode it the old way",
                        bs.0, bs.1, hs.0, hs.1
                    ),
                    h.val.get("style").or(h.val.get("explode")).unwrap_or(h.val).loc(),
                    Some(b.val.loc()),
                );
            }
        }
        if let (Some((bs, _)), Some((hs, ptr))) =
            (schema_of(c.base, &b.val), schema_of(c.head, &h.val))
        {
            let place = if h.location == "header" {
                Place::HeaderParameter
            } else {
                Place::Parameter
            };
            c.schema_top(
                bs,
                hs,
                Cx::new(place),
                Group::Parameter,
                op,
                &format!("{}{ptr}", h.pointer),
                &what,
            );
        }
    }
    for (j, h) in hp.iter().enumerate() {
        if bp.iter().any(|b| b.key == h.key) || moved.iter().any(|(_, mj)| *mj == j) {
            continue;
        }
        let what = format!("{} parameter `{}`", h.location, h.name);
        // Operations are paired by their path template, so the segment a path parameter
        // fills was in the previous release's path too: old clients already send it, and
        // only its declaration is new (an undeclared `{sliderId}` fixed in overseerr's
        // description).
        let (id, level, text) = if h.location == "path"
            && op.name.contains(&format!("{{{}}}", h.name))
        {
            (
                "new-request-path-parameter",
                Level::Info,
                format!(
                    "{what} now declared (the path already had `{{{}}}`: old clients send it)",
                    h.name
                ),
            )
        } else if h.location == "path" {
            (
                "new-request-path-parameter",
                Level::Error,
                format!("new {what}"),
            )
        } else if h.from_item {
            if required(h) {
                (
                    "new-required-request-default-parameter-to-existing-path",
                    Level::Error,
                    format!(
                        "new required {what} for every operation of the path: old clients do not send it"
                    ),
                )
            } else {
                (
                    "new-optional-request-default-parameter-to-existing-path",
                    Level::Info,
                    format!("new optional {what} for every operation of the path"),
                )
            }
        } else if required(h) {
            (
                "new-required-request-parameter",
                Level::Error,
                format!("new required {what}: old clients do not send it"),
            )
        } else {
            (
                "new-optional-request-parameter",
                Level::Info,
                format!("new optional {what}"),
            )
        };
        c.push(
            id,
            level,
            Group::Parameter,
            Some(op),
            h.pointer.clone(),
            text,
            h.val.loc(),
            None,
        );
    }
}
