//! A fast reader for plain YAML 1.2 / JSON documents (API descriptions): the parser's
//! events are built into the span tree directly, without serde's per-node `Spanned`
//! machinery. It gives up (returns `None`) on anything it does not mirror exactly —
//! tags, merge keys, complex keys, errors — and the caller falls back to the serde path,
//! which also words the errors.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, Span};

use super::{Flavor, Key, Kind, Node, Pos};

/// Stop building past this many nodes (alias expansion included): the serde path has
/// the budgets and the error message for such input.
const MAX_NODES: usize = 5_000_000;
/// Stop building past this many events replayed by aliases, serde-saphyr's own limit:
/// a 466-byte alias bomb otherwise builds millions of nodes (gigabytes) here, while the
/// serde path stops it with a budget error (E001).
const MAX_REPLAYED_EVENTS: usize = 1_000_000;

enum Frame {
    Seq(Vec<Node>, Pos),
    Map(MapFrame),
}

/// The serde path's other budgets (`options()` in yaml/mod.rs), so that what it rejects is
/// declined here and rejected there with its message. go-yaml v2 guards the same way
/// against alias bombs (`decode.go`, `allowedAliasRatio`, since v2.2.4 / CVE-2019-11253).
const MAX_RECORDED_ANCHOR_EVENTS: usize = 200_000;
const MAX_EVENTS: usize = 50_000_000;
const MAX_DOCUMENTS: usize = 100_000;
const MAX_DEPTH: usize = 256;

fn pos(span: &Span) -> Option<Pos> {
    let start = span.start.byte_offset()?;
    let end = span.end.byte_offset().unwrap_or(start);
    Some(Pos {
        line: span.start.line(),
        column: span.start.col() + 1,
        offset: start,
        len: end.saturating_sub(start),
    })
}

/// YAML 1.2 core schema resolution of a plain scalar; `None` for the numbers whose
/// reading the serde path decides its own way (`1_000`, `0755`, non-finite).
fn resolve(text: &str) -> Option<Kind> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Kind::Null),
        "true" | "True" | "TRUE" => return Some(Kind::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Kind::Bool(false)),
        _ => {}
    }
    let b = text.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let unsigned = b
        .strip_prefix(b"-")
        .or_else(|| b.strip_prefix(b"+"))
        .unwrap_or(b);
    let looks_numeric = unsigned
        .first()
        .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
        && unsigned
            .iter()
            .all(|c| c.is_ascii_digit() || b"._eE+-".contains(c));
    if looks_numeric
        && (unsigned.contains(&b'_')
            || (unsigned.len() > 1 && unsigned[0] == b'0' && unsigned[1].is_ascii_digit()))
    {
        return None;
    }
    // The serde path reads integers outside i64/u64 as floats: decline those.
    let int = |i: i128| (i64::MIN as i128..=u64::MAX as i128).contains(&i);
    if digits(unsigned)
        && let Ok(i) = text.parse::<i128>()
    {
        return int(i).then_some(Kind::Int(i));
    }
    if let Some(h) = text.strip_prefix("0x")
        && !h.is_empty()
        && let Ok(i) = i128::from_str_radix(h, 16)
    {
        return int(i).then_some(Kind::Int(i));
    }
    if let Some(o) = text.strip_prefix("0o")
        && !o.is_empty()
        && let Ok(i) = i128::from_str_radix(o, 8)
    {
        return int(i).then_some(Kind::Int(i));
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let is_float = {
        let (mant, exp) = match unsigned.iter().position(|c| *c == b'e' || *c == b'E') {
            Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
            None => (unsigned, None),
        };
        let mant_ok = match mant.iter().position(|c| *c == b'.') {
            Some(i) => {
                let (int, frac) = (&mant[..i], &mant[i + 1..]);
                (digits(int) || int.is_empty())
                    && frac.iter().all(u8::is_ascii_digit)
                    && !(int.is_empty() && frac.is_empty())
            }
            None => digits(mant),
        };
        let exp_ok = exp.is_none_or(|e| {
            digits(
                e.strip_prefix(b"-")
                    .or_else(|| e.strip_prefix(b"+"))
                    .unwrap_or(e),
            )
        });
        mant_ok && exp_ok
    };
    if is_float && let Ok(f) = text.parse::<f64>() {
        return Some(Kind::Float(f));
    }
    Some(Kind::Str(text.to_string()))
}

/// Builds every document of a plain YAML 1.2 / JSON stream (API descriptions), or `None`
/// to let the serde path handle it.
pub fn parse_plain(text: &str) -> Option<Vec<Node>> {
    parse(text, Flavor::Core)
}

