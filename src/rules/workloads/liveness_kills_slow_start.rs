//! K102: a liveness probe that restarts a container before it can have started. With no
//! startup probe the kubelet begins liveness checks right after `initialDelaySeconds`;
//! a start slower than the budget (a cold cache, a migration, a busy node during the
//! rollout) turns into a restart loop that never finishes the rollout.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K102 as META;
use crate::k8s::pod::{ProbeKind, Role};
use crate::rules::workloads::{key_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct LivenessKillsSlowStart;

impl Rule for LivenessKillsSlowStart {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let min = i128::from(cx.config.workloads.min_startup_seconds);
        let ix = &cx.head.k8s;
        for pod in &ix.pods {
            let inst = &ix.instances[pod.inst];
            if !inst.first {
                continue;
            }
            for c in &pod.containers {
                if !matches!(c.role, Role::Main | Role::Sidecar)
                    || c.probe(ProbeKind::Startup).is_some()
                {
                    continue;
                }
                let Some(live) = c.probe(ProbeKind::Liveness) else {
                    continue;
                };
                let p = &live.value;
                let (Some(delay), Some(failures), Some(period)) = (
                    p.int("initialDelaySeconds"),
                    p.int("failureThreshold"),
                    p.int("periodSeconds"),
                ) else {
                    continue;
                };
                let budget = delay + failures * period;
                if budget >= min {
                    continue;
                }
                out.push(Diagnostic::new(
                    &META,
                    &live.src,
                    key_span(&live.src, &p.key),
                    format!(
                        "liveness probe of container `{}` in {} restarts it unless it is up within {budget} s (initialDelaySeconds {delay} + failureThreshold {failures} × periodSeconds {period}), below the {min} s minimum, and there is no startupProbe",
                        c.name,
                        who(inst)
                    ),
                    "add a startupProbe (same check, failureThreshold × periodSeconds covering the slowest start) or raise initialDelaySeconds/failureThreshold",
                    format!("{}/{}/{}", inst.kind, inst.name, c.name),
                ));
            }
        }
    }
}
