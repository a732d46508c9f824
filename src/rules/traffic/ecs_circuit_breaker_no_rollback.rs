//! T502: an ECS deployment circuit breaker that is enabled without `Rollback`: a failing
//! deployment is stopped but not rolled back, and the service stays on the broken
//! version (or half of it) until someone acts.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T502 as META;
use crate::model::aws::{ecs_services, field};
use crate::rules::workloads::{key_span, span_at};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct EcsCircuitBreakerNoRollback;

impl Rule for EcsCircuitBreakerNoRollback {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for f in &cx.head.aws {
            let src = &f.source;
            for svc in ecs_services(&f.doc) {
                let Some((_, cfg)) = svc.config else { continue };
                let Some((cb_key, cb)) = field(cfg, "DeploymentCircuitBreaker") else {
                    continue;
                };
                let enabled = field(cb, "Enable").is_some_and(|x| x.1.kind == Kind::Bool(true));
                let rollback = field(cb, "Rollback");
                if !enabled || rollback.is_some_and(|x| x.1.kind == Kind::Bool(true)) {
                    continue;
                }
                let at = rollback
                    .map(|(_, v)| span_at(src, v.pos))
                    .unwrap_or_else(|| key_span(src, cb_key));
                out.push(Diagnostic::new(
                    &META,
                    src,
                    at,
                    format!("the deployment circuit breaker of ECS service `{}` is enabled without Rollback: a failing deployment is stopped, not rolled back, and the service keeps running the failed version", svc.name),
                    "set `Rollback: true` so that ECS returns to the last completed deployment",
                    format!("{}/circuit-breaker", svc.name),
                ));
            }
        }
    }
}
