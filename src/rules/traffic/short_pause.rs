//! T103: an Argo canary pause shorter than `[traffic] min-pause`. Metrics need minutes
//! to show a regression; a 30-second pause only waits for pods. A pause without a
//! duration is a manual gate and is fine.

use crate::diagnostic::catalogue::T103 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::traffic::{canaries, min_pause};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::argo::StepKind;
use crate::traffic::human;

pub struct ShortPause;

impl Rule for ShortPause {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let min = min_pause(cx);
        for (inst, c) in canaries(cx) {
            let src = &cx.head.k8s.files[inst.file];
            // Only pauses that hold some traffic matter: before the first weight nothing is exposed.
            let mut exposed = false;
            let mut short = Vec::new();
            for s in &c.steps {
                match s.kind {
                    StepKind::SetWeight { percent, .. } => exposed |= percent > 0.0,
                    StepKind::Pause(Some(d)) if exposed && d < min => short.push((d, s)),
                    _ => {}
                }
            }
            // One finding per canary, at its shortest pause: the fix is one decision about
            // the strategy, and the other short steps go with it.
            let Some(&(d, s)) = short.iter().min_by_key(|(d, s)| (*d, s.index)) else {
                continue;
            };
            let others: Vec<String> = short
                .iter()
                .filter(|(_, o)| o.index != s.index)
                .map(|(_, o)| (o.index + 1).to_string())
                .collect();
            let also = match others.len() {
                0 => String::new(),
                1 => format!(" (step {} too)", others[0]),
                _ => format!(" (steps {} too)", crate::rules::text::and_list(&others)),
            };
            let mut diag = Diagnostic::new(
                &META,
                src,
                span_at(src, s.value_pos),
                format!(
                    "{} pauses only {} at step {}{also}, shorter than the {} `min-pause`: error rates and latency need minutes to move",
                    who(inst),
                    human(d),
                    s.index + 1,
                    human(min)
                ),
                format!(
                    "pause at least {} (`pause: {{duration: {}}}`), or hold the step with an analysis",
                    human(min),
                    crate::traffic::written(min)
                ),
                format!("{}/{}", inst.kind, inst.name),
            );
            for (od, o) in short.iter().filter(|(_, o)| o.index != s.index) {
                diag = diag.with_related(
                    Location::new(src, span_at(src, o.value_pos)).with_message(format!(
                        "step {} pauses {}",
                        o.index + 1,
                        human(*od)
                    )),
                );
            }
            out.push(diag);
        }
        // A rollout policy the previous release already had is no news of this one.
        cx.standing_practice(&mut out[start..]);
    }
}
