//! The Kubernetes object model of a release: every object from every manifest, as the
//! cluster will see it (kustomize names, namespaces and labels applied), and the pods each
//! workload runs. Built once per release; rules only read it.

pub mod defs;
pub mod examples;
pub mod image;
pub mod imperative;
pub mod kustomize;
pub mod name_reference;
pub mod pdb;
pub mod pod;
pub mod producers;
pub mod query;
pub mod refs;
pub mod resolve;
pub mod schema;
pub mod scope;
pub mod scrape;
pub mod selector;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::model::manifest::ManifestFile;
use crate::model::manifest::Object;
use crate::source::SourceFile;
use kustomize::{Generated, Kustomization, Transform};
use pod::{Pod, at_path, read_pod, template_path};
use selector::{Labels, Selector, labels};

/// Schema findings of one object, by (file, object).
pub type ObjectFindings = ((usize, usize), Vec<schema::Finding>);

/// One object as one build will create it. A file included by two overlays gives two.
#[derive(Debug, Clone)]
pub struct Instance {
    pub file: usize,
    pub obj: usize,
    /// 0: files applied as they are; n: the n-th top-level kustomization.
    pub scope: usize,
    /// The deployment unit (index into `Index::units`): objects are joined only within one.
    pub unit: usize,
    pub kind: String,
    pub group: String,
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
    pub transform: Arc<Transform>,
    /// The first instance of its source object (single-object rules look only at these).
    pub first: bool,
    /// Strategic-merge patches (file, object) that apply to it.
    pub patches: Vec<(usize, usize)>,
}

/// A generated ConfigMap or Secret, with the name it will have (before any hash).
#[derive(Debug, Clone)]
pub struct GeneratedObject {
    pub scope: usize,
    pub unit: usize,
    pub namespace: String,
    pub name: String,
    pub generator: Generated,
}

#[derive(Debug, Default)]
pub struct Index {
    pub files: Vec<Arc<SourceFile>>,
    pub instances: Vec<Instance>,
    pub pods: Vec<Pod>,
    pub kustomizations: Vec<Kustomization>,
    pub generated: Vec<GeneratedObject>,
    /// Objects that are patches, not resources (file, object).
    pub patch_objects: HashSet<(usize, usize)>,
    /// Scope names for messages: `""` for plain files, else the kustomization folder.
    pub scopes: Vec<String>,
    /// Deployment units, by identity: `kustomize:<dir>` (a top-level kustomization and
    /// what it reaches), `bundle:<path>` (a file whose objects another file of its folder
    /// also defines: an alternative install bundle), `dir:<folder>` (the other plain files
    /// of a folder, applied together). See [`units`].
    pub units: Vec<String>,
    /// RBAC rules JSON 6902 patches add to a Role or ClusterRole: (unit, rule). Their
    /// operations are otherwise not applied; what they grant is evidence (see
    /// [`producers::may_create`]).
    pub patched_rules: Vec<(usize, crate::yaml::Node)>,
    by_name: HashMap<(String, String), Vec<usize>>,
    /// Workload references to Secrets, ConfigMaps and ServiceAccounts, and everything
    /// that defines them (filled in after the build, with the configuration).
    pub refs: Vec<refs::Reference>,
    pub defs: Vec<defs::Definition>,
    /// Objects the repository's scripts and docs create with `kubectl create`.
    pub created: Vec<imperative::Created>,
    /// Image names a build step rewrites with `kustomize edit set image` (placeholders).
    pub set_images: std::collections::BTreeSet<String>,
    /// Helm chart folders with templates rollsafe does not render (`{{ … }}`): their
    /// plain templates are read, but the chart makes more objects than those.
    pub unrendered_charts: std::collections::BTreeSet<String>,
    /// (file, object) → its first instance.
    first_of: HashMap<(usize, usize), usize>,
    /// Each Service (instance) with the pods (indexes into `pods`) its selector matches.
    service_pods: std::sync::OnceLock<Vec<(usize, Vec<usize>)>>,
    /// K501/K502 findings per object, computed once for both rules.
    schema_findings: std::sync::OnceLock<Vec<ObjectFindings>>,
    /// Pods by (namespace, unit) and label, for selectors (built on first use).
    pod_lookup: std::sync::OnceLock<PodLookup>,
}

/// The pods a selector can match, found without testing every pod of the namespace: a
/// selector with `matchLabels` reaches only pods that carry one of its pairs (in their
/// labels or a variant's) or that get its key from their controller at run time.
#[derive(Debug, Default)]
struct PodLookup {
    /// (namespace, unit) → every pod of that scope.
    scope: HashMap<(String, usize), Vec<usize>>,
    /// (namespace, unit, key, value) → pods carrying `key: value`.
    pair: HashMap<(String, usize, String, String), Vec<usize>>,
    /// (namespace, unit, key) → pods whose controller adds `key`.
    added: HashMap<(String, usize, String), Vec<usize>>,
}

impl Instance {
    /// A built-in kind of the core group (`apiVersion: v1`), e.g. a Service (not Knative's).
    pub fn is_core(&self, kind: &str) -> bool {
        self.kind == kind && self.group == "v1"
    }
}

