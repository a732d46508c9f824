//! Schemas compared recursively with a direction: in a request, anything that rejects
//! what used to be accepted breaks; in a response, anything a client may not handle
//! breaks. The verdicts come from `levels`; this file only finds what changed.
//!
//! Results below a `$ref` are memoised per (base target, head target, context), and a
//! pair already being compared further up (a reference cycle) is skipped.

use super::lifecycle;
use super::{Cmp, OpCx};
use crate::api::change::{Group, Level};
use crate::api::doc::{Docs, Loc, RefTarget, Val, escape, parse_ref};
use crate::api::equivalent::equivalent;
use crate::api::levels::{self, Place};
use crate::yaml::{Kind, Node};

mod keywords;
mod unions;
mod values;
use keywords::*;
use values::*;

/// Properties the client never sends (readOnly, in requests) or never receives
/// (writeOnly, in responses): their changes are informational.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    Normal,
    ReadOnly,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Cx {
    pub place: Place,
    pub mode: Mode,
    /// XML bodies: a string and an object are the same text on the wire.
    pub xml: bool,
    /// The body of an error response (4xx, 5xx, `default`).
    pub error_body: bool,
}

impl Cx {
    pub fn new(place: Place) -> Cx {
        Cx {
            place,
            mode: Mode::Normal,
            xml: false,
            error_body: false,
        }
    }
}

pub(crate) type MemoKey = (usize, usize, Cx);

#[derive(Debug, Clone)]
pub(crate) enum RawId {
    /// A keyword change, named by the scope where it is replayed.
    Kw(&'static str),
    /// A fully named change.
    Full(String, Level),
}

/// A change relative to the schema being compared; paths are stored reversed so
/// prefixing on the way up is a push.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub id: RawId,
    /// Property names, innermost first (`email`, `data`).
    pub props_rev: Vec<String>,
    /// Pointer segments, innermost first.
    pub ptr_rev: Vec<String>,
    pub text: String,
    pub head: Loc,
    pub base: Option<Loc>,
    /// The memoised `$ref` pairs it lies under, innermost first (to count the
    /// operations reaching it).
    pub via: Vec<u32>,
    /// Within the innermost referenced component: its `$ref` and how many property and
    /// pointer segments lie inside it (messages name the component, not the long path
    /// of the first operation that reached it).
    pub component: Option<(String, usize, usize)>,
    /// Old requests still validate against the new schema (see `Change::tolerated`).
    pub tolerated: bool,
}

const MAX_DEPTH: usize = 64;

const READ_ONLY_HARMLESS: &[&str] = &[
    "enum-value-removed",
    "max-decreased",
    "max-length-decreased",
    "min-increased",
    "exclusive-max-decreased",
    "exclusive-min-increased",
];

const WRITE_ONLY_HARMLESS: &[&str] = &["enum-value-added"];

struct Out<'v> {
    v: &'v mut Vec<Raw>,
    cx: Cx,
    /// Whether the schema being compared is the body's or parameter's own (not a
    /// property's); only known at the top of a comparison, so memoised results below a
    /// `$ref` are compared as nested.
    top: bool,
}

