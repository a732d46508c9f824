//! K305: a PodDisruptionBudget that allows no disruption at all: `maxUnavailable: 0`,
//! `minAvailable: 100%`, or a `minAvailable` at or above the replicas of a workload it
//! protects (one replica, `minAvailable: 1`). Node drains hang on it, so cluster upgrades
//! and node rotations during a release stall until someone deletes the budget.

use crate::diagnostic::catalogue::K305 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::kustomize::scalar_text;
use crate::k8s::pdb;
use crate::rules::workloads::{
    effective_replicas, entry, object_span, resolve_amount, span_at, who,
};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Kind;

pub struct PdbBlocksEviction;

impl Rule for PdbBlocksEviction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        let mut done = std::collections::HashSet::new();
        for p in &ix.instances {
            let Some(s) = pdb::selector(p, m, ix) else {
                continue;
            };
            let obj = ix.object(m, p);
            let Some(spec) = obj.node.get("spec") else {
                continue;
            };
            let src = &ix.files[p.file];
            let max_unavailable = entry(spec, "maxUnavailable");
            let min_available = entry(spec, "minAvailable");
            let mut finding = None;
            if let Some((_, v)) = max_unavailable {
                let zero = matches!(&v.kind, Kind::Int(0))
                    || matches!(&v.kind, Kind::Str(t) if t.trim() == "0%");
                if zero {
                    finding = Some((
                        v,
                        format!(
                            "{} sets maxUnavailable to {}: no pod may ever be evicted",
                            who(p),
                            scalar_text(v).unwrap_or_default()
                        ),
                        None,
                    ));
                }
            }
            if let Some((_, v)) = min_available {
                if matches!(&v.kind, Kind::Str(t) if t.trim() == "100%") {
                    finding = Some((
                        v,
                        format!(
                            "{} sets minAvailable to 100%: no pod may ever be evicted",
                            who(p)
                        ),
                        None,
                    ));
                } else {
                    for w in pdb::protected(ix, m, p, &s) {
                        let wi = &ix.instances[w];
                        let Some(replicas) = effective_replicas(ix, m, wi) else {
                            continue;
                        };
                        let Some(min) = resolve_amount(v, replicas, true) else {
                            continue;
                        };
                        if replicas - min <= 0 {
                            finding = Some((
                                v,
                                format!(
                                    "{} requires {min} available pod(s) of {}, which runs {replicas}: no pod may be evicted, so node drains hang",
                                    who(p),
                                    who(wi)
                                ),
                                Some(w),
                            ));
                            break;
                        }
                    }
                }
            }
            let Some((at, message, workload)) = finding else {
                continue;
            };
            if !done.insert((p.file, p.obj)) {
                continue;
            }
            let mut d = Diagnostic::new(
                &META,
                src,
                span_at(src, at.pos),
                message,
                "allow at least one disruption: run more replicas than minAvailable, or use maxUnavailable: 1",
                format!("{}/{}", p.namespace, p.name),
            );
            if let Some(w) = workload {
                let wi = &ix.instances[w];
                let wsrc = &ix.files[wi.file];
                d = d.with_related(
                    Location::new(wsrc, object_span(wsrc, ix.object(m, wi)))
                        .with_message("the protected workload"),
                );
            }
            out.push(d);
        }
    }
}