impl Index {
    /// The first instance of an object of a manifest file (patches have none).
    pub fn instance_of(&self, file: usize, obj: usize) -> Option<&Instance> {
        self.first_of.get(&(file, obj)).map(|&i| &self.instances[i])
    }

    /// Schema findings (unknown fields, wrong value types) of every resource object.
    pub fn schema_findings(&self, manifests: &[ManifestFile]) -> &[ObjectFindings] {
        self.schema_findings.get_or_init(|| {
            let mut out = Vec::new();
            for (f, file) in manifests.iter().enumerate() {
                for (o, obj) in file.objects.iter().enumerate() {
                    if self.patch_objects.contains(&(f, o)) {
                        continue;
                    }
                    let found =
                        schema::schema().check(&obj.api_version.value, &obj.kind.value, &obj.node);
                    if !found.is_empty() {
                        out.push(((f, o), found));
                    }
                }
            }
            out
        })
    }

    /// Every Service with a selector (not ExternalName), and the pods it selects
    /// (indexes into `pods`), computed once for all rules.
    pub fn service_pods(&self, manifests: &[ManifestFile]) -> &[(usize, Vec<usize>)] {
        self.service_pods.get_or_init(|| {
            let mut out = Vec::new();
            for (n, svc) in self.instances.iter().enumerate() {
                if !svc.is_core("Service") {
                    continue;
                }
                let spec = self.object(manifests, svc).node.get("spec");
                if spec
                    .and_then(|s| s.get("type"))
                    .and_then(crate::yaml::Node::as_str)
                    == Some("ExternalName")
                {
                    continue;
                }
                let Some(sel) = spec.and_then(|s| s.get("selector")) else {
                    continue;
                };
                if sel.entries().is_empty() {
                    continue;
                }
                out.push((n, self.selected_pod_indexes(svc, &Selector::from_map(sel))));
            }
            out
        })
    }

