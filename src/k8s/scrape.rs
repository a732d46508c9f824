//! Services that exist only to be scraped for metrics. Prometheus' Kubernetes service
//! discovery lists every endpoint address, ready or not (`role: endpoints` and
//! `endpointslice` expose `__meta_kubernetes_endpoint_ready` instead of filtering), so
//! readiness does not gate what such a Service carries.

use crate::k8s::selector::Selector;
use crate::k8s::{Index, Instance};
use crate::model::manifest::ManifestFile;
use crate::yaml::Node;

/// A port name for the operators' tools rather than the application's clients: metrics,
/// profiling and the kubelet's probe port (Tekton's and Knative's controllers expose
/// `http-metrics`, `http-profiling` and `probes` on a Service that serves nothing else).
fn operational_port(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("metrics")
        || n.contains("profiling")
        || n.contains("pprof")
        || matches!(n.as_str(), "probes" | "health" | "healthz")
}

impl Index {
    /// True when every port of the Service is an operational port: its name or target
    /// port name says `metrics`, `profiling` or `pprof`, or is `probes`/`health`/`healthz`, or a Prometheus-operator ServiceMonitor of the same
    /// deployment unit that selects the Service scrapes it.
    pub fn is_scrape_only_service(&self, manifests: &[ManifestFile], svc: &Instance) -> bool {
        let ports = self.service_ports(manifests, svc);
        if ports.is_empty() {
            return false;
        }
        let scraped = self.scraped_port_names(manifests, svc);
        ports.iter().all(|p| {
            let names = [p.get("name"), p.get("targetPort")];
            names
                .iter()
                .flatten()
                .filter_map(|n| n.as_str())
                .any(|n| operational_port(n) || scraped.iter().any(|s| s == n))
        })
    }

    /// The Service's `spec.ports` entries.
    pub fn service_ports<'a>(&self, manifests: &'a [ManifestFile], svc: &Instance) -> &'a [Node] {
        self.object(manifests, svc)
            .node
            .get("spec")
            .and_then(|s| s.get("ports"))
            .map(Node::items)
            .unwrap_or(&[])
    }

    /// Port names that ServiceMonitors selecting this Service scrape.
    fn scraped_port_names(&self, manifests: &[ManifestFile], svc: &Instance) -> Vec<String> {
        let mut out = Vec::new();
        for sm in &self.instances {
            if sm.kind != "ServiceMonitor"
                || sm.group != "monitoring.coreos.com"
                || sm.unit != svc.unit
            {
                continue;
            }
            let Some(spec) = self.object(manifests, sm).node.get("spec") else {
                continue;
            };
            if !watches_namespace(spec, &sm.namespace, &svc.namespace) {
                continue;
            }
            let Some(sel) = spec.get("selector") else {
                continue;
            };
            let sel = Selector::read(sel);
            if sel.is_empty() || !sel.matches(&svc.labels) {
                continue;
            }
            for ep in spec.get("endpoints").map(Node::items).unwrap_or(&[]) {
                for key in ["port", "targetPort"] {
                    if let Some(n) = ep.get(key).and_then(Node::as_str) {
                        out.push(n.to_string());
                    }
                }
            }
        }
        out
    }
}

/// `spec.namespaceSelector`: absent means the ServiceMonitor's own namespace.
fn watches_namespace(spec: &Node, own: &str, target: &str) -> bool {
    let Some(ns) = spec.get("namespaceSelector") else {
        return own == target;
    };
    if ns
        .get("any")
        .is_some_and(|n| matches!(n.kind, crate::yaml::Kind::Bool(true)))
    {
        return true;
    }
    ns.get("matchNames")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .any(|n| n == target)
}