/// A Kubernetes reading of a plain scalar (sigs.k8s.io/yaml → go-yaml v2, YAML 1.1), as the
/// serde path reads it with `legacy_octal_numbers` and YAML 1.1 booleans; `None` declines.
///
/// go-yaml v2 `resolve.go` (`resolveMapList`, `resolve`):
/// - booleans are exactly `y Y yes Yes YES true True TRUE on On ON` and
///   `n N no No NO false False FALSE off Off OFF`. serde-saphyr also takes other cases
///   (`yEs`); those are declined here, so the serde path keeps reading them as before;
/// - integers go through `strconv.ParseInt(plain, 0, 64)` with `_` removed, so a leading
///   `0` is octal (`0644` = 420, `defaultMode` in the Kubernetes docs), `0x` hex, `0b` binary;
///   underscored and other leading-zero spellings are declined (the serde path decides);
/// - there is no sexagesimal (base 60) reading: `resolve.go` says "Base 60 floats are a
///   bad idea, were dropped in YAML 1.2, and are purposefully unsupported here", so `1:30`
///   is the string "1:30" — the core resolver leaves it a string (`:` is not numeric);
/// - `<<` is the merge key (`yaml_MERGE_TAG`), handled by [`parse`].
fn resolve_kubernetes(text: &str) -> Option<Kind> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Some(Kind::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Some(Kind::Bool(false));
        }
        _ => {}
    }
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "yes" | "true" | "on" | "n" | "no" | "false" | "off"
    ) {
        return None;
    }
    let (neg, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let b = unsigned.as_bytes();
    if b.len() > 1 && b[0] == b'0' && b.iter().all(u8::is_ascii_digit) {
        // Legacy octal: `0644`; `08` is no octal number (declined).
        let o = &unsigned[1..];
        if !o.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
            return None;
        }
        let v = i128::from_str_radix(o, 8).ok()?;
        let v = if neg { -v } else { v };
        return (i64::MIN as i128..=u64::MAX as i128)
            .contains(&v)
            .then_some(Kind::Int(v));
    }
    resolve(text)
}

/// Compose reads YAML through go-yaml v3 (compose-go's loader); v3's `resolve.go` (read at
/// go-yaml/yaml 0d383ff) has only `true`/`false` spellings as booleans, which is the
/// core resolution here, as the serde path reads compose files. v3 still reads `0777` as
/// octal ("Octals from the 1.1 spec, spelled as 0777, are still decoded by default in v3
/// as well"), which the serde path does not: such scalars are declined (the core resolver
/// declines every leading-zero number), so the serde path keeps reading them as before.
fn resolve_flavor(text: &str, flavor: Flavor) -> Option<Kind> {
    match flavor {
        Flavor::Kubernetes => resolve_kubernetes(text),
        Flavor::Compose | Flavor::Core => resolve(text),
    }
}

/// One mapping being built: its entries, the batches its merge keys bring (applied at
/// its end), and the key waiting for its value.
struct MapFrame {
    entries: Vec<(Key, Node)>,
    merges: Vec<Vec<(Key, Node)>>,
    pos: Pos,
    pending: Option<Key>,
    /// The pending key is a merge key (`<<`).
    merge: bool,
}