    /// The object behind an instance.
    pub fn object<'a>(&self, manifests: &'a [ManifestFile], i: &Instance) -> &'a Object {
        &manifests[i.file].objects[i.obj]
    }

    /// An annotation as the build produces it: from the last strategic-merge patch that
    /// sets it (an OpenShift overlay's serving-cert annotation), else from the object.
    pub fn annotation<'a>(
        &self,
        manifests: &'a [ManifestFile],
        i: &Instance,
        key: &str,
    ) -> Option<&'a str> {
        i.patches
            .iter()
            .rev()
            .find_map(|&(f, o)| manifests[f].objects[o].annotation(key))
            .or_else(|| self.object(manifests, i).annotation(key))
    }

    /// `spec.<key>` as the build produces it: from the last strategic-merge patch that
    /// sets it (an overlay's or component's `replicas: 2`), else from the object.
    pub fn spec_field<'a>(
        &self,
        manifests: &'a [ManifestFile],
        i: &Instance,
        key: &str,
    ) -> Option<&'a crate::yaml::Node> {
        let field = |o: &'a Object| o.node.get("spec").and_then(|s| s.get(key));
        i.patches
            .iter()
            .rev()
            .find_map(|&(f, o)| field(&manifests[f].objects[o]))
            .or_else(|| field(self.object(manifests, i)))
    }

    /// Instances of `kind` named `name` in `namespace` within `from`'s deployment unit,
    /// nearest first (same file, then same folder).
    pub fn find(&self, from: &Instance, kind: &str, namespace: &str, name: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .by_name
            .get(&(kind.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|j| {
                let i = &self.instances[*j];
                i.namespace == namespace && i.unit == from.unit
            })
            .collect();
        let dir = |f: usize| {
            let p = &self.files[f].path;
            p.rsplit_once('/').map(|x| x.0).unwrap_or("").to_string()
        };
        let here = dir(from.file);
        found.sort_by_key(|j| {
            let f = self.instances[*j].file;
            (f != from.file, dir(f) != here)
        });
        found
    }

    /// Whether any unit of the repository defines `kind` `name` in `namespace` (the
    /// evidence absence rules need before saying something is missing: units may be
    /// applied together).
    pub fn defined_anywhere(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.by_name
            .get(&(kind.to_string(), name.to_string()))
            .is_some_and(|v| v.iter().any(|j| self.instances[*j].namespace == namespace))
    }

    /// Pods whose labels a selector in `inst`'s namespace matches, within its unit.
    /// Selectors written in a kustomize build carry that build's common labels.
    pub fn selected_pods(&self, inst: &Instance, selector: &Selector) -> Vec<&Pod> {
        self.selected_pod_indexes(inst, selector)
            .into_iter()
            .map(|i| &self.pods[i])
            .collect()
    }

    /// Like [`Index::selected_pods`], as indexes into `pods`.
    pub fn selected_pod_indexes(&self, inst: &Instance, selector: &Selector) -> Vec<usize> {
        let sel_scoped = selector
            .clone()
            .with_labels(&inst.transform.selector_labels);
        let lookup = self.pod_lookup.get_or_init(|| self.build_pod_lookup());
        let ns = inst.namespace.clone();
        let candidates: Vec<usize> = match sel_scoped.match_labels.iter().next() {
            Some((k, v)) => {
                let mut c: Vec<usize> = lookup
                    .pair
                    .get(&(ns.clone(), inst.unit, k.clone(), v.clone()))
                    .into_iter()
                    .flatten()
                    .copied()
                    .collect();
                if let Some(added) = lookup.added.get(&(ns.clone(), inst.unit, k.clone())) {
                    c.extend(added);
                    c.sort_unstable();
                    c.dedup();
                }
                c
            }
            None => lookup
                .scope
                .get(&(ns, inst.unit))
                .cloned()
                .unwrap_or_default(),
        };
        candidates
            .into_iter()
            .filter(|&i| self.pods[i].selected_by(&sel_scoped))
            .collect()
    }

    fn build_pod_lookup(&self) -> PodLookup {
        let mut l = PodLookup::default();
        for (i, p) in self.pods.iter().enumerate() {
            let o = &self.instances[p.inst];
            let ns = o.namespace.clone();
            l.scope.entry((ns.clone(), o.unit)).or_default().push(i);
            let mut pairs: Vec<(&String, &String)> = p.labels.iter().collect();
            for v in &p.variants {
                pairs.extend(v.iter());
            }
            pairs.sort();
            pairs.dedup();
            for (k, v) in pairs {
                l.pair
                    .entry((ns.clone(), o.unit, k.clone(), v.clone()))
                    .or_default()
                    .push(i);
            }
            for (k, _) in &p.added {
                l.added
                    .entry((ns.clone(), o.unit, k.to_string()))
                    .or_default()
                    .push(i);
            }
        }
        l
    }

    /// Whether pods of `inst`'s namespace may carry the selector's labels anywhere in the
    /// repository: a workload of another unit, or a producer of pods rollsafe does not
    /// read as a template (an operator's custom resource). Absence rules stay quiet then.
    pub fn selected_anywhere(
        &self,
        manifests: &[ManifestFile],
        inst: &Instance,
        selector: &Selector,
    ) -> bool {
        let sel_scoped = selector
            .clone()
            .with_labels(&inst.transform.selector_labels);
        self.pods.iter().any(|p| {
            self.instances[p.inst].namespace == inst.namespace
                && (p.selected_by(selector) || p.selected_by(&sel_scoped))
        }) || producers::may_produce(self, manifests, &inst.namespace, selector)
    }

    /// The identity of an instance's unit, comparable across releases.
    pub fn unit_id(&self, inst: &Instance) -> &str {
        &self.units[inst.unit]
    }

    /// Whether the repository makes a Secret, ConfigMap or ServiceAccount named `name` in
    /// any namespace or unit: a definition, or a command (`kubectl create configmap NAME`).
    pub fn made_in_any_namespace(&self, kind: &str, name: &str) -> bool {
        self.defined_in_any_namespace(kind, name) || self.made_by_command(kind, name)
    }

    /// Whether a manifest of the repository defines `kind` `name` in some namespace.
    pub fn defined_in_any_namespace(&self, kind: &str, name: &str) -> bool {
        self.defs
            .iter()
            .any(|d| d.kind == kind && (d.raw_name == name || d.name == name))
    }

    /// Whether a script or guide of the repository creates `kind` `name` with a command.
    pub fn made_by_command(&self, kind: &str, name: &str) -> bool {
        self.created
            .iter()
            .any(|c| c.kind == kind && c.name == name)
    }

    /// In this release (the base), the instance of the same object (kind, namespace,
    /// name) as `inst` of `head`: from the same file of the unit of the same identity
    /// (two alternative files of one folder may define it differently: GKE's
    /// `demo-app.yaml` and `gateway-user-guide-app.yaml` each have a `foo-v2`), else from
    /// that unit, else (a folder turned into bundles) from the same file path.
    pub fn counterpart(&self, head: &Index, inst: &Instance) -> Option<usize> {
        let all = self.by_name.get(&(inst.kind.clone(), inst.name.clone()))?;
        let same = |j: &&usize| self.instances[**j].namespace == inst.namespace;
        let unit = head.unit_id(inst);
        let path = &head.files[inst.file].path;
        let in_unit = |j: &&usize| self.unit_id(&self.instances[**j]) == unit;
        let in_file = |j: &&usize| &self.files[self.instances[**j].file].path == path;
        all.iter()
            .filter(same)
            .find(|j| in_unit(j) && in_file(j))
            .or_else(|| all.iter().filter(same).find(in_unit))
            .or_else(|| all.iter().filter(same).find(in_file))
            .copied()
    }

    /// Pods in `inst`'s namespace within its unit.
    pub fn pods_in_unit(&self, inst: &Instance) -> usize {
        self.pods
            .iter()
            .filter(|p| {
                let o = &self.instances[p.inst];
                o.namespace == inst.namespace && o.unit == inst.unit
            })
            .count()
    }

    pub fn pods_of(&self, inst: usize) -> impl Iterator<Item = &Pod> {
        self.pods.iter().filter(move |p| p.inst == inst)
    }

    /// Builds the index from the manifests and kustomizations of a release. `read` returns
    /// the text of a repository file (for generator env files).
    pub fn build(
        manifests: &[ManifestFile],
        kustomizations: Vec<Kustomization>,
        read: &dyn Fn(&str) -> Option<String>,
        applied: &[(String, String)],
    ) -> Index {
        let mut ix = Index {
            files: manifests.iter().map(|m| m.source.clone()).collect(),
            kustomizations,
            scopes: vec![String::new()],
            ..Default::default()
        };
        let file_of: HashMap<&str, usize> = manifests
            .iter()
            .enumerate()
            .map(|(i, m)| (m.source.path.as_str(), i))
            .collect();
        let k_of: HashMap<String, usize> = ix
            .kustomizations
            .iter()
            .enumerate()
            .map(|(i, k)| (k.dir.clone(), i))
            .collect();

        // Patch files are not resources.
        for k in &ix.kustomizations {
            for (path, _) in k.patch_files() {
                if let Some(&f) = file_of.get(path.as_str()) {
                    for o in 0..manifests[f].objects.len() {
                        ix.patch_objects.insert((f, o));
                    }
                }
            }
        }
        // Nor are the files of a `patches/` folder inside a kustomization's tree that no
        // kustomization lists as a resource: partial objects kept for a component or an
        // example that uses them (sourcegraph's `components/clusters/old-base/patches`,
        // a StatefulSet with only a securityContext).
        let listed: HashSet<String> = ix
            .kustomizations
            .iter()
            .flat_map(|k| k.includes())
            .collect();
        for (f, m) in manifests.iter().enumerate() {
            let path = m.source.path.as_str();
            let in_patches = path.split('/').rev().skip(1).any(|s| s == "patches");
            let in_tree = ix
                .kustomizations
                .iter()
                .any(|k| k.dir.is_empty() || path.starts_with(&format!("{}/", k.dir)));
            if in_patches && in_tree && !listed.contains(path) {
                for o in 0..m.objects.len() {
                    ix.patch_objects.insert((f, o));
                }
            }
        }

        let referenced: BTreeSet<usize> = ix
            .kustomizations
            .iter()
            .flat_map(|k| k.includes())
            .filter_map(|p| k_of.get(&p).copied())
            .collect();
        let mut included: HashSet<usize> = HashSet::new();
        let mut raw: Vec<Instance> = Vec::new();
        for root in 0..ix.kustomizations.len() {
            if referenced.contains(&root) {
                continue;
            }
            ix.scopes.push(ix.kustomizations[root].dir.clone());
            let scope = ix.scopes.len() - 1;
            ix.units
                .push(format!("kustomize:{}", ix.kustomizations[root].dir));
            let unit = ix.units.len() - 1;
            let mut walk = Walk {
                manifests,
                file_of: &file_of,
                k_of: &k_of,
                kustomizations: &ix.kustomizations,
                scope,
                unit,
                included: &mut included,
                out: &mut raw,
                generated: &mut ix.generated,
                patched_rules: &mut ix.patched_rules,
                stack: Vec::new(),
                read,
                built: HashMap::new(),
                visits: 0,
            };
            walk.visit(root, &Transform::default(), 0);
        }
        // A file beside a kustomization that no kustomization reaches is not deployed:
        // `kubectl apply -k` builds only what is listed, and `kubectl apply -f` on the
        // folder fails on the kustomization itself. Such files are optional fragments
        // (kubebuilder's commented-out `manager_auth_proxy_patch.yaml`), not objects.
        // So is one in a folder of patches (a kustomization lists another file of the
        // folder as a patch): kubeflow's unlisted `patches/add_service_account.yaml`. A
        // folder of listed resources is not one: its other files may be applied apart.
        let dir_of = |f: usize| {
            let path = manifests[f].source.path.as_str();
            path.rsplit_once('/').map(|x| x.0).unwrap_or("").to_string()
        };
        let patch_dirs: HashSet<String> =
            ix.patch_objects.iter().map(|(f, _)| dir_of(*f)).collect();
        let plain: Vec<usize> = (0..manifests.len())
            .filter(|f| !included.contains(f))
            .filter(|&f| {
                let dir = dir_of(f);
                !k_of.contains_key(dir.as_str()) && !patch_dirs.contains(&dir)
            })
            .collect();
        for (f, unit) in plain_units(manifests, &plain, &ix.patch_objects, &mut ix.units) {
            for (o, obj) in manifests[f].objects.iter().enumerate() {
                if ix.patch_objects.contains(&(f, o)) {
                    continue;
                }
                raw.push(instance(obj, f, o, 0, unit, Arc::new(Transform::default())));
            }
        }
        release_namespace(manifests, &mut raw, applied, &ix.units);
        let mut seen = HashSet::new();
        for mut i in raw {
            i.first = seen.insert((i.file, i.obj));
            ix.instances.push(i);
        }
        for (n, i) in ix.instances.iter().enumerate() {
            ix.first_of.entry((i.file, i.obj)).or_insert(n);
            ix.by_name
                .entry((i.kind.clone(), i.name.clone()))
                .or_default()
                .push(n);
        }
        ix.pods = pods(&ix, manifests);
        ix
    }
}

