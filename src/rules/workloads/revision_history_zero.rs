//! K401: `revisionHistoryLimit: 0`. The controller deletes every old ReplicaSet (or
//! ControllerRevision), so `kubectl rollout undo` (and `kubectl argo rollouts undo`) has
//! nothing to go back to: a bad release can only be fixed by shipping another one. An
//! Argo abort still works: Argo never deletes the stable ReplicaSet.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K401 as META;
use crate::rules::workloads::{entry, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct RevisionHistoryZero;

impl Rule for RevisionHistoryZero {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for w in ix.instances.iter().filter(|i| i.first) {
            let workload = matches!(
                (w.group.as_str(), w.kind.as_str()),
                (
                    "apps" | "extensions",
                    "Deployment" | "StatefulSet" | "DaemonSet"
                ) | ("argoproj.io", "Rollout")
            );
            if !workload {
                continue;
            }
            let obj = ix.object(&cx.head.manifests, w);
            let Some((_, v)) = obj
                .node
                .get("spec")
                .and_then(|s| entry(s, "revisionHistoryLimit"))
            else {
                continue;
            };
            if v.kind != Kind::Int(0) {
                continue;
            }
            let src = &ix.files[w.file];
            out.push(Diagnostic::new(
                &META,
                src,
                span_at(src, v.pos),
                format!(
                    "{} keeps no previous revision (revisionHistoryLimit: 0): `kubectl rollout undo` has nothing to return to",
                    who(w)
                ),
                "keep a few revisions (the default is 10; 3 is plenty) so a bad release can be rolled back",
                format!("{}/{}", w.kind, w.name),
            ));
        }
    }
}
