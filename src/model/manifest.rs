//! Kubernetes objects read from manifest files. The identifying fields are a typed view
//! (`Located` fields keep their positions) read from the span tree; rules read further
//! typed views of each kind from the same tree.

use serde::Deserialize;

use crate::source::SourceFile;
use crate::yaml::{Kind, Located, Node, TypeError, from_node};
use std::sync::Arc;

/// A Kubernetes manifest file: its objects, in order.
#[derive(Debug, Clone)]
pub struct ManifestFile {
    pub source: Arc<SourceFile>,
    pub objects: Vec<Object>,
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
    /// The metadata did not fit its type (e.g. `name: 123`); the API server rejects that.
    pub metadata_error: Option<TypeError>,
}

/// What every object has: read first, before the kind's own view.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    api_version: Located<String>,
    kind: Located<String>,
}

#[derive(Deserialize, Default)]
struct Meta {
    name: Option<Located<String>>,
    namespace: Option<Located<String>>,
}

#[derive(Deserialize)]
struct WithMeta {
    #[serde(default)]
    metadata: Option<Meta>,
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

/// The objects of one parsed document: itself, or the items of a `kind: List`. The tree
/// is moved into the object, not copied.
pub fn objects(doc: Node, range: (usize, usize), out: &mut Vec<Object>) {
    let Ok(head) = from_node::<Head>(&doc) else {
        return;
    };
    if head.kind.value == "List" || head.kind.value.ends_with("List") && doc.get("items").is_some()
    {
        let items = match doc.kind {
            Kind::Map(entries) => entries
                .into_iter()
                .rev()
                .find(|(k, _)| k.text == "items")
                .map(|(_, v)| v),
            _ => None,
        };
        if let Some(Node {
            kind: Kind::Seq(items),
            ..
        }) = items
        {
            for item in items {
                objects(item, range, out);
            }
        }
        return;
    }
    let (meta, metadata_error) = match from_node::<WithMeta>(&doc) {
        Ok(m) => (m.metadata.unwrap_or_default(), None),
        Err(e) => (Meta::default(), Some(e)),
    };
    out.push(Object {
        api_version: head.api_version,
        kind: head.kind,
        name: meta.name,
        namespace: meta.namespace,
        node: doc,
        range,
        metadata_error,
    });
}

/// Whether a parsed document is a Kubernetes object (string `apiVersion` and `kind`).
pub fn is_object(doc: &Node) -> bool {
    from_node::<Head>(doc).is_ok()
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
        objects(docs[0].clone(), (0, text.len()), &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind.value, "Service");
        assert_eq!(out[0].namespace.as_ref().unwrap().value, "shop");
        let name = out[1].name.as_ref().unwrap();
        assert_eq!(
            (name.value.as_str(), name.pos.line, name.pos.column),
            ("cfg", 10, 13)
        );
    }

    #[test]
    fn bad_metadata_keeps_the_object_and_says_where() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n";
        let docs = parse_stream(text, Flavor::Kubernetes).unwrap();
        let mut out = Vec::new();
        objects(docs[0].clone(), (0, text.len()), &mut out);
        let e = out[0].metadata_error.as_ref().unwrap();
        assert_eq!((e.pos.line, e.pos.column), (4, 9));
    }
}