impl<'v> Out<'v> {
    /// Changes found below the top of the schema being compared.
    fn nested(v: &'v mut Vec<Raw>, cx: Cx) -> Out<'v> {
        Out { v, cx, top: false }
    }

    fn kw(&mut self, suffix: &'static str, text: String, head: Loc, base: Option<Loc>) {
        // Narrowing a property clients never send (readOnly) breaks nobody; neither
        // does widening one they never receive (writeOnly).
        let id = match self.cx.mode {
            Mode::ReadOnly if READ_ONLY_HARMLESS.contains(&suffix) => {
                RawId::Full(format!("request-read-only-property-{suffix}"), Level::Info)
            }
            Mode::WriteOnly if WRITE_ONLY_HARMLESS.contains(&suffix) => RawId::Full(
                format!("response-write-only-property-{suffix}"),
                Level::Info,
            ),
            _ => RawId::Kw(suffix),
        };
        self.raw(id, text, head, base);
    }

    fn full(&mut self, id: String, level: Level, text: String, head: Loc, base: Option<Loc>) {
        self.raw(RawId::Full(id, level), text, head, base);
    }

    fn raw(&mut self, id: RawId, text: String, head: Loc, base: Option<Loc>) {
        self.v.push(Raw {
            id,
            props_rev: Vec::new(),
            ptr_rev: Vec::new(),
            text,
            head,
            base,
            via: Vec::new(),
            component: None,
            tolerated: false,
        });
    }
}

/// Where a keyword change points: the keyword in the new schema, else the schema
/// itself with the old keyword as the related location.
/// A schema that describes a value itself (a type or properties), not only through
/// `oneOf`/`anyOf`/`allOf`.
fn shaped(v: &Val) -> bool {
    v.get("type").is_some() || v.get("properties").is_some()
}

/// The names a schema lists under `properties` (or, for `required`, that it requires).
fn listed(v: &Val, key: &str) -> std::collections::BTreeSet<String> {
    match v.get(key) {
        Some(p) if key == "properties" => p.entries().map(|(k, _)| k.to_string()).collect(),
        Some(r) => r
            .items()
            .filter_map(|x| x.str().map(String::from))
            .collect(),
        None => Default::default(),
    }
}

fn at(b: &Val, h: &Val, key: &str) -> (Loc, Option<Loc>) {
    match h.get(key) {
        Some(k) => (k.loc(), b.get(key).map(|v| v.loc())),
        None => (h.loc(), b.get(key).map(|v| v.loc())),
    }
}

/// A response property optional in both releases that became nullable: clients already
/// handle its absence, and generators give optional properties the types that hold null
/// too (openapi-generator's Kotlin `String?`, Swift `String?`, Go `*string`, Rust
/// `Option<String>`, Python `Optional[str]`), so only a client that tells null from
/// absent meets something new. Descriptions add `nullable` to such properties mostly to
/// document what servers already sent: of 14 such findings judged on real release pairs
/// (bench/precision/JUDGED.tsv), 12 were corrections of the description.
fn optional_became_nullable(raws: &mut [Raw], name: &str) {
    for r in raws {
        if r.props_rev.len() == 1
            && r.props_rev[0] == name
            && matches!(r.id, RawId::Kw("became-nullable"))
        {
            r.id = RawId::Full("response-property-became-nullable".into(), Level::Info);
            r.text.push_str(
                " (an optional property: clients already handle its absence, and generated clients type it so that null reads as absent)",
            );
        }
    }
}

impl<'a> Cmp<'a, '_> {
    /// Compares the schemas of one body, parameter or header and records the changes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn schema_top(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        group: Group,
        op: &OpCx,
        pointer: &str,
        what: &str,
    ) {
        let mut raws = Vec::new();
        // The top is compared here, not memoised: whether a change is the body's own
        // or a property's decides its id.
        let Some((bt, ht)) = self.deref_pair(b, h) else {
            return;
        };
        self.body(bt, ht, cx, &mut raws, 0, true);
        let param = matches!(cx.place, Place::Parameter | Place::HeaderParameter);
        let connect = self.head.is_connect_protobuf();
        for mut r in raws {
            // A parameter's array items are its values, not a property.
            let top = r.props_rev.iter().all(|p| param && p == "items");
            // protojson never writes null: a proto3 field made `optional` (described as
            // nullable) is still absent or a value on the wire.
            if connect
                && cx.place == Place::ResponseBody
                && matches!(r.id, RawId::Kw("became-nullable"))
            {
                r.id = RawId::Full(
                    format!("{}-became-nullable", cx.place.scope(top)),
                    Level::Info,
                );
                r.text.push_str(
                    " (a Connect description generated from protobuf: protojson omits unset fields and never sends null)",
                );
            }
            let (id, level) = match &r.id {
                RawId::Kw(s) => {
                    let id = if top && cx.place == Place::ResponseBody && *s == "enum-value-removed"
                    {
                        "response-mediatype-enum-value-removed".to_string()
                    } else {
                        format!("{}-{s}", cx.place.scope(top))
                    };
                    (id, self.kw_level(cx.place, top, s))
                }
                RawId::Full(id, level) => (id.clone(), *level),
            };
            // A change inside a shared component is named by the component, and its
            // pointer is the component's own.
            let (mut ptr, ptr_segs, props, subject) = match &r.component {
                Some((target, nprops, nptr)) => {
                    // `…/schemas/Pet` → `Pet`; a whole file `schemas/Pet.yaml#` → `Pet`.
                    let last = target
                        .trim_end_matches('#')
                        .rsplit(['/', '#'])
                        .next()
                        .unwrap_or(target);
                    let name = if target.ends_with('#') {
                        last.split('.').next().unwrap_or(last)
                    } else {
                        last
                    };
                    (
                        target.clone(),
                        &r.ptr_rev[..*nptr],
                        &r.props_rev[..*nprops],
                        format!(", schema `{name}`"),
                    )
                }
                None => (
                    pointer.to_string(),
                    &r.ptr_rev[..],
                    &r.props_rev[..],
                    String::new(),
                ),
            };
            for seg in ptr_segs.iter().rev() {
                ptr.push('/');
                ptr.push_str(&escape(seg));
            }
            let text = if props.is_empty() {
                format!("{what}{subject}: {}", r.text)
            } else {
                let path: Vec<&str> = props.iter().rev().map(String::as_str).collect();
                format!("{what}{subject}, property `{}`: {}", path.join("/"), r.text)
            };
            let g = if id.contains("deprecat")
                || id.contains("sunset")
                || id.contains("stability")
                || id.contains("reactivated")
            {
                Group::Lifecycle
            } else {
                group
            };
            self.push_via(id, level, g, Some(op), ptr, text, r.head, r.base, r.via);
            if r.tolerated
                && let Some(last) = self.out.last_mut()
            {
                last.tolerated = true;
            }
        }
    }

    /// Compares `b` and `h` (either may be a `$ref`) into `out`, relative to them.
    pub(crate) fn schema(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        out: &mut Vec<Raw>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let (b, h) = (annotated_ref(b), annotated_ref(h));
        // A Kubernetes scalar type drawn as an object on one side and as the scalar it is
        // on the wire on the other (a generator switch: kargo 1.11's Quantity, IntOrString
        // and MicroTime): the JSON did not change.
        match (k8s_scalar(&b), k8s_scalar(&h)) {
            (Some(wire), None)
                if drawn_as_k8s(&self.base.resolve(b))
                    && scalar_shaped(&self.head.resolve(h), wire) =>
            {
                return;
            }
            (None, Some(wire))
                if drawn_as_k8s(&self.head.resolve(h))
                    && scalar_shaped(&self.base.resolve(b), wire) =>
            {
                return;
            }
            _ => {}
        }
        if b.get("$ref").is_none() && h.get("$ref").is_none() {
            self.body(b, h, cx, out, depth, false);
            return;
        }
        // A `$ref` beside a `type` (OpenAPI 3.0 ignores the sibling; usually an indentation
        // slip: `items:` left empty and the `$ref` one level too far out, as in overseerr's
        // `results`), and the release now states that same type: the description was
        // corrected to what it said beside the reference. Compared as written.
        let (bs, hs) = (
            b.get("type").and_then(|t| t.str().map(str::to_string)),
            h.get("type").and_then(|t| t.str().map(str::to_string)),
        );
        if b.get("$ref").is_some() && h.get("$ref").is_none() && bs.is_some() && bs == hs {
            self.body(b, h, cx, out, depth, false);
            return;
        }
        let Some((bt, ht)) = self.deref_pair(b, h) else {
            return;
        };
        let key = (bt.id(), ht.id(), cx);
        let next = self.done.len() as u32;
        let m = *self.memo.entry(key).or_insert(next);
        if m == next {
            self.done.push(false);
            self.reached_by.push(Vec::new());
        }
        let reached = &mut self.reached_by[m as usize];
        if reached.last() != Some(&self.op_ix) {
            reached.push(self.op_ix);
        }
        // Compared before (its changes are reported once, where first met), or being
        // compared further up (a reference cycle).
        if self.done[m as usize] || self.stack.contains(&m) {
            return;
        }
        self.stack.push(m);
        self.stack_ids.push((bt.id(), ht.id()));
        let start = out.len();
        self.body(bt, ht, cx, out, depth + 1, false);
        self.stack.pop();
        self.stack_ids.pop();
        self.done[m as usize] = true;
        // The component as a reader finds it: a pointer in the root file, else
        // `file#pointer` from the project root.
        let target =
            h.get("$ref")
                .and_then(|r| r.str())
                .map(|t| match parse_ref(&h.file.source.path, t) {
                    RefTarget::Local { file, pointer } if file == self.head.root.source.path => {
                        pointer.to_string()
                    }
                    RefTarget::Local { file, pointer } => format!("{file}#{pointer}"),
                    RefTarget::Remote => t.to_string(),
                });
        for r in &mut out[start..] {
            r.via.push(m);
            if r.component.is_none()
                && let Some(t) = &target
            {
                r.component = Some((t.clone(), r.props_rev.len(), r.ptr_rev.len()));
            }
        }
    }

    /// Compares a child schema and files its changes under `prop` / pointer segments.
    #[allow(clippy::too_many_arguments)]
    fn child(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        prop: Option<&str>,
        ptr: &[&str],
        out: &mut Vec<Raw>,
        depth: usize,
    ) {
        let mut sub = Vec::new();
        self.schema(b, h, cx, &mut sub, depth + 1);
        for mut r in sub {
            if let Some(p) = prop {
                r.props_rev.push(p.to_string());
            }
            for seg in ptr.iter().rev() {
                r.ptr_rev.push(seg.to_string());
            }
            out.push(r);
        }
    }

    /// Compares two resolved schemas.
    fn body(
        &mut self,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        raws: &mut Vec<Raw>,
        depth: usize,
        top: bool,
    ) {
        if !b.is_map() || !h.is_map() {
            return;
        }
        let (b, h) = (
            unwrap_annotated(self.base, b),
            unwrap_annotated(self.head, h),
        );
        if self.one_of_keeping_old(b, h, cx, raws, depth, top) {
            return;
        }
        if self.one_of_all_readable(b, h, cx, raws, depth, top) {
            return;
        }
        let mut out = Out { v: raws, cx, top };
        if self.enum_union(&b, &h, &mut out) {
            return;
        }
        if self.composition_wrap(&b, &h, &mut out) {
            return;
        }
        if self.any_of_wrap(b, h, cx, raws, depth, top) {
            return;
        }
        let mut out = Out { v: raws, cx, top };
        type_changes(&b, &h, &mut out);
        enum_changes(&b, &h, &mut out);
        value_changes(&b, &h, &mut out);
        bound_changes(&b, &h, &mut out);
        pattern_changes(&b, &h, &mut out);
        keyed_changes(&b, &h, &mut out);
        self.properties(b, h, cx, raws, depth);
        self.subschemas(b, h, cx, raws, depth);
        self.composition("allOf", "allOf", b, h, cx, raws, depth);
        match switched_union(self.base, b, self.head, h) {
            Some((bk, hk)) => self.composition(bk, hk, b, h, cx, raws, depth),
            None => {
                self.composition("anyOf", "anyOf", b, h, cx, raws, depth);
                self.composition("oneOf", "oneOf", b, h, cx, raws, depth);
            }
        }
    }

    /// The level of a change named by its keyword, as the project's settings adjust it:
    /// a request bound newly documented is a warning where the server validates
    /// requests, a response enum value added where clients treat enums as closed.
    fn kw_level(&self, place: Place, top: bool, s: &str) -> Level {
        if self.opts.validates_requests && levels::is_bound_set(place, s)
            || self.opts.closed_response_enums && !place.is_request() && s == "enum-value-added"
        {
            Level::Warn
        } else {
            levels::level(place, top, s)
        }
    }

    fn properties(&mut self, b: Val<'a>, h: Val<'a>, cx: Cx, raws: &mut Vec<Raw>, depth: usize) {
        let (bp, hp) = (b.get("properties"), h.get("properties"));
        if bp.is_none() && hp.is_none() {
            return;
        }
        let req = |v: &Val| -> Vec<String> {
            v.get("required")
                .map(|r| {
                    r.items()
                        .filter_map(|x| x.str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (mut breq, mut hreq) = (req(&b), req(&h));
        breq.extend(member_required(self.base, &b));
        hreq.extend(member_required(self.head, &h));
        let request = cx.place.is_request();
        let dir = if request { "request" } else { "response" };
        let flag = |doc: &super::super::doc::Docs<'a>, v: Val<'a>, key: &str| {
            doc.resolve(v).get(key).is_some_and(|x| x.is_true())
        };
        // Removed properties.
        if let Some(bp) = bp {
            for (name, bv) in bp.entries() {
                if hp.and_then(|hp| hp.get(name)).is_some() {
                    continue;
                }
                // Moved into an `allOf` member of the new schema, or from this `allOf`
                // member into another one of the same `allOf`: still there.
                if let Some(hv) =
                    member_property(self.head, &h, name).or_else(|| self.sibling_property(&h, name))
                {
                    self.child(bv, hv, cx, Some(name), &["properties", name], raws, depth);
                    continue;
                }
                let required = breq.iter().any(|r| r == name);
                let at_h = hp.unwrap_or(h).loc();
                let mut sub = Vec::new();
                let mut o = Out::nested(&mut sub, cx);
                if request {
                    if flag(self.base, bv, "readOnly") {
                        o.full(
                            "request-read-only-property-removed".into(),
                            Level::Info,
                            "removed".into(),
                            at_h,
                            Some(bv.loc()),
                        );
                    } else {
                        o.kw(
                            "removed",
                            "removed: old clients still send it".into(),
                            at_h,
                            Some(bv.loc()),
                        );
                        // An open object still accepts the property: only a schema that
                        // closes it makes the server reject old requests — and not a
                        // closure the generator writes on every schema.
                        if (!closes_properties(self.head.resolve(h)) || self.head_closes_by_default)
                            && let Some(last) = sub.last_mut()
                        {
                            last.tolerated = true;
                        }
                    }
                } else {
                    let wo = flag(self.base, bv, "writeOnly");
                    let kind = if required { "required" } else { "optional" };
                    let (id, level) = match (wo, required) {
                        (true, _) => (
                            format!("response-{kind}-write-only-property-removed"),
                            Level::Info,
                        ),
                        // Deprecated in the previous release (`deprecated: true`, or the
                        // "DEPRECATED: use …" description Kubernetes-style generators
                        // write): the announced end of the deprecation.
                        _ if announced_deprecated(self.base, bv) => (
                            format!("response-deprecated-{kind}-property-removed"),
                            Level::Info,
                        ),
                        (false, true) => (
                            "response-required-property-removed".to_string(),
                            Level::Error,
                        ),
                        // An error body's optional details: clients branch on the status
                        // and read what the error schema requires (a code, a message);
                        // optional details were never promised (see A401's document).
                        (false, false) if cx.error_body => (
                            "response-error-optional-property-removed".to_string(),
                            Level::Info,
                        ),
                        (false, false) => (
                            "response-optional-property-removed".to_string(),
                            Level::Warn,
                        ),
                    };
                    o.full(
                        id,
                        level,
                        format!("{kind} property removed: clients reading it get nothing"),
                        at_h,
                        Some(bv.loc()),
                    );
                }
                for mut r in sub {
                    r.props_rev.push(name.to_string());
                    raws.push(r);
                }
            }
        }
        // Added properties.
        if let Some(hp) = hp {
            for (name, hv) in hp.entries() {
                if bp.and_then(|bp| bp.get(name)).is_some() {
                    continue;
                }
                if let Some(bv) = member_property(self.base, &b, name) {
                    self.child(bv, hv, cx, Some(name), &["properties", name], raws, depth);
                    continue;
                }
                let required = hreq.iter().any(|r| r == name);
                let mut sub = Vec::new();
                let mut o = Out::nested(&mut sub, cx);
                if request {
                    if flag(self.head, hv, "readOnly") {
                        continue;
                    }
                    if required {
                        let scope = match cx.place {
                            Place::HeaderParameter => "header-",
                            Place::Parameter => "parameter-",
                            _ => "",
                        };
                        if has_default(self.head, hv) {
                            // Required and defaulted at once: what zod writes for a
                            // `.default()` field under `.required()` (Dokploy 0.29.14's
                            // `additionalFlags`), whose server fills it in; a server that
                            // enforces `required` (class-validator without
                            // `@IsOptional`) rejects old requests. oasdiff's comment on
                            // this check: "depends on the server … which the spec does not
                            // say".
                            o.full(
                                format!("new-required-request-{scope}property-with-default"),
                                Level::Warn,
                                "new required property, with a default: old clients do not send it, so their requests work only if the server applies the default rather than enforcing `required`".into(),
                                hv.loc(),
                                None,
                            );
                        } else {
                            o.full(
                                format!("new-required-request-{scope}property"),
                                Level::Error,
                                "new required property: old clients do not send it".into(),
                                hv.loc(),
                                None,
                            );
                        }
                    } else {
                        o.full(
                            "new-optional-request-property".into(),
                            Level::Info,
                            "new optional property".into(),
                            hv.loc(),
                            None,
                        );
                    }
                } else {
                    let kind = if required { "required" } else { "optional" };
                    let wo = if flag(self.head, hv, "writeOnly") {
                        "write-only-"
                    } else {
                        ""
                    };
                    o.full(
                        format!("response-{kind}-{wo}property-added"),
                        Level::Info,
                        format!("new {kind} property"),
                        hv.loc(),
                        None,
                    );
                }
                for mut r in sub {
                    r.props_rev.push(name.to_string());
                    raws.push(r);
                }
            }
        }
        // Required-ness of properties both sides have, when `required` lists differ.
        for name in breq
            .iter()
            .filter(|r| !hreq.contains(r))
            .chain(hreq.iter().filter(|r| !breq.contains(r)))
        {
            let (Some(bv), Some(hv)) = (bp.and_then(|p| p.get(name)), hp.and_then(|p| p.get(name)))
            else {
                continue;
            };
            let became_required = hreq.contains(name);
            let skip = if request {
                flag(self.head, hv, "readOnly")
            } else {
                flag(self.head, hv, "writeOnly")
            };
            if skip {
                continue;
            }
            let mut sub = Vec::new();
            let mut o = Out::nested(&mut sub, cx);
            let hreq_at = h.get("required").map(|r| r.loc()).unwrap_or(hv.loc());
            if became_required {
                let suffix = if request && has_default(self.head, hv) {
                    "became-required-with-default"
                } else {
                    "became-required"
                };
                o.kw(
                    suffix,
                    "became required".into(),
                    hreq_at,
                    b.get("required").map(|r| r.loc()),
                );
            } else if !request && flag(self.head, hv, "deprecated") {
                // Deprecated, then made optional: the removal was announced, and
                // clients were told to move off it (lago's `invoice_custom_section_id`,
                // still sent by its serializer).
                o.kw(
                    "deprecated-became-optional",
                    "became optional, deprecated".into(),
                    hreq_at,
                    b.get("required").map(|r| r.loc()),
                );
            } else if !request
                && self.head.resolve(hv).get("default").is_some()
                && self.base.resolve(bv).get("default").is_none()
            {
                // Made optional while gaining a `default`: what generators write for a
                // field given a default (schemars for serde's `#[serde(default)]`, qdrant
                // 1.18's `deleted_threshold`). The server still writes it, and a client
                // that misses it is told the value to assume.
                o.kw(
                    "became-optional-with-default",
                    "became optional, with a default".into(),
                    hreq_at,
                    b.get("required").map(|r| r.loc()),
                );
            } else {
                o.kw(
                    "became-optional",
                    "became optional".into(),
                    hreq_at,
                    b.get("required").map(|r| r.loc()),
                );
            }
            for mut r in sub {
                r.props_rev.push(name.to_string());
                raws.push(r);
            }
        }
        // Properties both sides have: flags, lifecycle, then the schemas.
        let (Some(bp), Some(hp)) = (bp, hp) else {
            return;
        };
        for (name, bv) in bp.entries() {
            let Some(hv) = hp.get(name) else { continue };
            let (br, hr) = (self.base.resolve(bv), self.head.resolve(hv));
            let required = hreq.iter().any(|r| r == name);
            let kind = if required { "required" } else { "optional" };
            let mut sub = Vec::new();
            let mut o = Out::nested(&mut sub, cx);
            for (key, word) in [("readOnly", "read-only"), ("writeOnly", "write-only")] {
                let (bf, hf) = (
                    br.get(key).is_some_and(|x| x.is_true()),
                    hr.get(key).is_some_and(|x| x.is_true()),
                );
                if bf == hf {
                    continue;
                }
                let not = if hf { "" } else { "not-" };
                // A response property that became writeOnly is no longer returned: a
                // removal (oasdiff rates it info). A request property that became
                // readOnly is ignored when old clients send it.
                let level = match (request, key, hf) {
                    (false, "writeOnly", true) if required => Level::Error,
                    (false, "writeOnly", true) => Level::Warn,
                    (false, "writeOnly", false) if required => Level::Warn,
                    (true, "readOnly", true) => Level::Warn,
                    _ => Level::Info,
                };
                let (head, base) = at(&br, &hr, key);
                o.full(
                    format!("{dir}-{kind}-property-became-{not}{word}"),
                    level,
                    format!("became {not}{key}").replace("not-", "not "),
                    head,
                    base,
                );
            }
            for t in lifecycle::transitions(&br, &hr, self.opts) {
                let suffix: &'static str = match t.suffix {
                    "deprecated" => "deprecated",
                    "deprecated-with-sunset" => "deprecated-with-sunset",
                    "deprecated-sunset-missing" => "deprecated-sunset-missing",
                    "deprecated-sunset-invalid" | "sunset-parse" => "deprecated-sunset-invalid",
                    "sunset-date-too-small" | "sunset-date-changed-too-small" => {
                        "sunset-date-too-small"
                    }
                    "reactivated" => "reactivated",
                    "stability-decreased" => "stability-decreased",
                    "stability-increased" => "stability-increased",
                    _ => continue,
                };
                let (head, base) = at(&br, &hr, "deprecated");
                o.kw(suffix, t.text, head, base);
            }
            for mut r in sub {
                r.props_rev.push(name.to_string());
                raws.push(r);
            }
            let mode = match (cx.mode, request) {
                (Mode::Normal, true) if hr.get("readOnly").is_some_and(|x| x.is_true()) => {
                    Mode::ReadOnly
                }
                (Mode::Normal, false) if hr.get("writeOnly").is_some_and(|x| x.is_true()) => {
                    Mode::WriteOnly
                }
                (m, _) => m,
            };
            let from = raws.len();
            self.child(
                bv,
                hv,
                Cx { mode, ..cx },
                Some(name),
                &["properties", name],
                raws,
                depth,
            );
            if !request && !required && !breq.iter().any(|r| r == name) {
                optional_became_nullable(&mut raws[from..], name);
            }
        }
    }

    fn subschemas(&mut self, b: Val<'a>, h: Val<'a>, cx: Cx, raws: &mut Vec<Raw>, depth: usize) {
        if let (Some(bi), Some(hi)) = (b.get("items"), h.get("items"))
            && bi.is_map()
            && hi.is_map()
        {
            self.child(bi, hi, cx, Some("items"), &["items"], raws, depth);
        }
        match (b.get("additionalProperties"), h.get("additionalProperties")) {
            (Some(ba), Some(ha)) if ba.is_map() && ha.is_map() => {
                self.child(
                    ba,
                    ha,
                    cx,
                    Some("additionalProperties"),
                    &["additionalProperties"],
                    raws,
                    depth,
                );
            }
            (ba, Some(ha))
                if matches!(ha.node.kind, Kind::Bool(false))
                    && !ba.is_some_and(|b| matches!(b.node.kind, Kind::Bool(false))) =>
            {
                let mut o = Out::nested(raws, cx);
                o.kw(
                    "additional-properties-closed",
                    "`additionalProperties: false` added: properties not listed are now rejected"
                        .into(),
                    ha.loc(),
                    ba.map(|v| v.loc()),
                );
            }
            _ => {}
        }
        for (kw, added, removed) in PRESENCE {
            match (b.get(kw), h.get(kw)) {
                (None, Some(hv)) => {
                    Out::nested(raws, cx).kw(added, format!("`{kw}` added"), hv.loc(), None)
                }
                (Some(bv), None) => Out::nested(raws, cx).kw(
                    removed,
                    format!("`{kw}` removed"),
                    h.loc(),
                    Some(bv.loc()),
                ),
                (Some(bv), Some(hv)) if bv.is_map() && hv.is_map() => {
                    self.child(bv, hv, cx, Some(kw), &[kw], raws, depth);
                }
                (Some(bv), Some(hv)) if *kw == "prefixItems" => {
                    let hs: Vec<Val> = hv.items().collect();
                    for (i, bi) in bv.items().enumerate() {
                        match hs.get(i) {
                            Some(hi) => {
                                let seg = format!("prefixItems/{i}");
                                self.child(
                                    bi,
                                    *hi,
                                    cx,
                                    Some(&seg),
                                    &["prefixItems", &i.to_string()],
                                    raws,
                                    depth,
                                );
                            }
                            None => Out::nested(raws, cx).kw(
                                "prefix-items-removed",
                                format!("`prefixItems` entry {i} removed"),
                                hv.loc(),
                                Some(bi.loc()),
                            ),
                        }
                    }
                    for (i, hi) in hs.iter().enumerate().skip(bv.items().count()) {
                        Out::nested(raws, cx).kw(
                            "prefix-items-added",
                            format!("`prefixItems` entry {i} added"),
                            hi.loc(),
                            None,
                        );
                    }
                }
                _ => {}
            }
        }
        // Under `not` a narrower schema accepts more: report that it changed, without
        // pretending to know which way.
        match (b.get("not"), h.get("not")) {
            (None, Some(hv)) => {
                Out::nested(raws, cx).kw("not-added", "`not` added".into(), hv.loc(), None)
            }
            (Some(bv), None) => Out::nested(raws, cx).kw(
                "not-removed",
                "`not` removed".into(),
                h.loc(),
                Some(bv.loc()),
            ),
            (Some(bv), Some(hv)) if !bv.node.same_value(hv.node) => Out::nested(raws, cx).kw(
                "not-changed",
                "the schema under `not` changed, which inverts what is accepted".into(),
                hv.loc(),
                Some(bv.loc()),
            ),
            _ => {}
        }
        for (kw, added, removed) in [
            (
                "patternProperties",
                "pattern-property-added",
                "pattern-property-removed",
            ),
            (
                "dependentSchemas",
                "dependent-schema-added",
                "dependent-schema-removed",
            ),
        ] {
            let (bm, hm) = (b.get(kw), h.get(kw));
            if bm.is_none() && hm.is_none() {
                continue;
            }
            if let Some(bm) = bm {
                for (k, bv) in bm.entries() {
                    match hm.and_then(|m| m.get(k)) {
                        None => Out::nested(raws, cx).kw(
                            removed,
                            format!("`{kw}` entry `{k}` removed"),
                            hm.unwrap_or(h).loc(),
                            Some(bv.loc()),
                        ),
                        Some(hv) => {
                            let seg = format!("{kw}/{k}");
                            self.child(bv, hv, cx, Some(&seg), &[kw, k], raws, depth);
                        }
                    }
                }
            }
            if let Some(hm) = hm {
                for (k, hv) in hm.entries() {
                    if bm.and_then(|m| m.get(k)).is_none() {
                        Out::nested(raws, cx).kw(
                            added,
                            format!("`{kw}` entry `{k}` added"),
                            hv.loc(),
                            None,
                        );
                    }
                }
            }
        }
    }

    /// allOf/anyOf/oneOf: subschemas paired by `$ref` target, title, or position. `kw`
    /// is the head's keyword, `base_kw` the base's (they differ only for a union that
    /// [`switched_union`] found to switch between `anyOf` and `oneOf`).
    #[allow(clippy::too_many_arguments)]
    fn composition(
        &mut self,
        base_kw: &'static str,
        kw: &'static str,
        b: Val<'a>,
        h: Val<'a>,
        cx: Cx,
        raws: &mut Vec<Raw>,
        depth: usize,
    ) {
        let (bl, hl) = (b.get(base_kw), h.get(kw));
        if bl.is_none() && hl.is_none() {
            return;
        }
        // An object's properties spread over `allOf` members (or gathered back): compared
        // property by property, not as members added or removed.
        if kw == "allOf"
            && ((bl.is_none() && spreads_properties(self.head, &h, &b))
                || (hl.is_none() && spreads_properties(self.base, &b, &h)))
        {
            return;
        }
        let (added, removed): (&'static str, &'static str) = match kw {
            "allOf" => ("all-of-added", "all-of-removed"),
            "anyOf" => ("any-of-added", "any-of-removed"),
            _ => ("one-of-added", "one-of-removed"),
        };
        // A branch is named by its `$ref` target or title; an inline one by its position
        // among the inline branches of its side. A title that several branches of a side
        // share names none of them (OpenAI's embedding `input` has three `title: array`
        // branches: strings, integers, arrays of integers).
        let title = |v: &Val| v.get("title").and_then(|t| t.str()).map(String::from);
        let mut shared_titles = std::collections::HashSet::new();
        for l in [bl, hl].into_iter().flatten() {
            let mut seen = std::collections::HashSet::new();
            for t in l.items().filter_map(|v| title(&v)) {
                if !seen.insert(t.clone()) {
                    shared_titles.insert(t);
                }
            }
        }
        // A reference is named by its last segment (`Pet` whether written
        // `#/components/schemas/Pet` or `./schemas/Pet.yaml`), unless two references of a
        // side end alike (PagerDuty's `…/last_run_by/oneOf/1` and `…/created_by/oneOf/1`):
        // then by the whole reference.
        fn last(r: &str) -> &str {
            r.rsplit('/').next().unwrap_or(r)
        }
        let mut shared_ends = std::collections::HashSet::new();
        for l in [bl, hl].into_iter().flatten() {
            let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
            for r in l
                .items()
                .filter_map(|v| v.get("$ref").and_then(|r| r.str()))
            {
                if seen.insert(last(r), r).is_some_and(|other| other != r) {
                    shared_ends.insert(last(r));
                }
            }
        }
        let key_of = |v: &Val, inline_ix: &mut usize| -> String {
            if let Some(r) = v.get("$ref").and_then(|r| r.str()) {
                if shared_ends.contains(last(r)) {
                    return format!("ref:{r}");
                }
                return format!("ref:{}", last(r));
            }
            if let Some(t) = title(v).filter(|t| !shared_titles.contains(t)) {
                return format!("title:{t}");
            }
            *inline_ix += 1;
            format!("inline:{}", *inline_ix - 1)
        };
        let list = |l: Option<Val<'a>>| -> Vec<(String, Val<'a>)> {
            let mut ix = 0;
            l.map(|l| l.items().map(|v| (key_of(&v, &mut ix), v)).collect())
                .unwrap_or_default()
        };
        let (bs, hs) = (list(bl), list(hl));
        let named = |k: &str| !k.starts_with("inline:");
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut b_left: Vec<usize> = Vec::new();
        // 1. The same component or title on both sides.
        for (i, (k, _)) in bs.iter().enumerate() {
            let taken = |j: usize| pairs.iter().any(|&(_, pj)| pj == j);
            match (0..hs.len()).find(|&j| named(k) && hs[j].0 == *k && !taken(j)) {
                Some(j) => pairs.push((i, j)),
                None => b_left.push(i),
            }
        }
        let mut h_left: Vec<usize> = (0..hs.len())
            .filter(|j| !pairs.iter().any(|(_, pj)| pj == j))
            .collect();
        // 1b. References to the two components being compared further up: a recursive
        // union whose component was renamed (sim's request `predicate` went from
        // `TablePredicate` to `TablePredicateInput`, whose groups hold members of their
        // own kind) refers to itself on each side, and that is the same branch.
        b_left.retain(|&i| {
            let found = h_left
                .iter()
                .position(|&j| self.comparing_further_up(bs[i].1, hs[j].1));
            match found {
                Some(p) => {
                    pairs.push((i, h_left.remove(p)));
                    false
                }
                None => true,
            }
        });
        // 2. The same schema once every `$ref` is followed: an inline branch moved into a
        // component (or back), with components of its own inside, is the same branch.
        b_left.retain(|&i| {
            let found = h_left
                .iter()
                .position(|&j| equivalent(self.base, bs[i].1, self.head, hs[j].1));
            match found {
                Some(p) => {
                    pairs.push((i, h_left.remove(p)));
                    false
                }
                None => true,
            }
        });
        // 3. The same tag: an object branch whose property holds one literal (`type:
        // {const: start}`, `kind: {enum: [text]}`), as a discriminated union's members
        // do, is the branch with the same tag on the other side, even when it was also
        // moved into a component and edited. Only a tag one branch on each side holds.
        let tags = |docs, side: &[(String, Val<'a>)], left: &[usize]| -> Vec<(usize, Vec<Tag>)> {
            left.iter()
                .map(|&i| (i, literal_tags(docs, side[i].1)))
                .collect()
        };
        let by_tag = tag_pairs(
            &tags(self.base, &bs, &b_left),
            &tags(self.head, &hs, &h_left),
        );
        for (i, j) in by_tag {
            pairs.push((i, j));
            b_left.retain(|&x| x != i);
            h_left.retain(|&x| x != j);
        }
        // 4. Inline branches left on both sides, in order: the same branch, edited.
        let b_inline: Vec<usize> = b_left
            .iter()
            .copied()
            .filter(|&i| !named(&bs[i].0))
            .collect();
        let h_inline: Vec<usize> = h_left
            .iter()
            .copied()
            .filter(|&j| !named(&hs[j].0))
            .collect();
        for (&i, &j) in b_inline.iter().zip(&h_inline) {
            pairs.push((i, j));
            b_left.retain(|&x| x != i);
            h_left.retain(|&x| x != j);
        }
        let describe = |k: &str| match k.split_once(':') {
            Some(("ref", n)) => format!("`{n}`"),
            Some(("title", t)) => format!("`{t}`"),
            Some((_, n)) => format!("#{n}"),
            None => k.to_string(),
        };
        for i in b_left {
            let (k, bv) = &bs[i];
            let resolved = self.base.resolve(*bv);
            let mut o = Out::nested(raws, cx);
            let suffix = if kw == "allOf" && annotation_only(&resolved) {
                "all-of-removed-annotation-only"
            } else {
                removed
            };
            o.kw(
                suffix,
                format!("`{kw}` subschema {} removed", describe(k)),
                hl.unwrap_or(h).loc(),
                Some(bv.loc()),
            );
        }
        for j in h_left {
            let (k, hv) = &hs[j];
            let resolved = self.head.resolve(*hv);
            let mut o = Out::nested(raws, cx);
            let others: Vec<Val<'a>> = hs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != j)
                .map(|(_, (_, v))| *v)
                .collect();
            let suffix = if kw == "allOf" && annotation_only(&resolved) {
                "all-of-added-annotation-only"
            } else if kw == "allOf"
                && cx.place.is_request()
                && optional_properties_only(self.head, &resolved, &others)
            {
                // In a response an added member is information already, under oasdiff's id.
                "all-of-added-optional-properties"
            } else {
                added
            };
            o.kw(
                suffix,
                format!("`{kw}` subschema {} added", describe(k)),
                hv.loc(),
                None,
            );
        }
        // An enum beside a branch that takes any value of its type (`anyOf: [{type:
        // string}, {type: string, enum: [...]}]`, how OpenAI lists its model ids) is an open
        // enum on both sides: a value added to it (response) or removed (request) was
        // allowed already.
        let open = |docs: &crate::api::doc::Docs<'a>, l: &[(String, Val<'a>)]| -> Vec<String> {
            l.iter()
                .flat_map(|(_, v)| open_types(docs, *v, 0))
                .collect()
        };
        let open_both: Vec<String> = if kw == "allOf" {
            Vec::new()
        } else {
            let ob = open(self.base, &bs);
            open(self.head, &hs)
                .into_iter()
                .filter(|t| ob.contains(t))
                .collect()
        };
        for (i, j) in pairs {
            let seg = format!("{kw}[{}]", describe(&hs[j].0).trim_matches('`'));
            let from = raws.len();
            if kw == "allOf" {
                let others = hs
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != j)
                    .map(|(_, (_, v))| self.head.resolve(*v))
                    .collect();
                self.siblings
                    .push((self.head.resolve(hs[j].1).id(), others));
            }
            self.child(
                bs[i].1,
                hs[j].1,
                cx,
                Some(&seg),
                &[kw, &j.to_string()],
                raws,
                depth,
            );
            if kw == "allOf" {
                self.siblings.pop();
                continue;
            }
            let branch_type = types(&self.head.resolve(hs[j].1)).0;
            if branch_type.len() != 1 || !open_both.contains(&branch_type[0]) {
                continue;
            }
            for r in &mut raws[from..] {
                let suffix = match r.id {
                    RawId::Kw(s @ ("enum-value-added" | "enum-value-removed")) => s,
                    _ => continue,
                };
                if r.props_rev.len() != 1 {
                    continue;
                }
                let side = if cx.place.is_request() {
                    "request"
                } else {
                    "response"
                };
                r.id = RawId::Full(format!("{side}-open-enum-{}", &suffix[5..]), Level::Info);
                r.text.push_str(&format!(
                    ": the `{kw}` also takes any {}, so clients already handle values they do not know",
                    branch_type[0]
                ));
            }
        }
    }
}

