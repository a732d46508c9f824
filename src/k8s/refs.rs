//! Every reference from a workload to a Secret, ConfigMap or ServiceAccount that must
//! exist for its pods to start, read only at the pod-spec paths Kubernetes defines (and
//! Ingress/Gateway TLS), never by searching text.

use std::sync::Arc;

use crate::k8s::Index;
use crate::k8s::name_reference;
use crate::k8s::pod::{at_path, template_path};
use crate::model::manifest::ManifestFile;
use crate::source::SourceFile;
use crate::yaml::{Kind, Node, Pos};

#[derive(Debug, Clone)]
pub struct Reference {
    /// `Secret`, `ConfigMap` or `ServiceAccount`.
    pub kind: &'static str,
    /// As written.
    pub name: String,
    pub name_pos: Pos,
    pub key: Option<(String, Pos)>,
    pub optional: bool,
    /// What refers: `env DATABASE_URL of container web`, `volume config`, …
    pub what: String,
    /// Where in the pod spec it is written (what a strategic-merge patch replaces).
    pub slot: Slot,
    /// Whether kustomize rewrites this reference when it renames the object it names
    /// (see `name_reference`).
    pub rewritten: bool,
    pub inst: usize,
    pub src: Arc<SourceFile>,
}

/// Where a reference is written, as kustomize's strategic merge sees it: env entries
/// merge by name within their container, `envFrom` has no merge key (replaced whole),
/// volumes merge by name, the service account is a scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    Env {
        container: String,
        var: String,
    },
    EnvFrom {
        container: String,
    },
    Volume(String),
    ServiceAccount,
    PullSecret,
    /// Ingress/Gateway TLS (`TLS`, ``TLS of listener `https` ``): not in a pod spec.
    Route(String),
}

impl Slot {
    /// What refers, for messages: ``env `DATABASE_URL` of container `web` ``, …
    fn describe(&self) -> String {
        match self {
            Slot::Env { container, var } => format!("env `{var}` of container `{container}`"),
            Slot::EnvFrom { container } => format!("envFrom of container `{container}`"),
            Slot::Volume(v) => format!("volume `{v}`"),
            Slot::ServiceAccount => "serviceAccountName".into(),
            Slot::PullSecret => "imagePullSecrets".into(),
            Slot::Route(what) => what.clone(),
        }
    }
}

/// What a strategic-merge patch of the pod spec takes away from the references.
enum Replaced {
    Slot(Slot),
    /// `env: [{$patch: replace}, …]` of a container.
    AllEnv(String),
    /// `volumes: [{$patch: replace}, …]`.
    AllVolumes,
}

impl Reference {
    /// Pull secrets fail softly (ImagePullBackOff) and may be unneeded for public images.
    pub fn pull_secret(&self) -> bool {
        self.slot == Slot::PullSecret
    }

    /// Route TLS (Ingress `tls`, Gateway `certificateRefs`): a missing Secret makes the
    /// controller serve its default certificate; no pod is involved.
    pub fn route_tls(&self) -> bool {
        matches!(self.slot, Slot::Route(_))
    }
}

impl Replaced {
    fn covers(&self, slot: &Slot) -> bool {
        match (self, slot) {
            (Replaced::Slot(s), _) => s == slot,
            (Replaced::AllEnv(c), Slot::Env { container, .. }) => c == container,
            (Replaced::AllVolumes, Slot::Volume(_)) => true,
            _ => false,
        }
    }
}

/// A name a template step fills in: `{{ … }}`, `${VAR}`, `<KSA_NAME>`, `MY_SECRET`.
/// Secret, ConfigMap and ServiceAccount names are lower-case DNS names, so one with
/// capitals cannot name an object and is a fill-in marker, not a reference.
fn is_templated(s: &str) -> bool {
    crate::k8s::schema::placeholder(s) || s.chars().any(|c| c.is_ascii_uppercase())
}

fn optional(n: &Node) -> bool {
    n.get("optional")
        .is_some_and(|o| o.kind == Kind::Bool(true))
}

struct Collect<'a> {
    inst: usize,
    api_version: &'a str,
    kind: &'a str,
    src: &'a Arc<SourceFile>,
    out: Vec<Reference>,
}