/// Builds every document of `text` as `flavor` reads it, or `None` to let the serde path
/// handle it (with the same result, or an error in words).
pub fn parse(text: &str, flavor: Flavor) -> Option<Vec<Node>> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Anchored values, with the number of events an alias to them replays.
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    // Anchor ids of the open collections, and the event count at their start, to record
    // them when they close.
    let mut open_anchors: Vec<(usize, usize)> = Vec::new();
    let mut nodes = 0usize;
    // Events read or replayed so far, those replayed by aliases, and those recorded under
    // anchors (the serde path's budgets, `options()` in yaml/mod.rs).
    let mut events = 0usize;
    let mut replayed = 0usize;
    let mut recorded = 0usize;
    for ev in Parser::new_from_str(text) {
        let (event, span) = ev.ok()?;
        events += 1;
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(..) => continue,
            Event::DocumentEnd => {
                anchors.clear();
                continue;
            }
            Event::Anchor(..) => continue,
            Event::Scalar(value, style, anchor, tag) => {
                if tag.is_some() {
                    return None;
                }
                let p = pos(&span)?;
                // A mapping key is text whatever it looks like (`200:`, `on:`).
                if let Some(Frame::Map(m)) = stack.last_mut()
                    && m.pending.is_none()
                {
                    if anchor != 0 {
                        return None;
                    }
                    if value == "<<" && style == ScalarStyle::Plain {
                        // YAML 1.1 merge key (go-yaml v2 `resolve.go`: `"<<"` →
                        // `yaml_MERGE_TAG`; compose-go reads anchors and merges through
                        // go-yaml v3 the same way). The core reading (API descriptions)
                        // leaves it to the serde path.
                        if flavor == Flavor::Core {
                            return None;
                        }
                        m.merge = true;
                    }
                    m.pending = Some(Key {
                        text: value.into_owned(),
                        pos: p,
                    });
                    continue;
                }
                let kind = if style == ScalarStyle::Plain {
                    // The serde path rejects non-finite numbers, with a message.
                    if value
                        .trim_start_matches(['-', '+'])
                        .eq_ignore_ascii_case(".inf")
                        || value.eq_ignore_ascii_case(".nan")
                    {
                        return None;
                    }
                    resolve_flavor(&value, flavor)?
                } else {
                    Kind::Str(value.into_owned())
                };
                let n = Node { kind, pos: p };
                if anchor != 0 {
                    recorded += 1;
                    anchors.insert(anchor, (n.clone(), 1));
                }
                n
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if tag.is_some() {
                    return None;
                }
                if matches!(stack.last(), Some(Frame::Map(m)) if m.pending.is_none()) {
                    // A collection as a mapping key.
                    return None;
                }
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                let p = pos(&span)?;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), p)
                } else {
                    Frame::Map(MapFrame {
                        entries: Vec::new(),
                        merges: Vec::new(),
                        pos: p,
                        pending: None,
                        merge: false,
                    })
                });
                open_anchors.push((anchor, events));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, started) = open_anchors.pop()?;
                let n = match stack.pop()? {
                    Frame::Seq(items, p) => Node {
                        kind: Kind::Seq(items),
                        pos: p,
                    },
                    Frame::Map(m) => {
                        if m.pending.is_some() {
                            return None;
                        }
                        Node {
                            kind: Kind::Map(apply_merges(m.entries, m.merges)),
                            pos: m.pos,
                        }
                    }
                };
                if anchor != 0 {
                    let size = events + 1 - started;
                    recorded += size;
                    anchors.insert(anchor, (n.clone(), size));
                }
                n
            }
            Event::Alias(id) => {
                if matches!(stack.last(), Some(Frame::Map(m)) if m.pending.is_none()) {
                    return None;
                }
                let (n, size) = anchors.get(&id)?;
                replayed += size;
                events += size;
                if replayed > MAX_REPLAYED_EVENTS {
                    return None;
                }
                let mut n = n.clone();
                relocate(&mut n, pos(&span)?);
                n
            }
            Event::UnresolvedAlias(..) => return None,
            // Presentation only (comments, when the parser's feature is on).
            _ => continue,
        };
        nodes += 1;
        if nodes > MAX_NODES || recorded > MAX_RECORDED_ANCHOR_EVENTS || events > MAX_EVENTS {
            return None;
        }
        match stack.last_mut() {
            None => {
                if n_is_null_doc(&node) {
                    continue;
                }
                docs.push(node);
                if docs.len() > MAX_DOCUMENTS {
                    return None;
                }
            }
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(m)) => {
                let key = m.pending.take()?;
                if std::mem::take(&mut m.merge) {
                    m.merges.push(merge_batch(node)?);
                } else {
                    m.entries.push((key, node));
                }
            }
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some(docs)
}

