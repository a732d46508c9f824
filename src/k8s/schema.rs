//! Field-by-field knowledge of the built-in kinds (from `schema.txt`): which fields a type
//! has and what each holds. K501 reports unknown fields, K502 values of the wrong type —
//! both are what `kubectl apply` rejects, or silently drops on older clusters.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::yaml::{Key, Kind, Node, Pos};

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Str,
    Int,
    Bool,
    Num,
    Any,
    /// intOrString port: a number 1–65535 or a port name.
    Port,
    /// A Service port's `targetPort`: a port, or 0 or "" for "the same as `port`" (the
    /// API server defaults them so: `SetDefaults_Service` in
    /// pkg/apis/core/v1/defaults.go).
    TargetPort,
    /// A port's name (IANA_SVC_NAME).
    PortName,
    /// intOrString amount: a number or a percentage.
    Ios,
    Quantity,
    Map(Box<Ty>),
    List(Box<Ty>),
    Named(&'static str),
}

pub struct Schema {
    types: HashMap<&'static str, Vec<(&'static str, Ty)>>,
    kinds: HashMap<(&'static str, &'static str), &'static str>,
}

fn parse_ty(s: &'static str) -> Ty {
    if let Some(inner) = s.strip_prefix("map[").and_then(|r| r.strip_suffix(']')) {
        return Ty::Map(Box::new(parse_ty(inner)));
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return Ty::List(Box::new(parse_ty(inner)));
    }
    match s {
        "str" => Ty::Str,
        "int" => Ty::Int,
        "bool" => Ty::Bool,
        "num" => Ty::Num,
        "any" => Ty::Any,
        "port" => Ty::Port,
        "targetport" => Ty::TargetPort,
        "portname" => Ty::PortName,
        "ios" => Ty::Ios,
        "quantity" => Ty::Quantity,
        name => Ty::Named(name),
    }
}

pub fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Schema {
            types: HashMap::new(),
            kinds: HashMap::new(),
        };
        let mut current: Option<&'static str> = None;
        for line in include_str!("schema.txt").lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix("kind ") {
                let p: Vec<&'static str> = rest.split_whitespace().collect();
                s.kinds.insert((p[0], p[1]), p[2]);
                continue;
            }
            let fields = if line.starts_with(' ') {
                line
            } else {
                let (name, rest) = line.split_once(':').expect("`Type: fields`");
                current = Some(name.trim());
                s.types.entry(name.trim()).or_default();
                rest
            };
            let ty = current.expect("a type before its continuation");
            for f in fields.split_whitespace() {
                let (name, t) = f.split_once(':').expect("`field:type`");
                s.types
                    .get_mut(ty)
                    .expect("declared")
                    .push((name, parse_ty(t)));
            }
        }
        s
    })
}

/// What is wrong at one place of an object.
#[derive(Debug, Clone)]
pub enum Finding {
    UnknownField {
        key: Key,
        path: String,
        ty: &'static str,
        suggestion: Option<&'static str>,
        /// Types that do have this field.
        elsewhere: Vec<&'static str>,
    },
    WrongType {
        pos: Pos,
        path: String,
        expected: &'static str,
        got: &'static str,
    },
    BadPortName {
        pos: Pos,
        path: String,
        name: String,
        why: &'static str,
    },
}