impl Collect<'_> {
    fn push(
        &mut self,
        kind: &'static str,
        name: Option<&Node>,
        key: Option<&Node>,
        optional: bool,
        slot: Slot,
        field: &str,
    ) {
        let Some(n) = name else { return };
        let Some(s) = n.as_str() else { return };
        if s.is_empty() || is_templated(s) {
            return;
        }
        // Keys are not object names: `[-._a-zA-Z0-9]+`, capitals included (env-file
        // generators make `DATABASE_URL`), so only template syntax marks a fill-in, not
        // an all-capitals word.
        let env_style = |x: &str| {
            x.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        };
        let key = key.and_then(|k| {
            k.as_str()
                .filter(|x| env_style(x) || !crate::k8s::schema::placeholder(x))
                .map(|x| (x.to_string(), k.pos))
        });
        self.out.push(Reference {
            kind,
            name: s.to_string(),
            name_pos: n.pos,
            key,
            optional,
            what: slot.describe(),
            slot,
            rewritten: name_reference::rewrites(self.api_version, self.kind, kind, field),
            inst: self.inst,
            src: self.src.clone(),
        });
    }

    fn pod_spec(&mut self, spec: &Node) {
        // The deprecated `serviceAccount` is read when `serviceAccountName` is absent;
        // kustomize rewrites only the latter.
        let sa = match spec.get("serviceAccountName") {
            Some(n) => Some(("serviceAccountName", n)),
            None => spec.get("serviceAccount").map(|n| ("serviceAccount", n)),
        };
        if let Some((field, sa)) = sa.filter(|(_, n)| n.as_str() != Some("default")) {
            self.push(
                "ServiceAccount",
                Some(sa),
                None,
                false,
                Slot::ServiceAccount,
                field,
            );
        }
        for p in spec.get("imagePullSecrets").map(Node::items).unwrap_or(&[]) {
            self.push(
                "Secret",
                p.get("name"),
                None,
                false,
                Slot::PullSecret,
                "imagePullSecrets/name",
            );
        }
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            for c in spec.get(list).map(Node::items).unwrap_or(&[]) {
                let cname = c.get("name").and_then(Node::as_str).unwrap_or("?");
                for e in c.get("env").map(Node::items).unwrap_or(&[]) {
                    let var = e.get("name").and_then(Node::as_str).unwrap_or("?");
                    let Some(from) = e.get("valueFrom") else {
                        continue;
                    };
                    for (field, kind) in
                        [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")]
                    {
                        if let Some(r) = from.get(field) {
                            self.push(
                                kind,
                                r.get("name"),
                                r.get("key"),
                                optional(r),
                                Slot::Env {
                                    container: cname.to_string(),
                                    var: var.to_string(),
                                },
                                &format!("{list}/env/valueFrom/{field}/name"),
                            );
                        }
                    }
                }
                for e in c.get("envFrom").map(Node::items).unwrap_or(&[]) {
                    for (field, kind) in [("secretRef", "Secret"), ("configMapRef", "ConfigMap")] {
                        if let Some(r) = e.get(field) {
                            self.push(
                                kind,
                                r.get("name"),
                                None,
                                optional(r),
                                Slot::EnvFrom {
                                    container: cname.to_string(),
                                },
                                &format!("{list}/envFrom/{field}/name"),
                            );
                        }
                    }
                }
            }
        }
        // The kubelet sets up only the volumes a container mounts (the volume manager's
        // desired-state populator skips "unused volume"s): a Secret or ConfigMap behind
        // a volume no container mounts stops nothing (n8n-hosting's `n8n-secret`).
        let mounted: std::collections::HashSet<&str> =
            ["containers", "initContainers", "ephemeralContainers"]
                .iter()
                .flat_map(|list| spec.get(list).map(Node::items).unwrap_or(&[]))
                .flat_map(|c| {
                    ["volumeMounts", "volumeDevices"]
                        .iter()
                        .flat_map(|k| c.get(k).map(Node::items).unwrap_or(&[]))
                })
                .filter_map(|m| m.get("name").and_then(Node::as_str))
                .collect();
        for v in spec.get("volumes").map(Node::items).unwrap_or(&[]) {
            let vname = v.get("name").and_then(Node::as_str).unwrap_or("?");
            let unused = !mounted.contains(vname);
            if let Some(s) = v.get("secret") {
                self.volume(
                    "Secret",
                    s,
                    s.get("secretName"),
                    vname,
                    "volumes/secret/secretName",
                    unused,
                );
            }
            if let Some(c) = v.get("configMap") {
                self.volume(
                    "ConfigMap",
                    c,
                    c.get("name"),
                    vname,
                    "volumes/configMap/name",
                    unused,
                );
            }
            if let Some(c) = v.get("persistentVolumeClaim") {
                self.push(
                    "PersistentVolumeClaim",
                    c.get("claimName"),
                    None,
                    false,
                    Slot::Volume(vname.to_string()),
                    "volumes/persistentVolumeClaim/claimName",
                );
            }
            let sources = at_path(v, &["projected", "sources"]);
            for src in sources.map(Node::items).unwrap_or(&[]) {
                if let Some(s) = src.get("secret") {
                    let field = "volumes/projected/sources/secret/name";
                    self.volume("Secret", s, s.get("name"), vname, field, unused);
                }
                if let Some(c) = src.get("configMap") {
                    let field = "volumes/projected/sources/configMap/name";
                    self.volume("ConfigMap", c, c.get("name"), vname, field, unused);
                }
            }
        }
    }

    /// Applies a strategic-merge patch of the pod spec, as kustomize does: env and
    /// volumes merge by name (a patch entry replaces the one of the same name; `$patch:
    /// delete` removes it; a `$patch: replace` item replaces the whole list), `envFrom`
    /// has no merge key and is replaced whole, `serviceAccountName` is a scalar.
    fn patch_pod_spec(&mut self, src: &Arc<SourceFile>, spec: &Node) {
        let mut patch = Collect {
            inst: self.inst,
            api_version: self.api_version,
            kind: self.kind,
            src,
            out: Vec::new(),
        };
        patch.pod_spec(spec);
        let mut replaced: Vec<Replaced> = Vec::new();
        let directive = |n: &Node| n.get("$patch").and_then(Node::as_str).map(str::to_string);
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            for c in spec.get(list).map(Node::items).unwrap_or(&[]) {
                let container = c.get("name").and_then(Node::as_str).unwrap_or("?");
                for e in c.get("env").map(Node::items).unwrap_or(&[]) {
                    match (
                        directive(e).as_deref(),
                        e.get("name").and_then(Node::as_str),
                    ) {
                        (Some("replace"), _) => {
                            replaced.push(Replaced::AllEnv(container.to_string()));
                        }
                        (_, Some(var)) => replaced.push(Replaced::Slot(Slot::Env {
                            container: container.to_string(),
                            var: var.to_string(),
                        })),
                        _ => {}
                    }
                }
                if c.get("envFrom").is_some() {
                    replaced.push(Replaced::Slot(Slot::EnvFrom {
                        container: container.to_string(),
                    }));
                }
            }
        }
        for v in spec.get("volumes").map(Node::items).unwrap_or(&[]) {
            match (
                directive(v).as_deref(),
                v.get("name").and_then(Node::as_str),
            ) {
                (Some("replace"), _) => replaced.push(Replaced::AllVolumes),
                (_, Some(name)) => replaced.push(Replaced::Slot(Slot::Volume(name.to_string()))),
                _ => {}
            }
        }
        if spec
            .get("serviceAccountName")
            .or(spec.get("serviceAccount"))
            .is_some()
        {
            replaced.push(Replaced::Slot(Slot::ServiceAccount));
        }
        self.out
            .retain(|r| !replaced.iter().any(|x| x.covers(&r.slot)));
        self.out.extend(patch.out);
    }

    fn volume(
        &mut self,
        kind: &'static str,
        v: &Node,
        name: Option<&Node>,
        vname: &str,
        field: &str,
        unused: bool,
    ) {
        let opt = optional(v) || unused;
        let items = v.get("items").map(Node::items).unwrap_or(&[]);
        let slot = Slot::Volume(vname.to_string());
        if items.is_empty() {
            self.push(kind, name, None, opt, slot.clone(), field);
        }
        for i in items {
            self.push(kind, name, i.get("key"), opt, slot.clone(), field);
        }
    }
}

