//! K405: a change, compared with the previous release, to a field the API server does
//! not let `kubectl apply` change. The apply fails half-way through the release: objects
//! before it in the order are updated, the rest are not.

use crate::diagnostic::catalogue::K405 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::pod::at_path;
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct ImmutableFieldChanged;

/// Immutable paths per (group, kind). A `None` value in either release counts as a
/// change only where the field has no server-side default that would equal it.
fn immutable(group: &str, kind: &str) -> &'static [&'static [&'static str]] {
    match (group, kind) {
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") => &[&["spec", "selector"]],
        ("apps", "StatefulSet") => &[
            &["spec", "selector"],
            &["spec", "volumeClaimTemplates"],
            &["spec", "serviceName"],
            &["spec", "podManagementPolicy"],
        ],
        ("v1", "Service") => &[&["spec", "clusterIP"]],
        ("batch", "Job") => &[
            &["spec", "template"],
            &["spec", "selector"],
            &["spec", "completionMode"],
        ],
        ("v1", "PersistentVolumeClaim") => &[
            &["spec", "storageClassName"],
            &["spec", "accessModes"],
            &["spec", "volumeName"],
        ],
        ("v1", "ConfigMap" | "Secret") => &[],
        _ => &[],
    }
}

/// A Job the cluster no longer holds when the next release is applied: deleted by the
/// TTL-after-finished controller (`spec.ttlSecondsAfterFinished`), or a Helm or Argo CD
/// hook, which the tool deletes and creates anew. Applying the new one creates it.
fn replaced_each_release(job: &Node) -> bool {
    let annotation = |k: &str| {
        job.get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(k))
            .is_some()
    };
    at_path(job, &["spec", "ttlSecondsAfterFinished"]).is_some()
        || annotation("helm.sh/hook")
        || annotation("argocd.argoproj.io/hook")
}

/// Whether two mappings (an absent one is empty) hold the same entries, `skip` aside.
fn same_except(a: Option<&Node>, b: Option<&Node>, skip: &[&str]) -> bool {
    fn kept<'n>(n: Option<&'n Node>, skip: &[&str]) -> Vec<(&'n str, &'n Node)> {
        let mut v: Vec<(&str, &Node)> = n
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .filter(|(k, _)| !skip.contains(&k.text.as_str()))
            .map(|(k, v)| (k.text.as_str(), v))
            .collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
    let (x, y) = (kept(a, skip), kept(b, skip));
    x.len() == y.len()
        && x.iter()
            .zip(&y)
            .all(|((ka, va), (kb, vb))| ka == kb && va.same_value(vb))
}

/// Whether two `volumeClaimTemplates` lists are the same once the API server has read
/// them: converting apps/v1 to the internal StatefulSet clears each claim's `apiVersion`
/// and `kind` (`Convert_v1_StatefulSetSpec_To_apps_StatefulSetSpec`, kubernetes#87583),
/// and defaulting fills `status.phase: Pending` and `spec.volumeMode: Filesystem`
/// (`SetDefaults_PersistentVolumeClaim`, `SetDefaults_PersistentVolumeClaimSpec`). Charts
/// write these to quiet GitOps diffs; the immutability check never sees them.
fn same_claim_templates(a: &Node, b: &Node) -> bool {
    fn defaulted_mode(n: Option<&Node>) -> &str {
        n.and_then(Node::as_str).unwrap_or("Filesystem")
    }
    fn same_claim(a: &Node, b: &Node) -> bool {
        let defaulted_status = |n: &Node| {
            n.get("status").is_none_or(|s| {
                same_except(Some(s), None, &["phase"])
                    && s.get("phase").and_then(Node::as_str).unwrap_or("Pending") == "Pending"
            })
        };
        let (sa, sb) = (a.get("spec"), b.get("spec"));
        same_except(Some(a), Some(b), &["apiVersion", "kind", "status", "spec"])
            && defaulted_status(a)
            && defaulted_status(b)
            && same_except(sa, sb, &["volumeMode"])
            && defaulted_mode(sa.and_then(|s| s.get("volumeMode")))
                == defaulted_mode(sb.and_then(|s| s.get("volumeMode")))
    }
    match (&a.kind, &b.kind) {
        (Kind::Seq(x), Kind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_claim(p, q))
        }
        _ => a.same_value(b),
    }
}

/// A Job created suspended may change its pod template's scheduling directives until it
/// first starts (batch validation `validatePodTemplateUpdate` with
/// `AllowMutableSchedulingDirectives`): labels, annotations, node selector, tolerations,
/// scheduling gates and node affinity. Whether it started is not in the manifests; a Job
/// the previous release wrote as `suspend: true` is taken as never started.
fn scheduling_only_change(job: &Node, bjob: &Node) -> bool {
    let suspended = at_path(bjob, &["spec", "suspend"]).is_some_and(|n| n.kind == Kind::Bool(true));
    let (t, bt) = (
        at_path(job, &["spec", "template"]),
        at_path(bjob, &["spec", "template"]),
    );
    fn part<'n>(n: Option<&'n Node>, k: &str) -> Option<&'n Node> {
        n.and_then(|n| n.get(k))
    }
    let (spec, bspec) = (part(t, "spec"), part(bt, "spec"));
    suspended
        && same_except(t, bt, &["metadata", "spec"])
        && same_except(
            part(t, "metadata"),
            part(bt, "metadata"),
            &["labels", "annotations"],
        )
        && same_except(
            spec,
            bspec,
            &["nodeSelector", "tolerations", "schedulingGates", "affinity"],
        )
        && same_except(
            part(spec, "affinity"),
            part(bspec, "affinity"),
            &["nodeAffinity"],
        )
}

