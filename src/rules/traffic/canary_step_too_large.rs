//! T101: an Argo canary step that moves too much traffic at once: a first weight above
//! `[traffic] max-step`, or a later increase above twice it (warning), and an explicit
//! jump to 100% before the canary has baked `[traffic] min-bake` (error).

use crate::diagnostic::catalogue::T101 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::traffic::{canaries, max_step, min_bake, pct};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::argo::StepKind;
use crate::traffic::human;

pub struct CanaryStepTooLarge;

impl Rule for CanaryStepTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let limit = max_step(cx);
        let bake_min = min_bake(cx);
        for (inst, c) in canaries(cx) {
            let src = &cx.head.k8s.files[inst.file];
            let mut prev = 0.0;
            let mut baked = 0u64;
            let mut judged = false; // a manual pause or an analysis held the canary
            for s in &c.steps {
                match &s.kind {
                    StepKind::Pause(Some(d)) => baked += d,
                    StepKind::Pause(None) | StepKind::Analysis => judged = true,
                    StepKind::Experiment { duration } => {
                        judged = true;
                        baked += duration.unwrap_or(0);
                    }
                    StepKind::SetWeight { percent, .. } => {
                        let p = *percent;
                        let at = span_at(src, s.value_pos);
                        if p >= 100.0 && prev < 100.0 && !judged && baked < bake_min {
                            out.push(Diagnostic::new(
                                &META,
                                src,
                                at,
                                format!(
                                    "{} sends all traffic to the new version at step {} after {} of bake time (traffic goes from {} to 100%), {}",
                                    who(inst),
                                    s.index + 1,
                                    human(baked),
                                    pct(prev),
                                    // A background analysis watches from its starting step but
                                    // never holds a step: it can only abort what it has seen.
                                    if c.background_from.is_some_and(|from| from <= s.index) {
                                        "with only that long for the background analysis to see a failure"
                                    } else {
                                        "before any analysis has judged it"
                                    }
                                ),
                                format!("ramp up in steps of at most {}% with a pause of at least {} after each, or gate the last step with an analysis; the controller promotes to 100% by itself after the last step", limit, human(bake_min)),
                                format!("{}/{}/{}", inst.kind, inst.name, s.index),
                            ).with_severity(Severity::Error));
                        } else if p - prev > if prev == 0.0 { limit } else { 2.0 * limit } {
                            let (what, bound) = if prev == 0.0 {
                                (
                                    format!("starts the canary at {}", pct(p)),
                                    format!("the {}% `max-step`", limit),
                                )
                            } else {
                                // Once a smaller share has been judged, larger increases are
                                // reasonable: later steps may move up to twice `max-step`.
                                (
                                    format!(
                                        "moves traffic from {} to {} in one step",
                                        pct(prev),
                                        pct(p)
                                    ),
                                    format!(
                                        "twice the {}% `max-step` allowed after the first step",
                                        limit
                                    ),
                                )
                            };
                            out.push(Diagnostic::new(
                                &META,
                                src,
                                at,
                                format!("{} {what} (step {}), more than {bound}: a bad version reaches that many users before anything can react", who(inst), s.index + 1),
                                format!("insert intermediate weights (e.g. {} first) with a pause after each", pct(prev + limit.min(p - prev))),
                                format!("{}/{}/{}", inst.kind, inst.name, s.index),
                            ));
                        }
                        if p > prev {
                            prev = p;
                        }
                    }
                    _ => {}
                }
            }
        }
        // A rollout policy the previous release already had is no news of this one.
        cx.standing_practice(&mut out[start..]);
    }
}
