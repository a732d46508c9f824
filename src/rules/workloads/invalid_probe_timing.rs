//! K104: probe timings the API server rejects: a `successThreshold` other than 1 on a
//! liveness or startup probe. (A timeout at or above the period is not reported: the
//! kubelet's probe worker runs one probe at a time and drops missed ticks, so checks never
//! overlap — `pkg/kubelet/prober/worker.go`, `run`/`doProbe`.)

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K104 as META;
use crate::k8s::pod::{ProbeKind, Role};
use crate::rules::workloads::{entry, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct InvalidProbeTiming;

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
                }
            }
        }
    }
}
