//! K101: a probe's port is not a port the container declares. A named port that does not
//! exist makes the probe fail every time; a number the container does not declare is
//! usually a port the process does not listen on.

use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::pod::Role;
use crate::project::ProjectCx;
use crate::rules::workloads::{span_at, who};
use crate::rules::{Domain, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct ProbePortNotExposed;

static META: RuleMeta = RuleMeta {
    code: "K101",
    name: "probe-port-not-exposed",
    domain: Domain::Workloads,
    severity: Severity::Error,
    summary: "A liveness, readiness or startup probe targets a port the container does not declare.",
    needs_base: false,
};

impl Rule for ProbePortNotExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for pod in &ix.pods {
            let inst = &ix.instances[pod.inst];
            if !inst.first {
                continue;
            }
            for c in &pod.containers {
                if !matches!(c.role, Role::Main | Role::Sidecar) {
                    continue;
                }
                for probe in &c.probes {
                    let Some((handler, Some(port))) = probe.value.handler() else {
                        continue;
                    };
                    let kind = probe.value.kind.word();
                    let tcp = |p: &crate::k8s::pod::Port| p.protocol.eq_ignore_ascii_case("TCP");
                    let finding = match &port.kind {
                        Kind::Str(name) if name.parse::<u16>().is_err() => {
                            match c.port_named(name) {
                                Some(p) if tcp(p) => None,
                                Some(p) => Some((
                                    Severity::Error,
                                    format!(
                                        "{kind} probe of container `{}` in {} uses port `{name}`, which is a {} port; the {handler} check needs TCP and always fails",
                                        c.name,
                                        who(inst),
                                        p.protocol
                                    ),
                                )),
                                None => Some((
                                    Severity::Error,
                                    format!(
                                        "{kind} probe of container `{}` in {} uses port `{name}`, but the container declares no port of that name, so the probe always fails",
                                        c.name,
                                        who(inst)
                                    ),
                                )),
                            }
                        }
                        Kind::Int(n) => {
                            let declared: Vec<String> = c
                                .ports
                                .iter()
                                .filter_map(|p| p.number.map(|n| n.to_string()))
                                .collect();
                            // With no declared port at all nothing says where it listens.
                            (!declared.is_empty() && !c.declares_port(*n)).then(|| {
                                (
                                    Severity::Warning,
                                    format!(
                                        "{kind} probe of container `{}` in {} uses port {n}, but the container declares only {}",
                                        c.name,
                                        who(inst),
                                        declared.join(", ")
                                    ),
                                )
                            })
                        }
                        _ => None,
                    };
                    if let Some((severity, message)) = finding {
                        let help = match probe.value.kind {
                            crate::k8s::pod::ProbeKind::Liveness => {
                                "point the probe at a declared container port (by name or number); a failing liveness probe restarts the container in a loop"
                            }
                            _ => {
                                "point the probe at a declared container port (by name or number); until it passes the pod never becomes ready and the rollout stalls"
                            }
                        };
                        out.push(
                            Diagnostic::new(
                                &META,
                                &probe.src,
                                span_at(&probe.src, port.pos),
                                message,
                                help,
                                format!("{}/{}/{}/{kind}", inst.kind, inst.name, c.name),
                            )
                            .with_severity(severity),
                        );
                    }
                }
            }
        }
    }
}
