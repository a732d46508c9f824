//! K304: a PodDisruptionBudget whose selector matches no workload in its namespace. It
//! protects nothing: a node drain during the release can take every replica at once.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K304 as META;
use crate::k8s::pdb;
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct PdbSelectsNothing;

impl Rule for PdbSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        let mut done = std::collections::HashSet::new();
        for p in &ix.instances {
            let Some(s) = pdb::selector(p, m, ix).filter(|s| !s.is_empty()) else {
                continue;
            };
            if ix.pods_in_unit(p) == 0
                || !pdb::protected(ix, m, p, &s).is_empty()
                || ix.selected_anywhere(m, p, &s)
            {
                continue;
            }
            // Some pod of the unit must use the selector's label keys, or the workload is
            // elsewhere.
            let keys_used = ix.pods.iter().any(|pod| {
                let o = &ix.instances[pod.inst];
                o.namespace == p.namespace
                    && o.unit == p.unit
                    && s.match_labels.keys().any(|k| pod.labels.contains_key(k))
            });
            if !keys_used || !done.insert((p.file, p.obj)) {
                continue;
            }
            let src = &ix.files[p.file];
            let obj = ix.object(m, p);
            let at = obj
                .node
                .get("spec")
                .and_then(|sp| entry(sp, "selector"))
                .map(|(k, _)| key_span(src, k))
                .unwrap_or_else(|| object_span(src, obj));
            out.push(Diagnostic::new(
                &META,
                src,
                at,
                format!(
                    "{} selects {}, but no workload in namespace `{}` has pods with these labels: it protects nothing",
                    who(p),
                    s.describe(),
                    p.namespace
                ),
                "make the selector match the pod template labels of the workload it should protect",
                format!("{}/{}", p.namespace, p.name),
            ));
        }
    }
}
