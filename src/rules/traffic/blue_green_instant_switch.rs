//! T107: an Argo blue-green rollout that switches all traffic as soon as the new pods
//! are ready — `autoPromotionEnabled` (true by default) with no `prePromotionAnalysis`
//! and no `autoPromotionSeconds` — or that scales the old version down sooner than the
//! 30 s Argo recommends (`scaleDownDelaySeconds`), leaving nothing to switch back to.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T107 as META;
use crate::k8s::pod::at_path;
use crate::rules::workloads::{entry, key_span, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct BlueGreenInstantSwitch;

impl Rule for BlueGreenInstantSwitch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "Rollout" && i.group == "argoproj.io")
        {
            let obj = ix.object(&cx.head.manifests, inst);
            let Some(strategy) = at_path(&obj.node, &["spec", "strategy"]) else {
                continue;
            };
            let Some((bg_key, bg)) = entry(strategy, "blueGreen") else {
                continue;
            };
            let src = &ix.files[inst.file];
            let auto = bg
                .get("autoPromotionEnabled")
                .is_none_or(|n| n.kind != Kind::Bool(false));
            if auto
                && bg.get("prePromotionAnalysis").is_none()
                && bg.get("autoPromotionSeconds").is_none()
            {
                out.push(Diagnostic::new(
                    &META,
                    src,
                    key_span(src, bg_key),
                    format!("{} switches 100% of traffic to the new version as soon as its pods are ready: autoPromotionEnabled is {}, with no prePromotionAnalysis and no autoPromotionSeconds", who(inst), if bg.get("autoPromotionEnabled").is_some() { "true" } else { "true by default" }),
                    "add a prePromotionAnalysis, or `autoPromotionEnabled: false` for a manual promotion, or at least `autoPromotionSeconds` to test the preview first",
                    format!("{}/{}/auto", inst.kind, inst.name),
                ));
            }
            if let Some((_, d)) = entry(bg, "scaleDownDelaySeconds")
                && let Kind::Int(n) = d.kind
                && n < 30
            {
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, d.pos),
                    format!("{} scales the old version down {n} s after the switch, under the 30 s Argo recommends for routing to settle: an abort then has nothing to switch back to", who(inst)),
                    "keep scaleDownDelaySeconds at 30 or more (the default is 30)",
                    format!("{}/{}/scaledown", inst.kind, inst.name),
                ));
            }
        }
    }
}
