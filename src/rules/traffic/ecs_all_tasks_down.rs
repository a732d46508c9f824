//! T501: an ECS service deployment that can stop every task at once —
//! `MinimumHealthyPercent: 0` with more than one task (or a count set elsewhere) — or one
//! that cannot make progress (`MaximumPercent` at most 100 with `MinimumHealthyPercent`
//! 100: no task may be added or removed). Only for the rolling-update (`ECS`) deployment
//! controller: with `CODE_DEPLOY` or `EXTERNAL` these percentages bound only tasks on
//! draining container instances, not deployments.

use crate::diagnostic::catalogue::T501 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::aws::{ecs_services, field, int};
use crate::rules::workloads::span_at;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct EcsAllTasksDown;

impl Rule for EcsAllTasksDown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for f in &cx.head.aws {
            let src = &f.source;
            for svc in ecs_services(&f.doc) {
                if svc.controller.is_some_and(|t| t != "ECS") {
                    continue;
                }
                let Some((_, cfg)) = svc.config else { continue };
                let min = field(cfg, "MinimumHealthyPercent");
                let max = field(cfg, "MaximumPercent");
                let (min_v, max_v) = (int(min.map(|x| x.1)), int(max.map(|x| x.1)));
                if let (Some((_, n)), Some(0)) = (min, min_v)
                    && svc.desired != Some(1)
                {
                    let tasks = match svc.desired {
                        Some(d) => format!("all {d} tasks"),
                        None => "every task".to_string(),
                    };
                    out.push(Diagnostic::new(
                        &META,
                        src,
                        span_at(src, n.pos),
                        format!("ECS service `{}` allows MinimumHealthyPercent 0: a deployment may stop {tasks} before new ones are healthy — an outage on every release", svc.name),
                        "keep MinimumHealthyPercent at 50–100 (with MaximumPercent 200 the new tasks start first)",
                        format!("{}/min", svc.name),
                    ));
                }
                if let (Some(100), Some(m), Some((_, n))) = (min_v, max_v, max)
                    && m <= 100
                {
                    out.push(
                        Diagnostic::new(
                            &META,
                            src,
                            span_at(src, n.pos),
                            format!("ECS service `{}` sets MaximumPercent {m} with MinimumHealthyPercent 100: no task may be added or stopped, so a deployment cannot replace any", svc.name),
                            "allow a surge (MaximumPercent 200) or a dip (MinimumHealthyPercent below 100)",
                            format!("{}/stuck", svc.name),
                        )
                        .with_severity(Severity::Error),
                    );
                }
            }
        }
    }
}
