//! Whether two schemas mean the same thing once every `$ref` is followed, on both sides
//! and at every depth: an inline schema moved into a component (or a component inlined),
//! with components of its own referenced inside, is no change.

use std::collections::HashSet;

use crate::api::doc::{Docs, Val};
use crate::yaml::Kind;

/// Deeper than any real schema; a guard against pathological inputs, not a limit users meet.
const MAX_DEPTH: usize = 64;

pub fn equivalent<'a>(base: &Docs<'a>, b: Val<'a>, head: &Docs<'a>, h: Val<'a>) -> bool {
    Walk {
        base,
        head,
        assumed: HashSet::new(),
    }
    .same(b, h, 0)
}

struct Walk<'d, 'a> {
    base: &'d Docs<'a>,
    head: &'d Docs<'a>,
    /// Pairs of referenced schemas taken as equal while they are being compared, so that
    /// recursive schemas (a tree node referring to itself) terminate.
    assumed: HashSet<(usize, usize)>,
}

impl<'a> Walk<'_, 'a> {
    fn same(&mut self, b: Val<'a>, h: Val<'a>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let referenced = b.get("$ref").is_some() || h.get("$ref").is_some();
        // A reference that cannot be followed (remote, missing) is compared as written.
        let (b, h) = (self.base.resolve(b), self.head.resolve(h));
        if referenced && !self.assumed.insert((b.id(), h.id())) {
            return true;
        }
        match (&b.node.kind, &h.node.kind) {
            (Kind::Map(_), Kind::Map(_)) => {
                let (bv, hv) = (single_value_view(&b), single_value_view(&h));
                let keys = |v: &[(&'a str, Val<'a>)]| {
                    let mut k: Vec<&'a str> = v.iter().map(|(k, _)| *k).collect();
                    k.sort_unstable();
                    k.dedup();
                    k
                };
                let bk = keys(&bv);
                let get = |v: &[(&'a str, Val<'a>)], k: &str| {
                    v.iter().rev().find(|(n, _)| *n == k).map(|(_, x)| *x)
                };
                bk == keys(&hv)
                    && bk.iter().all(|k| match (get(&bv, k), get(&hv, k)) {
                        (Some(x), Some(y)) => self.same(x, y, depth + 1),
                        _ => false,
                    })
            }
            (Kind::Seq(x), Kind::Seq(y)) => {
                x.len() == y.len()
                    && b.items()
                        .zip(h.items())
                        .all(|(x, y)| self.same(x, y, depth + 1))
            }
            (x, y) => x == y,
        }
    }
}

/// A schema's entries, with the one spelling difference that changes nothing: a
/// single-value `enum` is a `const` (zod 3 and 4 write `enum: [x]` and `const: x` for
/// the same literal), and beside a scalar `const` a `type` naming the constant's own type
/// says nothing more (`{type: string, enum: [start]}` accepts exactly what
/// `{const: start}` accepts).
fn single_value_view<'a>(v: &Val<'a>) -> Vec<(&'a str, Val<'a>)> {
    let mut entries: Vec<(&'a str, Val<'a>)> = v
        .entries()
        .map(|(k, x)| match (k, &x.node.kind) {
            ("enum", Kind::Seq(items)) if items.len() == 1 => {
                ("const", x.items().next().unwrap_or(x))
            }
            _ => (k, x),
        })
        .collect();
    let constant_type =
        entries
            .iter()
            .rev()
            .find(|(k, _)| *k == "const")
            .and_then(|(_, c)| match &c.node.kind {
                Kind::Str(_) => Some("string"),
                Kind::Bool(_) => Some("boolean"),
                Kind::Int(_) => Some("integer"),
                _ => None,
            });
    if let Some(t) = constant_type {
        entries.retain(|(k, x)| !(*k == "type" && x.str() == Some(t)));
    }
    entries
}
