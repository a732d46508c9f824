//! K406: a ConfigMap or Secret that workloads read through environment variables (or a
//! `subPath` volume mount), whose content changed in place since the previous release.
//! Both are read once at container start: running pods keep the old values, new pods get
//! the new ones, and a rollback of the Deployment does not bring the old values back.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::catalogue::K406 as META;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::Index;
use crate::k8s::pod::{at_path, template_path};
use crate::model::manifest::ManifestFile;
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct ConfigChangedInPlace;

/// Keys whose values differ (or appear, or disappear) between two data maps.
fn changed_keys(now: &Node, was: &Node) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for field in ["data", "stringData", "binaryData"] {
        let (a, b) = (now.get(field), was.get(field));
        let names: BTreeSet<&str> = a
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .chain(b.map(Node::entries).unwrap_or(&[]))
            .map(|(k, _)| k.text.as_str())
            .collect();
        for k in names {
            let (x, y) = (a.and_then(|m| m.get(k)), b.and_then(|m| m.get(k)));
            let same = match (x, y) {
                (Some(x), Some(y)) => x.same_value(y),
                (None, None) => true,
                _ => false,
            };
            if !same {
                keys.insert(k.to_string());
            }
        }
    }
    keys
}

/// (unit, kind, namespace, name) of every ConfigMap and Secret a workload reads once at
/// container start — through env, or as a volume mounted with `subPath` (which the kubelet
/// never updates) — with the workload instance and how it reads it.
fn start_time_consumers(
    ix: &Index,
    manifests: &[ManifestFile],
) -> HashMap<(usize, String, String, String), (usize, &'static str)> {
    let mut out = HashMap::new();
    for pod in &ix.pods {
        let inst = &ix.instances[pod.inst];
        let mut add = |kind: &str, name: Option<&Node>, how: &'static str| {
            if let Some(n) = name.and_then(Node::as_str) {
                out.entry((
                    inst.unit,
                    kind.to_string(),
                    inst.namespace.clone(),
                    format!("{}{}{}", inst.transform.prefix, n, inst.transform.suffix),
                ))
                .or_insert((pod.inst, how));
            }
        };
        let volumes = pod_volumes(ix, manifests, pod.inst);
        for c in &pod.containers {
            for e in c.node.get("env").map(Node::items).unwrap_or(&[]) {
                let from = e.get("valueFrom");
                let env = "env";
                add(
                    "ConfigMap",
                    from.and_then(|f| at_path(f, &["configMapKeyRef", "name"])),
                    env,
                );
                add(
                    "Secret",
                    from.and_then(|f| at_path(f, &["secretKeyRef", "name"])),
                    env,
                );
            }
            for e in c.node.get("envFrom").map(Node::items).unwrap_or(&[]) {
                add("ConfigMap", at_path(e, &["configMapRef", "name"]), "env");
                add("Secret", at_path(e, &["secretRef", "name"]), "env");
            }
            for m in c.node.get("volumeMounts").map(Node::items).unwrap_or(&[]) {
                if m.get("subPath").is_none() && m.get("subPathExpr").is_none() {
                    continue;
                }
                let Some(v) = m.get("name").and_then(Node::as_str).and_then(|name| {
                    volumes
                        .iter()
                        .find(|v| v.get("name").and_then(Node::as_str) == Some(name))
                }) else {
                    continue;
                };
                let sub = "a subPath mount";
                add("ConfigMap", at_path(v, &["configMap", "name"]), sub);
                add("Secret", at_path(v, &["secret", "secretName"]), sub);
                let sources = at_path(v, &["projected", "sources"]);
                for p in sources.map(Node::items).unwrap_or(&[]) {
                    add("ConfigMap", at_path(p, &["configMap", "name"]), sub);
                    add("Secret", at_path(p, &["secret", "name"]), sub);
                }
            }
        }
    }
    out
}

/// The `volumes` of an instance's pod template.
fn pod_volumes<'m>(ix: &Index, manifests: &'m [ManifestFile], inst: usize) -> &'m [Node] {
    let i = &ix.instances[inst];
    let obj = ix.object(manifests, i);
    let Some(path) = template_path(&obj.api_version.value, &i.kind) else {
        return &[];
    };
    let template = if path.is_empty() {
        Some(&obj.node)
    } else {
        at_path(&obj.node, path)
    };
    template
        .and_then(|t| at_path(t, &["spec", "volumes"]))
        .map(Node::items)
        .unwrap_or(&[])
}

