//! Request bodies and responses: presence, media types, status codes, headers, and the
//! schema of each media type both releases share.

use super::schema::Cx;
use super::{Cmp, OpCx};
use crate::api::change::{Group, Level};
use crate::api::doc::{Docs, Val, Version, escape};
use crate::api::levels::Place;

/// One media type of a body: its name, schema, where it is written, and its pointer.
struct Media<'a> {
    name: String,
    schema: Option<Val<'a>>,
    at: Val<'a>,
    pointer: String,
}

fn media_key(name: &str) -> String {
    name.split(';')
        .next()
        .unwrap_or(name)
        .trim()
        .to_ascii_lowercase()
}

/// Swagger 2.0 `consumes`/`produces` of an operation, else of the document.
fn swagger_types(d: &Docs, op: &Val, key: &str) -> Vec<String> {
    let list = op.get(key).or_else(|| d.root_val().get(key));
    let mut v: Vec<String> = list
        .map(|l| {
            l.items()
                .filter_map(|x| x.str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    // One schema serves every listed type, and a change is reported once, under the
    // first: name it by JSON, what clients send and read, when it is listed (weaviate
    // lists `application/yaml` first).
    v.sort_by_key(|t| !t.contains("json"));
    if v.is_empty() {
        vec!["application/json".into()]
    } else {
        v
    }
}

fn content<'a>(body: &Val<'a>, pointer: &str) -> Vec<Media<'a>> {
    let Some(content) = body.get("content") else {
        return Vec::new();
    };
    content
        .entries()
        .map(|(name, m)| Media {
            name: name.to_string(),
            schema: m.get("schema"),
            at: m,
            pointer: format!("{pointer}/content/{}", escape(name)),
        })
        .collect()
}

/// The request body of an operation: (node to point at, required, media types).
fn request_body<'a>(
    d: &Docs<'a>,
    op: &Val<'a>,
    op_ptr: &str,
) -> Option<(Val<'a>, bool, Vec<Media<'a>>)> {
    if d.version == Version::Swagger2 {
        let params = op.get("parameters")?;
        let (i, body) = params
            .items()
            .enumerate()
            .map(|(i, p)| (i, d.resolve(p)))
            .find(|(_, p)| p.get("in").and_then(|v| v.str()) == Some("body"))?;
        let required = body.get("required").is_some_and(|r| r.is_true());
        let ptr = format!("{op_ptr}/parameters/{i}");
        let media = swagger_types(d, op, "consumes")
            .into_iter()
            .map(|name| Media {
                name,
                schema: body.get("schema"),
                at: body,
                pointer: ptr.clone(),
            })
            .collect();
        return Some((body, required, media));
    }
    let raw = op.get("requestBody")?;
    let body = Val {
        key: raw.key,
        ..d.resolve(raw)
    };
    let required = body.get("required").is_some_and(|r| r.is_true());
    Some((
        body,
        required,
        content(&body, &format!("{op_ptr}/requestBody")),
    ))
}

