//! What a PodDisruptionBudget protects: the workloads whose pods its selector matches.
//! Shared by K304 and K305.

use crate::k8s::selector::Selector;
use crate::k8s::{Index, Instance};
use crate::model::manifest::ManifestFile;

/// The PDB's selector, if the object is a PodDisruptionBudget.
pub fn selector(inst: &Instance, m: &[ManifestFile], ix: &Index) -> Option<Selector> {
    // Only the policy group defines the kind; other groups are typos of it.
    if inst.kind != "PodDisruptionBudget" {
        return None;
    }
    // policy/v1: a missing selector selects no pods.
    let sel = ix
        .object(m, inst)
        .node
        .get("spec")
        .and_then(|s| s.get("selector"));
    Some(
        sel.map(Selector::read)
            .unwrap_or_default()
            .with_labels(&inst.transform.selector_labels),
    )
}

/// Workload instances (indexes) the selector protects, in the PDB's namespace and unit. A
/// workload written without a pod template is judged by its own selector's labels.
pub fn protected(ix: &Index, m: &[ManifestFile], pdb: &Instance, s: &Selector) -> Vec<usize> {
    let mut out = Vec::new();
    if s.is_empty() {
        return out;
    }
    for (n, w) in ix.instances.iter().enumerate() {
        if w.namespace != pdb.namespace || w.unit != pdb.unit {
            continue;
        }
        let obj = ix.object(m, w);
        let has_template =
            crate::k8s::pod::template_path(&obj.api_version.value, &w.kind).is_some();
        if !has_template {
            continue;
        }
        let mut pods = ix.pods_of(n).peekable();
        let hit = if pods.peek().is_some() {
            pods.any(|p| p.selected_by(s))
        } else {
            obj.node
                .get("spec")
                .and_then(|sp| sp.get("selector"))
                .map(|sel| {
                    let own = Selector::read(sel);
                    !own.match_labels.is_empty() && s.matches(&own.match_labels)
                })
                .unwrap_or(false)
        };
        if hit {
            out.push(n);
        }
    }
    out
}
