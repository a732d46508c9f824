//! K302: an autoscaler on CPU or memory utilisation while a container of the target sets
//! no request for that resource. Utilisation is a percentage of the request; without one
//! the HPA reports `missing request for cpu` and never scales.

use crate::diagnostic::catalogue::K302 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::pod::Role;
use crate::rules::workloads::{entry, key_span, scale_target, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Node;

pub struct HpaWithoutRequests;

/// (resource, the one container a `containerResource` metric reads, node to point at)
/// for each utilisation metric of an HPA.
fn utilisation_metrics(hpa: &Node) -> Vec<(String, Option<String>, &Node)> {
    let mut out = Vec::new();
    let Some(spec) = hpa.get("spec") else {
        return out;
    };
    if let Some(n) = spec.get("targetCPUUtilizationPercentage") {
        out.push(("cpu".to_string(), None, n));
    }
    for metric in spec.get("metrics").map(Node::items).unwrap_or(&[]) {
        for key in ["resource", "containerResource"] {
            let Some(r) = metric.get(key) else { continue };
            let Some(name) = r.get("name").and_then(Node::as_str) else {
                continue;
            };
            let utilisation = r
                .get("target")
                .and_then(|t| t.get("type"))
                .and_then(Node::as_str)
                == Some("Utilization")
                || r.get("targetAverageUtilization").is_some();
            if utilisation {
                // The HPA sums the requests of the named container only
                // (`calculatePodRequests(pods, container, resource)`).
                let container = (key == "containerResource")
                    .then(|| {
                        r.get("container")
                            .and_then(Node::as_str)
                            .map(str::to_string)
                    })
                    .flatten();
                out.push((name.to_string(), container, r.get("name").expect("checked")));
            }
        }
    }
    out
}

/// The pod template's own `resources` (PodLevelResources) request or limit `resource`.
fn pod_level_request(workload: &Node, resource: &str) -> bool {
    let spec = workload.get("spec");
    let pod_spec = spec
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("spec"))
        .or(spec);
    pod_spec.and_then(|p| p.get("resources")).is_some_and(|r| {
        ["requests", "limits"]
            .iter()
            .any(|k| r.get(k).and_then(|m| m.get(resource)).is_some())
    })
}

impl Rule for HpaWithoutRequests {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for a in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "HorizontalPodAutoscaler")
        {
            let obj = ix.object(m, a);
            let Some((kind, name_node)) = scale_target(a, &obj.node) else {
                continue;
            };
            let name = name_node.as_str().unwrap_or("");
            let full = format!("{}{}{}", a.transform.prefix, name, a.transform.suffix);
            let mut targets = ix.find(a, &kind, &a.namespace, &full);
            targets.extend(ix.find(a, &kind, &a.namespace, name));
            let Some(&t) = targets.first() else { continue };
            let target = &ix.instances[t];
            let Some(pod) = ix.pods_of(t).next() else {
                continue;
            };
            let src = &ix.files[a.file];
            let tobj = ix.object(m, target);
            for (resource, only, at) in utilisation_metrics(&obj.node) {
                // Pod-level resources (`spec.resources`, PodLevelResources) stand in for
                // missing container requests.
                if pod_level_request(&tobj.node, &resource) {
                    continue;
                }
                let Some(c) = pod
                    .containers
                    .iter()
                    .filter(|c| matches!(c.role, Role::Main | Role::Sidecar))
                    .filter(|c| only.as_deref().is_none_or(|o| o == c.name))
                    .find(|c| !c.requests(&resource))
                else {
                    continue;
                };
                let csrc = &c.src;
                let cat = entry(&c.node, "name")
                    .map(|(k, _)| key_span(csrc, k))
                    .unwrap_or_else(|| span_at(csrc, c.node.pos));
                out.push(
                    Diagnostic::new(
                        &META,
                        src,
                        span_at(src, at.pos),
                        format!(
                            "{} scales {} on {resource} utilisation, but container `{}` requests no {resource}: the HPA cannot compute utilisation and never scales",
                            who(a),
                            who(target),
                            c.name
                        ),
                        format!("set `resources.requests.{resource}` on every container of the target"),
                        format!("{}/{}/{resource}", a.kind, a.name),
                    )
                    .with_related(Location::new(csrc, cat).with_message(format!("container `{}`", c.name))),
                );
            }
        }
    }
}
