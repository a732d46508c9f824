//! T202: a Flagger canary whose weight steps are larger than `[traffic] max-step`:
//! `stepWeight` (or a jump in `stepWeights`) above it, or a first step that already
//! reaches `maxWeight`.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T202 as META;
use crate::rules::traffic::max_step;
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::flagger::analysis;

pub struct FlaggerStepTooLarge;

impl Rule for FlaggerStepTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let limit = max_step(cx) as i128;
        let ix = &cx.head.k8s;
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "Canary" && i.group == "flagger.app")
        {
            let obj = ix.object(&cx.head.manifests, inst);
            let a = analysis(&obj.node);
            let weights = a.weights();
            let Some(node) = a.node else { continue };
            let mut prev = 0;
            let mut worst: Option<(i128, i128)> = None;
            for w in &weights {
                if w - prev > limit && worst.is_none_or(|(f, t)| w - prev > t - f) {
                    worst = Some((prev, *w));
                }
                prev = *w;
            }
            let Some((from, to)) = worst else { continue };
            let src = &ix.files[inst.file];
            let at = entry(node, "stepWeights")
                .or(entry(node, "stepWeight"))
                .map(|(k, _)| key_span(src, k))
                .unwrap_or_else(|| object_span(src, obj));
            let single = weights.len() == 1;
            out.push(Diagnostic::new(
                &META,
                src,
                at,
                if single {
                    format!("{} goes from 0% to {to}% in its first and only step, then promotes: there is no gradual shift at all", who(inst))
                } else {
                    format!("{} moves traffic from {from}% to {to}% in one step, more than the {limit}% `max-step`", who(inst))
                },
                format!("use a stepWeight of at most {limit} (for example 10 with maxWeight 50)"),
                format!("{}/{}", inst.kind, inst.name),
            ));
        }
        // A rollout policy the previous release already had is no news of this one.
        cx.standing_practice(&mut out[start..]);
    }
}