fn instance(
    obj: &Object,
    file: usize,
    o: usize,
    scope: usize,
    unit: usize,
    t: Arc<Transform>,
) -> Instance {
    let namespace = t
        .namespace
        .clone()
        .or_else(|| obj.namespace.as_ref().map(|n| n.value.clone()))
        .unwrap_or_else(|| "default".to_string());
    let mut l = labels(obj.node.get("metadata").and_then(|m| m.get("labels")));
    l.extend(t.labels.clone());
    Instance {
        file,
        obj: o,
        scope,
        unit,
        kind: obj.kind.value.clone(),
        group: obj
            .api_version
            .value
            .split('/')
            .next()
            .unwrap_or("")
            .to_string(),
        name: format!("{}{}{}", t.prefix, obj.name(), t.suffix),
        namespace,
        labels: l,
        transform: t,
        first: false,
        patches: Vec::new(),
    }
}

/// Objects without `metadata.namespace` land in the namespace their files are applied
/// to (`kubectl apply -n`, `helm install --namespace`), not necessarily `default`. A
/// deployment unit (the files of a folder, a kustomization) whose other namespaced
/// objects all name one namespace is applied to that one: `helm template --namespace X`
/// writes `namespace: X` only where a template asks for `.Release.Namespace`
/// (opentelemetry-demo's rendered manifest), GKE's samples name the namespace only on
/// the Role of a folder applied with `-n elastic`, and a unit that split its objects
/// between `default` and X on purpose would name both. An object the unit already defines
/// in X under the same name is an alternative to it, not a part of the same apply (rook's
/// `pvc.yaml` beside `kube-registry.yaml`, whose claim of the same name says
/// `kube-system`): it keeps `default`.
fn release_namespace(
    manifests: &[ManifestFile],
    raw: &mut [Instance],
    applied: &[(String, String)],
    units: &[String],
) {
    // A folder whose files define the same object more than once (`plain_units` made
    // them bundles of their own) is a collection of examples applied file by file
    // (blob-csi-driver's `deploy/example`: `kubectl create -f …/nginx-pod-blob.yaml`), not
    // one `kubectl apply -f folder/`: the namespace one of its files names says nothing
    // about where the others go.
    let collections: HashSet<&str> = units
        .iter()
        .filter_map(|u| u.strip_prefix("bundle:"))
        .map(|p| p.rsplit_once('/').map_or("", |x| x.0))
        .collect();
    let own_crds = scope::project_cluster_kinds(manifests);
    let cluster_scoped = |i: &Instance| scope::is_cluster_scoped(&i.group, &i.kind, &own_crds);
    // A cluster-scoped object's `namespace` is ignored by the API server: it places
    // nothing.
    let explicit = |i: &Instance| {
        i.transform.namespace.is_none()
            && manifests[i.file].objects[i.obj].namespace.is_some()
            && !cluster_scoped(i)
    };
    // A script or guide of the repository that applies the file (or its folder) with
    // `-n` says where it goes; two that disagree say nothing.
    let documented = |i: &Instance| -> Option<String> {
        let path = manifests[i.file].source.path.as_str();
        let dir = path.rsplit_once('/').map_or("", |x| x.0);
        let found: BTreeSet<&str> = applied
            .iter()
            .filter(|(target, _)| target == path || target == dir)
            .map(|(_, ns)| ns.as_str())
            .collect();
        (found.len() == 1).then(|| found.into_iter().next().unwrap_or_default().to_string())
    };
    let mut named: HashMap<usize, BTreeSet<String>> = HashMap::new();
    let mut defined: HashSet<(usize, &str, &str, &str)> = HashSet::new();
    for i in raw.iter().filter(|i| explicit(i)) {
        named.entry(i.unit).or_default().insert(i.namespace.clone());
    }
    // Only a folder whose every object without a namespace is applied with one moves: a
    // command for some files of a folder (GKE's MySQL sample applies `secret.yaml` and
    // `c2-mysql.yaml` with `-n mysql2` from a script, the `c1-*` files from a guide
    // outside the repository) would otherwise split objects that refer to each other.
    let needs =
        |i: &Instance| !explicit(i) && i.transform.namespace.is_none() && !cluster_scoped(i);
    let folder = |i: &Instance| {
        let p = manifests[i.file].source.path.as_str();
        p.rsplit_once('/').map_or("", |x| x.0)
    };
    // Each object's documented namespace, looked up once.
    let docs: Vec<Option<String>> = raw
        .iter()
        .map(|i| needs(i).then(|| documented(i)).flatten())
        .collect();
    let mut undocumented: HashSet<&str> = HashSet::new();
    let mut folders_needing: HashSet<&str> = HashSet::new();
    for (n, i) in raw.iter().enumerate().filter(|(_, i)| needs(i)) {
        folders_needing.insert(folder(i));
        if docs[n].is_none() {
            undocumented.insert(folder(i));
        }
    }
    let fully_documented: HashSet<&str> =
        folders_needing.difference(&undocumented).copied().collect();
    let mut moves = Vec::new();
    for (n, i) in raw.iter().enumerate() {
        if explicit(i) {
            defined.insert((i.unit, &i.kind, &i.name, &i.namespace));
            continue;
        }
        if !needs(i) {
            continue;
        }
        if let Some(ns) = docs[n]
            .clone()
            .filter(|_| fully_documented.contains(folder(i)))
        {
            moves.push((n, ns));
        } else if let Some(only) = named
            .get(&i.unit)
            .filter(|n| n.len() == 1 && !collections.contains(folder(i)))
        {
            moves.push((n, only.iter().next().cloned().unwrap_or_default()));
        }
    }
    let moves: Vec<(usize, String)> = moves
        .into_iter()
        .filter(|(n, ns)| {
            let i = &raw[*n];
            !defined.contains(&(i.unit, i.kind.as_str(), i.name.as_str(), ns.as_str()))
        })
        .collect();
    for (n, ns) in moves {
        raw[n].namespace = ns;
    }
}

