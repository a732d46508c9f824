//! K306: a rolling update that the API server rejects or that takes everything down:
//! `maxSurge` and `maxUnavailable` both 0 (a Deployment or Argo canary with both written 0,
//! a DaemonSet with `maxUnavailable: 0` and its default `maxSurge: 0`), a DaemonSet with
//! both non-zero, a StatefulSet with `maxUnavailable: 0` (it has no maxSurge), or
//! `maxUnavailable` that resolves to every replica (all pods stop at once).

use crate::diagnostic::catalogue::K306 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::kustomize::scalar_text;
use crate::rules::workloads::{effective_replicas, entry, resolve_amount, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Node;

pub struct RollingUpdateStalls;

/// The number as written (`2`, `"25%"` → 25), as the API server validates it.
fn written(n: &Node) -> Option<i128> {
    scalar_text(n)?
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse()
        .ok()
}

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
        let start = out.len();
        self.check_workloads(cx, out);
        // Stopping every pod at once is a choice some projects make for background
        // workers (Tempo's compactors): without a base it is a standing practice, not
        // known to be new in this release. The rejected strategies stay errors.
        cx.standing_practice(&mut out[start..]);
    }
}

impl RollingUpdateStalls {
    fn check_workloads(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
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
            let finding = |at: &Node, message: String, help: &str, tag: &str| {
                Diagnostic::new(
                    &META,
                    src,
                    span_at(src, at.pos),
                    message,
                    help,
                    format!("{}/{}/{tag}", w.kind, w.name),
                )
            };
            // The API server validates the number as written (`getIntOrPercentValue`), not
            // the count it resolves to, after filling in the kind's defaults.
            let is_zero = |n: Option<&Node>| n.is_some_and(|n| written(n) == Some(0));
            let rejection: Option<(&Node, String, &str)> = match w.kind.as_str() {
                "DaemonSet" => {
                    // Defaults: maxUnavailable 1, maxSurge 0; exactly one must be non-zero.
                    let surge_set = surge.is_some() && !is_zero(surge);
                    let unavailable_set = !is_zero(unavailable);
                    match (surge, unavailable) {
                        (_, Some(u)) if !surge_set && !unavailable_set => Some((u,
                            format!("{} sets maxUnavailable to 0 with maxSurge 0 (its default on a DaemonSet): no node's pod can be replaced, and the API server rejects it (`cannot be 0 when maxSurge is 0`)", who(w)),
                            "allow one pod down per node batch (maxUnavailable: 1), or surge instead: maxSurge: 1 with maxUnavailable: 0")),
                        (Some(at), _) if surge_set && unavailable_set => Some((at,
                            format!("{} sets maxSurge while {}: a DaemonSet takes exactly one of them, and the API server rejects it (`may not be set when maxUnavailable is non-zero`)", who(w),
                                if unavailable.is_none() { "maxUnavailable defaults to 1 on a DaemonSet" } else { "maxUnavailable is also non-zero" }),
                            "to surge, set maxUnavailable: 0 next to maxSurge; otherwise remove maxSurge")),
                        _ => None,
                    }
                }
                // No maxSurge; maxUnavailable (MaxUnavailableStatefulSet, beta and on by
                // default from Kubernetes 1.35) must not be 0 on its own.
                "StatefulSet" => unavailable.filter(|n| is_zero(Some(n))).map(|u| (u,
                    format!("{} sets maxUnavailable to 0: a StatefulSet has no maxSurge to make room, and the API server rejects it (`cannot be 0`; from Kubernetes 1.35, earlier versions drop the field)", who(w)),
                    "remove maxUnavailable (the StatefulSet then replaces one pod at a time), or set it to 1")),
                // Deployments and Argo canaries default both to 25%: only two written zeros
                // are rejected.
                _ => surge.filter(|_| is_zero(surge) && is_zero(unavailable)).map(|at| (at,
                    format!("{} sets maxSurge and maxUnavailable both to 0: no pod can be added or removed, and the API server rejects it", who(w)),
                    "allow one of them: maxSurge: 1 with maxUnavailable: 0 keeps full capacity during the update")),
            };
            if let Some((at, message, help)) = rejection {
                out.push(finding(at, message, help, "zero"));
                continue;
            }
            let Some(u) = unavailable else { continue };
            let all_at_once = |detail: String| {
                finding(
                    u,
                    format!("{} sets maxUnavailable to {detail}: every pod is stopped at once during an update", who(w)),
                    "use a small maxUnavailable (1 or 25%) so the old version keeps serving while the new one starts",
                    "all",
                )
                .with_severity(Severity::Warning)
            };
            let hundred = matches!(&u.kind, crate::yaml::Kind::Str(t) if t.trim() == "100%");
            // A DaemonSet's count is the number of nodes, which the manifests do not say.
            let replicas = if w.kind == "DaemonSet" {
                None
            } else {
                effective_replicas(ix, m, w)
            };
            let Some(replicas) = replicas else {
                if hundred {
                    out.push(all_at_once("100%".into()));
                }
                continue;
            };
            // Percentages round down for Deployments, StatefulSets and Argo Rollouts.
            let Some(n) = resolve_amount(u, replicas, false) else {
                continue;
            };
            if replicas > 1 && n >= replicas {
                out.push(all_at_once(format!(
                    "{} with {replicas} replicas",
                    scalar_text(u).unwrap_or_default()
                )));
            }
        }
    }
}
