//! The one place that knows the YAML crate (serde-saphyr, pinned). Everything else sees a
//! small span-carrying tree: every key and value keeps line, column and byte offset.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Options, Spanned};

pub mod breach;
pub mod events;
pub mod span;
pub mod typed;
pub use typed::{Located, TypeError, from_node};

/// How the file's consumer resolves plain scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Kubernetes (sigs.k8s.io/yaml → go-yaml v2, YAML 1.1): `yes`/`on` are booleans,
    /// `0644` is octal.
    Kubernetes,
    /// docker compose (go-yaml v3): only true/false are booleans.
    Compose,
    /// OpenAPI and other YAML 1.2 documents.
    Core,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub text: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Where the value is used (the alias site for aliased values).
    pub pos: Pos,
}

impl Node {
    /// The value of `key` in a mapping; the last one wins, as go-yaml's non-strict path.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.text == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.kind {
            Kind::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(v) => v,
            _ => &[],
        }
    }

    /// The same value, wherever it is written (positions, key order and overridden
    /// duplicate keys do not count).
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Map(a), Kind::Map(b)) => {
                fn keys(e: &[(Key, Node)]) -> Vec<&str> {
                    let mut k: Vec<&str> = e.iter().map(|(k, _)| k.text.as_str()).collect();
                    k.sort_unstable();
                    k.dedup();
                    k
                }
                keys(a) == keys(b)
                    && keys(a).iter().all(|k| match (self.get(k), other.get(k)) {
                        (Some(x), Some(y)) => x.same_value(y),
                        _ => false,
                    })
            }
            (Kind::Seq(a), Kind::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (a, b) => a == b,
        }
    }

    /// Every duplicated key in this tree: (the earlier key, the later one).
    pub fn duplicate_keys(&self, out: &mut Vec<(Key, Key)>) {
        match &self.kind {
            Kind::Map(entries) => {
                // The next entry with the same key, found in one backward pass (a search
                // of the later entries per entry is quadratic: 100,000 compose variables
                // took 18 s).
                let mut next: Vec<Option<&Key>> = vec![None; entries.len()];
                let mut seen: HashMap<&str, &Key> = HashMap::new();
                for (i, (k, _)) in entries.iter().enumerate().rev() {
                    next[i] = seen.insert(k.text.as_str(), k);
                }
                for ((k, v), later) in entries.iter().zip(next) {
                    if let Some(later) = later
                        && k.pos.offset != later.pos.offset
                    {
                        out.push((k.clone(), later.clone()));
                    }
                    v.duplicate_keys(out);
                }
            }
            Kind::Seq(items) => items.iter().for_each(|n| n.duplicate_keys(out)),
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

fn pos_of(l: &serde_saphyr::Location) -> Pos {
    let span = l.span();
    Pos {
        line: l.line() as usize,
        column: l.column() as usize,
        offset: span.byte_offset().unwrap_or(0) as usize,
        len: span.byte_len().unwrap_or(0) as usize,
    }
}

fn options(flavor: Flavor) -> Options {
    let mut o = Options::default();
    // Keep duplicates in the tree: kubectl keeps the last silently, we report them.
    o.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    o.legacy_octal_numbers = flavor == Flavor::Kubernetes;
    o.strict_booleans = flavor != Flavor::Kubernetes;
    o.with_snippet = false;
    // A number too big for a float (wazuh's `name: 600e27371700`, an id in an example)
    // or `.inf` is a value to tools that read descriptions and compose files, not an
    // error; kubectl's JSON conversion refuses it, so manifests keep the refusal.
    if flavor != Flavor::Kubernetes {
        o.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::PassThrough;
    }
    if let Some(b) = o.budget.as_mut() {
        // Rendered Helm output and big kustomize builds exceed the defaults.
        b.max_documents = 100_000;
        b.max_nodes = 5_000_000;
        b.max_events = 50_000_000;
        b.max_depth = 256;
        // Alias bombs: real manifests record a few thousand anchored events at most.
        b.max_recorded_anchor_events = 200_000;
        // Compose files reuse a few anchors many times (`<<: *defaults`): that is not a bomb.
        b.enforce_alias_anchor_ratio = false;
    }
    o
}

static SERDE_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Reads every stream through the serde path only (the reader before `events::parse`):
/// for the test that proves both give the same trees and findings
/// (`tests/it/corpus.rs`, `yaml_readers_give_the_same_findings`). Not for other use.
#[doc(hidden)]
pub fn set_serde_only(on: bool) {
    SERDE_ONLY.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Parses every document of a YAML (or JSON) stream. Empty documents are dropped, as
/// kubectl drops them.
pub fn parse_stream(text: &str, flavor: Flavor) -> Result<Vec<Node>, YamlError> {
    let stripped = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - stripped.len();
    let text = stripped;
    // Every flavour is built from the parser's events directly (`events::parse`, about 4×
    // the serde path's speed); the reader declines whatever it does not mirror exactly,
    // and the serde path reads that (and words the errors).
    let fast = if SERDE_ONLY.load(std::sync::atomic::Ordering::Relaxed) {
        None
    } else {
        events::parse(text, flavor)
    };
    let mut docs = fast
        .map(Ok)
        .unwrap_or_else(|| serde_stream(text, flavor))
        .or_else(|e| go_yaml_aliases_read(text, flavor).ok_or(e))
        .map_err(|e| YamlError {
            pos: Pos {
                offset: e.pos.offset + bom,
                ..e.pos
            },
            ..e
        })?;
    // Offsets are into the file as read, byte order mark included.
    if bom > 0 {
        docs.iter_mut()
            .for_each(|d| map_pos(d, &mut |p: &mut Pos| p.offset += bom));
    }
    Ok(docs)
}

/// go-yaml (which kubectl, Helm, kustomize and Flux read YAML with) ends an anchor or
/// alias name at the first character outside `[0-9A-Za-z_-]` and takes a `:` after it as
/// the mapping indicator (`scannerc.go`, `yaml_parser_scan_anchor`), so `*app:` is the
/// alias `app` used as a key (bjw-s app-template values: `controllers: {*app: …}`). YAML
/// 1.2, and the parser here, let a name hold `:`, and fail on the unknown alias `app:`.
/// Such a stream is read again with a space before each of those colons, and the
/// positions are mapped back to the file's.
fn go_yaml_aliases_read(text: &str, flavor: Flavor) -> Option<Vec<Node>> {
    let anchors: std::collections::HashSet<&str> = text
        .match_indices('&')
        .map(|(i, _)| go_yaml_name(&text[i + 1..]))
        .filter(|n| !n.is_empty())
        .collect();
    let mut inserted = Vec::new();
    for (i, _) in text.match_indices('*') {
        let name = go_yaml_name(&text[i + 1..]);
        let after = i + 1 + name.len();
        let before_ok = i == 0 || text[..i].ends_with([' ', '\t', '\n', '[', '{', ',']);
        let colon = text[after..].starts_with(':')
            && text[after + 1..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\n' || c == '\r');
        if before_ok && colon && anchors.contains(name) {
            inserted.push(after);
        }
    }
    if inserted.is_empty() {
        return None;
    }
    let mut patched = String::with_capacity(text.len() + inserted.len());
    let mut last = 0;
    for &at in &inserted {
        patched.push_str(&text[last..at]);
        patched.push(' ');
        last = at;
    }
    patched.push_str(&text[last..]);
    let mut docs = events::parse(&patched, flavor)
        .map(Ok)
        .unwrap_or_else(|| serde_stream(&patched, flavor))
        .ok()?;
    // A position in the patched text, less the spaces inserted before it; its column
    // less those inserted earlier on its line.
    let mut back = |p: &mut Pos| {
        let k = inserted
            .iter()
            .enumerate()
            .filter(|(n, at)| *at + n < p.offset)
            .count();
        let offset = p.offset - k;
        let line_start = text[..offset.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let on_line = inserted
            .iter()
            .filter(|at| (line_start..offset).contains(*at))
            .count();
        let within = inserted
            .iter()
            .filter(|at| (offset..offset + p.len).contains(*at))
            .count();
        *p = Pos {
            line: p.line,
            column: p.column - on_line,
            offset,
            len: p.len - within,
        };
    };
    docs.iter_mut().for_each(|d| map_pos(d, &mut back));
    Some(docs)
}

/// The anchor or alias name go-yaml reads at the start of `s`.
fn go_yaml_name(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Applies `f` to the position of every node and key of `n`.
fn map_pos(n: &mut Node, f: &mut impl FnMut(&mut Pos)) {
    f(&mut n.pos);
    match &mut n.kind {
        Kind::Seq(items) => items.iter_mut().for_each(|i| map_pos(i, f)),
        Kind::Map(entries) => {
            for (k, v) in entries {
                f(&mut k.pos);
                map_pos(v, f);
            }
        }
        _ => {}
    }
}

/// The serde path: every YAML feature, budgets against alias bombs, worded errors.
pub(crate) fn serde_stream(text: &str, flavor: Flavor) -> Result<Vec<Node>, YamlError> {
    serde_saphyr::from_multiple_with_options::<Node>(text, options(flavor))
        .map(|docs| docs.into_iter().filter(|d| d.kind != Kind::Null).collect())
        .map_err(|e| {
            let pos = e.location().map(|l| pos_of(&l)).unwrap_or_default();
            let message = breach::words(&e).unwrap_or_else(|| first_line(&e.to_string()));
            YamlError { message, pos }
        })
}

fn first_line(s: &str) -> String {
    let mut line = s.lines().next().unwrap_or(s).trim();
    // The position is reported separately.
    if let Some(i) = line.rfind(" at line ") {
        line = &line[..i];
    }
    // "line 3 column 5: unclosed quote" → "unclosed quote" (the position is shown anyway).
    match line.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") || head.starts_with("error at line") => {
            rest.to_string()
        }
        _ => line.to_string(),
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<KindRepr>::deserialize(d)?;
        Ok(Node {
            kind: s.value.0,
            pos: pos_of(&s.referenced),
        })
    }
}

struct KindRepr(Kind);

impl<'de> Deserialize<'de> for KindRepr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor).map(KindRepr)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v as i128))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::Int(v as i128))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Kind, E> {
        Ok(Kind::Int(v as i128))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Kind, E> {
        Ok(Kind::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        d.deserialize_any(KindVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut v = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            v.push(n);
        }
        Ok(Kind::Seq(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut v = Vec::new();
        // Keys are read as text: under YAML 1.1 a key `on:` must stay "on", not `true`.
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Node>()?;
            v.push((
                Key {
                    text: k.value,
                    pos: pos_of(&k.referenced),
                },
                value,
            ));
        }
        Ok(Kind::Map(v))
    }
}

#[cfg(test)]
mod tests {
    /// wazuh's `spec.yaml` (`name: 600e27371700` in an example) went to the serde reader,
    /// which refused the infinite float: a description is still readable; a manifest is
    /// not (kubectl's JSON conversion refuses infinities).
    #[test]
    fn non_finite_numbers_read_in_descriptions_only() {
        let text = "example:\n  name: 600e27371700\n  timeout: .inf\n";
        assert!(super::serde_stream(text, super::Flavor::Core).is_ok());
        assert!(super::serde_stream(text, super::Flavor::Kubernetes).is_err());
    }

    use super::*;

    /// gavinmcfall/home-ops' ipmi-exporter HelmRelease: `*app:` is an alias key for
    /// go-yaml, and positions after it are the file's.
    #[test]
    fn an_alias_key_before_a_colon_reads_as_go_yaml_reads_it() {
        let text = "metadata:\n  name: &app ipmi\nvalues:\n  controllers:\n    *app: {port: 9290}\n    other: {port: 1}\n";
        let docs = parse_stream(text, Flavor::Kubernetes).unwrap();
        let c = docs[0].get("values").unwrap().get("controllers").unwrap();
        let (key, value) = &c.entries()[0];
        assert_eq!(key.text, "ipmi");
        let port = value.get("port").unwrap();
        assert_eq!(port.kind, Kind::Int(9290));
        assert_eq!(&text[port.pos.offset..port.pos.offset + 4], "9290");
        assert_eq!((port.pos.line, port.pos.column), (5, 18));
        let other = c.get("other").unwrap().get("port").unwrap();
        assert_eq!(&text[other.pos.offset..other.pos.offset + 1], "1");
        // A name that no anchor has stays an error.
        assert!(parse_stream("a:\n  *nope: 1\n", Flavor::Kubernetes).is_err());
    }

    #[test]
    fn kubernetes_reading_is_yaml_1_1() {
        let docs = parse_stream(
            "a: yes\nb: 0644\nc: \"on\"\nd: 8080\non: x\n",
            Flavor::Kubernetes,
        )
        .unwrap();
        let d = &docs[0];
        assert_eq!(d.get("a").unwrap().kind, Kind::Bool(true));
        assert_eq!(d.get("b").unwrap().kind, Kind::Int(420));
        assert_eq!(d.get("c").unwrap().kind, Kind::Str("on".into()));
        assert_eq!(d.get("d").unwrap().kind, Kind::Int(8080));
        assert!(d.get("on").is_some());
        let b = d.get("b").unwrap();
        assert_eq!((b.pos.line, b.pos.column, b.pos.offset), (2, 4, 10));
    }

    #[test]
    fn compose_reading_is_yaml_1_2_booleans() {
        let docs = parse_stream("a: yes\nb: true\n", Flavor::Compose).unwrap();
        assert_eq!(docs[0].get("a").unwrap().kind, Kind::Str("yes".into()));
        assert_eq!(docs[0].get("b").unwrap().kind, Kind::Bool(true));
    }

    #[test]
    fn duplicates_are_kept_and_found() {
        let docs =
            parse_stream("spec:\n  replicas: 3\n  replicas: 1\n", Flavor::Kubernetes).unwrap();
        assert_eq!(
            docs[0].get("spec").unwrap().get("replicas").unwrap().kind,
            Kind::Int(1)
        );
        let mut d = Vec::new();
        docs[0].duplicate_keys(&mut d);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].1.pos.line, 3);
    }