pub(crate) fn request<'a>(c: &mut Cmp<'a, '_>, b: &Val<'a>, h: &Val<'a>, op: &OpCx) {
    let ptr = format!("{}/requestBody", op.pointer);
    match (
        request_body(c.base, b, &op.pointer),
        request_body(c.head, h, &op.pointer),
    ) {
        (None, None) => {}
        (None, Some((hb, req, _))) => {
            let catching_up = req && update_without_input(c.base, b, &op.pointer);
            let (id, level) = match (req, catching_up) {
                (true, true) => ("request-body-documented-for-update", Level::Info),
                (true, false) => ("request-body-added-required", Level::Error),
                _ => ("request-body-added-optional", Level::Info),
            };
            let text = if catching_up {
                "required request body documented for an update whose previous release \
                 documented no input but the path: the handler read a body all along"
                    .into()
            } else if req {
                "required request body added: old clients send none".into()
            } else {
                "optional request body added".into()
            };
            c.push(
                id,
                level,
                Group::RequestBody,
                Some(op),
                ptr,
                text,
                hb.loc(),
                None,
            );
        }
        (Some((bb, _, _)), None) => {
            c.push(
                "request-body-removed",
                Level::Error,
                Group::RequestBody,
                Some(op),
                ptr,
                "request body removed: old clients still send one".into(),
                h.loc(),
                Some(bb.loc()),
            );
        }
        (Some((bb, breq, bm)), Some((hb, hreq, hm))) => {
            if !breq && hreq {
                c.push(
                    "request-body-became-required",
                    Level::Error,
                    Group::RequestBody,
                    Some(op),
                    format!("{ptr}/required"),
                    "request body became required".into(),
                    hb.get("required").unwrap_or(hb).loc(),
                    Some(bb.loc()),
                );
            } else if breq && !hreq {
                c.push(
                    "request-body-became-optional",
                    Level::Info,
                    Group::RequestBody,
                    Some(op),
                    format!("{ptr}/required"),
                    "request body became optional".into(),
                    hb.get("required").unwrap_or(hb).loc(),
                    Some(bb.loc()),
                );
            }
            media_types(
                c,
                &bm,
                &hm,
                hb,
                op,
                Cx::new(Place::RequestBody),
                "request body",
            );
        }
    }
}

