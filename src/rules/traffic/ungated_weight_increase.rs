//! T102: an Argo canary weight increase that nothing holds before the next increase (or
//! before the controller's final promotion to 100%): no pause, no analysis, no
//! experiment, no background analysis running. The step lasts only as long as pods take
//! to become ready — nobody judges it.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T102 as META;
use crate::rules::traffic::{canaries, pct};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::argo::{StepKind, gates};

pub struct UngatedWeightIncrease;

impl Rule for UngatedWeightIncrease {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for (inst, c) in canaries(cx) {
            let src = &cx.head.k8s.files[inst.file];
            let mut prev = 0.0;
            let weights: Vec<(usize, f64)> = c
                .steps
                .iter()
                .enumerate()
                .filter_map(|(i, s)| match s.kind {
                    StepKind::SetWeight { percent, .. } => Some((i, percent)),
                    _ => None,
                })
                .collect();
            for (n, (i, p)) in weights.iter().enumerate() {
                let increase = *p > prev;
                let (from, p) = (prev, *p);
                prev = prev.max(p);
                if !increase || p >= 100.0 {
                    continue;
                }
                let next = weights.get(n + 1).map(|x| x.0).unwrap_or(c.steps.len());
                let background = c.background_from.is_some_and(|b| b <= *i);
                if background || (*i + 1..next).any(|j| gates(&c, j)) {
                    continue;
                }
                let then = match weights.get(n + 1) {
                    Some((_, q)) => format!("goes on to {} immediately", pct(*q)),
                    None => "is promoted to 100% immediately (the last step)".to_string(),
                };
                let s = &c.steps[*i];
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, s.value_pos),
                    format!("{} raises traffic from {} to {} at step {} and {then}: no pause or analysis holds the step, so nothing judges the new version at {}", who(inst), pct(from), pct(p), i + 1, pct(p)),
                    "add `- pause: {duration: 5m}` (or an analysis step) after this step, or a background analysis that starts no later than it",
                    format!("{}/{}/{}", inst.kind, inst.name, i),
                ));
            }
        }
    }
}
