//! The YAML reader, every flavor: the Kubernetes (YAML 1.1) and compose paths through
//! serde, the plain path (API descriptions) through the parser's events. Every key and
//! value lies inside the text; without aliases or merge keys, keys and items come in
//! the order they are written; where the plain reader builds a tree, the serde path
//! reads the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe::yaml::{Flavor, Kind, Node, events, parse_stream};
use rollsafe_fuzz::assert_range;

fn walk(text: &str, n: &Node, ordered: bool) {
    assert_range(text, n.pos.offset, n.pos.offset + n.pos.len, "node");
    assert!(n.pos.line >= 1, "node line {}", n.pos.line);
    match &n.kind {
        Kind::Seq(items) => {
            for w in items.windows(2) {
                if ordered {
                    assert!(w[0].pos.offset < w[1].pos.offset, "items out of order");
                }
            }
            items.iter().for_each(|i| walk(text, i, ordered));
        }
        Kind::Map(entries) => {
            for w in entries.windows(2) {
                if ordered {
                    assert!(
                        w[0].0.pos.offset < w[1].0.pos.offset,
                        "keys out of order: {:?} {:?}",
                        w[0].0,
                        w[1].0
                    );
                }
            }
            for (k, v) in entries {
                assert_range(text, k.pos.offset, k.pos.offset + k.pos.len, "key");
                if ordered {
                    assert!(
                        k.pos.offset <= v.pos.offset || v.pos.len == 0,
                        "value before its key"
                    );
                }
                walk(text, v, ordered);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Aliases and merge keys place copies of earlier values; tags may reorder nothing but
    // keep the check simple.
    let ordered = !text.contains(['*', '&', '!', '?']) && !text.contains("<<");
    for flavor in [Flavor::Kubernetes, Flavor::Compose, Flavor::Core] {
        match parse_stream(text, flavor) {
            Ok(docs) => {
                for d in &docs {
                    walk(text, d, ordered);
                    let mut dups = Vec::new();
                    d.duplicate_keys(&mut dups);
                }
            }
            Err(e) => {
                assert!(
                    e.pos.offset <= text.len(),
                    "{flavor:?} error at {} past {}",
                    e.pos.offset,
                    text.len()
                );
                assert!(!e.message.is_empty(), "{flavor:?}: empty error message");
                assert!(
                    !e.message.contains("RecordedAnchorEvents {"),
                    "{flavor:?}: debug text in {}",
                    e.message
                );
            }
        }
    }
    // The plain reader (API descriptions) builds exactly the serde tree, node for node
    // and position for position, wherever it accepts the text. The compose flavor's serde
    // options are the core flavor's, so parse_stream(Compose) is the serde core reading.
    if !text.starts_with('\u{feff}')
        && let Some(plain) = events::parse_plain(text)
        && let Ok(serde) = parse_stream(text, Flavor::Compose)
    {
        assert_eq!(plain.len(), serde.len(), "document count differs");
        for (a, b) in plain.iter().zip(&serde) {
            assert!(same(a, b), "plain and serde readings differ:\n{a:?}\n{b:?}");
        }
    }
});

/// Equal trees, positions included (NaN equals NaN).
fn same(a: &Node, b: &Node) -> bool {
    a.pos == b.pos
        && match (&a.kind, &b.kind) {
            (Kind::Map(x), Kind::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            }
            (Kind::Seq(x), Kind::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
            }
            (Kind::Float(x), Kind::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
            (x, y) => x == y,
        }
}
