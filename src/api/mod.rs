//! API contracts: every OpenAPI 3.0/3.1 or Swagger 2.0 description of the release is
//! compared with the one at the same path in the previous release, and each change that
//! breaks a client is reported (oasdiff's check ids and levels).

pub mod change;
pub mod compare;
pub mod date;
pub mod doc;
pub mod equivalent;
pub mod levels;
pub mod refs;
pub mod translation;

use std::collections::HashMap;

pub use change::{Change, Group, Level};
pub use compare::Options;
use doc::{Docs, version_of};

use doc::OpenApiFile;

/// The API descriptions of one release and the files they reference, by path.
#[derive(Debug, Clone, Copy)]
pub struct Release<'a> {
    pub openapi: &'a [OpenApiFile],
    pub fragments: &'a HashMap<String, OpenApiFile>,
}

/// The description rooted at `root`, with every file of its release it may reference.
pub fn docs<'a>(root: &'a OpenApiFile, release: Release<'a>) -> Option<Docs<'a>> {
    let version = version_of(&root.doc)?;
    let mut map: HashMap<&str, &OpenApiFile> = HashMap::new();
    for f in release.openapi {
        map.insert(f.source.path.as_str(), f);
    }
    for (path, f) in release.fragments {
        map.insert(path.as_str(), f);
    }
    // The root and the fragments a description references: another description of the
    // release is not where this one's `$id`s are (and walking every one of them for each
    // pair would cost a walk per description and pair).
    let mut fragments: Vec<(&String, &OpenApiFile)> = release.fragments.iter().collect();
    fragments.sort_by_key(|(p, _)| *p);
    let ids = Docs::index_ids(
        version,
        std::iter::once(root).chain(fragments.into_iter().map(|(_, f)| f)),
    );
    Some(Docs {
        root,
        files: map,
        version,
        ids,
    })
}

/// Changes to how a schema is composed — unions, nullability, tuples, key schemas — are
/// what a generator writes differently when a description moves between OpenAPI 2, 3.0
/// and 3.1 (3.1 adopts JSON Schema 2020-12: `anyOf [X, {type: null}]` for `nullable`,
/// `prefixItems` for tuples, `propertyNames` for record keys). Across such a move they
/// say more about the generator than about the server: typebot 3.18 (trpc-openapi to
/// oRPC, 3.0 to 3.1) gave 168 such findings, none true. A schema wrapped in an `anyOf`,
/// or in a `oneOf` that keeps it, is a union whose members grew: among them (its old
/// shape is still compared with the branch that keeps it). A schema wrapped in any other
/// `oneOf` is not: its alternatives were each compared with the old schema already, and
/// it stays reported only when one of them drops what old clients read.
fn schema_spelling(id: &str) -> bool {
    [
        "one-of-added",
        "one-of-removed",
        "any-of-added",
        "any-of-removed",
        "all-of-added",
        "all-of-removed",
        "became-nullable",
        "became-not-nullable",
        "prefix-items-added",
        "prefix-items-removed",
        "property-names-added",
        "property-names-removed",
        "wrapped-in-any-of",
        "wrapped-in-one-of-kept",
        "unwrapped-from-any-of",
        "unwrapped-from-one-of",
    ]
    .iter()
    .any(|w| id.ends_with(w))
}

/// Every (base, head) pair of descriptions of two releases: same path, or moved as
/// `[api] moved` says (new path → old path).
pub fn pairs<'a>(
    base: Release<'a>,
    head: Release<'a>,
    moved: &std::collections::BTreeMap<String, String>,
) -> Vec<(&'a OpenApiFile, &'a OpenApiFile)> {
    head.openapi
        .iter()
        .filter_map(|h| {
            let path = moved.get(&h.source.path).unwrap_or(&h.source.path);
            base.openapi
                .iter()
                .find(|b| &b.source.path == path)
                .map(|b| (b, h))
        })
        .collect()
}

/// All changes between two releases, per pair of descriptions.
pub fn changes(
    base: Release,
    head: Release,
    moved: &std::collections::BTreeMap<String, String>,
    opts: &Options,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (b, h) in pairs(base, head, moved) {
        let (Some(bd), Some(hd)) = (docs(b, base), docs(h, head)) else {
            continue;
        };
        let respelled = bd.version != hd.version;
        out.extend(compare::compare(&bd, &hd, opts).into_iter().map(|mut c| {
            c.root = h.source.path.clone();
            if respelled && schema_spelling(&c.id) && c.level != Level::Info {
                c.level = Level::Info;
                c.text.push_str(
                    " (the description moved to another OpenAPI version, whose schemas spell unions, nullability and tuples differently: check it against the server rather than the description)",
                );
            }
            c
        }));
    }
    out
}