/// A value that a template step replaces before the file is applied: envsubst and Flux
/// `postBuild.substitute` (`${VAR}`, `$VAR`), kustomize vars (`$(VAR)`), Go templates
/// (`{{ … }}`), and the fill-in markers of examples and sed scripts (`<replicas>`,
/// `__PORT__`, `%PORT%`, `@PORT@`, `REPLACE_ME`, and a bare capitalised word such as
/// `PORT` or `CONTAINER_IMAGE`, which GKE's samples replace with sed). A value of the wrong
/// type there says nothing about what the cluster will receive.
pub(crate) fn placeholder(s: &str) -> bool {
    let v = s.trim();
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    let wrapped = |open: &str, close: &str| {
        v.len() > open.len() + close.len() && v.starts_with(open) && v.ends_with(close)
    };
    v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.strip_prefix('$').is_some_and(|w| {
            !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        || wrapped("<", ">")
        || wrapped("__", "__")
        || wrapped("%", "%") && word(&v[1..v.len() - 1])
        || wrapped("@", "@") && word(&v[1..v.len() - 1])
        // An all-capitals word (`REPLACE_ME`, `MY_PORT`, `PORT`) is a marker, not a
        // mistyped value: port names and object names are lower case, and no integer is
        // spelt so. Two letters could be an abbreviation, so three are required.
        || word(v)
            && v.chars().filter(|c| c.is_ascii_uppercase()).count() >= 3
}

impl Schema {
    pub fn top_type(&self, api_version: &str, kind: &str) -> Option<&'static str> {
        self.kinds
            .iter()
            .find(|((a, k), _)| *a == api_version && *k == kind)
            .map(|(_, t)| *t)
    }

    /// Checks a whole object against its kind's type.
    pub fn check(&self, api_version: &str, kind: &str, obj: &Node) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(t) = self.top_type(api_version, kind) {
            self.walk(obj, &Ty::Named(t), String::new(), &mut out);
        }
        // A SOPS-encrypted file carries its metadata in a top-level `sops:` mapping, which
        // the decrypting step (Flux's kustomize-controller, ksops, `sops -d`) removes
        // before anything is applied.
        if obj
            .get("sops")
            .is_some_and(|s| s.get("mac").is_some() || s.get("lastmodified").is_some())
        {
            out.retain(|f| !matches!(f, Finding::UnknownField { path, .. } if path == "sops"));
        }
        out
    }

    fn walk(&self, node: &Node, ty: &Ty, path: String, out: &mut Vec<Finding>) {
        let wrong = |expected: &'static str, out: &mut Vec<Finding>| {
            out.push(Finding::WrongType {
                pos: node.pos,
                path: path.clone(),
                expected,
                got: kind_name(&node.kind),
            })
        };
        if node.kind == Kind::Null {
            return; // null means "unset" to the API server
        }
        if let Kind::Str(s) = &node.kind
            && placeholder(s)
        {
            return; // a template step fills it in before anything is applied
        }
        match ty {
            Ty::Any => {}
            Ty::Str => {
                if !matches!(node.kind, Kind::Str(_)) {
                    wrong("a string", out);
                }
            }
            Ty::Int => {
                if !matches!(node.kind, Kind::Int(_)) {
                    wrong("an integer", out);
                }
            }
            Ty::Bool => {
                if !matches!(node.kind, Kind::Bool(_)) {
                    wrong("a boolean", out);
                }
            }
            Ty::Num | Ty::Quantity => {
                if !matches!(node.kind, Kind::Int(_) | Kind::Float(_) | Kind::Str(_)) {
                    wrong("a number or quantity", out);
                }
            }
            Ty::Ios => match &node.kind {
                Kind::Int(_) => {}
                Kind::Str(s) if s.trim_end().ends_with('%') => {}
                Kind::Str(_) => wrong("an integer or a percentage such as \"25%\"", out),
                _ => wrong("an integer or a percentage", out),
            },
            Ty::TargetPort | Ty::Port => match &node.kind {
                Kind::Int(0) if *ty == Ty::TargetPort => {}
                Kind::Str(s) if s.is_empty() && *ty == Ty::TargetPort => {}
                Kind::Int(n) if (1..=65535).contains(n) => {}
                Kind::Int(_) => wrong("a port number between 1 and 65535", out),
                Kind::Str(s) => {
                    if let Some(why) = bad_port_name(s) {
                        out.push(Finding::BadPortName {
                            pos: node.pos,
                            path: path.clone(),
                            name: s.clone(),
                            why,
                        });
                    }
                }
                _ => wrong("a port number or name", out),
            },
            Ty::PortName => match &node.kind {
                Kind::Str(s) => {
                    if let Some(why) = bad_port_name(s) {
                        out.push(Finding::BadPortName {
                            pos: node.pos,
                            path: path.clone(),
                            name: s.clone(),
                            why,
                        });
                    }
                }
                _ => wrong("a port name (a string)", out),
            },
            Ty::Map(inner) => match &node.kind {
                Kind::Map(entries) => {
                    for (k, v) in entries {
                        self.walk(v, inner, format!("{path}.{}", k.text), out);
                    }
                }
                _ => wrong("a mapping", out),
            },
            Ty::List(inner) => match &node.kind {
                Kind::Seq(items) => {
                    for (i, v) in items.iter().enumerate() {
                        self.walk(v, inner, format!("{path}[{i}]"), out);
                    }
                }
                _ => wrong("a list", out),
            },
            Ty::Named(t) => {
                let Kind::Map(entries) = &node.kind else {
                    wrong("a mapping", out);
                    return;
                };
                let Some(fields) = self.types.get(t) else {
                    return;
                };
                for (k, v) in entries {
                    let sub = if path.is_empty() {
                        k.text.clone()
                    } else {
                        format!("{path}.{}", k.text)
                    };
                    match fields.iter().find(|(f, _)| *f == k.text) {
                        Some((_, fty)) => self.walk(v, fty, sub, out),
                        None => out.push(Finding::UnknownField {
                            key: k.clone(),
                            path: sub,
                            ty: t,
                            suggestion: closest(&k.text, fields.iter().map(|(f, _)| *f)),
                            elsewhere: self.types_with(&k.text),
                        }),
                    }
                }
            }
        }
    }

    fn types_with(&self, field: &str) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self
            .types
            .iter()
            .filter(|(_, fs)| fs.iter().any(|(f, _)| *f == field))
            .map(|(t, _)| *t)
            .collect();
        v.sort_unstable();
        v
    }
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Null => "null",
        Kind::Bool(_) => "a boolean",
        Kind::Int(_) => "an integer",
        Kind::Float(_) => "a number",
        Kind::Str(_) => "a string",
        Kind::Seq(_) => "a list",
        Kind::Map(_) => "a mapping",
    }
}