impl<'a> Cmp<'a, '_> {
    /// Both schemas with their `$ref`s followed, each keeping its reference site's key so
    /// locations stay where the reader is.
    /// Whether `b` and `h` are both references, to a pair of schemas whose comparison is
    /// under way further up (in any context).
    fn comparing_further_up(&self, b: Val<'a>, h: Val<'a>) -> bool {
        if b.get("$ref").is_none() || h.get("$ref").is_none() {
            return false;
        }
        let Some((bt, ht)) = self.deref_pair(b, h) else {
            return false;
        };
        self.stack_ids.contains(&(bt.id(), ht.id()))
    }

    fn deref_pair(&self, b: Val<'a>, h: Val<'a>) -> Option<(Val<'a>, Val<'a>)> {
        let (bt, ht) = (self.base.deref(b)?, self.head.deref(h)?);
        Some((
            Val {
                key: bt.key.or(b.key),
                ..bt
            },
            Val {
                key: ht.key.or(h.key),
                ..ht
            },
        ))
    }

    /// A property of one of the other members of the `allOf` whose member `h` is (head
    /// side): OpenAI moved `service_tier` from the shared `ModelResponseProperties` member
    /// into `Response`'s own member.
    fn sibling_property(&self, h: &Val<'a>, name: &str) -> Option<Val<'a>> {
        let (_, others) = self.siblings.iter().rev().find(|(id, _)| *id == h.id())?;
        others
            .iter()
            .find_map(|m| m.get("properties").and_then(|p| p.get(name)))
    }
}

