//! K306: a rolling update that cannot make progress or that takes everything down:
//! `maxSurge` and `maxUnavailable` both 0 (the API server and Argo reject it), or
//! `maxUnavailable` that resolves to every replica (all pods stop at once).

use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::kustomize::scalar_text;
use crate::project::ProjectCx;
use crate::rules::workloads::{effective_replicas, entry, resolve_amount, span_at, who};
use crate::rules::{Domain, Rule, RuleMeta};
use crate::yaml::Node;

pub struct RollingUpdateStalls;

static META: RuleMeta = RuleMeta {
    code: "K306",
    name: "rolling-update-stalls",
    domain: Domain::Workloads,
    severity: Severity::Error,
    summary: "maxSurge and maxUnavailable are both 0 (rejected), or maxUnavailable takes every replica down at once.",
    needs_base: false,
};

/// Where a kind keeps maxSurge/maxUnavailable.
fn rolling<'a>(kind: &str, obj: &'a Node) -> Option<&'a Node> {
    let strategy = obj.get("spec")?.get(match kind {
        "DaemonSet" | "StatefulSet" => "updateStrategy",
        _ => "strategy",
    })?;
    match kind {
        "Deployment" | "DaemonSet" | "StatefulSet" => strategy.get("rollingUpdate"),
        "Rollout" => strategy.get("canary"),
        _ => None,
    }
}

impl Rule for RollingUpdateStalls {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for w in ix.instances.iter().filter(|i| i.first) {
            let obj = ix.object(m, w);
            let Some(ru) = rolling(&w.kind, &obj.node) else {
                continue;
            };
            let src = &ix.files[w.file];
            let surge = entry(ru, "maxSurge").map(|x| x.1);
            let unavailable = entry(ru, "maxUnavailable").map(|x| x.1);
            let is_zero = |n: Option<&Node>| {
                n.is_some_and(|n| {
                    resolve_amount(n, 100, false) == Some(0)
                        && scalar_text(n).is_some_and(|t| t.trim_end_matches('%') == "0")
                })
            };
            // DaemonSets and StatefulSets default maxSurge to 0; only both explicit zeros are rejected.
            if is_zero(surge) && is_zero(unavailable) {
                let at = surge.expect("checked");
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, at.pos),
                    format!("{} sets maxSurge and maxUnavailable both to 0: no pod can be added or removed, and the API server rejects it", who(w)),
                    "allow one of them: maxSurge: 1 with maxUnavailable: 0 keeps full capacity during the update",
                    format!("{}/{}/zero", w.kind, w.name),
                ));
                continue;
            }
            let Some(u) = unavailable else { continue };
            let Some(replicas) = effective_replicas(ix, m, w) else {
                if matches!(&u.kind, crate::yaml::Kind::Str(t) if t.trim() == "100%") {
                    out.push(
                        Diagnostic::new(&META, src, span_at(src, u.pos),
                            format!("{} sets maxUnavailable to 100%: every pod is stopped at once during an update", who(w)),
                            "use a small maxUnavailable (1 or 25%) so the old version keeps serving while the new one starts",
                            format!("{}/{}/all", w.kind, w.name))
                        .with_severity(Severity::Warning),
                    );
                }
                continue;
            };
            let Some(n) = resolve_amount(u, replicas, false) else {
                continue;
            };
            if replicas > 1 && n >= replicas {
                out.push(
                    Diagnostic::new(
                        &META,
                        src,
                        span_at(src, u.pos),
                        format!(
                            "{} sets maxUnavailable to {} with {replicas} replicas: every pod is stopped at once during an update",
                            who(w),
                            scalar_text(u).unwrap_or_default()
                        ),
                        "use a small maxUnavailable (1 or 25%) so the old version keeps serving while the new one starts",
                        format!("{}/{}/all", w.kind, w.name),
                    )
                    .with_severity(Severity::Warning),
                );
            }
        }
    }
}
