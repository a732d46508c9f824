//! T105: an Argo canary that no analysis watches: no background analysis, no analysis
//! step, no experiment analysis. Progress then depends on time alone, and a failing
//! version is promoted as soon as its pauses end. Switch off with
//! `[traffic] require-analysis = false`.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T105 as META;
use crate::rules::traffic::canaries;
use crate::rules::workloads::{key_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::argo::has_analysis;

pub struct CanaryWithoutAnalysis;

impl Rule for CanaryWithoutAnalysis {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        if !cx.config.traffic.require_analysis {
            return;
        }
        for (inst, c) in canaries(cx) {
            if c.steps.is_empty() || has_analysis(&c) {
                continue;
            }
            let src = &cx.head.k8s.files[inst.file];
            let obj = cx.head.k8s.object(&cx.head.manifests, inst);
            let at = crate::k8s::pod::at_path(&obj.node, &["spec", "strategy"])
                .and_then(|s| s.entries().iter().find(|(k, _)| k.text == "canary"))
                .map(|(k, _)| key_span(src, k))
                .unwrap_or_else(|| key_span(src, &c.steps[0].key));
            out.push(Diagnostic::new(
                &META,
                src,
                at,
                format!("the canary of {} has no analysis: no background analysis, no analysis step, no experiment analysis — it is promoted when its pauses end, whatever the metrics say", who(inst)),
                "add a background `analysis:` with an AnalysisTemplate that checks error rate and latency (`startingStep` at the first weight)",
                format!("{}/{}", inst.kind, inst.name),
            ));
        }
        // A rollout policy the previous release already had is no news of this one.
        cx.standing_practice(&mut out[start..]);
    }
}