/// The deployment unit of each plain file (not reached by a kustomization). The files of
/// one folder are applied together (`kubectl apply -f folder/`, which does not recurse),
/// except that a file defining an object (kind, namespace, name) another file of the
/// folder also defines is an alternative to it, not a part of the same release: such a
/// file (typically a multi-document install bundle: `install.yaml` beside
/// `namespace-install.yaml`) is a unit of its own.
fn plain_units(
    manifests: &[ManifestFile],
    plain: &[usize],
    patches: &HashSet<(usize, usize)>,
    units: &mut Vec<String>,
) -> Vec<(usize, usize)> {
    let folder = |f: usize| {
        let p = manifests[f].source.path.as_str();
        p.rsplit_once('/').map(|x| x.0).unwrap_or("").to_string()
    };
    // (folder, kind, namespace, name) → the files defining it.
    let mut owners: HashMap<(String, String, String, String), BTreeSet<usize>> = HashMap::new();
    for &f in plain {
        for (o, obj) in manifests[f].objects.iter().enumerate() {
            if patches.contains(&(f, o)) || obj.name().is_empty() {
                continue;
            }
            let ns = obj.namespace.as_ref().map(|n| n.value.clone());
            owners
                .entry((
                    folder(f),
                    obj.kind.value.clone(),
                    ns.unwrap_or_default(),
                    obj.name().to_string(),
                ))
                .or_default()
                .insert(f);
        }
    }
    let alternative: HashSet<usize> = owners
        .values()
        .filter(|files| files.len() > 1)
        .flatten()
        .copied()
        .collect();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    plain
        .iter()
        .map(|&f| {
            let id = if alternative.contains(&f) {
                format!("bundle:{}", manifests[f].source.path)
            } else {
                format!("dir:{}", folder(f))
            };
            let unit = *by_id.entry(id.clone()).or_insert_with(|| {
                units.push(id);
                units.len() - 1
            });
            (f, unit)
        })
        .collect()
}