/// Media types removed, added and shared (with their schemas compared).
fn media_types<'a>(
    c: &mut Cmp<'a, '_>,
    bm: &[Media<'a>],
    hm: &[Media<'a>],
    parent: Val<'a>,
    op: &OpCx,
    base_cx: Cx,
    what: &str,
) {
    let place = base_cx.place;
    let (group, removed, added) = if place == Place::RequestBody {
        (
            Group::RequestBody,
            ("request-body-media-type-removed", Level::Error),
            ("request-body-media-type-added", Level::Info),
        )
    } else {
        (
            Group::Response,
            ("response-media-type-removed", Level::Error),
            ("response-media-type-added", Level::Info),
        )
    };
    let at_parent = parent.get("content").unwrap_or(parent);
    for b in bm {
        let Some(h) = hm.iter().find(|h| media_key(&h.name) == media_key(&b.name)) else {
            c.push(
                removed.0,
                removed.1,
                group,
                Some(op),
                b.pointer.clone(),
                format!("{what} media type `{}` removed", b.name),
                at_parent.loc(),
                Some(b.at.loc()),
            );
            continue;
        };
        let what = format!("{what} ({})", h.name);
        match (b.schema, h.schema) {
            (Some(bs), Some(hs)) => {
                let mut cx = base_cx;
                cx.xml = media_key(&h.name).contains("xml");
                c.schema_top(
                    bs,
                    hs,
                    cx,
                    group,
                    op,
                    &format!("{}/schema", h.pointer),
                    &what,
                );
            }
            (None, Some(hs)) => {
                let (id, level) = if place == Place::RequestBody {
                    ("request-body-media-type-schema-added", Level::Error)
                } else {
                    ("response-body-media-type-schema-added", Level::Info)
                };
                c.push(
                    id,
                    level,
                    group,
                    Some(op),
                    format!("{}/schema", h.pointer),
                    format!("{what}: schema added"),
                    hs.loc(),
                    None,
                );
            }
            (Some(bs), None) => {
                let (id, level) = if place == Place::RequestBody {
                    ("request-body-media-type-schema-removed", Level::Info)
                } else {
                    ("response-body-media-type-schema-removed", Level::Warn)
                };
                c.push(
                    id,
                    level,
                    group,
                    Some(op),
                    h.pointer.clone(),
                    format!("{what}: schema removed"),
                    h.at.loc(),
                    Some(bs.loc()),
                );
            }
            (None, None) => {}
        }
    }
    for h in hm {
        if !bm.iter().any(|b| media_key(&b.name) == media_key(&h.name)) {
            c.push(
                added.0,
                added.1,
                group,
                Some(op),
                h.pointer.clone(),
                format!("{what} media type `{}` added", h.name),
                h.at.loc(),
                None,
            );
        }
    }
}

/// One response: media types and headers (name, header object, required).
struct Response<'a> {
    node: Val<'a>,
    media: Vec<Media<'a>>,
    headers: Vec<(String, Val<'a>, bool)>,
}

fn responses<'a>(d: &Docs<'a>, op: &Val<'a>, op_ptr: &str) -> Vec<(String, Response<'a>)> {
    let Some(rs) = op.get("responses") else {
        return Vec::new();
    };
    rs.entries()
        .map(|(status, raw)| {
            let r = Val {
                key: raw.key,
                ..d.resolve(raw)
            };
            let ptr = format!("{op_ptr}/responses/{}", escape(status));
            let media = if d.version == Version::Swagger2 {
                match r.get("schema") {
                    Some(s) => swagger_types(d, op, "produces")
                        .into_iter()
                        .map(|name| Media {
                            name,
                            schema: Some(s),
                            at: r,
                            pointer: ptr.clone(),
                        })
                        .collect(),
                    None => Vec::new(),
                }
            } else {
                content(&r, &ptr)
            };
            let headers = r
                .get("headers")
                .map(|hs| {
                    hs.entries()
                        .map(|(name, raw)| {
                            let hv = Val {
                                key: raw.key,
                                ..d.resolve(raw)
                            };
                            let req = hv.get("required").is_some_and(|x| x.is_true());
                            (name.to_string(), hv, req)
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                status.to_string(),
                Response {
                    node: r,
                    media,
                    headers,
                },
            )
        })
        .collect()
}

fn success(status: &str) -> bool {
    status.starts_with('2')
}

pub(crate) fn responses_cmp<'a>(c: &mut Cmp<'a, '_>, b: &Val<'a>, h: &Val<'a>, op: &OpCx) {
    let br = responses(c.base, b, &op.pointer);
    let hr = responses(c.head, h, &op.pointer);
    let at_responses = h.get("responses").unwrap_or(*h);
    // One success status replaced by another (`200` → `201`): HTTP clients treat a 2xx
    // they do not know as `200` (RFC 9110 §15), so the swap is information and the old
    // body is compared with the new one, where a break would show.
    let only_new = |a: &[(String, Response<'a>)], b: &[(String, Response<'a>)]| -> Vec<usize> {
        a.iter()
            .enumerate()
            .filter(|(_, (s, _))| success(s) && !b.iter().any(|(t, _)| t.eq_ignore_ascii_case(s)))
            .map(|(i, _)| i)
            .collect()
    };
    let (gone, came) = (only_new(&br, &hr), only_new(&hr, &br));
    let replaced = (gone.len() == 1 && came.len() == 1).then(|| (gone[0], came[0]));
    for (i, (status, bresp)) in br.iter().enumerate() {
        let ptr = format!("{}/responses/{}", op.pointer, escape(status));
        let paired = match replaced.filter(|&(old, _)| old == i) {
            Some((_, new)) => {
                let (new_status, hresp) = &hr[new];
                c.push(
                    "response-success-status-removed",
                    Level::Info,
                    Group::Response,
                    Some(op),
                    ptr.clone(),
                    format!(
                        "success response `{status}` replaced by `{new_status}`: clients treat a success status they do not know as `200` (RFC 9110 §15); only clients generated to accept the documented code alone (go-swagger's) fail"
                    ),
                    hresp.node.loc(),
                    Some(bresp.node.loc()),
                );
                Some((hresp, format!("response {status} (now {new_status})")))
            }
            None => hr
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(status))
                .map(|(_, h)| (h, format!("response {status}"))),
        };
        let Some((hresp, what)) = paired else {
            let (id, level, text) = if success(status) {
                (
                    "response-success-status-removed",
                    Level::Error,
                    format!("success response `{status}` removed: clients expecting it fail"),
                )
            } else {
                (
                    "response-non-success-status-removed",
                    Level::Info,
                    format!("response `{status}` removed"),
                )
            };
            c.push(
                id,
                level,
                Group::Response,
                Some(op),
                ptr,
                text,
                at_responses.loc(),
                Some(bresp.node.loc()),
            );
            continue;
        };
        let mut cx = Cx::new(Place::ResponseBody);
        cx.error_body = status.starts_with('4')
            || status.starts_with('5')
            || status.eq_ignore_ascii_case("default");
        media_types(c, &bresp.media, &hresp.media, hresp.node, op, cx, &what);
        headers(c, bresp, hresp, op, &ptr, &what);
    }
    for (status, hresp) in &hr {
        if br.iter().any(|(s, _)| s.eq_ignore_ascii_case(status)) {
            continue;
        }
        let id = if success(status) {
            "response-success-status-added"
        } else {
            "response-non-success-status-added"
        };
        c.push(
            id,
            Level::Info,
            Group::Response,
            Some(op),
            format!("{}/responses/{}", op.pointer, escape(status)),
            format!("response `{status}` added"),
            hresp.node.loc(),
            None,
        );
    }
}

fn headers<'a>(
    c: &mut Cmp<'a, '_>,
    b: &Response<'a>,
    h: &Response<'a>,
    op: &OpCx,
    ptr: &str,
    what: &str,
) {
    let at = h.node.get("headers").unwrap_or(h.node);
    for (name, bh, breq) in &b.headers {
        let hptr = format!("{ptr}/headers/{}", escape(name));
        let Some((hname, hh, hreq)) = h
            .headers
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
        else {
            let (id, level) = if *breq {
                ("required-response-header-removed", Level::Error)
            } else {
                ("optional-response-header-removed", Level::Warn)
            };
            c.push(
                id,
                level,
                Group::Response,
                Some(op),
                hptr,
                format!("{what} header `{name}` removed"),
                at.loc(),
                Some(bh.loc()),
            );
            continue;
        };
        if *breq && !hreq {
            c.push(
                "response-header-became-optional",
                Level::Error,
                Group::Response,
                Some(op),
                format!("{hptr}/required"),
                format!("{what} header `{hname}` became optional"),
                hh.get("required").unwrap_or(*hh).loc(),
                Some(bh.loc()),
            );
        }
        let schema = |d: &Docs<'a>, v: &Val<'a>| {
            if d.version == Version::Swagger2 {
                Some(*v)
            } else {
                v.get("schema")
            }
        };
        if let (Some(bs), Some(hs)) = (schema(c.base, bh), schema(c.head, hh)) {
            let w = format!("{what} header `{hname}`");
            c.schema_top(
                bs,
                hs,
                Cx::new(Place::ResponseHeader),
                Group::Response,
                op,
                &format!("{hptr}/schema"),
                &w,
            );
        }
    }
    for (name, hh, _) in &h.headers {
        if !b
            .headers
            .iter()
            .any(|(n, _, _)| n.eq_ignore_ascii_case(name))
        {
            c.push(
                "response-header-added",
                Level::Info,
                Group::Response,
                Some(op),
                format!("{ptr}/headers/{}", escape(name)),
                format!("{what} header `{name}` added"),
                hh.loc(),
                None,
            );
        }
    }
}

/// A `PUT` or `PATCH` whose description had no input but the path's identifiers (no body,
/// no query or form parameter): as written it could not have updated anything, so a body
/// it now documents is the description catching up with its handler, not a new demand
/// (homebox 0.26's `PUT /v1/tags/{id}`, whose handler decoded a `TagUpdate` in 0.25
/// already).
fn update_without_input(d: &Docs, op: &Val, op_ptr: &str) -> bool {
    let method = op_ptr.rsplit('/').next().unwrap_or("");
    if !matches!(method, "put" | "patch") {
        return false;
    }
    let inputs = op.get("parameters").map(|list| {
        list.items().any(|raw| {
            let p = d.resolve(raw);
            let at = p.get("in").and_then(|v| v.str()).unwrap_or("");
            matches!(at, "query" | "formData" | "body")
        })
    });
    !inputs.unwrap_or(false)
}
