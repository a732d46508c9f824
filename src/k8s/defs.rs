//! Everything that can define a Secret, a ConfigMap, a ServiceAccount or a
//! PersistentVolumeClaim a pod refers to:
//! manifests, External Secrets Operator, Bitnami SealedSecrets, SOPS-encrypted Secrets,
//! kustomize generators, and what `rollsafe.toml` declares external.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::k8s::Index;
use crate::k8s::pod::at_path;
use crate::model::manifest::ManifestFile;
use crate::settings::External;
use crate::source::SourceFile;
use crate::yaml::{Node, Pos};

#[derive(Debug, Clone)]
pub struct Definition {
    /// `Secret`, `ConfigMap`, `ServiceAccount` or `PersistentVolumeClaim`.
    pub kind: &'static str,
    /// `None`: any namespace (a cluster-wide or namespace-less external declaration).
    pub namespace: Option<String>,
    /// The name objects of the same build refer to it by.
    pub name: String,
    /// The name as written (kustomize prefix, suffix and hash not applied).
    pub raw_name: String,
    /// Keys, when they are known.
    pub keys: Option<BTreeSet<String>>,
    /// What defines it, for messages (`ExternalSecret web`).
    pub via: String,
    pub at: Option<(Arc<SourceFile>, Pos)>,
    /// Build scope (0: plain files or external).
    pub scope: usize,
    /// Deployment unit (`None`: declared external, known to every unit).
    pub unit: Option<usize>,
    /// A generator whose name gets a content hash: only built-in kinds' references to it
    /// are rewritten by kustomize.
    pub hashed: bool,
}

fn keys_of(maps: &[Option<&Node>]) -> BTreeSet<String> {
    maps.iter()
        .flatten()
        .flat_map(|m| m.entries().iter().map(|(k, _)| k.text.clone()))
        .collect()
}

/// Whether a manifest document is SOPS-encrypted (its keys stay readable).
pub fn is_sops(node: &Node) -> bool {
    node.get("sops")
        .is_some_and(|s| s.get("mac").is_some() || s.get("version").is_some())
}