struct Walk<'a> {
    manifests: &'a [ManifestFile],
    file_of: &'a HashMap<&'a str, usize>,
    k_of: &'a HashMap<String, usize>,
    kustomizations: &'a [Kustomization],
    scope: usize,
    unit: usize,
    included: &'a mut HashSet<usize>,
    out: &'a mut Vec<Instance>,
    generated: &'a mut Vec<GeneratedObject>,
    patched_rules: &'a mut Vec<(usize, crate::yaml::Node)>,
    stack: Vec<usize>,
    read: &'a dyn Fn(&str) -> Option<String>,
    /// The transformations each kustomization was already built under, in this build.
    built: HashMap<usize, Vec<Arc<Transform>>>,
    visits: usize,
}

/// `name` (or a name prefix or suffix) built under an outer `op`…`os`, with a component's
/// `prefix` and `suffix` added inside the outer ones: kustomize runs the components of a
/// kustomization before its own name transformers, so the outer ones stay outermost.
fn wrap_name(name: &str, (op, os): (&str, &str), prefix: &str, suffix: &str) -> String {
    match name.strip_prefix(op).and_then(|rest| rest.strip_suffix(os)) {
        Some(middle) => format!("{op}{prefix}{middle}{suffix}{os}"),
        None => format!("{prefix}{name}{suffix}"),
    }
}

/// Kustomizations visited in one build, at most: real builds visit tens.
const MAX_VISITS: usize = 10_000;