/// References of every instance (each build separately: namespaces differ per build).
pub fn references(ix: &Index, manifests: &[ManifestFile]) -> Vec<Reference> {
    let mut all = Vec::new();
    for (n, inst) in ix.instances.iter().enumerate() {
        let obj = ix.object(manifests, inst);
        let mut c = Collect {
            inst: n,
            api_version: &obj.api_version.value,
            kind: &inst.kind,
            src: &ix.files[inst.file],
            out: Vec::new(),
        };
        if let Some(path) = template_path(&obj.api_version.value, &inst.kind) {
            let template = if path.is_empty() {
                Some(&obj.node)
            } else {
                at_path(&obj.node, path)
            };
            if let Some(spec) = template.and_then(|t| t.get("spec")) {
                c.pod_spec(spec);
            }
            for &(pf, po) in &inst.patches {
                let patch = &manifests[pf].objects[po].node;
                let spec = if path.is_empty() {
                    patch.get("spec")
                } else {
                    at_path(patch, path).and_then(|t| t.get("spec"))
                };
                if let Some(spec) = spec {
                    c.patch_pod_spec(&ix.files[pf], spec);
                }
            }
        }
        match (inst.group.as_str(), inst.kind.as_str()) {
            ("networking.k8s.io" | "extensions", "Ingress") => {
                let tls = at_path(&obj.node, &["spec", "tls"]);
                for t in tls.map(Node::items).unwrap_or(&[]) {
                    c.push(
                        "Secret",
                        t.get("secretName"),
                        None,
                        false,
                        Slot::Route("TLS".into()),
                        "spec/tls/secretName",
                    );
                }
            }
            ("gateway.networking.k8s.io", "Gateway") => {
                let listeners = at_path(&obj.node, &["spec", "listeners"]);
                for l in listeners.map(Node::items).unwrap_or(&[]) {
                    let lname = l.get("name").and_then(Node::as_str).unwrap_or("?");
                    let refs = at_path(l, &["tls", "certificateRefs"]);
                    for r in refs.map(Node::items).unwrap_or(&[]) {
                        let kind = r.get("kind").and_then(Node::as_str).unwrap_or("Secret");
                        let group = r.get("group").and_then(Node::as_str).unwrap_or("");
                        // A certificate in another namespace needs a ReferenceGrant: not judged.
                        if kind == "Secret" && group.is_empty() && r.get("namespace").is_none() {
                            c.push(
                                "Secret",
                                r.get("name"),
                                None,
                                false,
                                Slot::Route(format!("TLS of listener `{lname}`")),
                                "spec/listeners/tls/certificateRefs/name",
                            );
                        }
                    }
                }
            }
            _ => {}
        }
        all.extend(c.out);
    }
    all
}
