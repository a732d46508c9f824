//! T402: a rolling update that must start the new pod while the old one still holds a
//! `ReadWriteOnce` volume: a single-replica Deployment mounting a ReadWriteOnce claim,
//! with a surge allowed (the default). With `maxUnavailable` resolving to 0 (the default)
//! a new pod on another node cannot attach the volume and the rollout hangs; with 1 the
//! rollout completes, but old and new pod may share the volume on one node.

use crate::diagnostic::catalogue::T402 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::pod::at_path;
use crate::rules::workloads::{object_span, resolve_amount, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct RwoVolumeSurge;

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
            // maxUnavailable rounds down: the default 25% of one replica is 0.
            let unavailable = ru
                .and_then(|r| r.get("maxUnavailable"))
                .and_then(|n| resolve_amount(n, 1, false))
                .unwrap_or(0);
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
                    let has = |m: &str| modes.items().iter().any(|x| x.as_str() == Some(m));
                    if has("ReadWriteOncePod") {
                        Some((claim, true))
                    } else if has("ReadWriteOnce") {
                        Some((claim, false))
                    } else {
                        None
                    }
                });
            let Some((claim, one_pod)) = rwo else {
                continue;
            };
            let (severity, message, help) = if unavailable == 0 {
                (
                    Severity::Warning,
                    format!(
                        "{} runs 1 replica with a ReadWriteOnce claim, and its rolling update (maxUnavailable resolves to 0) keeps the old pod until the new one is ready: a new pod on another node cannot attach the volume, so the rollout hangs until its deadline",
                        who(w)
                    ),
                    "use `strategy: {type: Recreate}` for this workload (or a StatefulSet), or `maxSurge: 0` with `maxUnavailable: 1`",
                )
            } else if one_pod {
                // ReadWriteOncePod: the old pod is deleted at once, the new one attaches
                // after it; nothing can share the volume.
                continue;
            } else {
                (
                    Severity::Info,
                    format!(
                        "{} runs 1 replica with a ReadWriteOnce claim and surges a new pod: the rollout completes (the old pod is removed at once), but a new pod on the same node can run beside the old one against the same volume, which single-writer software such as a database does not survive",
                        who(w)
                    ),
                    "if the software must be the volume's only writer, use `strategy: {type: Recreate}` (or a ReadWriteOncePod claim)",
                )
            };
            let src = &ix.files[w.file];
            let _ = object_span(src, obj);
            out.push(
                Diagnostic::new(
                    &META,
                    src,
                    span_at(src, claim.pos),
                    message,
                    help,
                    format!("{}/{}", w.kind, w.name),
                )
                .with_severity(severity),
            );
        }
    }
}
