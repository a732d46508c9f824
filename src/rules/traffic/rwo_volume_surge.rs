//! T402: a rolling update that must start the new pod while the old one still holds a
//! `ReadWriteOnce` volume: a single-replica Deployment mounting a ReadWriteOnce claim,
//! with a surge allowed (the default) or `maxUnavailable: 0`. If the new pod lands on
//! another node it cannot attach the volume, and the rollout hangs until its deadline.

use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::pod::at_path;
use crate::project::ProjectCx;
use crate::rules::workloads::{object_span, resolve_amount, span_at, who};
use crate::rules::{Domain, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct RwoVolumeSurge;

static META: RuleMeta = RuleMeta {
    code: "T402",
    name: "rwo-volume-surge",
    domain: Domain::Traffic,
    severity: Severity::Warning,
    summary: "A single-replica rolling update surges a new pod that needs the old pod's ReadWriteOnce volume.",
    needs_base: false,
};

impl Rule for RwoVolumeSurge {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for w in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "Deployment")
        {
            let obj = ix.object(m, w);
            let replicas = match at_path(&obj.node, &["spec", "replicas"]).map(|n| &n.kind) {
                Some(Kind::Int(i)) => *i,
                None => 1,
                _ => continue,
            };
            if replicas != 1 {
                continue;
            }
            let strategy = at_path(&obj.node, &["spec", "strategy"]);
            if strategy.and_then(|s| s.get("type")).and_then(Node::as_str) == Some("Recreate") {
                continue;
            }
            let ru = strategy.and_then(|s| s.get("rollingUpdate"));
            let surge = ru
                .and_then(|r| r.get("maxSurge"))
                .and_then(|n| resolve_amount(n, 1, true))
                .unwrap_or(1);
            if surge == 0 {
                continue; // the old pod goes first
            }
            // A claim of this namespace with ReadWriteOnce (or ReadWriteOncePod).
            let volumes = at_path(&obj.node, &["spec", "template", "spec", "volumes"]);
            let rwo = volumes
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .find_map(|v| {
                    let claim = at_path(v, &["persistentVolumeClaim", "claimName"])?;
                    let name = claim.as_str()?;
                    let pvc = ix
                        .find(w, "PersistentVolumeClaim", &w.namespace, name)
                        .into_iter()
                        .next()?;
                    let modes = at_path(
                        &ix.object(m, &ix.instances[pvc]).node,
                        &["spec", "accessModes"],
                    )?;
                    modes
                        .items()
                        .iter()
                        .any(|x| matches!(x.as_str(), Some("ReadWriteOnce" | "ReadWriteOncePod")))
                        .then_some(claim)
                });
            let Some(claim) = rwo else { continue };
            let src = &ix.files[w.file];
            let _ = object_span(src, obj);
            out.push(Diagnostic::new(
                &META,
                src,
                span_at(src, claim.pos),
                format!("{} runs 1 replica with a ReadWriteOnce claim and a rolling update that starts the new pod first: on another node it cannot attach the volume, and the rollout hangs", who(w)),
                "use `strategy: {type: Recreate}` for this workload (or a StatefulSet), or `maxSurge: 0` with `maxUnavailable: 1`",
                format!("{}/{}", w.kind, w.name),
            ));
        }
    }
}
