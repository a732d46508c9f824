//! Thin views over the span-carrying YAML tree of an API description: values that know
//! their file, `$ref` resolution (local pointers and relative files) and locations.

use std::collections::HashMap;
use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::{Key, Kind, Node};

/// An API description file (or a fragment one references): its one document.
#[derive(Debug, Clone)]
pub struct OpenApiFile {
    pub source: Arc<SourceFile>,
    pub doc: Node,
}

/// Which description format a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Swagger2,
    V30,
    V31,
}

/// One API description: its root file and every file it references, by path.
pub struct Docs<'a> {
    pub root: &'a OpenApiFile,
    pub files: HashMap<&'a str, &'a OpenApiFile>,
    pub version: Version,
    /// The schemas that name themselves with `$id` (OpenAPI 3.1 uses JSON Schema
    /// 2020-12, where a `$ref` is resolved against the enclosing `$id`): by `$id`.
    pub ids: HashMap<&'a str, (&'a OpenApiFile, &'a Node)>,
}

/// Every schema of a file that names itself with a string `$id`.
pub fn collect_ids<'n>(node: &'n Node, out: &mut Vec<(&'n str, &'n Node)>) {
    match &node.kind {
        Kind::Map(entries) => {
            if let Some(Node {
                kind: Kind::Str(id),
                ..
            }) = node.get("$id")
            {
                out.push((id, node));
            }
            entries.iter().for_each(|(_, v)| collect_ids(v, out));
        }
        Kind::Seq(items) => items.iter().for_each(|i| collect_ids(i, out)),
        _ => {}
    }
}

/// The `$id` a relative reference's file part names, among `ids`: the one that is the
/// reference itself or ends with `/` and it (`vulnerability.schema.json` inside a schema
/// whose `$id` is `https://clairproject.org/api/http/v1/affected_manifests.schema.json`
/// is `https://clairproject.org/api/http/v1/vulnerability.schema.json`). Only a single
/// match counts: the enclosing `$id` is not tracked, so an ambiguous name is left
/// unresolved rather than guessed.
pub fn id_target<'i, T>(ids: impl Iterator<Item = (&'i str, T)>, file_part: &str) -> Option<T> {
    let rel = file_part.trim_start_matches("./");
    if rel.is_empty() || rel.contains("..") {
        return None;
    }
    let mut found = ids.filter(|(id, _)| {
        let id = id.split('#').next().unwrap_or(id);
        id == rel || id.strip_suffix(rel).is_some_and(|head| head.ends_with('/'))
    });
    match (found.next(), found.next()) {
        (Some((_, t)), None) => Some(t),
        _ => None,
    }
}

impl<'a> Docs<'a> {
    /// The `$id` index of a 3.1 description's files (empty for 2.0 and 3.0, where `$id`
    /// is not a keyword), the first file naming an `$id` winning: callers pass the root
    /// first and the rest in path order, so the index is the same on every run.
    pub fn index_ids(
        version: Version,
        files: impl IntoIterator<Item = &'a OpenApiFile>,
    ) -> HashMap<&'a str, (&'a OpenApiFile, &'a Node)> {
        let mut ids = HashMap::new();
        if version != Version::V31 {
            return ids;
        }
        for f in files {
            let mut found = Vec::new();
            collect_ids(&f.doc, &mut found);
            for (id, node) in found {
                ids.entry(id).or_insert((f, node));
            }
        }
        ids
    }
}

/// A place in a file (byte range), kept with the file so reports can show it.
#[derive(Debug, Clone)]
pub struct Loc {
    pub source: Arc<SourceFile>,
    pub offset: usize,
    pub len: usize,
}

/// A value of the description, with the file it is written in and, for a mapping
/// entry, its key (locations point at the key, which is where a reader looks).
#[derive(Clone, Copy)]
pub struct Val<'a> {
    pub node: &'a Node,
    pub file: &'a OpenApiFile,
    pub key: Option<&'a Key>,
}

