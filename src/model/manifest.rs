//! Kubernetes objects read from manifest files: the identifying fields plus the whole
//! span-carrying tree (the workload rules read typed views of it).

use crate::yaml::Node;

#[derive(Debug, Clone)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// As written; resolution against kustomize and `default` happens in the index.
    pub namespace: Option<String>,
    pub node: Node,
    /// Byte range of the document in its file (for annotation suppressions).
    pub range: (usize, usize),
}

impl Object {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.node
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}

fn str_at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut cur = n;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// The objects of one parsed document: itself, or the items of a `kind: List`.
pub fn objects(doc: &Node, range: (usize, usize), out: &mut Vec<Object>) {
    let (Some(api_version), Some(kind)) = (str_at(doc, &["apiVersion"]), str_at(doc, &["kind"]))
    else {
        return;
    };
    if kind == "List" || kind.ends_with("List") && doc.get("items").is_some() {
        for item in doc.get("items").map(|i| i.items()).unwrap_or(&[]) {
            objects(item, range, out);
        }
        return;
    }
    out.push(Object {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: str_at(doc, &["metadata", "name"]).unwrap_or("").to_string(),
        namespace: str_at(doc, &["metadata", "namespace"]).map(str::to_string),
        node: doc.clone(),
        range,
    });
}

/// Whether a parsed document is a Kubernetes object (has `apiVersion` and `kind`).
pub fn is_object(doc: &Node) -> bool {
    str_at(doc, &["apiVersion"]).is_some() && str_at(doc, &["kind"]).is_some()
}
