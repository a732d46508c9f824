//! K303: a workload that an autoscaler scales and that also sets `spec.replicas`. Every
//! `kubectl apply` of the release resets the count to the file's value — from the 40 pods
//! the HPA had scaled to, down to 3, in the middle of the peak.

use crate::diagnostic::catalogue::K303 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::workloads::{autoscalers_of, entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct HpaWithReplicas;

impl Rule for HpaWithReplicas {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        let mut done = std::collections::HashSet::new();
        for w in &ix.instances {
            if !matches!(
                w.kind.as_str(),
                "Deployment" | "StatefulSet" | "ReplicaSet" | "Rollout"
            ) {
                continue;
            }
            let obj = ix.object(m, w);
            let Some((key, _)) = obj.node.get("spec").and_then(|s| entry(s, "replicas")) else {
                continue;
            };
            let scalers = autoscalers_of(ix, m, w);
            let Some(&a) = scalers.first() else { continue };
            if !done.insert((w.file, w.obj)) {
                continue;
            }
            let a = &ix.instances[a];
            let src = &ix.files[w.file];
            let asrc = &ix.files[a.file];
            out.push(
                Diagnostic::new(
                    &META,
                    src,
                    key_span(src, key),
                    format!(
                        "{} sets spec.replicas while {} scales it: every apply resets the replica count to this value",
                        who(w),
                        who(a)
                    ),
                    "remove spec.replicas and let the autoscaler own the count (set minReplicas instead)",
                    format!("{}/{}", w.kind, w.name),
                )
                .with_related(Location::new(asrc, object_span(asrc, ix.object(m, a))).with_message("the autoscaler")),
            );
        }
    }
}
