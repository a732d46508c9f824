//! Pod templates and their containers, from every kind that runs pods. Kustomize patches
//! that add containers, ports or probes are folded in, and every value keeps the file it
//! came from, so a finding points at the line that says it.

use std::sync::Arc;

use crate::k8s::kustomize::{Transform, scalar_text};
use crate::k8s::selector::{Labels, labels};
use crate::source::SourceFile;
use crate::yaml::{Key, Kind, Node};

/// A value and the file it was read from.
#[derive(Debug, Clone)]
pub struct At<T> {
    pub src: Arc<SourceFile>,
    pub value: T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Main,
    Init,
    /// An init container with `restartPolicy: Always`: it runs beside the app and is probed.
    Sidecar,
    Ephemeral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 3] = [
        ProbeKind::Liveness,
        ProbeKind::Readiness,
        ProbeKind::Startup,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
            ProbeKind::Startup => "startup",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub kind: ProbeKind,
    pub key: Key,
    pub node: Node,
}

impl Probe {
    /// The handler (`httpGet`, `tcpSocket`, `grpc`, `exec`) and its `port` node.
    pub fn handler(&self) -> Option<(&str, Option<&Node>)> {
        for h in ["httpGet", "tcpSocket", "grpc", "exec"] {
            if let Some(n) = self.node.get(h) {
                return Some((h, n.get("port")));
            }
        }
        None
    }

    /// An integer field, with the API default when absent.
    pub fn int(&self, field: &str) -> Option<i128> {
        match self.node.get(field).map(|n| &n.kind) {
            None | Some(Kind::Null) => Some(match field {
                "initialDelaySeconds" => 0,
                "periodSeconds" => 10,
                "timeoutSeconds" => 1,
                "failureThreshold" => 3,
                "successThreshold" => 1,
                _ => return None,
            }),
            Some(Kind::Int(i)) => Some(*i),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Port {
    pub number: Option<i128>,
    pub name: Option<String>,
    pub protocol: String,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub src: Arc<SourceFile>,
    pub name: String,
    pub role: Role,
    pub node: Node,
    pub ports: Vec<Port>,
    /// Each probe with the file it is written in (a kustomize patch may add it).
    pub probes: Vec<At<Probe>>,
    pub image: Option<At<Node>>,
    pub resources: Option<At<Node>>,
}

impl Container {
    pub fn probe(&self, kind: ProbeKind) -> Option<&At<Probe>> {
        self.probes.iter().find(|p| p.value.kind == kind)
    }

    pub fn declares_port(&self, number: i128) -> bool {
        self.ports.iter().any(|p| p.number == Some(number))
    }

    pub fn port_named(&self, name: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.name.as_deref() == Some(name))
    }

    /// Whether `resources.requests` (or `limits`, which default the request) sets `what`.
    pub fn requests(&self, what: &str) -> bool {
        self.resources.as_ref().is_some_and(|r| {
            ["requests", "limits"]
                .iter()
                .any(|k| r.value.get(k).and_then(|m| m.get(what)).is_some())
        })
    }

    fn read(src: &Arc<SourceFile>, node: &Node, role: Role) -> Container {
        let mut c = Container {
            src: src.clone(),
            name: node.get("name").and_then(scalar_text).unwrap_or_default(),
            role,
            node: node.clone(),
            ports: Vec::new(),
            probes: Vec::new(),
            image: None,
            resources: None,
        };
        c.fold(src, node);
        c
    }

    /// Adds what `node` (the container itself or a patch of it) says.
    fn fold(&mut self, src: &Arc<SourceFile>, node: &Node) {
        for p in node.get("ports").map(Node::items).unwrap_or(&[]) {
            let number = match p.get("containerPort").map(|n| &n.kind) {
                Some(Kind::Int(i)) => Some(*i),
                _ => None,
            };
            self.ports.push(Port {
                number,
                name: p.get("name").and_then(Node::as_str).map(str::to_string),
                protocol: p
                    .get("protocol")
                    .and_then(Node::as_str)
                    .unwrap_or("TCP")
                    .to_string(),
            });
        }
        for (k, v) in node.entries() {
            let kind = ProbeKind::ALL.into_iter().find(|p| p.key() == k.text);
            if let Some(kind) = kind
                && matches!(v.kind, Kind::Map(_))
            {
                self.probes.retain(|p| p.value.kind != kind);
                self.probes.push(At {
                    src: src.clone(),
                    value: Probe {
                        kind,
                        key: k.clone(),
                        node: v.clone(),
                    },
                });
            }
        }
        if let Some(i) = node.get("image") {
            self.image = Some(At {
                src: src.clone(),
                value: i.clone(),
            });
        }
        if let Some(r) = node.get("resources") {
            self.resources = Some(At {
                src: src.clone(),
                value: r.clone(),
            });
        }
    }
}

/// A pod template: what a workload runs, with the labels its pods will carry.
#[derive(Debug, Clone)]
pub struct Pod {
    /// The instance (object as built) this template belongs to.
    pub inst: usize,
    pub labels: Labels,
    /// Further label sets the controller gives some of these pods (Argo canary and stable
    /// metadata, experiment templates); a selector matching any of them reaches pods.
    pub variants: Vec<Labels>,
    /// Labels the controller adds to every pod at run time (`pod-template-hash`,
    /// `statefulset.kubernetes.io/pod-name`…): `None` for any value, `Some(prefix)` for
    /// the prefix followed by an ordinal.
    pub added: Vec<(&'static str, Option<String>)>,
    pub containers: Vec<Container>,
    /// Where the template is (`spec.template`, or the Pod itself) and its file.
    pub template: At<TemplateAt>,
}

/// Positions of a pod template, for pointing at it.
#[derive(Debug, Clone)]
pub struct TemplateAt {
    pub pos: crate::yaml::Pos,
    /// The `metadata.labels` key, when written.
    pub labels_key: Option<Key>,
}

impl Pod {
    pub fn selected_by(&self, s: &crate::k8s::selector::Selector) -> bool {
        let plain = |s: &crate::k8s::selector::Selector| {
            s.matches(&self.labels)
                || self
                    .variants
                    .iter()
                    .any(|v| s.matches_with(&self.labels, Some(v)))
        };
        if plain(s) {
            return true;
        }
        // Requirements on labels the controller adds are met when the value can be one
        // the controller gives (e.g. a Service per StatefulSet replica).
        let added = |k: &str| self.added.iter().find(|(a, _)| *a == k);
        if !s.match_labels.keys().any(|k| added(k).is_some()) {
            return false;
        }
        let mut rest = s.clone();
        for (k, v) in &s.match_labels {
            let Some((_, prefix)) = added(k) else {
                continue;
            };
            let fits = match prefix {
                None => true,
                Some(p) => v
                    .strip_prefix(p.as_str())
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
            };
            if !fits {
                return false;
            }
            rest.match_labels.remove(k);
        }
        plain(&rest)
    }
}

/// Labels the controller of `kind` adds to each pod it creates (see [`Pod::added`]).
pub fn controller_labels(kind: &str, name: &str) -> Vec<(&'static str, Option<String>)> {
    match kind {
        "Deployment" => vec![("pod-template-hash", None)],
        "StatefulSet" => vec![
            ("controller-revision-hash", None),
            (
                "statefulset.kubernetes.io/pod-name",
                Some(format!("{name}-")),
            ),
            ("apps.kubernetes.io/pod-index", Some(String::new())),
        ],
        "DaemonSet" => vec![
            ("controller-revision-hash", None),
            ("pod-template-generation", None),
        ],
        "Job" | "CronJob" => vec![
            ("job-name", None),
            ("controller-uid", None),
            ("batch.kubernetes.io/job-name", None),
            ("batch.kubernetes.io/controller-uid", None),
            (
                "batch.kubernetes.io/job-completion-index",
                Some(String::new()),
            ),
        ],
        "Rollout" => vec![("rollouts-pod-template-hash", None)],
        _ => Vec::new(),
    }
}

/// Where a kind keeps its pod template, if it runs pods.
pub fn template_path(api_version: &str, kind: &str) -> Option<&'static [&'static str]> {
    let group = api_version.split('/').next().unwrap_or("");
    Some(match kind {
        "Pod" if !api_version.contains('/') => &[],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => &["spec", "template"],
        "DeploymentConfig" if group.starts_with("apps.openshift.io") || group == "v1" => {
            &["spec", "template"]
        }
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "Rollout" if group == "argoproj.io" => &["spec", "template"],
        "Service" if group == "serving.knative.dev" => &["spec", "template"],
        _ => return None,
    })
}

pub fn at_path<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, k| n.get(k))
}

