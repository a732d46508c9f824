//! K101: a probe's port is not a port the container declares. A named port that does not
//! exist makes the probe fail every time; a number the container does not declare is
//! usually a port the process does not listen on.

use crate::diagnostic::catalogue::K101 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::pod::{ProbeKind, Role};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct ProbePortNotExposed;

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
                    let pk = probe.value.kind;
                    let finding = match &port.kind {
                        Kind::Str(name) if name.parse::<u16>().is_err() => {
                            match c.port_named(name) {
                                Some(p) if tcp(p) => None,
                                Some(p) => Some((
                                    unresolved_severity(pk),
                                    format!(
                                        "{kind} probe of container `{}` in {} uses port `{name}`, which is a {} port; the kubelet cannot run a {handler} check on it, so {}",
                                        c.name,
                                        who(inst),
                                        p.protocol,
                                        unresolved_effect(pk)
                                    ),
                                )),
                                None => Some((
                                    unresolved_severity(pk),
                                    format!(
                                        "{kind} probe of container `{}` in {} uses port `{name}`, but the container declares no port of that name, so the kubelet cannot resolve it and {}",
                                        c.name,
                                        who(inst),
                                        unresolved_effect(pk)
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
                            // With no declared port at all nothing says where it listens;
                            // `containerPort` is informational, so a number the container
                            // does not declare may still be where the process listens.
                            (!declared.is_empty() && !c.declares_port(*n)).then(|| {
                                (
                                    Severity::Info,
                                    format!(
                                        "{kind} probe of container `{}` in {} uses port {n}, but the container declares only {}: if nothing listens on {n}, {}",
                                        c.name,
                                        who(inst),
                                        declared.join(", "),
                                        closed_port_effect(pk)
                                    ),
                                )
                            })
                        }
                        _ => None,
                    };
                    if let Some((severity, message)) = finding {
                        let help =
                            "point the probe at a declared container port (by name or number)";
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

/// How severe an unresolvable named port is. The kubelet's prober returns an error, and
/// `worker.doProbe` throws errored results away: readiness stays at its initial
/// Failure and startup at Unknown (the pod never serves), liveness at its initial
/// Success (the container is simply never checked).
fn unresolved_severity(kind: ProbeKind) -> Severity {
    match kind {
        ProbeKind::Liveness => Severity::Warning,
        ProbeKind::Readiness | ProbeKind::Startup => Severity::Error,
    }
}

fn unresolved_effect(kind: ProbeKind) -> &'static str {
    match kind {
        ProbeKind::Readiness => {
            "the pod never becomes ready: the rollout stalls at the first new pod"
        }
        ProbeKind::Startup => {
            "the startup probe never completes: the pod never becomes ready and the rollout stalls"
        }
        ProbeKind::Liveness => {
            "the probe's errors are discarded: the container is never liveness-checked (it is not restarted, even when hung)"
        }
    }
}

/// A port nothing listens on gives a connection refused: a plain probe failure.
fn closed_port_effect(kind: ProbeKind) -> &'static str {
    match kind {
        ProbeKind::Readiness => "the pod never becomes ready and the rollout stalls",
        ProbeKind::Startup => {
            "the startup probe fails until its threshold and the kubelet restarts the container in a loop"
        }
        ProbeKind::Liveness => "the kubelet restarts the container in a loop",
    }
}