impl Walk<'_> {
    /// `parent_start`: where the including kustomization's objects begin in `out`; a
    /// Component's patches apply to those (kustomize runs components on the parent's
    /// accumulated resources), a Kustomization's to what it and its bases produce.
    fn visit(&mut self, k: usize, outer: &Transform, parent_start: usize) {
        if self.stack.contains(&k) {
            return; // a cycle: kustomize rejects it; we stop.
        }
        let kz = &self.kustomizations[k];
        let mut own = kz.transform();
        own.images.extend(self.transformer_images(kz));
        let t = Arc::new(own.then(outer));
        // A base reached again in the same build under the same transformation (a
        // diamond: two parts of one build list one base) would add the same objects again,
        // which kustomize rejects as duplicate ids; walking it once per path is exponential
        // in the depth of such diamonds (30 levels: 59 s, 5 GB). It is built once.
        // Components are applied to each parent that lists them, so they are not skipped.
        if !kz.is_component() {
            let seen = self.built.entry(k).or_default();
            if seen.iter().any(|b| **b == *t) {
                return;
            }
            seen.push(t.clone());
        }
        // Distinct transformations are legitimate, but a diamond that renames at every
        // level still doubles per level: the build stops growing past this many visits.
        self.visits += 1;
        if self.visits > MAX_VISITS {
            return;
        }
        self.stack.push(k);
        for g in kz.generated(k, self.read) {
            // The build's namespace wins over a generator's own `namespace:`.
            let namespace = t
                .namespace
                .clone()
                .or_else(|| {
                    g.node
                        .get("namespace")
                        .and_then(crate::yaml::Node::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "default".into());
            self.generated.push(GeneratedObject {
                scope: self.scope,
                unit: self.unit,
                namespace,
                name: format!("{}{}{}", t.prefix, g.name, t.suffix),
                generator: g,
            });
        }
        let start = if kz.is_component() {
            parent_start
        } else {
            self.out.len()
        };
        // What the bases generate is part of what a component transforms; this
        // kustomization's own generators run after its components.
        let generated_start = self.generated.len();
        for path in kz.includes() {
            if let Some(&child) = self.k_of.get(&path) {
                let before = self.out.len();
                let generated_before = self.generated.len();
                self.visit(child, &t, start);
                // A component's transformers run on what its parent accumulated before
                // it (crunchy's `images-by-tag` component pins the image its parent's
                // base named `image-postgres-operator-5.8`; tekton results' `metadata`
                // component prefixes every name of the overlay with `tekton-results-`).
                let ck = &self.kustomizations[child];
                if ck.is_component() {
                    let comp = ck.transform();
                    let own = comp.carried_by_component();
                    // The parent's own namespace, applied after the component, wins.
                    let namespace = comp.namespace.clone().filter(|_| t.namespace.is_none());
                    let (tp, ts) = (t.prefix.as_str(), t.suffix.as_str());
                    let rename = |name: &str| wrap_name(name, (tp, ts), &comp.prefix, &comp.suffix);
                    for inst in &mut self.out[start..before] {
                        let mut nt = inst.transform.then(&own);
                        nt.prefix = wrap_name(&nt.prefix, (tp, ""), &comp.prefix, "");
                        nt.suffix = wrap_name(&nt.suffix, ("", ts), "", &comp.suffix);
                        if let Some(ns) = &namespace {
                            nt.namespace = Some(ns.clone());
                            inst.namespace = ns.clone();
                        }
                        inst.name = rename(&inst.name);
                        inst.transform = Arc::new(nt);
                    }
                    for g in &mut self.generated[generated_start..generated_before] {
                        g.name = rename(&g.name);
                        if let Some(ns) = &namespace {
                            g.namespace = ns.clone();
                        }
                    }
                }
            } else if let Some(&f) = self.file_of.get(path.as_str()) {
                self.included.insert(f);
                for (o, obj) in self.manifests[f].objects.iter().enumerate() {
                    self.out
                        .push(instance(obj, f, o, self.scope, self.unit, t.clone()));
                }
            }
        }
        // This kustomization's patches apply to what it (and its bases) produced; a
        // component's to its parent's objects too.
        for (path, target) in kz.patch_files() {
            let role = target
                .as_ref()
                .and_then(|t| t.kind.as_deref())
                .is_some_and(|k| k == "Role" || k == "ClusterRole");
            if role {
                self.role_patch(&path);
            }
            let Some(&f) = self.file_of.get(path.as_str()) else {
                continue;
            };
            for (o, p) in self.manifests[f].objects.iter().enumerate() {
                let kind = target.as_ref().and_then(|t| t.kind.clone());
                let kind = kind.unwrap_or_else(|| p.kind.value.clone());
                let name = target.as_ref().and_then(|t| t.name.clone());
                let name = name.unwrap_or_else(|| p.name().to_string());
                for inst in &mut self.out[start..] {
                    let obj = &self.manifests[inst.file].objects[inst.obj];
                    if inst.kind == kind && (obj.name() == name || inst.name == name) {
                        inst.patches.push((f, o));
                    }
                }
            }
        }
        self.stack.pop();
    }

    /// The image overrides of a kustomization's `transformers:`: builtin
    /// `ImageTagTransformer` configurations in the files it names, or in the resources of
    /// the kustomization folders it names. Other transformer kinds are not read.
    fn transformer_images(&self, kz: &Kustomization) -> Vec<kustomize::ImageOverride> {
        let mut files = Vec::new();
        for path in kz.transformer_paths() {
            match self.k_of.get(&path) {
                Some(&child) => files.extend(self.kustomizations[child].includes()),
                None => files.push(path),
            }
        }
        files
            .iter()
            .filter_map(|p| self.file_of.get(p.as_str()))
            .flat_map(|&f| self.manifests[f].objects.iter())
            .filter(|o| o.kind.value == "ImageTagTransformer")
            .filter_map(|o| o.node.get("imageTag").and_then(kustomize::image_override))
            .collect()
    }

    /// The RBAC rules a JSON 6902 patch of a Role adds (`op: add` of a rule or a list).
    fn role_patch(&mut self, path: &str) {
        let Some(text) = (self.read)(path) else {
            return;
        };
        let Ok(docs) = crate::yaml::parse_stream(&text, crate::yaml::Flavor::Kubernetes) else {
            return;
        };
        for op in docs.iter().flat_map(crate::yaml::Node::items) {
            let Some(v) = op.get("value") else { continue };
            let rules = match &v.kind {
                crate::yaml::Kind::Seq(items) => items.clone(),
                _ => vec![v.clone()],
            };
            for r in rules {
                if r.get("verbs").is_some() {
                    self.patched_rules.push((self.unit, r));
                }
            }
        }
    }
}

/// Labels Argo Rollouts adds to some pods of a Rollout: canary/stable/active/preview
/// metadata and the label overrides of experiment templates in canary steps.
fn rollout_label_variants(rollout: &crate::yaml::Node) -> Vec<Labels> {
    let Some(strategy) = at_path(rollout, &["spec", "strategy"]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in ["canary", "blueGreen"] {
        let Some(st) = strategy.get(s) else { continue };
        for m in [
            "canaryMetadata",
            "stableMetadata",
            "activeMetadata",
            "previewMetadata",
        ] {
            let l = labels(st.get(m).and_then(|m| m.get("labels")));
            if !l.is_empty() {
                out.push(l);
            }
        }
        for step in st.get("steps").map(crate::yaml::Node::items).unwrap_or(&[]) {
            let templates = at_path(step, &["experiment", "templates"]);
            for t in templates.map(crate::yaml::Node::items).unwrap_or(&[]) {
                let l = labels(at_path(t, &["metadata", "labels"]));
                if !l.is_empty() {
                    out.push(l);
                }
            }
        }
    }
    out
}

fn pods(ix: &Index, manifests: &[ManifestFile]) -> Vec<Pod> {
    let mut out = Vec::new();
    for (n, inst) in ix.instances.iter().enumerate() {
        let obj = &manifests[inst.file].objects[inst.obj];
        let src = &manifests[inst.file].source;
        if inst.kind == "Experiment" && inst.group == "argoproj.io" {
            // Each experiment template is a ReplicaSet-like pod template.
            let templates = at_path(&obj.node, &["spec", "templates"]);
            for t in templates.map(crate::yaml::Node::items).unwrap_or(&[]) {
                if let Some(t) = t.get("template") {
                    out.push(read_pod(n, src, t, &inst.transform, &[]));
                }
            }
            continue;
        }
        let Some(path) = template_path(&obj.api_version.value, &inst.kind) else {
            continue;
        };
        let template = if path.is_empty() {
            Some(&obj.node)
        } else {
            at_path(&obj.node, path)
        };
        let patches: Vec<(Arc<SourceFile>, &crate::yaml::Node)> = inst
            .patches
            .iter()
            .filter_map(|(f, o)| {
                let p = &manifests[*f].objects[*o].node;
                let t = if path.is_empty() {
                    Some(p)
                } else {
                    at_path(p, path)
                };
                t.map(|t| (manifests[*f].source.clone(), t))
            })
            .collect();
        match template {
            Some(t) => {
                let mut pod = read_pod(n, src, t, &inst.transform, &patches);
                pod.added = pod::controller_labels(&inst.kind, &inst.name);
                if inst.kind == "Rollout" {
                    pod.variants = rollout_label_variants(&obj.node);
                }
                out.push(pod);
            }
            None if inst.kind == "Rollout" => {
                // `workloadRef`: the pods are the referenced Deployment's.
                let Some(r) = obj.node.get("spec").and_then(|s| s.get("workloadRef")) else {
                    continue;
                };
                let kind = r
                    .get("kind")
                    .and_then(crate::yaml::Node::as_str)
                    .unwrap_or("Deployment");
                let Some(name) = r.get("name").and_then(crate::yaml::Node::as_str) else {
                    continue;
                };
                let target = format!("{}{}{}", inst.transform.prefix, name, inst.transform.suffix);
                for j in ix.find(inst, kind, &inst.namespace, &target) {
                    let d = &ix.instances[j];
                    let dobj = &manifests[d.file].objects[d.obj];
                    if let Some(t) = at_path(&dobj.node, &["spec", "template"]) {
                        out.push(read_pod(n, &manifests[d.file].source, t, &d.transform, &[]));
                        break;
                    }
                }
            }
            None => {}
        }
    }
    out
}