impl<'a> Val<'a> {
    pub fn get(&self, name: &str) -> Option<Val<'a>> {
        self.node
            .entries()
            .iter()
            .rev()
            .find(|(k, _)| k.text == name)
            .map(|(k, v)| Val {
                node: v,
                file: self.file,
                key: Some(k),
            })
    }

    pub fn entries(&self) -> impl Iterator<Item = (&'a str, Val<'a>)> + 'a {
        let file = self.file;
        self.node.entries().iter().map(move |(k, v)| {
            (
                k.text.as_str(),
                Val {
                    node: v,
                    file,
                    key: Some(k),
                },
            )
        })
    }

    /// The one value a schema admits by its own words: its `const`, or the only value
    /// of its `enum` (`enum: [x]` and `const: x` say the same; zod 3 writes the first,
    /// zod 4 the second).
    pub fn single_value(&self) -> Option<Val<'a>> {
        self.get("const").or_else(|| {
            let mut items = self.get("enum")?.items();
            match (items.next(), items.next()) {
                (Some(x), None) => Some(x),
                _ => None,
            }
        })
    }

    pub fn items(&self) -> impl Iterator<Item = Val<'a>> + 'a {
        let file = self.file;
        self.node.items().iter().map(move |v| Val {
            node: v,
            file,
            key: None,
        })
    }

    pub fn str(&self) -> Option<&'a str> {
        self.node.as_str()
    }

    pub fn is_true(&self) -> bool {
        matches!(self.node.kind, Kind::Bool(true))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.node.kind, Kind::Null)
    }

    pub fn num(&self) -> Option<f64> {
        match &self.node.kind {
            Kind::Int(i) => Some(*i as f64),
            Kind::Float(f) => Some(*f),
            Kind::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.node.kind, Kind::Map(_))
    }

    /// Short text of a scalar, for messages (never used for secrets: API descriptions
    /// hold none).
    pub fn show(&self) -> String {
        match &self.node.kind {
            Kind::Null => "null".into(),
            Kind::Bool(b) => b.to_string(),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => f.to_string(),
            Kind::Str(s) => {
                if s.chars().count() > 60 {
                    let cut: String = s.chars().take(57).collect();
                    format!("{cut}…")
                } else {
                    s.clone()
                }
            }
            Kind::Seq(v) => format!("[{} items]", v.len()),
            Kind::Map(_) => "{…}".into(),
        }
    }

    /// Where to point a reader: the key of a mapping entry, else the value.
    pub fn loc(&self) -> Loc {
        match self.key {
            Some(k) => {
                // A quoted key (JSON) starts at its quote: cover both quotes.
                let quoted = matches!(
                    self.file.source.text.as_bytes().get(k.pos.offset),
                    Some(b'"' | b'\'')
                );
                Loc {
                    source: self.file.source.clone(),
                    offset: k.pos.offset,
                    len: k.text.len().max(1) + if quoted { 2 } else { 0 },
                }
            }
            None => Loc {
                source: self.file.source.clone(),
                offset: self.node.pos.offset,
                len: self.node.pos.len.clamp(1, 200),
            },
        }
    }

    /// Identity of the node within one run (for memoising and cycle detection).
    pub fn id(&self) -> usize {
        self.node as *const Node as usize
    }
}

/// What a `$ref` string points at, before lookup.
pub enum RefTarget<'r> {
    /// A file (relative to the project or the `diff` arguments) and a JSON pointer.
    Local { file: String, pointer: &'r str },
    /// An http(s) URL: never fetched.
    Remote,
}

/// Splits a `$ref` into its file and pointer parts, the file resolved against the
/// folder of the file the reference is written in.
pub fn parse_ref<'r>(from_file: &str, reference: &'r str) -> RefTarget<'r> {
    let lower = reference.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//") {
        return RefTarget::Remote;
    }
    let (file_part, pointer) = match reference.split_once('#') {
        Some((f, p)) => (f, p),
        None => (reference, ""),
    };
    let file = if file_part.is_empty() {
        from_file.to_string()
    } else {
        join(from_file, file_part)
    };
    RefTarget::Local { file, pointer }
}

