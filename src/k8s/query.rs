//! Queries over the Kubernetes object index that rules of several domains share: who an
//! object is, where to point for it, a Service's selector, an autoscaler's target, the
//! replicas a workload runs with.

use std::sync::Arc;

use crate::k8s::{Index, Instance};
use crate::model::manifest::{ManifestFile, Object};
use crate::source::{SourceFile, Span};
use crate::yaml::span::{entry, span_at};
use crate::yaml::{Key, Node};

/// Whether the repository defines an object of this API group and kind.
pub fn defines_kind(ix: &Index, group: &str, kind: &str) -> bool {
    ix.instances
        .iter()
        .any(|i| i.group == group && i.kind == kind)
}

/// Whether Flux applies the repository: it holds a Flux `Kustomization`, and Flux builds
/// every path it applies with kustomize.
pub fn applied_by_flux(ix: &Index) -> bool {
    defines_kind(ix, "kustomize.toolkit.fluxcd.io", "Kustomization")
}

/// Whether kustomize builds `inst` before it is applied: a kustomization reaches it, or
/// Flux applies the repository (`flux`: [`applied_by_flux`], computed once by the caller).
pub fn built_by_kustomize(ix: &Index, inst: &Instance, flux: bool) -> bool {
    flux || ix.units[inst.unit].starts_with("kustomize:")
}

/// `Deployment web` (with the namespace when it is not `default`).
pub fn who(i: &Instance) -> String {
    if i.name.is_empty() {
        format!("an unnamed {}", i.kind)
    } else if i.namespace == "default" {
        format!("{} `{}`", i.kind, i.name)
    } else {
        format!("{} `{}/{}`", i.kind, i.namespace, i.name)
    }
}

/// Where to point for an object: its `metadata.name` value, else its `kind`.
pub fn object_span(src: &Arc<SourceFile>, obj: &Object) -> Span {
    match &obj.name {
        Some(n) => span_at(src, n.pos),
        None => span_at(src, obj.kind.pos),
    }
}

/// A Service's `spec.selector` (key and value), unless it is an ExternalName Service or
/// has no selector (its endpoints are managed by hand).
pub fn service_selector(svc: &Node) -> Option<(&Key, &Node)> {
    let spec = svc.get("spec")?;
    if spec.get("type").and_then(Node::as_str) == Some("ExternalName") {
        return None;
    }
    entry(spec, "selector").filter(|(_, v)| !v.entries().is_empty())
}

/// Services a Rollout names in its strategy: (field path, service name node).
pub fn rollout_services(rollout: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    let Some(strategy) = rollout.get("spec").and_then(|s| s.get("strategy")) else {
        return out;
    };
    let fields: [(&str, &[&str]); 6] = [
        ("canary", &["canaryService"]),
        ("canary", &["stableService"]),
        ("canary", &["pingPong", "pingService"]),
        ("canary", &["pingPong", "pongService"]),
        ("blueGreen", &["activeService"]),
        ("blueGreen", &["previewService"]),
    ];
    for (s, path) in fields {
        let node = strategy
            .get(s)
            .and_then(|n| crate::k8s::pod::at_path(n, path));
        if let Some(n) = node.filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
            out.push((format!("spec.strategy.{s}.{}", path.join(".")), n));
        }
    }
    out
}

/// An autoscaler's target: (kind, name node). HorizontalPodAutoscaler uses
/// `scaleTargetRef`, KEDA's ScaledObject `scaleTargetRef` too (kind defaults to Deployment).
pub fn scale_target<'a>(inst: &Instance, obj: &'a Node) -> Option<(String, &'a Node)> {
    let autoscaler = (inst.kind == "HorizontalPodAutoscaler" && inst.group == "autoscaling")
        || (inst.kind == "ScaledObject" && inst.group == "keda.sh");
    if !autoscaler {
        return None;
    }
    let r = obj.get("spec")?.get("scaleTargetRef")?;
    let kind = r.get("kind").and_then(Node::as_str).unwrap_or("Deployment");
    Some((kind.to_string(), r.get("name")?))
}

/// The smallest replica count an autoscaler keeps (`minReplicas`, default 1).
pub fn autoscaler_min(obj: &Node) -> i128 {
    let spec = obj.get("spec");
    let n = spec.and_then(|s| s.get("minReplicas").or(s.get("minReplicaCount")));
    match n.map(|n| &n.kind) {
        Some(crate::yaml::Kind::Int(i)) => *i,
        _ => 1,
    }
}

/// Autoscalers (instance indexes) of `target`'s unit whose target is `target`.
pub fn autoscalers_of(ix: &Index, m: &[ManifestFile], target: &Instance) -> Vec<usize> {
    ix.instances
        .iter()
        .enumerate()
        .filter(|(_, a)| a.namespace == target.namespace && a.unit == target.unit)
        .filter(|(_, a)| {
            scale_target(a, &ix.object(m, a).node).is_some_and(|(kind, name)| {
                let name = name.as_str().unwrap_or("");
                let full = format!("{}{}{}", a.transform.prefix, name, a.transform.suffix);
                kind == target.kind && (full == target.name || name == target.name)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

/// Replicas a workload runs with: the autoscalers' minimum when scaled, else
/// `spec.replicas` (default 1). `None` for kinds without replicas (DaemonSet, Job).
pub fn effective_replicas(ix: &Index, m: &[ManifestFile], inst: &Instance) -> Option<i128> {
    if !matches!(
        inst.kind.as_str(),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "Rollout" | "ReplicationController"
    ) {
        return None;
    }
    let scalers = autoscalers_of(ix, m, inst);
    if !scalers.is_empty() {
        return scalers
            .iter()
            .map(|&a| autoscaler_min(&ix.object(m, &ix.instances[a]).node))
            .min();
    }
    match ix.spec_field(m, inst, "replicas").map(|n| &n.kind) {
        Some(crate::yaml::Kind::Int(i)) => Some(*i),
        None | Some(crate::yaml::Kind::Null) => Some(1),
        _ => None,
    }
}

/// An intOrString amount (`2`, `"25%"`) resolved against `total`; percentages round up
/// when `round_up` (maxSurge) and down otherwise (maxUnavailable), as the controllers do.
pub fn resolve_amount(node: &Node, total: i128, round_up: bool) -> Option<i128> {
    match &node.kind {
        crate::yaml::Kind::Int(i) => Some(*i),
        crate::yaml::Kind::Str(s) => {
            let pct: i128 = s.trim().strip_suffix('%')?.trim().parse().ok()?;
            let scaled = pct * total;
            Some(if round_up {
                (scaled + 99) / 100
            } else {
                scaled / 100
            })
        }
        _ => None,
    }
}

/// The port a Service port sends to: `targetPort`, or `port` when it is absent, 0 or ""
/// (the API server's default: `SetDefaults_Service` in pkg/apis/core/v1/defaults.go).
pub fn target_port(service_port: &Node) -> Option<&Node> {
    let unset = |n: &&Node| matches!(&n.kind, crate::yaml::Kind::Int(0)) || n.as_str() == Some("");
    service_port
        .get("targetPort")
        .filter(|n| !unset(n))
        .or(service_port.get("port"))
}
