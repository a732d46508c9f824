//! Resolving a reference against the definitions, the way the cluster will: same build
//! first (kustomize renames both ends), then any file of the namespace, then what the
//! configuration declares external.

use crate::k8s::defs::Definition;
use crate::k8s::refs::{Reference, kustomize_rewrites};
use crate::project::ProjectCx;
use crate::source::Span;

pub enum Resolution<'a> {
    /// Every definition of that name (the key may be in any of them).
    Found(Vec<&'a Definition>),
    /// Defined under a kustomize-made name that this reference (in a kind kustomize does
    /// not rewrite) does not use.
    NotRewritten(&'a Definition),
    Missing,
}

pub fn resolve<'a>(cx: &ProjectCx, defs: &'a [Definition], r: &Reference) -> Resolution<'a> {
    let ix = &cx.head.k8s;
    let inst = &ix.instances[r.inst];
    let t = &inst.transform;
    let rewritten = kustomize_rewrites(inst);
    let effective = if rewritten {
        format!("{}{}{}", t.prefix, r.name, t.suffix)
    } else {
        r.name.clone()
    };
    let in_ns = |d: &&Definition| {
        d.kind == r.kind && d.namespace.as_deref().is_none_or(|n| n == inst.namespace)
    };
    let same_build: Vec<&Definition> = defs
        .iter()
        .filter(in_ns)
        .filter(|d| d.scope == inst.scope && inst.scope != 0)
        .collect();
    if !same_build.is_empty() {
        let hit: Vec<&Definition> = same_build
            .iter()
            .copied()
            .filter(|d| d.name == effective && (rewritten || !d.hashed))
            .collect();
        if !hit.is_empty() {
            return Resolution::Found(hit);
        }
        if !rewritten
            && !configured(cx, inst.scope)
            && let Some(d) = same_build.iter().find(|d| d.raw_name == r.name)
        {
            return Resolution::NotRewritten(d);
        }
    }
    let hit: Vec<&Definition> = defs
        .iter()
        .filter(in_ns)
        .filter(|d| d.name == effective || d.raw_name == r.name || d.name == r.name)
        .collect();
    if hit.is_empty() {
        Resolution::Missing
    } else {
        Resolution::Found(hit)
    }
}

/// Whether the build's kustomization teaches kustomize other field specs
/// (`configurations:`), e.g. Argo's rollout-transform: then CRD references are rewritten.
fn configured(cx: &ProjectCx, scope: usize) -> bool {
    let ix = &cx.head.k8s;
    let dir = &ix.scopes[scope];
    ix.kustomizations
        .iter()
        .any(|k| &k.dir == dir && k.doc.get("configurations").is_some())
}

/// The span of a reference's name.
pub fn name_span(r: &Reference) -> Span {
    crate::rules::workloads::span_at(&r.src, r.name_pos)
}