/// Reads a pod template. `patches` are (file, template node) of strategic-merge patches.
pub fn read_pod(
    inst: usize,
    src: &Arc<SourceFile>,
    template: &Node,
    transform: &Transform,
    patches: &[(Arc<SourceFile>, &Node)],
) -> Pod {
    let mut pod_labels = labels(template.get("metadata").and_then(|m| m.get("labels")));
    let mut containers = Vec::new();
    if let Some(spec) = template.get("spec") {
        containers_of(src, spec, &mut containers);
    }
    for (psrc, ptemplate) in patches {
        pod_labels.extend(labels(
            ptemplate.get("metadata").and_then(|m| m.get("labels")),
        ));
        let Some(spec) = ptemplate.get("spec") else {
            continue;
        };
        let mut patched = Vec::new();
        containers_of(psrc, spec, &mut patched);
        for pc in patched {
            match containers
                .iter_mut()
                .find(|c: &&mut Container| c.name == pc.name && c.role == pc.role)
            {
                Some(c) => c.fold(psrc, &pc.node),
                None => containers.push(pc),
            }
        }
    }
    pod_labels.extend(transform.labels.clone());
    Pod {
        inst,
        labels: pod_labels,
        variants: Vec::new(),
        added: Vec::new(),
        containers,
        template: At {
            src: src.clone(),
            value: TemplateAt {
                pos: template.pos,
                labels_key: template.get("metadata").and_then(|m| {
                    m.entries()
                        .iter()
                        .rev()
                        .find(|(k, _)| k.text == "labels")
                        .map(|(k, _)| k.clone())
                }),
            },
        },
    }
}

fn containers_of(src: &Arc<SourceFile>, spec: &Node, out: &mut Vec<Container>) {
    for c in spec.get("containers").map(Node::items).unwrap_or(&[]) {
        out.push(Container::read(src, c, Role::Main));
    }
    for c in spec.get("initContainers").map(Node::items).unwrap_or(&[]) {
        let sidecar = c.get("restartPolicy").and_then(Node::as_str) == Some("Always");
        let role = if sidecar { Role::Sidecar } else { Role::Init };
        out.push(Container::read(src, c, role));
    }
    for c in spec
        .get("ephemeralContainers")
        .map(Node::items)
        .unwrap_or(&[])
    {
        out.push(Container::read(src, c, Role::Ephemeral));
    }
}
