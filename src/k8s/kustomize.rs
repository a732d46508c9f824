//! Kustomize, read the way `kustomize build` reads it, as far as names and labels go:
//! which files a kustomization pulls in, and how it renames and relabels them. Only plain
//! YAML is read; remote bases are not fetched.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::{Kind, Node};

/// One `kustomization.yaml` (or `Kustomization`) file.
#[derive(Debug, Clone)]
pub struct Kustomization {
    pub source: Arc<SourceFile>,
    pub doc: Node,
    /// The folder it lives in (`""` for the root).
    pub dir: String,
}

/// What a chain of kustomizations does to the objects it includes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transform {
    pub namespace: Option<String>,
    pub prefix: String,
    pub suffix: String,
    /// Labels added to metadata, and (for `commonLabels` / `includeSelectors`) to selectors.
    pub labels: BTreeMap<String, String>,
    pub selector_labels: BTreeMap<String, String>,
    /// `images:` entries, outermost last: (name, newName, newTag or digest).
    pub images: Vec<ImageOverride>,
    /// Containers whose `image` a `replacements:` entry writes at build time, from a
    /// field of another object: (target, init containers?, container index or name, or
    /// `None` for all).
    pub replaced_images: Vec<(Target, bool, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageOverride {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
}

/// A ConfigMap or Secret made by a generator.
#[derive(Debug, Clone)]
pub struct Generated {
    pub kind: &'static str,
    /// The name as written (before prefix, suffix and hash).
    pub name: String,
    pub hashed: bool,
    pub kustomization: usize,
    /// Keys when they are known (literals, files, env files read from the repository).
    pub keys: Vec<String>,
    pub node: Node,
}

pub fn is_kustomization_name(path: &str) -> bool {
    matches!(
        path.rsplit('/').next().unwrap_or(path),
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// `dir` joined with a relative path, with `.` and `..` resolved; `None` when it leaves
/// the repository or is remote.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.contains("://") || rel.starts_with("github.com/") || rel.starts_with("git@") {
        return None;
    }
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map(|n| n.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default()
}

/// An `images:` entry, or the `imageTag:` of a builtin `ImageTagTransformer` (gcp's PD
/// CSI driver pins its images that way): name, newName, newTag, digest.
pub fn image_override(i: &Node) -> Option<ImageOverride> {
    let name = i.get("name").and_then(Node::as_str)?;
    let get = |k: &str| i.get(k).and_then(scalar_text);
    Some(ImageOverride {
        name: name.to_string(),
        new_name: get("newName"),
        new_tag: get("newTag"),
        digest: get("digest"),
    })
}

fn str_map(node: Option<&Node>) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (k, v) in node.map(Node::entries).unwrap_or(&[]) {
        if let Some(s) = scalar_text(v) {
            m.insert(k.text.clone(), s);
        }
    }
    m
}

/// A scalar as text (labels written as numbers still name something).
pub fn scalar_text(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Int(i) => Some(i.to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        Kind::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

impl Kustomization {
    /// A `kind: Component` (kustomize's reusable, parent-patching unit).
    pub fn is_component(&self) -> bool {
        self.doc.get("kind").and_then(Node::as_str) == Some("Component")
    }

    /// Paths of resources, bases and components, resolved against this folder.
    pub fn includes(&self) -> Vec<String> {
        let d = &self.doc;
        let mut out = Vec::new();
        for key in ["resources", "bases", "components"] {
            for r in strings(d.get(key)) {
                if let Some(p) = join(&self.dir, r) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Files used as strategic-merge patches (not resources of their own).
    pub fn patch_files(&self) -> Vec<(String, Option<Target>)> {
        let d = &self.doc;
        let mut out = Vec::new();
        for key in ["patchesStrategicMerge", "patchesJson6902", "patches"] {
            for item in d.get(key).map(Node::items).unwrap_or(&[]) {
                let (path, target) = match &item.kind {
                    Kind::Str(s) => (Some(s.as_str()), None),
                    Kind::Map(_) => (
                        item.get("path").and_then(Node::as_str),
                        item.get("target").map(Target::read),
                    ),
                    _ => (None, None),
                };
                if let Some(p) = path.and_then(|p| join(&self.dir, p)) {
                    // JSON 6902 patches are operations, not objects: remember the file only.
                    let target = if key == "patchesJson6902" {
                        Some(target.unwrap_or_default())
                    } else {
                        target
                    };
                    out.push((p, target));
                }
            }
        }
        out
    }

    /// The `transformers:` entries: transformer configuration files, or folders whose
    /// kustomization lists them.
    pub fn transformer_paths(&self) -> Vec<String> {
        strings(self.doc.get("transformers"))
            .into_iter()
            .filter_map(|r| join(&self.dir, r))
            .collect()
    }

    /// This kustomization's own transformation (not yet combined with its parents').
    pub fn transform(&self) -> Transform {
        let d = &self.doc;
        let mut t = Transform {
            namespace: d
                .get("namespace")
                .and_then(Node::as_str)
                .map(str::to_string),
            prefix: d
                .get("namePrefix")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            suffix: d
                .get("nameSuffix")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            ..Default::default()
        };
        let common = str_map(d.get("commonLabels"));
        t.labels.extend(common.clone());
        t.selector_labels.extend(common);
        for l in d.get("labels").map(Node::items).unwrap_or(&[]) {
            let pairs = str_map(l.get("pairs"));
            if l.get("includeSelectors").map(|n| &n.kind) == Some(&Kind::Bool(true)) {
                t.selector_labels.extend(pairs.clone());
            }
            t.labels.extend(pairs);
        }
        for r in d.get("replacements").map(Node::items).unwrap_or(&[]) {
            for target in r.get("targets").map(Node::items).unwrap_or(&[]) {
                let select = target.get("select").map(Target::read).unwrap_or_default();
                for path in target.get("fieldPaths").map(Node::items).unwrap_or(&[]) {
                    if let Some((init, which)) = path.as_str().and_then(replaced_container) {
                        t.replaced_images.push((select.clone(), init, which));
                    }
                }
            }
        }
        t.images.extend(
            d.get("images")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(image_override),
        );
        t
    }

    /// The env files its generators read (`envs:`, or the older `env:`): (generator kind,
    /// generator name, the file's path in the repository).
    pub fn env_sources(&self) -> Vec<(&'static str, &str, String)> {
        let mut out = Vec::new();
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for g in self.doc.get(key).map(Node::items).unwrap_or(&[]) {
                let name = g.get("name").and_then(Node::as_str).unwrap_or("?");
                for e in strings(g.get("envs").or(g.get("env"))) {
                    if let Some(path) = join(&self.dir, e) {
                        out.push((kind, name, path));
                    }
                }
            }
        }
        out
    }

    /// ConfigMaps and Secrets this kustomization generates.
    pub fn generated(&self, me: usize, read: &dyn Fn(&str) -> Option<String>) -> Vec<Generated> {
        let d = &self.doc;
        let global_off = d
            .get("generatorOptions")
            .and_then(|g| g.get("disableNameSuffixHash"))
            .is_some_and(|n| n.kind == Kind::Bool(true));
        let mut out = Vec::new();
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for g in d.get(key).map(Node::items).unwrap_or(&[]) {
                let Some(name) = g.get("name").and_then(Node::as_str) else {
                    continue;
                };
                let off = g
                    .get("options")
                    .and_then(|o| o.get("disableNameSuffixHash"))
                    .map(|n| n.kind == Kind::Bool(true))
                    .unwrap_or(global_off);
                let mut keys = Vec::new();
                for lit in strings(g.get("literals")) {
                    if let Some((k, _)) = lit.split_once('=') {
                        keys.push(k.trim().to_string());
                    }
                }
                for f in strings(g.get("files")) {
                    // `key=path` or `path` (key = file name).
                    let key = match f.split_once('=') {
                        Some((k, _)) => k,
                        None => f.rsplit('/').next().unwrap_or(f),
                    };
                    keys.push(key.trim().to_string());
                }
                // An env file the load did not read (`sysbench.conf`, a name no loader
                // claims) holds keys nobody knows: then none are known, not only the others.
                let mut unknown = false;
                for e in strings(g.get("envs").or(g.get("env"))) {
                    let text = join(&self.dir, e).and_then(|p| read(&p));
                    unknown |= text.is_none();
                    if let Some(text) = text {
                        for line in text.lines() {
                            let line = line.trim();
                            if line.is_empty() || line.starts_with('#') {
                                continue;
                            }
                            let k = line.split_once('=').map(|x| x.0).unwrap_or(line);
                            keys.push(k.trim().to_string());
                        }
                    }
                }
                if unknown {
                    keys.clear();
                }
                out.push(Generated {
                    kind,
                    name: name.to_string(),
                    hashed: !off,
                    kustomization: me,
                    keys,
                    node: g.clone(),
                });
            }
        }
        out
    }
}

/// Which objects a patch entry applies to (by kind and name); empty means "by the
/// patch's own kind and name".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    pub kind: Option<String>,
    pub name: Option<String>,
}

impl Target {
    fn read(n: &Node) -> Target {
        Target {
            kind: n.get("kind").and_then(Node::as_str).map(str::to_string),
            name: n.get("name").and_then(Node::as_str).map(str::to_string),
        }
    }
}

impl Transform {
    /// `outer` applied on top of `self` (an inner kustomization's transform).
    pub fn then(&self, outer: &Transform) -> Transform {
        let mut labels = self.labels.clone();
        labels.extend(outer.labels.clone());
        let mut selector_labels = self.selector_labels.clone();
        selector_labels.extend(outer.selector_labels.clone());
        let mut images = self.images.clone();
        images.extend(outer.images.iter().cloned());
        let mut replaced_images = self.replaced_images.clone();
        replaced_images.extend(outer.replaced_images.iter().cloned());
        Transform {
            namespace: outer.namespace.clone().or_else(|| self.namespace.clone()),
            prefix: format!("{}{}", outer.prefix, self.prefix),
            suffix: format!("{}{}", self.suffix, outer.suffix),
            labels,
            selector_labels,
            images,
            replaced_images,
        }
    }

    /// What a component's transformers do to the objects its parent accumulated, beside
    /// names and namespace (which the walk rewrites, keeping the parent's own outermost):
    /// images and labels.
    pub fn carried_by_component(&self) -> Transform {
        Transform {
            labels: self.labels.clone(),
            selector_labels: self.selector_labels.clone(),
            images: self.images.clone(),
            replaced_images: self.replaced_images.clone(),
            ..Transform::default()
        }
    }

    /// Whether a `replacements:` entry writes the image of container `index` (named
    /// `name`) of the object `kind`/`object`: its value then comes from another object at
    /// build time.
    pub fn image_replaced(
        &self,
        kind: &str,
        object: &str,
        init: bool,
        index: usize,
        name: &str,
    ) -> bool {
        self.replaced_images.iter().any(|(t, in_init, which)| {
            *in_init == init
                && t.kind.as_deref().is_none_or(|k| k == kind)
                && t.name.as_deref().is_none_or(|n| n == object)
                && which
                    .as_deref()
                    .is_none_or(|w| w == name || w == index.to_string())
        })
    }

    /// The image reference after the `images:` overrides.
    pub fn image(&self, image: &str) -> String {
        let mut current = image.to_string();
        for o in &self.images {
            let (name, tag) = split_image(&current);
            if name != o.name {
                continue;
            }
            let new_name = o.new_name.clone().unwrap_or_else(|| name.to_string());
            current = if let Some(d) = &o.digest {
                format!("{new_name}@{d}")
            } else if let Some(t) = &o.new_tag {
                format!("{new_name}:{t}")
            } else {
                match tag {
                    Some(t) => format!("{new_name}{t}"),
                    None => new_name,
                }
            };
        }
        current
    }
}

/// The container a replacement's `fieldPath` writes the image of:
/// `spec.template.spec.containers.0.image` → `Some(Some("0"))`,
/// `…containers.[name=web].image` → `Some(Some("web"))`, `…containers.*.image` →
/// `Some(None)` (with whether they are `initContainers`); `None` when the path is not a
/// container image.
fn replaced_container(path: &str) -> Option<(bool, Option<String>)> {
    let parts: Vec<&str> = path.split('.').collect();
    let n = parts.len();
    if n < 3 || parts[n - 1] != "image" || !matches!(parts[n - 3], "containers" | "initContainers")
    {
        return None;
    }
    let which = match parts[n - 2] {
        "*" => None,
        w if w.starts_with("[name=") => Some(
            w.trim_start_matches("[name=")
                .trim_end_matches(']')
                .to_string(),
        ),
        w => Some(w.to_string()),
    };
    Some((parts[n - 3] == "initContainers", which))
}

/// `registry:5000/app:1.2` → (`registry:5000/app`, Some(`:1.2`)); a digest stays in the
/// second part (`:1.2@sha256:…` or `@sha256:…`).
pub fn split_image(image: &str) -> (&str, Option<&str>) {
    let at = image.find('@').unwrap_or(image.len());
    let named = &image[..at];
    let last_slash = named.rfind('/').map(|i| i + 1).unwrap_or(0);
    let end = named[last_slash..]
        .find(':')
        .map(|i| last_slash + i)
        .unwrap_or(at);
    if end == image.len() {
        (image, None)
    } else {
        (&image[..end], Some(&image[end..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_kustomize() {
        assert_eq!(join("overlays/prod", "../../base").as_deref(), Some("base"));
        assert_eq!(join("a", "./b.yaml").as_deref(), Some("a/b.yaml"));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a", "https://github.com/x/y"), None);
    }

    #[test]
    fn images_split_and_override() {
        assert_eq!(
            split_image("registry:5000/app"),
            ("registry:5000/app", None)
        );
        assert_eq!(split_image("app:1.2"), ("app", Some(":1.2")));
        assert_eq!(
            split_image("app:1.2@sha256:abc"),
            ("app", Some(":1.2@sha256:abc"))
        );
        let t = Transform {
            images: vec![ImageOverride {
                name: "app".into(),
                new_name: Some("reg/app".into()),
                new_tag: Some("2.0".into()),
                digest: None,
            }],
            ..Default::default()
        };
        assert_eq!(t.image("app:1.0"), "reg/app:2.0");
        assert_eq!(t.image("other:1.0"), "other:1.0");
    }
}
