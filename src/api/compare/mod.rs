//! Compares two API descriptions: endpoints paired by normalised path and method, then
//! lifecycle, parameters, request bodies, responses and security of each pair. Schema
//! comparisons are memoised per pair of `$ref` targets, so a component shared by many
//! operations (or lying on a reference cycle) is compared once.

mod bodies;
mod lifecycle;
mod params;
mod schema;
mod security;

use std::collections::{BTreeMap, HashMap};

use super::change::{Change, Group, Level};
use super::doc::{Docs, Loc, Val, Version, escape};

/// Settings of a comparison (from `[api]` in rollsafe.toml).
#[derive(Debug, Clone)]
pub struct Options {
    /// Days since the epoch; sunset dates are judged against it.
    pub today: i64,
    /// Minimum notice, in days, between a deprecation and its sunset (oasdiff's
    /// `--deprecation-days-beta` / `--deprecation-days-stable`); 0 means no policy.
    pub days_beta: i64,
    pub days_stable: i64,
    /// Operations never compared: `"GET /internal/**"` or `"/admin/**"`.
    pub ignore: Vec<String>,
    /// `[api] validates-requests`: a request bound set where none was documented is a
    /// warning (the description is what the server enforces), not information.
    pub validates_requests: bool,
    /// `[api] closed-response-enums`: clients treat response enums as closed (exhaustive
    /// switches, generated enums that reject unknown values), so a value added to one is
    /// a warning, not information.
    pub closed_response_enums: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            today: super::date::today(),
            days_beta: 0,
            days_stable: 0,
            ignore: Vec::new(),
            validates_requests: false,
            closed_response_enums: false,
        }
    }
}

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operation a change belongs to, for messages and pointers.
#[derive(Clone)]
pub(crate) struct OpCx {
    pub name: String,
    pub pointer: String,
}

struct Op<'a> {
    template: &'a str,
    item: Val<'a>,
    node: Val<'a>,
    pointer: String,
}