/// The entries a merge key's value brings: a mapping, or a sequence of mappings where
/// the earlier ones win (YAML 1.1 merge type, https://yaml.org/type/merge.html; go-yaml v2
/// `decode.go` `merge`). Anything else is an error the serde path words.
/// The serde path locates merged keys and values, all the way down, where the merged
/// mapping is referenced (the alias, or the inline mapping's start).
fn merge_batch(node: Node) -> Option<Vec<(Key, Node)>> {
    fn located(entries: Vec<(Key, Node)>, p: Pos, out: &mut Vec<(Key, Node)>) {
        for (mut k, mut v) in entries {
            k.pos = p;
            relocate(&mut v, p);
            out.push((k, v));
        }
    }
    let mut out = Vec::new();
    match node.kind {
        Kind::Map(entries) => located(entries, node.pos, &mut out),
        Kind::Seq(items) => {
            for i in items {
                match i.kind {
                    Kind::Map(entries) => located(entries, i.pos, &mut out),
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// A mapping's own entries, then each merge batch's entries whose key is not there yet
/// (own keys override merged ones; an earlier merge wins over a later one), as the serde
/// path's `MergeKeyPolicy::Merge` does under `DuplicateKeyPolicy::PassThrough`.
fn apply_merges(mut entries: Vec<(Key, Node)>, merges: Vec<Vec<(Key, Node)>>) -> Vec<(Key, Node)> {
    if merges.is_empty() {
        return entries;
    }
    let mut seen: std::collections::HashSet<String> =
        entries.iter().map(|(k, _)| k.text.clone()).collect();
    for batch in merges {
        for (k, v) in batch {
            if seen.insert(k.text.clone()) {
                entries.push((k, v));
            }
        }
    }
    entries
}

/// An alias's copy is located, keys and values, at the alias (as the serde path does).
fn relocate(n: &mut Node, p: Pos) {
    n.pos = p;
    match &mut n.kind {
        Kind::Seq(items) => items.iter_mut().for_each(|i| relocate(i, p)),
        Kind::Map(entries) => {
            for (k, v) in entries {
                k.pos = p;
                relocate(v, p);
            }
        }
        _ => {}
    }
}

fn n_is_null_doc(n: &Node) -> bool {
    n.kind == Kind::Null
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Flavor;

    fn same(text: &str) {
        let fast = parse_plain(text).expect("fast path");
        let slow = crate::yaml::serde_stream(text, Flavor::Core).unwrap();
        assert_eq!(fast, slow, "{text}");
    }

    #[test]
    fn the_fast_reader_builds_the_serde_tree() {
        same(
            "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: OK}\n",
        );
        same(
            "a: [1, -2, 0x1f, 0o17, 1.5, -.5e3, ~, null, true, False, '3', \"x\", +7, 0, -0.0, 1e3]\n",
        );
        same(
            "{\"openapi\": \"3.1.0\", \"paths\": {\"/x\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}}}\n",
        );
        same("a: &x {b: 1}\nc: *x\nd: |\n  text\n  more\ne: >-\n  folded\n");
        same("- a\n- - b\n  - c\n- {}\n- []\n");
        same("a: [18446744073709551615, -9223372036854775808, 0xffffffffffffffff]\n");
        same("at: 06/11/2019 22:05:25 MST\nv: 1.2.3\nk: 0x\nd: 2024-01-01\n");
    }

    #[test]
    fn what_it_does_not_mirror_goes_to_the_serde_path() {
        assert!(parse_plain("a: !Ref b\n").is_none());
        assert!(parse_plain("base: &b {x: 1}\nc:\n  <<: *b\n").is_none());
        assert!(parse_plain("a: [1, 2\n").is_none());
        assert!(parse_plain("a: 1_000\n").is_none());
        assert!(parse_plain("a: 0755\n").is_none());
        assert!(parse_plain("a: .inf\n").is_none());
        // Found by the `yaml` fuzz target: serde reads this as a float.
        assert!(parse_plain("33333333333333333333333333333333 \n").is_none());
        assert!(parse_plain("a: 0x1ffffffffffffffff\n").is_none());
    }
}

/// The whole API corpus: the fast reader gives the serde tree exactly, node for node and
/// position for position, or declines.
#[cfg(test)]
mod corpus {
    use super::*;
    use crate::yaml::Flavor;

    /// `../shared/corpus/<sub>` when present. As the integration tests' `common::shared`:
    /// absent, it skips with the reason, but fails under CI, where passing without reading
    /// the corpus would claim too much.
    pub(super) fn shared_corpus(sub: &str) -> Option<std::path::PathBuf> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus")
            .join(sub);
        if dir.exists() {
            return Some(dir);
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is absent, and CI=true",
            dir.display()
        );
        eprintln!("skipping: {} is absent", dir.display());
        None
    }

    #[test]
    fn every_api_description_reads_the_same() {
        let Some(dir) = shared_corpus("openapi") else {
            return;
        };
        let (mut same, mut declined) = (0, 0);
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if !p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                    continue;
                }
                // The large real pairs take seconds in a debug build: `ROLLSAFE_YAML_FULL=1`.
                if std::fs::metadata(&p).unwrap().len() > 1_000_000
                    && std::env::var_os("ROLLSAFE_YAML_FULL").is_none()
                {
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                match parse_plain(&text) {
                    Some(fast) => {
                        let slow = crate::yaml::serde_stream(&text, Flavor::Core).unwrap();
                        assert!(fast == slow, "{} differs", p.display());
                        same += 1;
                    }
                    None => {
                        println!("declined: {}", p.display());
                        declined += 1
                    }
                }
            }
        }
        println!("{same} identical, {declined} declined");
        assert!(same > 250);
    }
}

/// The Kubernetes and compose readings: the fast reader gives the serde tree exactly.
#[cfg(test)]
mod yaml11 {
    use super::*;
    use crate::yaml::Flavor;

    fn same(text: &str, flavor: Flavor) {
        let slow = crate::yaml::serde_stream(text, flavor).unwrap();
        // Compose keeps YAML 1.2 integers: `0644` is declined (the serde path reads it).
        let Some(fast) = parse(text, flavor).or_else(|| {
            assert!(
                flavor == Flavor::Compose && text.contains("0644"),
                "declined: {text}"
            );
            None
        }) else {
            return;
        };
        assert_eq!(fast, slow, "{flavor:?}: {text}");
    }

    #[test]
    fn scalars_read_as_the_serde_path_reads_them() {
        for flavor in [Flavor::Kubernetes, Flavor::Compose] {
            same(
                "a: [yes, Yes, YES, no, No, NO, on, On, ON, off, Off, OFF, y, Y, n, N]\n",
                flavor,
            );
            same(
                "a: [true, True, TRUE, false, False, FALSE, ~, null, '']\n",
                flavor,
            );
            same(
                "a: [0644, -0644, +0644, 0, 00, 0o17, 0x1f, 8080, -3, +7]\n",
                flavor,
            );
            same(
                "a: [1:30, 190:20:30, 1.5, -.5e3, 1e3, 10m, 100Mi, v1.2.3]\n",
                flavor,
            );
            same(
                "a: [2024-01-01, 06/11/2019 22:05:25 MST, nginx:1.25]\n",
                flavor,
            );
            same("defaultMode: 0755\nmode: 0400\nport: \"0644\"\n", flavor);
        }
    }

    #[test]
    fn merges_read_as_the_serde_path_reads_them() {
        for flavor in [Flavor::Kubernetes, Flavor::Compose] {
            same(
                "x: &d {restart: always, image: a}\ns:\n  <<: *d\n  image: b\n",
                flavor,
            );
            same(
                "x: &d\n  restart: always\n  env: {A: 1}\ny: &e {restart: no, pull: always}\ns:\n  image: b\n  <<: [*d, *e]\n  z: 1\n",
                flavor,
            );
            same(
                "x: &d {a: 1, b: 2}\ny: &e {b: 3, c: 4}\ns:\n  <<: *d\n  <<: *e\n  a: 0\n",
                flavor,
            );
            same("s:\n  <<: {a: 1, b: 2}\n  b: 3\n", flavor);
            same("x: &d {a: 1}\ns:\n  a: 2\n  a: 3\n  <<: *d\n", flavor);
        }
    }

    #[test]
    fn what_it_does_not_mirror_goes_to_the_serde_path() {
        for t in ["a: yEs\n", "a: 08\n", "a: 1_000\n", "a: 0_644\n"] {
            assert!(parse(t, Flavor::Kubernetes).is_none(), "{t}");
        }
        assert!(parse("s:\n  <<: 3\n", Flavor::Compose).is_none());
    }
}

/// The Kubernetes, compose and traffic corpus: for every YAML and JSON file, read as a
/// manifest and as a compose file, the fast reader gives the serde tree exactly, node for
/// node and position for position, or declines (and the serde path reads it, as before).
/// Fails in CI (`CI=true`) when the corpus is absent; elsewhere it skips with the reason.
#[cfg(test)]
mod manifests_corpus {
    use super::*;
    use crate::yaml::Flavor;

    #[test]
    fn every_manifest_and_compose_file_reads_the_same() {
        let Some(shared) = super::corpus::shared_corpus("") else {
            return;
        };
        let (mut same, mut declined, mut failed) = (0, 0, 0);
        let mut stack: Vec<_> = ["k8s", "config", "traffic"]
            .iter()
            .map(|d| shared.join(d))
            .collect();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                if !p
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                for flavor in [Flavor::Kubernetes, Flavor::Compose] {
                    match (parse(text, flavor), crate::yaml::serde_stream(text, flavor)) {
                        (Some(fast), Ok(slow)) => {
                            assert!(fast == slow, "{} differs ({flavor:?})", p.display());
                            same += 1;
                        }
                        (Some(_), Err(e)) => panic!(
                            "{}: the serde path fails ({e:?}), the fast reader reads it",
                            p.display()
                        ),
                        (None, Ok(_)) => {
                            println!("declined ({flavor:?}): {}", p.display());
                            declined += 1
                        }
                        (None, Err(_)) => failed += 1,
                    }
                }
            }
        }
        println!("{same} identical, {declined} declined, {failed} errors in both");
        assert!(same > 1000, "{same}");
    }
}