    #[test]
    fn offsets_count_the_byte_order_mark() {
        for flavor in [Flavor::Kubernetes, Flavor::Core] {
            let text = "\u{feff}a: 1\nb: x\n";
            let d = &parse_stream(text, flavor).unwrap()[0];
            let b = d.get("b").unwrap();
            assert_eq!(&text[b.pos.offset..b.pos.offset + 1], "x", "{flavor:?}");
        }
    }

    #[test]
    fn errors_have_positions() {
        let e = parse_stream("a: [1, 2\nb: c\n", Flavor::Kubernetes).unwrap_err();
        assert!(e.pos.line >= 1, "{e:?}");
        let e = parse_stream("a: 1\n---\nb: *nope\n", Flavor::Kubernetes).unwrap_err();
        assert_eq!(e.pos.line, 3, "{e:?}");
    }
}

#[cfg(test)]
mod tag_tests {
    use super::*;

    #[test]
    fn cloudformation_tags_are_read_as_their_values() {
        let d = parse_stream(
            "a: !Ref DesiredCount\nb: !Sub 'x-${AWS::Region}'\nc: !If [cond, 1, 2]\nd: !GetAtt [R, Arn]\n",
            Flavor::Core,
        );
        let d = d.unwrap();
        assert_eq!(
            d[0].get("a").unwrap().kind,
            Kind::Str("DesiredCount".into())
        );
        assert!(matches!(d[0].get("c").unwrap().kind, Kind::Seq(_)));
    }
}
