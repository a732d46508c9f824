//! K201: a Service whose selector matches no pod template in its namespace. It has no
//! endpoints, so every request sent to it fails.

use crate::diagnostic::catalogue::K201 as META;
use crate::diagnostic::{Diagnostic, InputCode, Location};
use crate::k8s::selector::Selector;
use crate::rules::workloads::{key_span, rollout_services, service_selector, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct ServiceSelectsNothing;

impl Rule for ServiceSelectsNothing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        // Services a Rollout names are K205's: Argo reports them against the Rollout.
        let mut of_rollouts = std::collections::HashSet::new();
        for r in ix.instances.iter().filter(|i| i.kind == "Rollout") {
            for (_, n) in rollout_services(&ix.object(m, r).node) {
                let name = format!(
                    "{}{}{}",
                    r.transform.prefix,
                    n.as_str().unwrap_or(""),
                    r.transform.suffix
                );
                of_rollouts.insert((r.unit, r.namespace.clone(), name));
            }
        }
        let mut reported = std::collections::HashSet::new();
        let unread: std::collections::HashSet<&str> = cx
            .head
            .problems
            .iter()
            .filter(|p| matches!(p.code, InputCode::InvalidSyntax | InputCode::FileSkipped))
            .map(|p| p.path.rsplit_once('/').map(|x| x.0).unwrap_or(""))
            .collect();
        for (svc_i, pods) in ix.service_pods(m) {
            if !pods.is_empty() {
                continue;
            }
            let inst = &ix.instances[*svc_i];
            let obj = ix.object(m, inst);
            let Some((key, sel)) = service_selector(&obj.node) else {
                continue;
            };
            if of_rollouts.contains(&(inst.unit, inst.namespace.clone(), inst.name.clone())) {
                continue;
            }
            let selector = Selector::from_map(sel);
            // Pods of another unit, or of an operator's resource, may carry the labels:
            // not provably without endpoints.
            if ix.selected_anywhere(m, inst, &selector) {
                continue;
            }
            // The pods may be in a file rollsafe could not read (a template, bad YAML).
            let dir = ix.files[inst.file]
                .path
                .rsplit_once('/')
                .map(|x| x.0)
                .unwrap_or("");
            if unread.contains(dir) {
                continue;
            }
            if !reported.insert((inst.file, inst.obj)) {
                continue;
            }
            let src = &ix.files[inst.file];
            let mut d = Diagnostic::new(
                &META,
                src,
                key_span(src, key),
                format!(
                    "{} selects {}, but no pod template in namespace `{}` carries these labels: the Service has no endpoints",
                    who(inst),
                    selector.describe(),
                    inst.namespace
                ),
                "make the selector match the labels of the workload's pod template (`spec.template.metadata.labels`)",
                format!("{}/{}", inst.namespace, inst.name),
            );
            // The nearest pod: the one sharing the most selector labels.
            let nearest = ix
                .pods
                .iter()
                .filter(|p| {
                    let o = &ix.instances[p.inst];
                    o.namespace == inst.namespace && o.unit == inst.unit
                })
                .map(|p| {
                    let shared = selector
                        .match_labels
                        .iter()
                        .filter(|(k, v)| p.labels.get(*k) == Some(*v))
                        .count();
                    let same_key = selector
                        .match_labels
                        .keys()
                        .filter(|k| p.labels.contains_key(*k))
                        .count();
                    (shared, same_key, p)
                })
                .filter(|(s, k, _)| *s + *k > 0)
                .max_by_key(|(s, k, _)| (*s, *k));
            // Pods with exactly these labels in another namespace: the Service is in the
            // wrong one. Otherwise, when no pod here uses the selector's label keys at all,
            // the workload is deployed from elsewhere (a chart), not mislabelled.
            let elsewhere = ix.pods.iter().find(|p| {
                let o = &ix.instances[p.inst];
                o.namespace != inst.namespace && o.unit == inst.unit && p.selected_by(&selector)
            });
            let p = match (nearest, elsewhere) {
                (Some((shared, _, p)), _) => {
                    // Every selector label the template has matches, and the others are
                    // absent from it (none with another value): a label the pods or their
                    // controller add at run time, as leader election does (minio-operator's
                    // `operator=leader`, Patroni's `spilo-role=master`).
                    let missing: Vec<String> = selector
                        .match_labels
                        .iter()
                        .filter(|(k, _)| !p.labels.contains_key(*k))
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    if shared > 0
                        && shared + missing.len() == selector.match_labels.len()
                        && selector.expressions.is_empty()
                    {
                        d.severity = crate::diagnostic::Severity::Info;
                        d.message = format!(
                            "{} selects {}; the pods of {} carry all of it but {}, which no manifest sets: unless the pods or a controller add it at run time (a leader-election label), the Service has no endpoints",
                            who(inst),
                            selector.describe(),
                            who(&ix.instances[p.inst]),
                            missing.join(", ")
                        );
                    }
                    p
                }
                (None, Some(p)) => {
                    d.message = format!(
                        "{} selects {}, but the pods carrying these labels are in namespace `{}`: a Service only reaches pods of its own namespace",
                        who(inst),
                        selector.describe(),
                        ix.instances[p.inst].namespace
                    );
                    p
                }
                (None, None) => continue,
            };
            {
                let pi = &ix.instances[p.inst];
                let labels: Vec<String> =
                    p.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let t = &p.template;
                let at = t
                    .value
                    .labels_key
                    .as_ref()
                    .map(|k| key_span(&t.src, k))
                    .unwrap_or_else(|| crate::rules::workloads::span_at(&t.src, t.value.pos));
                d = d.with_related(Location::new(&t.src, at).with_message(format!(
                    "{} pods carry {}",
                    who(pi),
                    labels.join(",")
                )));
            }
            out.push(d);
        }
    }
}
