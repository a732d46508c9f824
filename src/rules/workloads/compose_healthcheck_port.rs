//! K602: a compose healthcheck that probes, from inside the container, the host side of
//! one of the service's port mappings instead of the port the service listens on. The
//! check never passes: the service stays `unhealthy` and everything waiting on
//! `service_healthy` never starts.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K602 as META;
use crate::model::compose;
use crate::rules::workloads::span_at;
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct ComposeHealthcheckPort;

/// Whether the service's environment or command mentions the port (it may listen there).
fn mentions(svc: &Node, port: u32) -> bool {
    let p = port.to_string();
    let has = |n: &Node| match &n.kind {
        Kind::Str(s) => s.contains(&p),
        Kind::Int(i) => *i == i128::from(port),
        _ => false,
    };
    ["environment", "command", "entrypoint"].iter().any(|k| {
        svc.get(k).is_some_and(|n| {
            has(n) || n.items().iter().any(has) || n.entries().iter().any(|(_, v)| has(v))
        })
    })
}

impl Rule for ComposeHealthcheckPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for f in &cx.head.compose {
            for (k, svc) in compose::services(&f.doc) {
                let Some((cmd, node)) = compose::health_command(svc) else {
                    continue;
                };
                let Some(port) = compose::probed_local_port(&cmd) else {
                    continue;
                };
                let ports = compose::container_ports(svc);
                if ports.is_empty() || ports.contains(&port) || mentions(svc, port) {
                    continue;
                }
                // `ports:` and `expose:` list what is published, not everything the
                // process listens on (an OpenTelemetry collector's health endpoint on
                // 13133 beside its published 4317, docs.rs): only the host side of a
                // mapping, probed from inside the container, is known to be wrong.
                let Some((_, inside)) = compose::published_ports(svc)
                    .into_iter()
                    .find(|(host, container)| *host == port && *container != port)
                else {
                    continue;
                };
                let src = &f.source;
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, node.pos),
                    format!(
                        "healthcheck of service `{}` probes port {port}, the host side of `{port}:{inside}`, from inside the container, where the service listens on {inside}: the check never passes",
                        k.text
                    ),
                    "probe the port the service serves on (the container side of `ports:` or `expose:`)",
                    format!("{}/{port}", k.text),
                ));
            }
        }
    }
}
