//! Weighted routes of Istio VirtualServices, Gateway API routes and SMI TrafficSplits.
//! Weights are relative proportions in all three: shares are normalised before use.

use crate::k8s::pod::at_path;
use crate::yaml::{Key, Kind, Node, Pos};

#[derive(Debug, Clone)]
pub struct Backend {
    pub name: String,
    /// `None`: no weight written.
    pub weight: Option<i128>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Split {
    /// Where the list of backends is (`route`, `backendRefs`, `backends`).
    pub key: Key,
    pub backends: Vec<Backend>,
    /// The weight a backend without one gets (Gateway API: 1; Istio: 0 when others
    /// are weighted, SMI: required).
    pub default_weight: i128,
    /// A stable label for the split (rule index), to pair it with the base.
    pub label: String,
}

fn int(n: Option<&Node>) -> Option<i128> {
    match n.map(|n| &n.kind) {
        Some(Kind::Int(i)) => Some(*i),
        _ => None,
    }
}

fn key_of<'a>(parent: &'a Node, name: &str) -> Option<&'a Key> {
    parent
        .entries()
        .iter()
        .rev()
        .find(|(k, _)| k.text == name)
        .map(|(k, _)| k)
}

/// The weighted splits of one object, if it is a routing kind.
pub fn splits(group: &str, kind: &str, obj: &Node) -> Vec<Split> {
    let mut out = Vec::new();
    match (group, kind) {
        ("networking.istio.io", "VirtualService") => {
            for proto in ["http", "tcp", "tls"] {
                for (i, r) in at_path(obj, &["spec", proto])
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                {
                    let Some(key) = key_of(r, "route") else {
                        continue;
                    };
                    let backends = r
                        .get("route")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .map(|d| {
                            let dest = d.get("destination");
                            let host = dest
                                .and_then(|x| x.get("host"))
                                .and_then(Node::as_str)
                                .unwrap_or("?");
                            let subset = dest.and_then(|x| x.get("subset")).and_then(Node::as_str);
                            Backend {
                                name: match subset {
                                    Some(s) => format!("{host}/{s}"),
                                    None => host.to_string(),
                                },
                                weight: int(d.get("weight")),
                                pos: d.get("weight").map(|w| w.pos).unwrap_or(d.pos),
                            }
                        })
                        .collect();
                    out.push(Split {
                        key: key.clone(),
                        backends,
                        default_weight: 0,
                        label: format!("{proto}[{i}]"),
                    });
                }
            }
        }
        ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute" | "TCPRoute" | "TLSRoute") => {
            for (i, r) in at_path(obj, &["spec", "rules"])
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let Some(key) = key_of(r, "backendRefs") else {
                    continue;
                };
                let backends = r
                    .get("backendRefs")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .map(|b| Backend {
                        name: b
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or("?")
                            .to_string(),
                        weight: int(b.get("weight")),
                        pos: b.get("weight").map(|w| w.pos).unwrap_or(b.pos),
                    })
                    .collect();
                out.push(Split {
                    key: key.clone(),
                    backends,
                    default_weight: 1,
                    label: format!("rules[{i}]"),
                });
            }
        }
        ("split.smi-spec.io", "TrafficSplit") => {
            if let Some(spec) = obj.get("spec")
                && let Some(key) = key_of(spec, "backends")
            {
                let backends = spec
                    .get("backends")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .map(|b| Backend {
                        name: b
                            .get("service")
                            .and_then(Node::as_str)
                            .unwrap_or("?")
                            .to_string(),
                        // v1alpha1 wrote quantities such as `500m`.
                        weight: int(b.get("weight")).or_else(|| {
                            b.get("weight")
                                .and_then(Node::as_str)
                                .and_then(|s| s.trim_end_matches('m').parse().ok())
                        }),
                        pos: b.get("weight").map(|w| w.pos).unwrap_or(b.pos),
                    })
                    .collect();
                out.push(Split {
                    key: key.clone(),
                    backends,
                    default_weight: 0,
                    label: "backends".into(),
                });
            }
        }
        _ => {}
    }
    out
}

impl Split {
    /// Each backend's share of traffic in percent.
    pub fn shares(&self) -> Vec<(String, f64)> {
        let weights: Vec<i128> = self
            .backends
            .iter()
            .map(|b| b.weight.unwrap_or(self.default_weight))
            .collect();
        let total: i128 = weights.iter().sum();
        self.backends
            .iter()
            .zip(weights)
            .map(|(b, w)| {
                (
                    b.name.clone(),
                    if total > 0 {
                        w as f64 * 100.0 / total as f64
                    } else {
                        0.0
                    },
                )
            })
            .collect()
    }
}
