//! K103: pods that a Service sends traffic to, with no readiness probe. During a rolling
//! update a new pod joins the Service's endpoints as soon as its process starts, before
//! it can answer, and the old pods are already being removed.

use std::collections::HashSet;

use crate::diagnostic::catalogue::K103 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::pod::{ProbeKind, Role};
use crate::rules::workloads::{entry, key_span, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct ReadinessProbeMissing;

impl Rule for ReadinessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        let mut done = HashSet::new();
        for (svc_i, pods) in ix.service_pods(m) {
            let svc = &ix.instances[*svc_i];
            // Prometheus scrapes not-ready endpoints too: readiness gates nothing here.
            if ix.is_scrape_only_service(m, svc) {
                continue;
            }
            let sobj = ix.object(m, svc);
            let ports: Vec<&Node> = ix
                .service_ports(m, svc)
                .iter()
                .filter_map(crate::k8s::query::target_port)
                .collect();
            for pod in pods.iter().map(|&p| &ix.pods[p]) {
                let inst = &ix.instances[pod.inst];
                // Run-to-completion pods are not served. A bare ReplicaSet or
                // ReplicationController does not roll: a changed template replaces no
                // running pod (the ReplicaSet controller only counts replicas), and an
                // Argo Rollouts Experiment's pods are short-lived trial copies.
                if matches!(
                    inst.kind.as_str(),
                    "Job" | "CronJob" | "ReplicaSet" | "ReplicationController" | "Experiment"
                ) {
                    continue;
                }
                let main: Vec<_> = pod
                    .containers
                    .iter()
                    .filter(|c| matches!(c.role, Role::Main | Role::Sidecar))
                    .collect();
                if main.is_empty() || main.iter().any(|c| c.probe(ProbeKind::Readiness).is_some()) {
                    continue;
                }
                // The container serving the Service's port, else the first one.
                let serving = main
                    .iter()
                    .find(|c| {
                        ports.iter().any(|p| match &p.kind {
                            Kind::Int(n) => c.declares_port(*n),
                            Kind::Str(s) => c.port_named(s).is_some(),
                            _ => false,
                        })
                    })
                    .unwrap_or(&main[0]);
                if !done.insert((pod.template.src.path.clone(), serving.node.pos.offset)) {
                    continue;
                }
                let src = &serving.src;
                let at = entry(&serving.node, "name")
                    .map(|(k, _)| key_span(src, k))
                    .unwrap_or_else(|| span_at(src, serving.node.pos));
                let ssrc = &ix.files[svc.file];
                let d = Diagnostic::new(
                        &META,
                        src,
                        at,
                        format!(
                            "container `{}` of {} has no readiness probe, but {} sends it traffic: during a rollout new pods get requests before they can answer",
                            serving.name,
                            who(inst),
                            who(svc)
                        ),
                        "add a readinessProbe that passes only when the container can serve (an HTTP health endpoint or its port)",
                        format!("{}/{}/{}", inst.kind, inst.name, serving.name),
                    )
                    .with_related(
                        Location::new(ssrc, crate::rules::workloads::object_span(ssrc, sobj))
                            .with_message("the Service selecting these pods"),
                    );
                out.push(d);
            }
        }
        cx.standing_practice(&mut out[start..]);
    }
}
