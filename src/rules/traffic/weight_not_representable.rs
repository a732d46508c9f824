//! T106: canary weights the pods cannot carry as written. Without `trafficRouting` Argo
//! approximates a weight with replica counts, picking the split closest to the weight
//! (`traffic::argo_split`, ported from Argo): setWeight 10 with 4 replicas runs 1 canary pod
//! next to 4 stable (20% of traffic). With traffic routing, `setCanaryScale` below the
//! traffic weight sends that traffic to too few pods (50% of traffic on 1 pod of 10).

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T106 as META;
use crate::rules::traffic::{canaries, pct};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::argo::StepKind;
use crate::traffic::argo_split::canary_stable_counts;

pub struct WeightNotRepresentable;

impl Rule for WeightNotRepresentable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for (inst, c) in canaries(cx) {
            let src = &cx.head.k8s.files[inst.file];
            let r = c.replicas.max(1);
            // (replicas, or weight of the canary's scale) set by setCanaryScale, if any.
            let mut scale: Option<(Option<i128>, Option<i128>)> = None;
            for s in &c.steps {
                match &s.kind {
                    StepKind::SetCanaryScale {
                        replicas,
                        weight,
                        match_traffic,
                    } => {
                        scale = if *match_traffic {
                            None
                        } else {
                            Some((*replicas, *weight))
                        };
                    }
                    StepKind::SetWeight { percent, written }
                        if *percent > 0.0 && *percent < 100.0 =>
                    {
                        let p = *percent;
                        let message = if !c.traffic_routing {
                            let Some(surge) = c.max_surge else { continue };
                            // `replicas: 0` runs no pod at all (Argo returns 0/0).
                            let (canary, stable) = canary_stable_counts(
                                c.replicas as i64,
                                *written as i64,
                                c.max_weight as i64,
                                surge as i64,
                            );
                            let total = canary + stable;
                            if total == 0 {
                                continue;
                            }
                            let real = canary as f64 * 100.0 / total as f64;
                            if canary == 0 {
                                format!(
                                    "{} has no trafficRouting, so Argo approximates setWeight {written} with 0 canary pods of {r} replica (maxSurge 0): no pod runs the new version at this step, and nothing is tested before the next one",
                                    who(inst)
                                )
                            } else if real < p * 2.0 && real - p <= 10.0 {
                                continue;
                            } else {
                                format!(
                                    "{} has no trafficRouting, so Argo approximates setWeight {written} with {canary} canary and {stable} stable pod(s): about {} of traffic, not {}",
                                    who(inst),
                                    pct(real),
                                    pct(p)
                                )
                            }
                        } else if let Some((replicas, weight)) = scale {
                            let capacity = match (replicas, weight) {
                                (Some(n), _) => n as f64 * 100.0 / r as f64,
                                (None, Some(w)) => w as f64,
                                _ => continue,
                            };
                            if capacity <= 0.0 || p / capacity < 2.0 {
                                continue;
                            }
                            format!(
                                "{} sends {} of traffic to a canary scaled to {} of its capacity (setCanaryScale): each canary pod takes {:.0}× its normal load",
                                who(inst),
                                pct(p),
                                pct(capacity),
                                p / capacity
                            )
                        } else {
                            continue;
                        };
                        out.push(Diagnostic::new(
                            &META,
                            src,
                            span_at(src, s.value_pos),
                            message,
                            "use trafficRouting for exact weights, or choose weights the replica count can represent; scale the canary to at least its traffic share (`setCanaryScale: {matchTrafficWeight: true}`)",
                            format!("{}/{}/{}", inst.kind, inst.name, s.index),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
}
