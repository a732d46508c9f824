//! K104: probe timings that cannot work. A `successThreshold` other than 1 on a liveness
//! or startup probe is rejected by the API server; a `timeoutSeconds` at or above
//! `periodSeconds` makes checks overlap, so one slow answer counts as several failures.

use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::pod::{ProbeKind, Role};
use crate::project::ProjectCx;
use crate::rules::workloads::{entry, key_span, span_at, who};
use crate::rules::{Domain, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct InvalidProbeTiming;

static META: RuleMeta = RuleMeta {
    code: "K104",
    name: "invalid-probe-timing",
    domain: Domain::Workloads,
    severity: Severity::Error,
    summary: "A probe's successThreshold is not 1 on a liveness/startup probe, or its timeout is not shorter than its period.",
    needs_base: false,
};

impl Rule for InvalidProbeTiming {
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
            for c in pod
                .containers
                .iter()
                .filter(|c| matches!(c.role, Role::Main | Role::Sidecar))
            {
                for probe in &c.probes {
                    let p = &probe.value;
                    let src = &probe.src;
                    let kind = p.kind.word();
                    if p.kind != ProbeKind::Readiness
                        && let Some((k, v)) = entry(&p.node, "successThreshold")
                        && matches!(v.kind, Kind::Int(n) if n != 1)
                    {
                        out.push(Diagnostic::new(
                            &META,
                            src,
                            span_at(src, v.pos),
                            format!(
                                "{kind} probe of container `{}` in {} sets successThreshold to {}; the API server accepts only 1 for {kind} probes and rejects the object",
                                c.name,
                                who(inst),
                                crate::k8s::kustomize::scalar_text(v).unwrap_or_default()
                            ),
                            "remove successThreshold (it defaults to 1) or set it to 1",
                            format!("{}/{}/{}/{kind}/success", inst.kind, inst.name, c.name),
                        ));
                        let _ = k;
                    }
                    let (Some(timeout), Some(period)) =
                        (p.int("timeoutSeconds"), p.int("periodSeconds"))
                    else {
                        continue;
                    };
                    if timeout >= period && timeout > 0 {
                        let at = entry(&p.node, "timeoutSeconds")
                            .map(|(k, _)| key_span(src, k))
                            .unwrap_or_else(|| key_span(src, &p.key));
                        out.push(
                            Diagnostic::new(
                                &META,
                                src,
                                at,
                                format!(
                                    "{kind} probe of container `{}` in {} waits {timeout} s for an answer but runs every {period} s: checks overlap and one slow answer counts as several failures",
                                    c.name,
                                    who(inst)
                                ),
                                "keep timeoutSeconds below periodSeconds",
                                format!("{}/{}/{}/{kind}/timeout", inst.kind, inst.name, c.name),
                            )
                            .with_severity(Severity::Warning),
                        );
                    }
                }
            }
        }
    }
}
