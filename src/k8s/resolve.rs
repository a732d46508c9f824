//! Resolving a reference against the definitions, the way the cluster will, within the
//! reference's deployment unit: same build first (kustomize renames both ends), then any
//! file of the unit in the namespace, then what the configuration declares external.
//! Missing from the unit is not yet missing: another unit may define it (units may be
//! applied together), or something of the unit may create it at install time.

use crate::k8s::Index;
use crate::k8s::defs::Definition;
use crate::k8s::refs::Reference;
use crate::model::manifest::ManifestFile;
use crate::source::Span;

pub enum Resolution<'a> {
    /// Every definition of that name (the key may be in any of them).
    Found(Vec<&'a Definition>),
    /// Defined under a kustomize-made name that this reference (at a kind and field
    /// outside kustomize's name-reference table) does not use.
    NotRewritten(&'a Definition),
    /// Not defined in the unit, but another unit of the repository defines it, or
    /// something of the unit may create it at run time (described): not provably missing.
    Elsewhere(String),
    Missing,
}

pub fn resolve<'a>(
    ix: &Index,
    manifests: &[ManifestFile],
    defs: &'a [Definition],
    r: &Reference,
) -> Resolution<'a> {
    let inst = &ix.instances[r.inst];
    let t = &inst.transform;
    let rewritten = r.rewritten;
    let effective = if rewritten {
        format!("{}{}{}", t.prefix, r.name, t.suffix)
    } else {
        r.name.clone()
    };
    let in_ns = |d: &&Definition| {
        d.kind == r.kind && d.namespace.as_deref().is_none_or(|n| n == inst.namespace)
    };
    let in_unit = |d: &&Definition| d.unit.is_none_or(|u| u == inst.unit);
    let same_build: Vec<&Definition> = defs
        .iter()
        .filter(in_ns)
        .filter(in_unit)
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
            && !configured(ix, inst.scope)
            && let Some(d) = same_build.iter().find(|d| d.raw_name == r.name)
        {
            return Resolution::NotRewritten(d);
        }
    }
    let named = |d: &&Definition| d.name == effective || d.raw_name == r.name || d.name == r.name;
    let hit: Vec<&Definition> = defs
        .iter()
        .filter(in_ns)
        .filter(in_unit)
        .filter(named)
        .collect();
    if !hit.is_empty() {
        return Resolution::Found(hit);
    }
    if let Some(d) = defs.iter().filter(in_ns).find(named) {
        let unit = d.unit.map(|u| ix.units[u].as_str()).unwrap_or("");
        return Resolution::Elsewhere(format!("defined in another unit ({unit})"));
    }
    // The repository's scripts or install guide create it with a command.
    if let Some(c) = ix.created.iter().find(|c| {
        c.kind == r.kind
            && (c.name == effective || c.name == r.name)
            && c.namespace.as_deref().is_none_or(|n| n == inst.namespace)
    }) {
        return Resolution::Elsewhere(format!("created by `kubectl create` at {}", c.at));
    }
    // A kustomize Component that no kustomization includes is built into a parent the
    // user writes (sourcegraph's `components/executors/dind`, whose instance template
    // generates `executor-secret`): the parent provides what the component reads.
    if inst.scope != 0 && component_root(ix, inst.scope) {
        return Resolution::Elsewhere(
            "left to the kustomization that includes this component".to_string(),
        );
    }
    let m = manifests;
    match crate::k8s::producers::may_create(ix, m, inst, r.kind, &effective)
        .or_else(|| crate::k8s::producers::may_create(ix, m, inst, r.kind, &r.name))
    {
        Some(what) => Resolution::Elsewhere(format!("may be created by {what}")),
        None => Resolution::Missing,
    }
}

/// Whether a build's root is a `kind: Component`, which a parent kustomization completes.
fn component_root(ix: &Index, scope: usize) -> bool {
    let dir = &ix.scopes[scope];
    ix.kustomizations
        .iter()
        .any(|k| &k.dir == dir && k.is_component())
}

/// Whether the build's kustomization teaches kustomize other field specs
/// (`configurations:`), e.g. Argo's rollout-transform: then CRD references are rewritten.
fn configured(ix: &Index, scope: usize) -> bool {
    let dir = &ix.scopes[scope];
    ix.kustomizations
        .iter()
        .any(|k| &k.dir == dir && k.doc.get("configurations").is_some())
}

/// The span of a reference's name.
pub fn name_span(r: &Reference) -> Span {
    crate::yaml::span::span_at(&r.src, r.name_pos)
}
