//! A fast reader for plain YAML 1.2 / JSON documents (API descriptions): the parser's
//! events are built into the span tree directly, without serde's per-node `Spanned`
//! machinery. It gives up (returns `None`) on anything it does not mirror exactly —
//! tags, merge keys, complex keys, errors — and the caller falls back to the serde path,
//! which also words the errors.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle, Span};

use super::{Key, Kind, Node, Pos};

/// Stop building past this many nodes (alias expansion included): the serde path has
/// the budgets and the error message for such input.
const MAX_NODES: usize = 5_000_000;
/// Stop building past this many events replayed by aliases, serde-saphyr's own limit:
/// a 466-byte alias bomb otherwise builds millions of nodes (gigabytes) here, while the
/// serde path stops it with a budget error (E001).
const MAX_REPLAYED_EVENTS: usize = 1_000_000;

enum Frame {
    Seq(Vec<Node>, Pos),
    Map(Vec<(Key, Node)>, Pos, Option<Key>),
}

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

/// Builds every document of `text`, or `None` to let the serde path handle it.
pub fn parse_plain(text: &str) -> Option<Vec<Node>> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Anchored values, with the number of events an alias to them replays.
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    // Anchor ids of the open collections, and the event count at their start, to record
    // them when they close.
    let mut open_anchors: Vec<(usize, usize)> = Vec::new();
    let mut nodes = 0usize;
    // Events read or replayed so far, and those replayed by aliases.
    let mut events = 0usize;
    let mut replayed = 0usize;
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
                if let Some(Frame::Map(_, _, pending @ None)) = stack.last_mut() {
                    if value == "<<" && style == ScalarStyle::Plain {
                        return None;
                    }
                    *pending = Some(Key {
                        text: value.into_owned(),
                        pos: p,
                    });
                    if anchor != 0 {
                        return None;
                    }
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
                    resolve(&value)?
                } else {
                    Kind::Str(value.into_owned())
                };
                let n = Node { kind, pos: p };
                if anchor != 0 {
                    anchors.insert(anchor, (n.clone(), 1));
                }
                n
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if tag.is_some() {
                    return None;
                }
                if matches!(stack.last(), Some(Frame::Map(_, _, None))) {
                    // A collection as a mapping key.
                    return None;
                }
                let p = pos(&span)?;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), p)
                } else {
                    Frame::Map(Vec::new(), p, None)
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
                    Frame::Map(entries, p, None) => Node {
                        kind: Kind::Map(entries),
                        pos: p,
                    },
                    Frame::Map(_, _, Some(_)) => return None,
                };
                if anchor != 0 {
                    anchors.insert(anchor, (n.clone(), events + 1 - started));
                }
                n
            }
            Event::Alias(id) => {
                if matches!(stack.last(), Some(Frame::Map(_, _, None))) {
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
        if nodes > MAX_NODES {
            return None;
        }
        match stack.last_mut() {
            None => {
                if n_is_null_doc(&node) {
                    continue;
                }
                docs.push(node);
            }
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, _, pending)) => {
                let key = pending.take()?;
                entries.push((key, node));
            }
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some(docs)
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

    #[test]
    fn every_api_description_reads_the_same() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/openapi");
        if !dir.exists() {
            // As the integration tests' `common::shared`: skip with the reason, but fail
            // under CI, where passing without reading the corpus would claim too much.
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{} is absent, and CI=true",
                dir.display()
            );
            eprintln!("skipping: {} is absent", dir.display());
            return;
        }
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
