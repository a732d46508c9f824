//! K203: a workload whose `spec.selector` does not match its own pod template's labels,
//! or that has no selector where the API requires one. The API server rejects such a
//! built-in workload, so the release stops at `kubectl apply`; it accepts such a Rollout
//! (its CRD requires neither), and the Argo Rollouts controller then refuses it.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K203 as META;
use crate::k8s::pod::at_path;
use crate::k8s::selector::{Selector, labels};
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct SelectorMismatch;

/// Kinds whose selector must match the template, and whether it is a plain map.
fn selector_style(group: &str, kind: &str) -> Option<bool> {
    match (group, kind) {
        ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            Some(false)
        }
        ("argoproj.io", "Rollout") => Some(false),
        ("v1", "ReplicationController") | ("apps.openshift.io", "DeploymentConfig") => Some(true),
        _ => None,
    }
}

/// What happens to the object: the API server validates built-in workloads; a Rollout is
/// a custom resource it stores as given, and the Argo Rollouts controller's own validation
/// (`ValidateRolloutSpec`) sets the InvalidSpec condition and leaves the pods as they are.
fn refusal(kind: &str) -> &'static str {
    if kind == "Rollout" {
        "the Argo Rollouts controller marks it InvalidSpec (Degraded) and runs none of its pods"
    } else {
        "the API server rejects it"
    }
}

impl Rule for SelectorMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for (n, inst) in ix.instances.iter().enumerate().filter(|(_, i)| i.first) {
            let Some(plain) = selector_style(&inst.group, &inst.kind) else {
                continue;
            };
            let obj = ix.object(&cx.head.manifests, inst);
            let src = &ix.files[inst.file];
            let spec = obj.node.get("spec");
            let Some((key, sel)) = spec.and_then(|s| entry(s, "selector")) else {
                // Defaulted from the template labels by old API versions and RCs.
                let workload_ref = spec.and_then(|s| s.get("workloadRef")).is_some();
                // kustomize `commonLabels` (or `labels` with `includeSelectors`) create
                // `spec.selector.matchLabels` with their labels.
                // A workload whose containers name no image is a patch that `kubectl
                // apply` merges into the live object (fineract's production lockdown
                // adds args and envFrom to `keycloak`), not an object to create.
                let containers = at_path(&obj.node, &["spec", "template", "spec", "containers"])
                    .map_or(&[][..], |c| c.items());
                let patch =
                    !containers.is_empty() && containers.iter().all(|c| c.get("image").is_none());
                let required = ((inst.kind == "Rollout" && !workload_ref)
                    || obj.api_version.value == "apps/v1")
                    && inst.transform.selector_labels.is_empty()
                    && !patch;
                if required {
                    out.push(Diagnostic::new(
                        &META,
                        src,
                        object_span(src, obj),
                        format!(
                            "{} has no `spec.selector`; {}",
                            who(inst),
                            refusal(&inst.kind)
                        ),
                        "add `spec.selector.matchLabels` with the pod template's labels",
                        format!("{}/{}/missing", inst.kind, inst.name),
                    ));
                }
                continue;
            };
            let template_labels = match at_path(&obj.node, &["spec", "template"]) {
                Some(t) => labels(at_path(t, &["metadata", "labels"])),
                // workloadRef: the referenced Deployment's template.
                None => match ix.pods_of(n).next() {
                    Some(p) => p.labels.clone(),
                    None => continue,
                },
            };
            let selector = if plain {
                Selector::from_map(sel)
            } else {
                Selector::read(sel)
            };
            let mut l = template_labels.clone();
            l.extend(inst.transform.labels.clone());
            if selector.is_empty() || selector.matches(&l) {
                continue;
            }
            let shown: Vec<String> = template_labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push(Diagnostic::new(
                &META,
                src,
                key_span(src, key),
                format!(
                    "the selector of {} ({}) does not match its pod template's labels ({}); {}",
                    who(inst),
                    selector.describe(),
                    if shown.is_empty() {
                        "none".to_string()
                    } else {
                        shown.join(",")
                    },
                    refusal(&inst.kind)
                ),
                "make `spec.template.metadata.labels` include every label the selector requires",
                format!("{}/{}", inst.kind, inst.name),
            ));
        }
    }
}