impl Rule for ImmutableFieldChanged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        let bix = &base.k8s;
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        // Each finding with what it changed (kind and field) and whose it is.
        let mut found: Vec<(Diagnostic, (String, String), String)> = Vec::new();
        for inst in &ix.instances {
            let paths = immutable(&inst.group, &inst.kind);
            if paths.is_empty() {
                continue;
            }
            let Some(b) = bix.counterpart(ix, inst) else {
                continue;
            };
            let binst = &bix.instances[b];
            let obj = ix.object(&cx.head.manifests, inst);
            let bobj = bix.object(&base.manifests, binst);
            if inst.kind == "Job" && replaced_each_release(&bobj.node) {
                continue;
            }
            let src = &ix.files[inst.file];
            let bsrc = &bix.files[binst.file];
            for path in paths {
                let (now, was) = (at_path(&obj.node, path), at_path(&bobj.node, path));
                let changed = match (now, was) {
                    (Some(_), Some(_))
                        if *path == ["spec", "template"]
                            && scheduling_only_change(&obj.node, &bobj.node) =>
                    {
                        false
                    }
                    (Some(a), Some(b)) if *path == ["spec", "volumeClaimTemplates"] => {
                        !same_claim_templates(a, b)
                    }
                    (Some(a), Some(b)) => !a.same_value(b),
                    // Only a value written in both releases is compared: an absent
                    // clusterIP or storageClassName keeps the one already assigned.
                    _ => false,
                };
                if !changed {
                    continue;
                }
                let field = path.join(".");
                if !done.insert((inst.file, inst.obj, field.clone())) {
                    continue;
                }
                let parent = at_path(&obj.node, &path[..path.len() - 1]);
                let at = parent
                    .and_then(|p| entry(p, path[path.len() - 1]))
                    .map(|(k, _)| key_span(src, k))
                    .unwrap_or_else(|| object_span(src, obj));
                let bparent: Option<&Node> = at_path(&bobj.node, &path[..path.len() - 1]);
                let bat = bparent
                    .and_then(|p| entry(p, path[path.len() - 1]))
                    .map(|(k, _)| key_span(bsrc, k))
                    .unwrap_or_else(|| object_span(bsrc, bobj));
                found.push((
                    Diagnostic::new(
                        &META,
                        src,
                        at,
                        format!(
                            "`{field}` of {} changed since the previous release, but it is immutable: `kubectl apply` fails with `field is immutable` and the release stops half-applied",
                            who(inst)
                        ),
                        "keep the old value, or ship the change as a new object (new name) and delete the old one after the switch",
                        format!("{}/{}/{}/{field}", inst.kind, inst.namespace, inst.name),
                    )
                    .with_related(Location::new(bsrc, bat)
                            .in_base()
                            .with_message("the previous release's value")),
                    (inst.kind.clone(), field),
                    format!("{}/{}", inst.namespace, inst.name),
                ));
            }
        }
        out.extend(fold_same_change(found));
    }
}

/// More objects than this with the same field changed are one move (a storage class
/// migration: theepicsaxguy/homelab v5.0.0 moved 18 claims from Longhorn to Proxmox CSI).
const MANY_OBJECTS: usize = 5;

/// One finding per kind and field when more than [`MANY_OBJECTS`] objects change it: the
/// first names how many others, which become its related locations.
fn fold_same_change(found: Vec<(Diagnostic, (String, String), String)>) -> Vec<Diagnostic> {
    let mut groups: std::collections::BTreeMap<&(String, String), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, (_, key, _)) in found.iter().enumerate() {
        groups.entry(key).or_default().push(i);
    }
    let folds: Vec<(Vec<usize>, String)> = groups
        .into_iter()
        .filter_map(|((kind, _), idx)| {
            // Objects, not findings: alternative bundles repeat one object, and that
            // repetition is folded later, across units.
            let mut names: Vec<&str> = Vec::new();
            for &i in &idx {
                if !names.contains(&found[i].2.as_str()) {
                    names.push(&found[i].2);
                }
            }
            if names.len() <= MANY_OBJECTS {
                return None;
            }
            let shown: Vec<String> = names[1..4].iter().map(|n| format!("`{n}`")).collect();
            let note = format!(
                " (and the same change on {} more {kind} objects of this release: {} and {} others)",
                names.len() - 1,
                shown.join(", "),
                names.len() - 1 - shown.len()
            );
            Some((idx, note))
        })
        .collect();
    let mut diags: Vec<Diagnostic> = found.into_iter().map(|(d, _, _)| d).collect();
    let mut drop = vec![false; diags.len()];
    for (idx, note) in folds {
        crate::diagnostic::merge_into_first(&mut diags, &idx, &mut drop, "the same change", |_| {
            note.clone()
        });
    }
    crate::diagnostic::remove_marked(&mut diags, &drop);
    diags
}
