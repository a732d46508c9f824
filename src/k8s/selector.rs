//! Label selectors: the `matchLabels` / `matchExpressions` form of workloads and PDBs, and
//! the plain map of Services and ReplicationControllers.

use std::collections::BTreeMap;

use crate::k8s::kustomize::scalar_text;
use crate::yaml::Node;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    pub match_labels: Labels,
    pub expressions: Vec<Expression>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

/// A mapping of strings (labels, a Service selector); non-string values are kept as text.
pub fn labels(node: Option<&Node>) -> Labels {
    let mut m = Labels::new();
    for (k, v) in node.map(Node::entries).unwrap_or(&[]) {
        if let Some(s) = scalar_text(v) {
            m.insert(k.text.clone(), s);
        }
    }
    m
}

impl Selector {
    /// A `LabelSelector` (`matchLabels` + `matchExpressions`).
    pub fn read(node: &Node) -> Selector {
        let expressions = node
            .get("matchExpressions")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| {
                Some(Expression {
                    key: e.get("key")?.as_str()?.to_string(),
                    operator: e.get("operator")?.as_str()?.to_string(),
                    values: e
                        .get("values")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(scalar_text)
                        .collect(),
                })
            })
            .collect();
        Selector {
            match_labels: labels(node.get("matchLabels")),
            expressions,
        }
    }

    /// A plain `key: value` selector (Service, ReplicationController).
    pub fn from_map(node: &Node) -> Selector {
        Selector {
            match_labels: labels(Some(node)),
            expressions: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_with(labels, None)
    }

    /// Matches `labels` with `extra` laid over them (no copy made).
    pub fn matches_with(&self, labels: &Labels, extra: Option<&Labels>) -> bool {
        let get = |k: &str| extra.and_then(|x| x.get(k)).or_else(|| labels.get(k));
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v))
            && self.expressions.iter().all(|e| {
                let have = get(&e.key);
                match e.operator.as_str() {
                    "In" => have.is_some_and(|v| e.values.contains(v)),
                    "NotIn" => !have.is_some_and(|v| e.values.contains(v)),
                    "Exists" => have.is_some(),
                    "DoesNotExist" => have.is_none(),
                    _ => false,
                }
            })
    }

    /// `app=web,tier in (a,b)` for messages.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for e in &self.expressions {
            parts.push(match e.operator.as_str() {
                "Exists" => e.key.clone(),
                "DoesNotExist" => format!("!{}", e.key),
                op => format!("{} {} ({})", e.key, op.to_lowercase(), e.values.join(",")),
            });
        }
        parts.join(",")
    }

    pub fn with_labels(mut self, extra: &Labels) -> Selector {
        self.match_labels
            .extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Flavor, parse_stream};

    #[test]
    fn expressions_match_like_the_api_server() {
        let doc = parse_stream(
            "matchLabels: {app: web}\nmatchExpressions:\n  - {key: tier, operator: In, values: [a, b]}\n  - {key: canary, operator: DoesNotExist}\n",
            Flavor::Kubernetes,
        )
        .unwrap();
        let s = Selector::read(&doc[0]);
        let l = |pairs: &[(&str, &str)]| -> Labels {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(s.matches(&l(&[("app", "web"), ("tier", "a")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "c")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "a"), ("canary", "1")])));
        assert_eq!(s.describe(), "app=web,tier in (a,b),!canary");
    }
}
