//! Kubernetes objects read from manifest files: the identifying fields, each with its
//! position, plus the whole span-carrying tree that typed views of each kind read.

use crate::yaml::{Node, Pos};

/// A value with the position of the scalar it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Object {
    pub api_version: Located<String>,
    pub kind: Located<String>,
    pub name: Option<Located<String>>,
    /// As written; resolution against kustomize and `default` happens in the index.
    pub namespace: Option<Located<String>>,
    pub node: Node,
    /// Byte range of the document in its file (for annotation suppressions).
    pub range: (usize, usize),
}

impl Object {
    pub fn name(&self) -> &str {
        self.name.as_ref().map(|n| n.value.as_str()).unwrap_or("")
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.node
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }
}

fn str_at(n: &Node, path: &[&str]) -> Option<Located<String>> {
    let mut cur = n;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(|s| Located {
        value: s.to_string(),
        pos: cur.pos,
    })
}

/// The objects of one parsed document: itself, or the items of a `kind: List`.
pub fn objects(doc: &Node, range: (usize, usize), out: &mut Vec<Object>) {
    let (Some(api_version), Some(kind)) = (str_at(doc, &["apiVersion"]), str_at(doc, &["kind"]))
    else {
        return;
    };
    if kind.value == "List" || kind.value.ends_with("List") && doc.get("items").is_some() {
        for item in doc.get("items").map(|i| i.items()).unwrap_or(&[]) {
            objects(item, range, out);
        }
        return;
    }
    out.push(Object {
        api_version,
        kind,
        name: str_at(doc, &["metadata", "name"]),
        namespace: str_at(doc, &["metadata", "namespace"]),
        node: doc.clone(),
        range,
    });
}

/// Whether a parsed document is a Kubernetes object (has `apiVersion` and `kind`).
pub fn is_object(doc: &Node) -> bool {
    str_at(doc, &["apiVersion"]).is_some() && str_at(doc, &["kind"]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Flavor, parse_stream};

    #[test]
    fn lists_are_expanded_and_fields_located() {
        let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: web, namespace: shop}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n";
        let docs = parse_stream(text, Flavor::Kubernetes).unwrap();
        let mut out = Vec::new();
        objects(&docs[0], (0, text.len()), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind.value, "Service");
        assert_eq!(out[0].namespace.as_ref().unwrap().value, "shop");
        let name = out[1].name.as_ref().unwrap();
        assert_eq!(
            (name.value.as_str(), name.pos.line, name.pos.column),
            ("cfg", 10, 13)
        );
    }
}
