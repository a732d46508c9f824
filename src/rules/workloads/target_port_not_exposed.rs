//! K202: a Service port whose `targetPort` no selected pod exposes. A name that no
//! container declares yields no endpoint port at all; a number no container declares is
//! most often a port the process does not listen on.

use crate::diagnostic::catalogue::K202 as META;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::pod::Role;
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct TargetPortNotExposed;

impl Rule for TargetPortNotExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut reported = std::collections::HashSet::new();
        for (svc_i, indexes) in ix.service_pods(&cx.head.manifests) {
            let inst = &ix.instances[*svc_i];
            let obj = ix.object(&cx.head.manifests, inst);
            let pods: Vec<_> = indexes.iter().map(|&p| &ix.pods[p]).collect();
            if pods.is_empty() {
                continue; // K201's finding
            }
            let containers: Vec<_> = pods
                .iter()
                .flat_map(|p| p.containers.iter())
                .filter(|c| matches!(c.role, Role::Main | Role::Sidecar))
                .collect();
            let ports = obj
                .node
                .get("spec")
                .and_then(|s| s.get("ports"))
                .map(Node::items)
                .unwrap_or(&[]);
            for port in ports {
                let Some(target) = crate::k8s::query::target_port(port) else {
                    continue;
                };
                let (severity, message) = match &target.kind {
                    // A numeric string is a (bad) name: K502 reports it.
                    // A fill-in marker (`PORT`) is replaced before anything is applied.
                    Kind::Str(name)
                        if name.parse::<u32>().is_err()
                            && !crate::k8s::schema::placeholder(name) =>
                    {
                        if containers.iter().any(|c| c.port_named(name).is_some()) {
                            continue;
                        }
                        let named: Vec<String> = containers
                            .iter()
                            .flat_map(|c| c.ports.iter().filter_map(|p| p.name.clone()))
                            .collect();
                        let have = if named.is_empty() {
                            "no named ports".to_string()
                        } else {
                            format!("only {}", named.join(", "))
                        };
                        (
                            Severity::Error,
                            format!(
                                "{} sends to targetPort `{name}`, but the selected pods' containers declare {have}: the Service has no endpoint port",
                                who(inst)
                            ),
                        )
                    }
                    Kind::Int(n) => {
                        let declared: Vec<String> = containers
                            .iter()
                            .flat_map(|c| c.ports.iter().filter_map(|p| p.number))
                            .map(|n| n.to_string())
                            .collect();
                        if declared.is_empty() || containers.iter().any(|c| c.declares_port(*n)) {
                            continue;
                        }
                        // Declaring a containerPort is informational: the number may still work.
                        (
                            Severity::Info,
                            format!(
                                "{} sends to port {n}, but the selected pods' containers declare only {}",
                                who(inst),
                                declared.join(", ")
                            ),
                        )
                    }
                    _ => continue,
                };
                if !reported.insert((inst.file, target.pos.offset)) {
                    continue;
                }
                let src = &ix.files[inst.file];
                let pod = pods[0];
                let t = &pod.template;
                out.push(
                    Diagnostic::new(
                        &META,
                        src,
                        span_at(src, target.pos),
                        message,
                        "set targetPort to a containerPort (or its name) of the selected pods",
                        format!(
                            "{}/{}/{}",
                            inst.namespace,
                            inst.name,
                            port.get("port")
                                .and_then(crate::k8s::kustomize::scalar_text)
                                .unwrap_or_default()
                        ),
                    )
                    .with_severity(severity)
                    .with_related(
                        Location::new(&t.src, span_at(&t.src, t.value.pos))
                            .with_message(format!("pods of {}", who(&ix.instances[pod.inst]))),
                    ),
                );
            }
        }
    }
}