pub(crate) struct Cmp<'a, 'o> {
    pub base: &'o Docs<'a>,
    pub head: &'o Docs<'a>,
    pub opts: &'o Options,
    ignore: Vec<(Option<String>, globset::GlobMatcher)>,
    pub out: Vec<Change>,
    /// Each `$ref` pair compared so far, by its number.
    memo: HashMap<schema::MemoKey, u32>,
    /// Per memo number: compared already (its changes were reported once).
    done: Vec<bool>,
    /// Per memo number: the operations that reached it.
    reached_by: Vec<Vec<u32>>,
    /// Memo numbers being compared (a pair met again is a reference cycle).
    stack: Vec<u32>,
    /// The (base, head) schema ids of `stack`, in the same order.
    stack_ids: Vec<(usize, usize)>,
    /// `allOf` members being compared, each with the other members of its `allOf` on the
    /// head side: a property that moved from one member to another is still there.
    siblings: Vec<(usize, Vec<Val<'a>>)>,
    /// The operation being compared.
    op_ix: u32,
    /// Per change: the operation it was found in and the memo numbers it lies under.
    origin: Vec<(u32, Vec<u32>)>,
    /// The new description closes nearly every named schema (`Docs::closes_by_default`),
    /// read once: its `additionalProperties: false` is the generator's, not the server's.
    pub head_closes_by_default: bool,
}

/// `/accounts/{id}` and `/accounts/{accountId}` are the same endpoint, and so is
/// `/accounts/${id}`: a JavaScript template literal leaked into a generated description
/// (GrowthBook 4.3's `spec.yaml`); no client sends a `$` before the value.
pub fn normalise_path(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut depth = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' if depth == 0 && chars.peek() == Some(&'{') => {}
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    if out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// Path items by normalised path, and operations by (normalised path, method).
type Operations<'a> = (
    BTreeMap<String, Val<'a>>,
    BTreeMap<(String, &'static str), Op<'a>>,
);

/// Path items and operations keyed by the path clients request: `prefix` (the server's
/// base path, when the two releases' base paths differ) before each template.
fn operations<'a>(d: &Docs<'a>, prefix: &str) -> Operations<'a> {
    let mut items = BTreeMap::new();
    let mut ops = BTreeMap::new();
    let Some(paths) = d.root_val().get("paths") else {
        return (items, ops);
    };
    for (template, raw_item) in paths.entries() {
        if !template.starts_with('/') {
            continue;
        }
        let item = d.resolve(raw_item);
        let norm = normalise_path(&format!("{prefix}{template}"));
        items.entry(norm.clone()).or_insert(raw_item);
        for m in METHODS {
            // An operation written as a `$ref` to a file (DigitalOcean's description: `get:
            // {$ref: resources/…yml}`, which Redocly bundles) is compared as that file says.
            if let Some(node) = item.get(m).map(|v| d.resolve(v)).filter(|v| v.is_map()) {
                ops.entry((norm.clone(), m)).or_insert(Op {
                    template,
                    item,
                    node,
                    pointer: format!("/paths/{}/{m}", escape(template)),
                });
            }
        }
    }
    (items, ops)
}

/// `[api] ignore` patterns, compiled once: an optional method and a path glob.
fn ignore_patterns(opts: &Options) -> Vec<(Option<String>, globset::GlobMatcher)> {
    opts.ignore
        .iter()
        .filter_map(|pat| {
            let (m, p) = match pat.split_once(' ') {
                Some((m, p)) => (Some(m.to_string()), p.trim()),
                None => (None, pat.as_str()),
            };
            // Invalid globs are rejected when the configuration is read.
            globset::Glob::new(p).ok().map(|g| (m, g.compile_matcher()))
        })
        .collect()
}

/// Compares the previous description (`base`) with the new one (`head`).
pub fn compare(base: &Docs, head: &Docs, opts: &Options) -> Vec<Change> {
    let mut c = Cmp {
        base,
        head,
        opts,
        ignore: ignore_patterns(opts),
        out: Vec::new(),
        memo: HashMap::new(),
        done: Vec::new(),
        reached_by: Vec::new(),
        stack: Vec::new(),
        stack_ids: Vec::new(),
        siblings: Vec::new(),
        op_ix: 0,
        origin: Vec::new(),
        head_closes_by_default: head.closes_by_default(),
    };
    c.endpoints();
    c.servers();
    c.webhooks();
    security::global(&mut c);
    c.components();
    c.version();
    // The operations that reach each change: its own, plus every operation that met one
    // of the shared components it lies under.
    let reached: Vec<Vec<u32>> = c
        .origin
        .iter()
        .map(|(op, via)| {
            let mut v = vec![*op];
            for m in via {
                v.extend(&c.reached_by[*m as usize]);
            }
            v
        })
        .collect();
    merge_duplicates(c.out, reached)
}

/// A change in a shared component is seen from every operation using it: report it
/// once, naming the first operation and how many others share it. So is the same change
/// of one element of the previous release that the release copied into each operation
/// (typebot 3.18 inlined its shared error schemas, each now `oneOf` the same two errors):
/// one decision, seen from many operations.
fn merge_duplicates(changes: Vec<Change>, reached: Vec<Vec<u32>>) -> Vec<Change> {
    // (id, head file, head offset, base place): the same element, whatever operation;
    // (id, what changed, base place): the same change of one element of the previous
    // release, wherever the release put it.
    type Place = (String, String, usize, Option<(String, usize)>);
    type Same = (String, String, String, usize);
    let mut by_place: HashMap<Place, usize> = HashMap::new();
    let mut by_change: HashMap<Same, usize> = HashMap::new();
    let mut out: Vec<Change> = Vec::new();
    let mut ops: Vec<Vec<u32>> = Vec::new();
    for (ch, r) in changes.into_iter().zip(reached) {
        let base = ch.base.as_ref().map(|b| (b.source.path.clone(), b.offset));
        let place = (
            ch.id.clone(),
            ch.head.source.path.clone(),
            ch.head.offset,
            base.clone(),
        );
        let same = base
            .as_ref()
            .map(|(file, offset)| (ch.id.clone(), ch.text.clone(), file.clone(), *offset));
        let known = by_place
            .get(&place)
            .or_else(|| same.as_ref().and_then(|k| by_change.get(k)))
            .copied();
        let i = match known {
            Some(i) => {
                ops[i].extend(r);
                i
            }
            None => {
                out.push(ch);
                ops.push(r);
                out.len() - 1
            }
        };
        by_place.entry(place).or_insert(i);
        if let Some(k) = same {
            by_change.entry(k).or_insert(i);
        }
    }
    let more = ops.into_iter().map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v.len().saturating_sub(1)
    });
    for (ch, n) in out.iter_mut().zip(more) {
        if ch.operation.is_empty() {
            continue;
        }
        if n > 0 {
            ch.operation = format!(
                "{} and {n} other operation{}",
                ch.operation,
                if n == 1 { "" } else { "s" }
            );
        }
    }
    out
}

