//! T rules: rollouts that move traffic faster than the new version can be judged.

pub mod analysis_template_missing;
pub mod blue_green_instant_switch;
pub mod canary_step_too_large;
pub mod canary_without_analysis;
pub mod codedeploy_all_at_once;
pub mod ecs_all_tasks_down;
pub mod ecs_circuit_breaker_no_rollback;
pub mod flagger_step_too_large;
pub mod flagger_too_fast;
pub mod flagger_unwatched;
pub mod recreate_behind_service;
pub mod route_shift_too_large;
pub mod route_weights;
pub mod rwo_volume_surge;
pub mod short_bake;
pub mod short_pause;
pub mod ungated_weight_increase;
pub mod weight_not_representable;

use crate::k8s::Instance;
use crate::rules::ProjectCx;
use crate::traffic::argo::Canary;

/// Argo Rollout canaries of the release (each source object once).
pub fn canaries<'a>(cx: &'a ProjectCx) -> Vec<(&'a Instance, Canary<'a>)> {
    crate::traffic::argo::canaries(&cx.head.k8s, &cx.head.manifests)
}

pub fn max_step(cx: &ProjectCx) -> f64 {
    f64::from(cx.config.traffic.max_step)
}

pub fn min_pause(cx: &ProjectCx) -> u64 {
    cx.config.traffic.min_pause_secs
}

pub fn min_bake(cx: &ProjectCx) -> u64 {
    cx.config.traffic.min_bake_secs
}

/// `12.5` → `12.5%`, `50.0` → `50%`.
pub fn pct(p: f64) -> String {
    if (p - p.round()).abs() < 0.05 {
        format!("{}%", p.round() as i64)
    } else {
        format!("{p:.1}%")
    }
}
