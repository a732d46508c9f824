//! K205: a Service an Argo Rollout names (canary, stable, active, preview, ping, pong)
//! that does not select the Rollout's pods. Argo only adds the pod-template hash to the
//! selector; every other label must already be on the pods, or traffic goes nowhere.

use crate::diagnostic::catalogue::K205 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::selector::Selector;
use crate::rules::workloads::{key_span, rollout_services, service_selector, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct RolloutServiceMismatch;

impl Rule for RolloutServiceMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for (n, r) in ix.instances.iter().enumerate() {
            if r.kind != "Rollout" || r.group != "argoproj.io" || !r.first {
                continue;
            }
            let Some(pod) = ix.pods_of(n).next() else {
                continue;
            };
            let src = &ix.files[r.file];
            let obj = ix.object(m, r);
            for (field, name_node) in rollout_services(&obj.node) {
                let raw = name_node.as_str().unwrap_or("");
                let name = format!("{}{}{}", r.transform.prefix, raw, r.transform.suffix);
                let found = ix.find(r, "Service", &r.namespace, &name);
                let Some(&svc_i) = found.first() else {
                    let services_here = ix.instances.iter().any(|i| {
                        i.is_core("Service") && i.namespace == r.namespace && i.unit == r.unit
                    }) && !ix.defined_anywhere("Service", &r.namespace, &name);
                    if services_here {
                        out.push(Diagnostic::new(
                            &META,
                            src,
                            span_at(src, name_node.pos),
                            format!(
                                "{} names Service `{raw}` in `{field}`, but no such Service is defined in namespace `{}`: Argo marks the Rollout InvalidSpec and does not roll it out until the Service exists",
                                who(r),
                                r.namespace
                            ),
                            "define the Service, or correct the name",
                            format!("{}/{field}/missing", r.name),
                        ));
                    }
                    continue;
                };
                // Labels of the selector the pods lack; a Service of the same name elsewhere
                // that does select them (another copy of the app) clears the finding.
                let missing_of = |i: usize| {
                    let svc = &ix.instances[i];
                    let (key, sel) = service_selector(&ix.object(m, svc).node)?;
                    let selector =
                        Selector::from_map(sel).with_labels(&svc.transform.selector_labels);
                    let missing: Vec<String> = selector
                        .match_labels
                        .iter()
                        .filter(|(k, _)| *k != "rollouts-pod-template-hash")
                        .filter(|(k, v)| {
                            pod.labels.get(*k) != Some(*v)
                                && !pod.variants.iter().any(|l| l.get(*k) == Some(*v))
                        })
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    Some((key, missing))
                };
                if found
                    .iter()
                    .any(|&i| missing_of(i).is_none_or(|(_, miss)| miss.is_empty()))
                {
                    continue;
                }
                let Some((key, missing)) = missing_of(svc_i) else {
                    continue;
                };
                let svc = &ix.instances[svc_i];
                let ssrc = &ix.files[svc.file];
                out.push(
                    Diagnostic::new(
                        &META,
                        src,
                        span_at(src, name_node.pos),
                        format!(
                            "{} uses Service `{raw}` as `{field}`, but its selector requires {}, which the Rollout's pods do not carry: Argo marks the Rollout InvalidSpec (`has unmatch label`) and does not roll it out",
                            who(r),
                            missing.join(",")
                        ),
                        "make the Service's selector a subset of the Rollout's pod template labels; Argo adds only `rollouts-pod-template-hash`",
                        format!("{}/{field}", r.name),
                    )
                    .with_related(
                        Location::new(ssrc, key_span(ssrc, key))
                            .with_message(format!("selector of {}", who(svc))),
                    ),
                );
            }
        }
    }
}
