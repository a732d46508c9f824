//! T104: an Argo canary whose timed pauses add up to less than `[traffic] min-bake`
//! before full traffic, with no manual gate and no inline analysis. (An explicit jump to
//! 100% is T101's.)

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T104 as META;
use crate::rules::traffic::{canaries, min_bake};
use crate::rules::workloads::{key_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::argo::StepKind;
use crate::traffic::human;

pub struct ShortBake;

impl Rule for ShortBake {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let min = min_bake(cx);
        for (inst, c) in canaries(cx) {
            if c.steps.is_empty() {
                continue; // no steps: a rolling update
            }
            let mut baked = 0u64;
            let mut exposed = false;
            let mut explicit_full = false;
            let mut judged = false;
            for s in &c.steps {
                match s.kind {
                    StepKind::SetWeight { percent, .. } => {
                        exposed |= percent > 0.0;
                        if percent >= 100.0 {
                            explicit_full = true;
                            break;
                        }
                    }
                    StepKind::Pause(Some(d)) if exposed => baked += d,
                    StepKind::Pause(None) | StepKind::Analysis => judged = true,
                    StepKind::Experiment { duration } => {
                        judged = true;
                        baked += duration.unwrap_or(0);
                    }
                    _ => {}
                }
            }
            if judged || explicit_full || !exposed || baked >= min {
                continue;
            }
            let src = &cx.head.k8s.files[inst.file];
            let steps_key = c
                .node
                .entries()
                .iter()
                .find(|(k, _)| k.text == "steps")
                .map(|(k, _)| key_span(src, k))
                .unwrap_or_else(|| key_span(src, &c.steps[0].key));
            out.push(Diagnostic::new(
                &META,
                src,
                steps_key,
                format!("{} reaches full traffic after {} of pauses in total, less than the {} `min-bake`: the new version is judged for too short a time", who(inst), human(baked), human(min)),
                format!("lengthen the pauses so that they add up to at least {} (or gate a step with an analysis)", human(min)),
                format!("{}/{}", inst.kind, inst.name),
            ));
        }
        // A rollout policy the previous release already had is no news of this one.
        cx.standing_practice(&mut out[start..]);
    }
}
