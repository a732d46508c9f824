//! K rules: probes, ports, Services, scaling and rollback ability of workloads in
//! Kubernetes and compose manifests.

pub mod backend_not_found;
pub mod invalid_probe_timing;
pub mod liveness_kills_slow_start;
pub mod probe_port_not_exposed;
pub mod readiness_probe_missing;
pub mod rollout_service_mismatch;
pub mod selector_mismatch;
pub mod service_selects_nothing;
pub mod target_port_not_exposed;

use std::sync::Arc;

use crate::k8s::Instance;
use crate::source::{SourceFile, Span};
use crate::yaml::{Key, Node, Pos};

/// The span of a value on its first line (a mapping value: its first line).
pub fn span_at(src: &SourceFile, pos: Pos) -> Span {
    let end = (pos.offset + pos.len.max(1)).min(src.text.len());
    src.first_line_span(pos.offset.min(src.text.len()), end)
}

pub fn key_span(src: &SourceFile, key: &Key) -> Span {
    src.span(key.pos.offset, key.pos.offset + key.text.len())
}

/// A mapping entry (the last one, as kubectl reads duplicates).
pub fn entry<'a>(node: &'a Node, name: &str) -> Option<(&'a Key, &'a Node)> {
    node.entries()
        .iter()
        .rev()
        .find(|(k, _)| k.text == name)
        .map(|(k, v)| (k, v))
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
pub fn object_span(src: &Arc<SourceFile>, obj: &crate::model::manifest::Object) -> Span {
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
