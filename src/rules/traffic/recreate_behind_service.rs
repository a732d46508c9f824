//! T401: a Deployment with `strategy: Recreate` whose pods a Service selects. Every
//! release stops all old pods before starting new ones: the Service has no endpoints
//! until the new pods are ready — downtime on every deploy. Services that only Prometheus
//! scrapes (metrics ports, or a ServiceMonitor's) do not count.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T401 as META;
use crate::k8s::pod::at_path;
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct RecreateBehindService;

impl Rule for RecreateBehindService {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for (n, w) in ix.instances.iter().enumerate() {
            if !w.first || w.kind != "Deployment" {
                continue;
            }
            let obj = ix.object(m, w);
            let Some(t) = at_path(&obj.node, &["spec", "strategy", "type"]) else {
                continue;
            };
            if t.as_str() != Some("Recreate") {
                continue;
            }
            // One replica with a persistent volume claim (a database, an object store):
            // Recreate is the deliberate choice, since a rolling update would start the new
            // pod beside the old one on the same volume (T402 recommends exactly this).
            let replicas = at_path(&obj.node, &["spec", "replicas"]).map(|n| &n.kind);
            let single = matches!(replicas, None | Some(Kind::Int(0 | 1)));
            let claims = at_path(&obj.node, &["spec", "template", "spec", "volumes"])
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .any(|v| v.get("persistentVolumeClaim").is_some());
            if single && claims {
                continue;
            }
            // A Service that only Prometheus scrapes loses a few scrapes during the
            // restart, which nobody notices: not downtime.
            let served = ix
                .service_pods(m)
                .iter()
                .filter(|(_, pods)| pods.iter().any(|&p| ix.pods[p].inst == n))
                .map(|(s, _)| &ix.instances[*s])
                .find(|svc| !ix.is_scrape_only_service(m, svc));
            let Some(svc) = served else { continue };
            let src = &ix.files[w.file];
            out.push(Diagnostic::new(
                &META,
                src,
                span_at(src, t.pos),
                format!("{} uses the Recreate strategy while {} sends it traffic: each release stops every old pod first, and the Service answers nothing until new pods are ready", who(w), who(svc)),
                "use RollingUpdate (maxUnavailable: 0, maxSurge: 1); if two versions must never run together, use a blue-green rollout instead",
                format!("{}/{}", w.kind, w.name),
            ));
        }
        cx.standing_practice(&mut out[start..]);
    }
}