/// `dir/of/file` + `../x.yaml` → `dir/of/../x.yaml` normalised (no `.` or `..` left).
pub fn join(from_file: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = from_file.split('/').collect();
        p.pop();
        p
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(&l) if l != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    parts.retain(|p| !p.is_empty() && *p != ".");
    let joined = parts.join("/");
    if from_file.starts_with('/') || rel.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// One JSON-pointer segment, unescaped (`~1` → `/`, `~0` → `~`, percent-encoding).
fn unescape(seg: &str) -> String {
    let s = seg.replace("~1", "/").replace("~0", "~");
    if !s.contains('%') {
        return s;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes one segment for a JSON pointer in messages.
pub fn escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

impl<'a> Docs<'a> {
    /// Generated from protobuf by protoc-gen-connect-openapi, which always writes the
    /// `connect.error` schema: its responses are protojson, which omits unset fields and
    /// never writes `null`, although proto3 `optional` fields are described as nullable.
    pub fn is_connect_protobuf(&self) -> bool {
        self.root_val()
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.get("connect.error"))
            .is_some()
    }

    /// Whether the description closes (`additionalProperties: false`) nearly every object
    /// schema it names — at least 9 in 10 of 10 or more. Then the keyword is the
    /// generator's default, not a statement about the server: Whisparr's ASP.NET Core
    /// `openapi.json` writes it on 100 of 134 schemas, every one with properties, while
    /// System.Text.Json skips unknown properties unless told otherwise.
    pub fn closes_by_default(&self) -> bool {
        let root = self.root_val();
        let named = match self.version {
            Version::Swagger2 => root.get("definitions"),
            _ => root.get("components").and_then(|c| c.get("schemas")),
        };
        let objects: Vec<Val<'a>> = named
            .map(|n| {
                n.entries()
                    .map(|(_, v)| v)
                    .filter(|v| v.get("properties").is_some())
                    .collect()
            })
            .unwrap_or_default();
        let closed = objects
            .iter()
            .filter(|v| {
                matches!(
                    v.get("additionalProperties").map(|x| &x.node.kind),
                    Some(Kind::Bool(false))
                )
            })
            .count();
        objects.len() >= 10 && closed * 10 >= objects.len() * 9
    }

    pub fn root_val(&self) -> Val<'a> {
        Val {
            node: &self.root.doc,
            file: self.root,
            key: None,
        }
    }

    /// Follows a value's `$ref` chain (at most 32 hops). `None` when a reference cannot
    /// be followed (remote, missing file, bad pointer); the loader reported why.
    pub fn deref(&self, v: Val<'a>) -> Option<Val<'a>> {
        let mut cur = v;
        for _ in 0..32 {
            let Some(r) = cur.get("$ref").and_then(|r| r.str()) else {
                return Some(cur);
            };
            cur = self.lookup(cur.file, r)?;
        }
        None
    }

    /// Like `deref`, but keeps the value when its reference cannot be followed.
    pub fn resolve(&self, v: Val<'a>) -> Val<'a> {
        self.deref(v).unwrap_or(v)
    }

    pub fn lookup(&self, from: &OpenApiFile, reference: &str) -> Option<Val<'a>> {
        let RefTarget::Local { file, pointer } = parse_ref(&from.source.path, reference) else {
            return None;
        };
        let mut cur = match self.files.get(file.as_str()) {
            Some(f) => Val {
                node: &f.doc,
                file: f,
                key: None,
            },
            None => {
                let file_part = reference.split('#').next().unwrap_or(reference);
                let (f, node) = id_target(self.ids.iter().map(|(k, v)| (*k, *v)), file_part)?;
                Val {
                    node,
                    file: f,
                    key: None,
                }
            }
        };
        let f = cur.file;
        for seg in pointer.split('/').skip(1) {
            let seg = unescape(seg);
            cur = match &cur.node.kind {
                Kind::Map(_) => cur.get(&seg)?,
                Kind::Seq(items) => {
                    let i: usize = seg.parse().ok()?;
                    Val {
                        node: items.get(i)?,
                        file: f,
                        key: None,
                    }
                }
                _ => return None,
            };
        }
        Some(cur)
    }
}

/// The description format of a parsed root document.
pub fn version_of(doc: &Node) -> Option<Version> {
    if let Some(v) = doc.get("swagger") {
        let s = match &v.kind {
            Kind::Str(s) => s.clone(),
            Kind::Float(f) => f.to_string(),
            Kind::Int(i) => i.to_string(),
            _ => return None,
        };
        return s.starts_with('2').then_some(Version::Swagger2);
    }
    let s = doc.get("openapi")?.as_str()?;
    if s.starts_with("3.0") {
        Some(Version::V30)
    } else if s.starts_with('3') {
        Some(Version::V31)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references_are_joined() {
        assert_eq!(
            join("api/openapi.yaml", "schemas/pet.yaml"),
            "api/schemas/pet.yaml"
        );
        assert_eq!(
            join("api/v1/openapi.yaml", "../common.yaml"),
            "api/common.yaml"
        );
        assert_eq!(join("openapi.yaml", "./a.yaml"), "a.yaml");
        assert!(matches!(
            parse_ref("a.yaml", "https://example.com/x.yaml#/a"),
            RefTarget::Remote
        ));
    }

    #[test]
    fn pointer_segments_are_unescaped() {
        assert_eq!(unescape("~1accounts~1{id}"), "/accounts/{id}");
        assert_eq!(unescape("a%20b"), "a b");
    }
}
