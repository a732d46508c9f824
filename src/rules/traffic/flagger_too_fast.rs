//! T203: a Flagger canary whose fastest promotion — `interval` × number of steps
//! (`maxWeight / stepWeight`, or `iterations`) — is shorter than `[traffic] min-bake`.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T203 as META;
use crate::rules::traffic::min_bake;
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::flagger::analysis;
use crate::traffic::human;

pub struct FlaggerTooFast;

impl Rule for FlaggerTooFast {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let min = min_bake(cx);
        let ix = &cx.head.k8s;
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "Canary" && i.group == "flagger.app")
        {
            let obj = ix.object(&cx.head.manifests, inst);
            let a = analysis(&obj.node);
            let Some(node) = a.node else { continue };
            if a.skip {
                continue; // T201's finding
            }
            let total = a.min_promotion_secs();
            if total == 0 || total >= min {
                continue;
            }
            let src = &ix.files[inst.file];
            let at = entry(node, "interval")
                .map(|(k, _)| key_span(src, k))
                .unwrap_or_else(|| object_span(src, obj));
            let steps = if a.weights().is_empty() {
                format!("{} iterations", a.iterations.unwrap_or(0))
            } else {
                format!("{} steps", a.weights().len())
            };
            out.push(Diagnostic::new(
                &META,
                src,
                at,
                format!("{} can promote after {} ({steps} of {} each), less than the {} `min-bake`: too little time for metrics to catch a regression", who(inst), human(total), human(a.interval), human(min)),
                "lengthen the interval or use smaller steps so that interval × steps is at least the minimum",
                format!("{}/{}", inst.kind, inst.name),
            ));
        }
        // A rollout policy the previous release already had is no news of this one.
        cx.standing_practice(&mut out[start..]);
    }
}