/// Why a string is not a valid port name (IANA_SVC_NAME), if it is not.
pub fn bad_port_name(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("it is empty");
    }
    if s.len() > 15 {
        return Some("it is longer than 15 characters");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Some("only lowercase letters, digits and `-` are allowed");
    }
    if !s.chars().any(|c| c.is_ascii_lowercase()) {
        return Some("port names need at least one letter");
    }
    if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
        return Some("hyphens may not lead, trail or repeat");
    }
    None
}

/// The closest field name: same letters in another case, or at most two edits away.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if c.to_ascii_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, &c.to_ascii_lowercase())
        };
        let limit = (word.len() / 4).clamp(1, 3);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Flavor, parse_stream};

    #[test]
    fn every_named_type_is_defined() {
        let s = schema();
        fn names(t: &Ty, out: &mut Vec<&'static str>) {
            match t {
                Ty::Named(n) => out.push(n),
                Ty::Map(i) | Ty::List(i) => names(i, out),
                _ => {}
            }
        }
        let mut used = Vec::new();
        for fields in s.types.values() {
            for (_, t) in fields {
                names(t, &mut used);
            }
        }
        used.extend(s.kinds.values());
        for n in used {
            assert!(s.types.contains_key(n), "type {n} is used but not defined");
        }
    }

    #[test]
    fn misspelt_probe_and_wrong_types_are_found() {
        let doc = parse_stream(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          readinesProbe: {}\n          env:\n            - {name: X, value: yes}\n          ports:\n            - {containerPort: 80, name: \"8080\"}\n",
            Flavor::Kubernetes,
        )
        .unwrap();
        let f = schema().check("apps/v1", "Deployment", &doc[0]);
        assert_eq!(f.len(), 3, "{f:?}");
        match &f[0] {
            Finding::UnknownField { suggestion, .. } => {
                assert_eq!(*suggestion, Some("readinessProbe"))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            &f[1],
            Finding::WrongType {
                got: "a boolean",
                ..
            }
        ));
        assert!(matches!(&f[2], Finding::BadPortName { .. }));
    }
}
