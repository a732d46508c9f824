//! K rules: probes, ports, Services, scaling and rollback ability of workloads in
//! Kubernetes and compose manifests.

pub mod probe_port_not_exposed;

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