/// The namespaces a replication controller copies a Secret or ConfigMap into, from the
/// annotations its live object carries: `Some(None)` for namespaces that cannot be
/// listed (all of them, a regular expression, a label selector).
/// - emberstack Reflector (`Annotations.Reflection`): `reflection-allowed` and
///   `reflection-auto-enabled` set to `true` create copies in the namespaces of
///   `reflection-auto-namespaces`, else of `reflection-allowed-namespaces`, else in every
///   namespace (both lists take names or regular expressions);
/// - mittwald kubernetes-replicator's push replication: `replicate-to` (names or
///   patterns) and `replicate-to-matching` (a namespace label selector);
/// - config-syncer (kubed): `kubed.appscode.com/sync` (empty: every namespace; else a
///   namespace label selector).
fn mirrored_into(annotations: Option<&Node>) -> Option<Option<Vec<String>>> {
    let a = annotations?;
    let get = |k: &str| a.get(k).and_then(Node::as_str).map(str::trim);
    let list = |v: &str| -> Option<Vec<String>> {
        let names: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let literal = |s: &&str| {
            s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        (!names.is_empty() && names.iter().all(literal))
            .then(|| names.into_iter().map(String::from).collect())
    };
    const REFLECTOR: &str = "reflector.v1.k8s.emberstack.com/";
    let on = |k: &str| get(&format!("{REFLECTOR}{k}")) == Some("true");
    if on("reflection-allowed") && on("reflection-auto-enabled") {
        let auto = get(&format!("{REFLECTOR}reflection-auto-namespaces"))
            .filter(|v| !v.is_empty())
            .or_else(|| get(&format!("{REFLECTOR}reflection-allowed-namespaces")))
            .filter(|v| !v.is_empty());
        return Some(auto.and_then(list));
    }
    if let Some(to) = get("replicator.v1.mittwald.de/replicate-to") {
        return Some(list(to));
    }
    if get("replicator.v1.mittwald.de/replicate-to-matching").is_some()
        || get("kubed.appscode.com/sync").is_some()
    {
        return Some(None);
    }
    None
}

pub fn definitions(
    ix: &Index,
    manifests: &[ManifestFile],
    external: &[External],
) -> Vec<Definition> {
    let mut out = Vec::new();
    for inst in &ix.instances {
        let obj = ix.object(manifests, inst);
        let n = &obj.node;
        let defined_before = out.len();
        let src = &ix.files[inst.file];
        let at = Some((
            src.clone(),
            obj.name.as_ref().map(|x| x.pos).unwrap_or(obj.kind.pos),
        ));
        let mut push = |kind: &'static str,
                        name: String,
                        raw: String,
                        keys: Option<BTreeSet<String>>,
                        via: String| {
            out.push(Definition {
                kind,
                namespace: Some(inst.namespace.clone()),
                name,
                raw_name: raw,
                keys,
                via,
                at: at.clone(),
                scope: inst.scope,
                unit: Some(inst.unit),
                hashed: false,
            });
        };
        match (inst.group.as_str(), inst.kind.as_str()) {
            ("v1", "Secret" | "ConfigMap") => {
                let kind = if inst.kind == "Secret" {
                    "Secret"
                } else {
                    "ConfigMap"
                };
                // With no key at all (no data, or a `data: {}` shell), something else
                // fills it: a controller, a token, a script that patches it at install.
                let keys = keys_of(&[n.get("data"), n.get("stringData"), n.get("binaryData")]);
                let keys = (!keys.is_empty()).then_some(keys);
                let via = if is_sops(n) {
                    format!("SOPS-encrypted {kind}")
                } else {
                    kind.to_string()
                };
                push(kind, inst.name.clone(), obj.name().to_string(), keys, via);
            }
            ("v1", "PersistentVolumeClaim") => {
                push(
                    "PersistentVolumeClaim",
                    inst.name.clone(),
                    obj.name().to_string(),
                    None,
                    "PersistentVolumeClaim".into(),
                );
            }
            ("v1", "ServiceAccount") => {
                push(
                    "ServiceAccount",
                    inst.name.clone(),
                    obj.name().to_string(),
                    None,
                    "ServiceAccount".into(),
                );
            }
            ("external-secrets.io", "ExternalSecret") => {
                let target = at_path(n, &["spec", "target", "name"]).and_then(Node::as_str);
                let raw = target.unwrap_or(obj.name()).to_string();
                let name = format!("{}{}{}", inst.transform.prefix, raw, inst.transform.suffix);
                // `dataFrom` brings keys nobody can list.
                let keys = if at_path(n, &["spec", "dataFrom"]).is_some() {
                    None
                } else {
                    let mut k: BTreeSet<String> = at_path(n, &["spec", "data"])
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|d| {
                            d.get("secretKey")
                                .and_then(Node::as_str)
                                .map(str::to_string)
                        })
                        .collect();
                    k.extend(keys_of(&[at_path(
                        n,
                        &["spec", "target", "template", "data"],
                    )]));
                    Some(k)
                };
                push(
                    "Secret",
                    name,
                    raw,
                    keys,
                    format!("ExternalSecret `{}`", obj.name()),
                );
            }
            ("external-secrets.io", "ClusterExternalSecret") => {
                let spec = n.get("spec");
                let target = spec
                    .and_then(|s| {
                        at_path(s, &["externalSecretSpec", "target", "name"])
                            .or(s.get("externalSecretName"))
                    })
                    .and_then(Node::as_str)
                    .unwrap_or(obj.name())
                    .to_string();
                out.push(Definition {
                    kind: "Secret",
                    namespace: None,
                    name: target.clone(),
                    raw_name: target,
                    keys: None,
                    via: format!("ClusterExternalSecret `{}`", obj.name()),
                    at: at.clone(),
                    scope: inst.scope,
                    unit: Some(inst.unit),
                    hashed: false,
                });
            }
            ("cert-manager.io", "Certificate") => {
                // cert-manager writes the key pair into `spec.secretName`; extra output
                // formats and keystores add keys.
                let Some(secret) = at_path(n, &["spec", "secretName"]).and_then(Node::as_str)
                else {
                    continue;
                };
                let spec = n.get("spec");
                let extra = spec.is_some_and(|s| {
                    s.get("additionalOutputFormats").is_some() || s.get("keystores").is_some()
                });
                let keys = (!extra).then(|| {
                    ["ca.crt", "tls.crt", "tls.key"]
                        .map(String::from)
                        .into_iter()
                        .collect()
                });
                // kustomize does not rewrite a custom resource's fields: the name stays.
                push(
                    "Secret",
                    secret.to_string(),
                    secret.to_string(),
                    keys,
                    format!("cert-manager Certificate `{}`", obj.name()),
                );
            }
            ("bitnami.com", "SealedSecret") => {
                let keys = keys_of(&[
                    at_path(n, &["spec", "encryptedData"]),
                    at_path(n, &["spec", "template", "data"]),
                ]);
                push(
                    "Secret",
                    inst.name.clone(),
                    obj.name().to_string(),
                    Some(keys),
                    format!("SealedSecret `{}`", obj.name()),
                );
            }
            _ => {}
        }
        // The Secret or ConfigMap this object makes, copied into other namespaces by a
        // replication controller: the annotations are those of the object the cluster
        // gets (an ExternalSecret's or SealedSecret's template).
        let annotations = match (inst.group.as_str(), inst.kind.as_str()) {
            ("v1", "Secret" | "ConfigMap") => at_path(n, &["metadata", "annotations"]),
            ("external-secrets.io", "ExternalSecret") => at_path(
                n,
                &["spec", "target", "template", "metadata", "annotations"],
            ),
            ("bitnami.com", "SealedSecret") => {
                at_path(n, &["spec", "template", "metadata", "annotations"])
            }
            _ => None,
        };
        if out.len() > defined_before
            && let Some(into) = mirrored_into(annotations)
        {
            let original = out[out.len() - 1].clone();
            let copy = |namespace: Option<String>| Definition {
                via: format!(
                    "{} (copied into {} by a replication controller)",
                    original.via,
                    namespace
                        .as_deref()
                        .map_or("other namespaces".to_string(), |ns| format!("`{ns}`"))
                ),
                namespace,
                // The controller copies it wherever the object is applied from.
                unit: None,
                ..original.clone()
            };
            match into {
                Some(namespaces) => {
                    for ns in namespaces.into_iter().filter(|ns| *ns != inst.namespace) {
                        out.push(copy(Some(ns)));
                    }
                }
                None => out.push(copy(None)),
            }
        }
    }
    for g in &ix.generated {
        let kz = &ix.kustomizations[g.generator.kustomization];
        out.push(Definition {
            kind: g.generator.kind,
            namespace: Some(g.namespace.clone()),
            name: g.name.clone(),
            raw_name: g.generator.name.clone(),
            keys: (!g.generator.keys.is_empty())
                .then(|| g.generator.keys.iter().cloned().collect()),
            via: format!(
                "{} `{}` of {}",
                if g.generator.kind == "Secret" {
                    "secretGenerator"
                } else {
                    "configMapGenerator"
                },
                g.generator.name,
                kz.source.path
            ),
            at: Some((kz.source.clone(), g.generator.node.pos)),
            scope: g.scope,
            unit: Some(g.unit),
            hashed: g.generator.hashed,
        });
    }
    for e in external {
        let (ns, name, keys) = (e.namespace.as_deref(), e.name.as_str(), e.keys.as_ref());
        let kinds: &[&'static str] = match e.kind.as_deref() {
            Some("Secret") => &["Secret"],
            Some("ConfigMap") => &["ConfigMap"],
            Some("ServiceAccount") => &["ServiceAccount"],
            Some("PersistentVolumeClaim") => &["PersistentVolumeClaim"],
            _ => &[
                "Secret",
                "ConfigMap",
                "ServiceAccount",
                "PersistentVolumeClaim",
            ],
        };
        for k in kinds {
            out.push(Definition {
                kind: k,
                namespace: ns.map(str::to_string),
                name: name.to_string(),
                raw_name: name.to_string(),
                keys: keys.map(|k| k.iter().cloned().collect()),
                via: "rollsafe.toml `[secrets] external`".into(),
                at: None,
                scope: 0,
                unit: None,
                hashed: false,
            });
        }
    }
    out
}