/// The pod template of an instance, as written.
fn template<'m>(ix: &Index, manifests: &'m [ManifestFile], inst: usize) -> Option<&'m Node> {
    let i = &ix.instances[inst];
    let obj = ix.object(manifests, i);
    let path = template_path(&obj.api_version.value, &i.kind)?;
    if path.is_empty() {
        Some(&obj.node)
    } else {
        at_path(&obj.node, path)
    }
}

/// Whether the release changes the workload's pod template too (its text, or an image the
/// build sets): then its pods are replaced and start with the new values, and only a
/// rollback of it mixes old code with new configuration.
fn template_changes(cx: &ProjectCx, base: &crate::project::Project, w: usize) -> bool {
    let (ix, bix) = (&cx.head.k8s, &base.k8s);
    let inst = &ix.instances[w];
    let Some(bw) = bix.counterpart(ix, inst) else {
        return true;
    };
    let (now, was) = (
        template(ix, &cx.head.manifests, w),
        template(bix, &base.manifests, bw),
    );
    if !matches!((now, was), (Some(a), Some(b)) if a.same_value(b)) {
        return true;
    }
    let images = |ix: &Index, i: usize| -> Vec<String> {
        let inst = &ix.instances[i];
        ix.pods
            .iter()
            .filter(|p| p.inst == i)
            .flat_map(|p| &p.containers)
            .filter_map(|c| c.image.as_ref().and_then(|n| n.value.as_str()))
            .map(|raw| inst.transform.image(raw))
            .collect()
    };
    images(ix, w) != images(bix, bw)
}

impl Rule for ConfigChangedInPlace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        let ix = &cx.head.k8s;
        let bix = &base.k8s;
        let consumers = start_time_consumers(ix, &cx.head.manifests);
        let mut done = std::collections::HashSet::new();
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.is_core("ConfigMap") || i.is_core("Secret"))
        {
            let Some(&(w, how)) = consumers.get(&(
                inst.unit,
                inst.kind.clone(),
                inst.namespace.clone(),
                inst.name.clone(),
            )) else {
                continue;
            };
            let Some(b) = bix.counterpart(ix, inst).map(|b| &bix.instances[b]) else {
                continue;
            };
            let obj = ix.object(&cx.head.manifests, inst);
            let bobj = bix.object(&base.manifests, b);
            let keys = changed_keys(&obj.node, &bobj.node);
            if keys.is_empty() || !done.insert((inst.file, inst.obj)) {
                continue;
            }
            let src = &ix.files[inst.file];
            let immutable = obj
                .node
                .get("immutable")
                .is_some_and(|n| n.kind == Kind::Bool(true))
                && bobj
                    .node
                    .get("immutable")
                    .is_some_and(|n| n.kind == Kind::Bool(true));
            let at = ["data", "stringData", "binaryData"]
                .iter()
                .find_map(|f| entry(&obj.node, f))
                .map(|(k, _)| key_span(src, k))
                .unwrap_or_else(|| object_span(src, obj));
            let names: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            let workload = &ix.instances[w];
            let (severity, message) = if immutable {
                (
                    Severity::Error,
                    format!(
                        "{} is immutable, but this release changes {} in place: the API server rejects the update",
                        who(inst),
                        names.join(", ")
                    ),
                )
            } else if template_changes(cx, base, w) {
                (
                    Severity::Info,
                    format!(
                        "{} changes {} in place, and {} reads it through {how}: the release replaces its pods too, so they start with the new values, but rolling {} back does not restore the old ones",
                        who(inst),
                        names.join(", "),
                        who(workload),
                        workload.name
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "{} changes {} in place, and {} reads it through {how}: running pods keep the old values, and rolling {} back does not restore them",
                        who(inst),
                        names.join(", "),
                        who(workload),
                        workload.name
                    ),
                )
            };
            let wsrc = &ix.files[workload.file];
            out.push(
                Diagnostic::new(&META, src, at, message,
                    "ship changed configuration under a new name (kustomize configMapGenerator adds a content hash) and point the workload at it",
                    format!("{}/{}/{}", inst.kind, inst.namespace, inst.name))
                .with_severity(severity)
                .with_related(Location::new(wsrc, object_span(wsrc, ix.object(&cx.head.manifests, workload))).with_message(format!("reads it through {how}"))),
            );
        }
    }
}
