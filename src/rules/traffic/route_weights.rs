//! T301: route weights that look like percentages that do not add up: every backend of
//! a VirtualService route, Gateway API rule or SMI TrafficSplit weighted explicitly, and
//! the weights summing to less than 100 (`10 + 10`). The APIs read weights as relative
//! proportions, so `10/10` is a 50/50 split — almost always a typo for `90/10`.
//! VirtualServices that Argo Rollouts manages are skipped: the controller rewrites them.

use std::collections::HashSet;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T301 as META;
use crate::rules::traffic::pct;
use crate::rules::workloads::{key_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::routes::splits;

pub struct RouteWeights;

/// Names of VirtualServices (and routes) that Argo Rollouts rewrites at run time.
pub fn managed_routes(cx: &ProjectCx) -> HashSet<String> {
    let ix = &cx.head.k8s;
    let mut out = HashSet::new();
    for r in ix.instances.iter().filter(|i| i.kind == "Rollout") {
        let obj = ix.object(&cx.head.manifests, r);
        let routing =
            crate::k8s::pod::at_path(&obj.node, &["spec", "strategy", "canary", "trafficRouting"]);
        let Some(routing) = routing else { continue };
        let mut names = Vec::new();
        if let Some(istio) = routing.get("istio") {
            if let Some(n) = istio
                .get("virtualService")
                .and_then(|v| v.get("name"))
                .and_then(crate::yaml::Node::as_str)
            {
                names.push(n);
            }
            for v in istio
                .get("virtualServices")
                .map(crate::yaml::Node::items)
                .unwrap_or(&[])
            {
                if let Some(n) = v.get("name").and_then(crate::yaml::Node::as_str) {
                    names.push(n);
                }
            }
        }
        if let Some(smi) = routing
            .get("smi")
            .and_then(|s| s.get("trafficSplitName"))
            .and_then(crate::yaml::Node::as_str)
        {
            names.push(smi);
        }
        for p in routing
            .get("plugins")
            .map(crate::yaml::Node::entries)
            .unwrap_or(&[])
        {
            for h in
                p.1.get("httpRoutes")
                    .map(crate::yaml::Node::items)
                    .unwrap_or(&[])
            {
                if let Some(n) = h.get("name").and_then(crate::yaml::Node::as_str) {
                    names.push(n);
                }
            }
            if let Some(n) = p.1.get("httpRoute").and_then(crate::yaml::Node::as_str) {
                names.push(n);
            }
        }
        out.extend(
            names
                .into_iter()
                .map(|n| n.split('.').next().unwrap_or(n).to_string()),
        );
    }
    out
}

impl Rule for RouteWeights {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let managed = managed_routes(cx);
        for inst in ix.instances.iter().filter(|i| i.first) {
            if managed.contains(&inst.name) {
                continue;
            }
            let obj = ix.object(&cx.head.manifests, inst);
            for s in splits(&inst.group, &inst.kind, &obj.node) {
                if s.backends.len() < 2 || s.backends.iter().any(|b| b.weight.is_none()) {
                    continue;
                }
                let weights: Vec<i128> = s.backends.iter().filter_map(|b| b.weight).collect();
                let total: i128 = weights.iter().sum();
                // Only weights that read like percentages (multiples of 5, e.g. 10 + 10):
                // `0 + 1` or `1 + 2` are proportions written on purpose.
                let like_percent =
                    weights.iter().all(|w| w % 5 == 0) && weights.iter().any(|w| *w >= 5);
                if total >= 100 || total == 0 || !like_percent {
                    continue;
                }
                let src = &ix.files[inst.file];
                let written: Vec<String> = s
                    .backends
                    .iter()
                    .map(|b| b.weight.unwrap_or(0).to_string())
                    .collect();
                let real: Vec<String> = s
                    .shares()
                    .iter()
                    .map(|(n, p)| format!("{n} {}", pct(*p)))
                    .collect();
                out.push(Diagnostic::new(
                    &META,
                    src,
                    key_span(src, &s.key),
                    format!("the weights of {} ({}) add up to {total}, not 100: they are proportions, so the real split is {}", who(inst), written.join(" + "), real.join(", ")),
                    "write weights that add up to 100 (e.g. 90 and 10) so that what you read is what runs",
                    format!("{}/{}/{}", inst.kind, inst.name, s.label),
                ));
            }
        }
    }
}