impl<'a, 'o> Cmp<'a, 'o> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        id: impl Into<String>,
        level: Level,
        group: Group,
        op: Option<&OpCx>,
        pointer: String,
        text: String,
        head: Loc,
        base: Option<Loc>,
    ) {
        self.push_via(id, level, group, op, pointer, text, head, base, Vec::new());
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_via(
        &mut self,
        id: impl Into<String>,
        level: Level,
        group: Group,
        op: Option<&OpCx>,
        pointer: String,
        text: String,
        head: Loc,
        base: Option<Loc>,
        via: Vec<u32>,
    ) {
        self.origin.push((self.op_ix, via));
        self.out.push(Change {
            id: id.into(),
            level,
            group,
            operation: op.map(|o| o.name.clone()).unwrap_or_default(),
            pointer,
            text,
            head,
            base,
            tolerated: false,
            locks_out: false,
            root: String::new(),
        });
    }

    /// The change just pushed locks out clients that lack a credential.
    pub(crate) fn mark_locks_out(&mut self) {
        if let Some(last) = self.out.last_mut() {
            last.locks_out = true;
        }
    }

    /// Marked `x-rollsafe-ignore: true`, or matched by `[api] ignore`.
    fn ignored(&self, method: &str, template: &str, op: &Val) -> bool {
        op.get("x-rollsafe-ignore").is_some_and(|v| v.is_true())
            || self.ignore.iter().any(|(m, glob)| {
                m.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
                    && glob.is_match(template)
            })
    }

    /// The `paths:` key of the new description, or its top, for things that are gone.
    fn head_paths_loc(&self) -> Loc {
        let root = self.head.root_val();
        root.get("paths").unwrap_or(root).loc()
    }

    /// The base paths to put before templates when they differ between the releases, so
    /// that an endpoint is matched by the path clients request: Mattermost's reference
    /// moved `/api/v4` from its server URL into every path, and no endpoint moved.
    fn path_prefixes(&self) -> (String, String) {
        let first = |d: &Docs<'a>| {
            Self::server_paths(d)
                .into_iter()
                .next()
                .map(|(p, _)| p)
                .unwrap_or_default()
        };
        let (b, h) = (first(self.base), first(self.head));
        if b == h {
            return (String::new(), String::new());
        }
        // Matched by template, a real move keeps every endpoint paired (and `servers`
        // reports the move once); matched by requested path, a prefix moved into the
        // paths does. Whichever pairs more endpoints is what happened.
        let pairs = |bp: &str, hp: &str| {
            let (_, bo) = operations(self.base, bp);
            let (_, ho) = operations(self.head, hp);
            bo.keys().filter(|k| ho.contains_key(*k)).count()
        };
        if pairs(&b, &h) > pairs("", "") {
            (b, h)
        } else {
            (String::new(), String::new())
        }
    }

    fn endpoints(&mut self) {
        let (bp, hp) = self.path_prefixes();
        let (b_items, b_ops) = operations(self.base, &bp);
        let (h_items, h_ops) = operations(self.head, &hp);
        for ((norm, method), bop) in &b_ops {
            let name = format!("{} {}", method.to_uppercase(), bop.template);
            match h_ops.get(&(norm.clone(), *method)) {
                Some(hop) => {
                    if self.ignored(method, hop.template, &hop.node)
                        || self.ignored(method, bop.template, &bop.node)
                    {
                        continue;
                    }
                    let op = OpCx {
                        name: format!("{} {}", method.to_uppercase(), hop.template),
                        pointer: hop.pointer.clone(),
                    };
                    self.operation(bop, hop, &op);
                }
                None => {
                    if self.ignored(method, bop.template, &bop.node) {
                        continue;
                    }
                    let surviving = h_items.get(norm);
                    self.removed_operation(bop, &name, surviving.copied());
                }
            }
        }
        for ((norm, method), hop) in &h_ops {
            if b_ops.contains_key(&(norm.clone(), *method))
                || self.ignored(method, hop.template, &hop.node)
            {
                continue;
            }
            let name = format!("{} {}", method.to_uppercase(), hop.template);
            let _ = b_items;
            self.push(
                "endpoint-added",
                Level::Info,
                Group::Endpoint,
                None,
                hop.pointer.clone(),
                format!("endpoint `{name}` added"),
                hop.node.loc(),
                None,
            );
        }
    }

    fn removed_operation(&mut self, bop: &Op<'a>, name: &str, surviving: Option<Val<'a>>) {
        let path_gone = surviving.is_none();
        let (head, pointer) = match surviving {
            Some(item) => (item.loc(), format!("/paths/{}", escape(bop.template))),
            None => (self.head_paths_loc(), "/paths".to_string()),
        };
        let state = lifecycle::removal(&bop.node, self.opts);
        let (id, level, why) = match (state, path_gone) {
            (lifecycle::Removal::NotDeprecated, true) => (
                "api-path-removed-without-deprecation",
                Level::Error,
                "removed without deprecation",
            ),
            (lifecycle::Removal::NotDeprecated, false) => (
                "api-removed-without-deprecation",
                Level::Error,
                "removed without deprecation",
            ),
            (lifecycle::Removal::BeforeSunset, true) => (
                "api-path-removed-before-sunset",
                Level::Error,
                "removed before its sunset date",
            ),
            (lifecycle::Removal::BeforeSunset, false) => (
                "api-removed-before-sunset",
                Level::Error,
                "removed before its sunset date",
            ),
            (lifecycle::Removal::BadSunset, _) => (
                "api-path-sunset-parse",
                Level::Error,
                "removed, and its sunset date cannot be read",
            ),
            (lifecycle::Removal::Allowed, true) => (
                "api-path-removed-with-deprecation",
                Level::Info,
                "removed after deprecation",
            ),
            (lifecycle::Removal::Allowed, false) => (
                "api-removed-with-deprecation",
                Level::Info,
                "removed after deprecation",
            ),
            (lifecycle::Removal::Unstable, true) => (
                "api-path-removed-unstable",
                Level::Info,
                "removed; it was marked draft, alpha or experimental, which promises no stability",
            ),
            (lifecycle::Removal::Unstable, false) => (
                "api-removed-unstable",
                Level::Info,
                "removed; it was marked draft, alpha or experimental, which promises no stability",
            ),
        };
        self.push(
            id,
            level,
            Group::Endpoint,
            None,
            pointer,
            format!("endpoint `{name}` {why}"),
            head,
            Some(bop.node.loc()),
        );
    }

    fn operation(&mut self, b: &Op<'a>, h: &Op<'a>, op: &OpCx) {
        self.op_ix += 1;
        lifecycle::operation(self, &b.node, &h.node, op);
        params::compare(
            self,
            (b.item, b.node, b.template),
            (h.item, h.node, h.template),
            op,
        );
        bodies::request(self, &b.node, &h.node, op);
        bodies::responses_cmp(self, &b.node, &h.node, op);
        security::operation(self, &b.node, &h.node, op);
        self.operation_metadata(&b.node, &h.node, op);
    }

    /// operationId and tags, removed and added (changelog only).
    fn operation_metadata(&mut self, b: &Val<'a>, h: &Val<'a>, op: &OpCx) {
        for (key, id, word) in [
            ("operationId", "api-operation-id", "operationId"),
            ("tags", "api-tag", "tag"),
        ] {
            // A scalar (operationId) or a list (tags), as text values.
            let values = |v: &Val<'a>| -> Vec<String> {
                match v.get(key) {
                    Some(x) if x.is_map() => Vec::new(),
                    Some(x) => match x.str() {
                        Some(s) => vec![s.to_string()],
                        None => x
                            .items()
                            .filter_map(|i| i.str().map(String::from))
                            .collect(),
                    },
                    None => Vec::new(),
                }
            };
            let (bv, hv) = (values(b), values(h));
            let at = h.get(key).unwrap_or(*h).loc();
            let gone = b.get(key).map(|v| v.loc());
            for (list, other, change, base) in
                [(&bv, &hv, "removed", gone), (&hv, &bv, "added", None)]
            {
                for x in list.iter().filter(|x| !other.contains(x)) {
                    self.push(
                        format!("{id}-{change}"),
                        Level::Info,
                        Group::Other,
                        Some(op),
                        format!("{}/{key}", op.pointer),
                        format!("{word} `{x}` {change}"),
                        at.clone(),
                        base.clone(),
                    );
                }
            }
        }
    }

    /// Where clients send requests: `servers` URL paths (3.x) or `basePath` (2.0).
    fn server_paths(d: &Docs<'a>) -> Vec<(String, Val<'a>)> {
        let root = d.root_val();
        if d.version == Version::Swagger2 {
            return root
                .get("basePath")
                .and_then(|v| v.str().map(|s| (s.trim_end_matches('/').to_string(), v)))
                .into_iter()
                .collect();
        }
        let Some(servers) = root.get("servers") else {
            return Vec::new();
        };
        servers
            .items()
            .filter_map(|s| {
                let url = s.get("url")?.str()?;
                // Server variables take their default value.
                let mut url = url.to_string();
                if let Some(vars) = s.get("variables") {
                    for (name, var) in vars.entries() {
                        if let Some(def) = var.get("default").map(|d| d.show()) {
                            url = url.replace(&format!("{{{name}}}"), &def);
                        }
                    }
                }
                let path = match url.find("://") {
                    Some(i) => {
                        let rest = &url[i + 3..];
                        rest.find('/').map(|j| &rest[j..]).unwrap_or("")
                    }
                    None => url.as_str(),
                };
                Some((path.trim_end_matches('/').to_string(), s))
            })
            .collect()
    }

    fn servers(&mut self) {
        let b = Self::server_paths(self.base);
        let h = Self::server_paths(self.head);
        if b.is_empty() || h.is_empty() {
            return;
        }
        let shared = b.iter().any(|(p, _)| h.iter().any(|(q, _)| p == q));
        if shared {
            return;
        }
        // The prefix moved into the paths (see `path_prefixes`): every endpoint is
        // requested where it was. With no operation in the previous description (a file
        // holding only the `servers`, its paths kept in fragments), none is known to move.
        let (bp, hp) = self.path_prefixes();
        if bp != hp {
            return;
        }
        let (_, b_ops) = operations(self.base, "");
        if b_ops.is_empty() {
            return;
        }
        let root = self.head.root_val();
        let at = root
            .get("servers")
            .or_else(|| root.get("basePath"))
            .unwrap_or(root);
        let key = if self.head.version == Version::Swagger2 {
            "/basePath"
        } else {
            "/servers"
        };
        self.push(
            "api-base-path-changed",
            Level::Error,
            Group::Endpoint,
            None,
            key.into(),
            format!(
                "every endpoint moved: the base path changed from `{}` to `{}`",
                if b[0].0.is_empty() { "/" } else { &b[0].0 },
                if h[0].0.is_empty() { "/" } else { &h[0].0 }
            ),
            at.loc(),
            Some(b[0].1.loc()),
        );
    }

    fn webhooks(&mut self) {
        let (Some(bw), hw) = (
            self.base.root_val().get("webhooks"),
            self.head.root_val().get("webhooks"),
        ) else {
            if let Some(hw) = self.head.root_val().get("webhooks") {
                for (name, v) in hw.entries() {
                    self.push(
                        "webhook-added",
                        Level::Info,
                        Group::Other,
                        None,
                        format!("/webhooks/{}", escape(name)),
                        format!("webhook `{name}` added"),
                        v.loc(),
                        None,
                    );
                }
            }
            return;
        };
        for (name, v) in bw.entries() {
            if hw.and_then(|h| h.get(name)).is_none() {
                let at = hw.unwrap_or(self.head.root_val());
                self.push(
                    "webhook-removed",
                    Level::Error,
                    Group::Endpoint,
                    None,
                    "/webhooks".into(),
                    format!("webhook `{name}` removed"),
                    at.loc(),
                    Some(v.loc()),
                );
            }
        }
        if let Some(hw) = hw {
            for (name, v) in hw.entries() {
                if bw.get(name).is_none() {
                    self.push(
                        "webhook-added",
                        Level::Info,
                        Group::Other,
                        None,
                        format!("/webhooks/{}", escape(name)),
                        format!("webhook `{name}` added"),
                        v.loc(),
                        None,
                    );
                }
            }
        }
    }

    /// `info.version` against what changed: a breaking release should say so.
    fn version(&mut self) {
        let version = |d: &Docs<'a>| d.root_val().get("info").and_then(|i| i.get("version"));
        let (Some(bv), Some(hv)) = (version(self.base), version(self.head)) else {
            return;
        };
        let (bs, hs) = (bv.show(), hv.show());
        let parse = |s: &str| -> Vec<u64> {
            s.trim_start_matches('v')
                .split(['.', '-', '+'])
                .map_while(|p| p.parse().ok())
                .collect()
        };
        let (bn, hn) = (parse(&bs), parse(&hs));
        let breaking = self.out.iter().any(|c| c.level == Level::Error);
        let (id, text) = if !bn.is_empty() && !hn.is_empty() && hn < bn {
            (
                "api-version-decreased",
                format!("`info.version` decreased from {bs} to {hs}"),
            )
        } else if bs == hs && !self.out.is_empty() {
            (
                "api-version-not-bumped",
                format!("`info.version` is still {hs} although the API changed"),
            )
        } else if breaking && !bn.is_empty() && hn.first() == bn.first() && bs != hs {
            (
                "api-major-version-not-bumped",
                format!(
                    "breaking changes, but the major version stayed at {} ({bs} → {hs})",
                    bn[0]
                ),
            )
        } else {
            return;
        };
        self.push(
            id,
            Level::Info,
            Group::Other,
            None,
            "/info/version".into(),
            text,
            hv.loc(),
            Some(bv.loc()),
        );
    }

    fn components(&mut self) {
        let schemas = |d: &Docs<'a>| -> Option<Val<'a>> {
            let r = d.root_val();
            if d.version == Version::Swagger2 {
                r.get("definitions")
            } else {
                r.get("components").and_then(|c| c.get("schemas"))
            }
        };
        let (Some(b), h) = (schemas(self.base), schemas(self.head)) else {
            return;
        };
        for (name, v) in b.entries() {
            if h.and_then(|h| h.get(name)).is_none() {
                let at = h.unwrap_or(self.head.root_val());
                self.push(
                    "api-schema-removed",
                    Level::Info,
                    Group::Other,
                    None,
                    "/components/schemas".into(),
                    format!("component schema `{name}` removed"),
                    at.loc(),
                    Some(v.loc()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates_are_normalised() {
        assert_eq!(
            normalise_path("/accounts/{id}"),
            normalise_path("/accounts/{accountId}")
        );
        assert_eq!(normalise_path("/a/{x}/b/"), "/a/{}/b");
        assert_ne!(normalise_path("/a/{x}"), normalise_path("/a/x"));
        assert_eq!(normalise_path("/a/${id}"), normalise_path("/a/{id}"));
    }
}