/// `anyOf` on one side and `oneOf` on the other (and not the other keyword beside
/// either), over branches of pairwise different JSON types on both sides: no value can
/// match two branches, so "at least one" and "exactly one" accept the same values
/// (manticore's `highlightFields`: an array of strings or an object). Returns the base's
/// and the head's keyword.
fn switched_union<'a>(
    base: &Docs<'a>,
    b: Val<'a>,
    head: &Docs<'a>,
    h: Val<'a>,
) -> Option<(&'static str, &'static str)> {
    let (bk, hk) = match (
        b.get("anyOf"),
        b.get("oneOf"),
        h.get("anyOf"),
        h.get("oneOf"),
    ) {
        (Some(_), None, None, Some(_)) => ("anyOf", "oneOf"),
        (None, Some(_), Some(_), None) => ("oneOf", "anyOf"),
        _ => return None,
    };
    let disjoint = |docs: &Docs<'a>, list: Val<'a>| {
        let mut seen: Vec<String> = Vec::new();
        list.items().all(|v| {
            let Some(t) = docs
                .resolve(v)
                .get("type")
                .and_then(|t| t.str())
                .map(String::from)
            else {
                return false;
            };
            // Every integer is a number.
            let overlaps = |o: &String| {
                *o == t
                    || matches!(
                        (o.as_str(), t.as_str()),
                        ("integer", "number") | ("number", "integer")
                    )
            };
            let fresh = !seen.iter().any(overlaps);
            seen.push(t);
            fresh
        })
    };
    (disjoint(base, b.get(bk)?) && disjoint(head, h.get(hk)?)).then_some((bk, hk))
}
