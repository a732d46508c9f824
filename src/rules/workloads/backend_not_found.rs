//! K204: an Ingress or Gateway API route whose backend names a Service the repository
//! does not define in that namespace, or a port that Service does not have. An Ingress
//! controller answers 503 for every request to it; the Gateway API requires a 500 for
//! an HTTPRoute's invalid backendRef and `UNAVAILABLE` for a GRPCRoute's.

use crate::diagnostic::catalogue::K204 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::Instance;
use crate::k8s::kustomize::scalar_text;
use crate::rules::workloads::{object_span, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

/// What clients get from a route whose backend does not resolve: the Gateway API
/// specifies it per route kind (`HTTPRouteRule.BackendRefs`, `GRPCRouteRule.BackendRefs`);
/// Ingress controllers answer 503 (ingress-nginx's default backend for a missing Service).
fn outcome(inst: &Instance) -> &'static str {
    match inst.kind.as_str() {
        "HTTPRoute" => {
            "the Gateway API makes the gateway answer 500 for every request routed to it"
        }
        "GRPCRoute" => {
            "the Gateway API makes the gateway answer `UNAVAILABLE` for every call routed to it"
        }
        _ => "requests get 503",
    }
}

pub struct BackendNotFound;

/// A backend reference: the Service name node, its namespace, and the port node with
/// whether it is a port name.
struct Backend<'a> {
    /// The `serviceName` form, which `networking.k8s.io/v1` no longer accepts.
    legacy: bool,
    name: &'a Node,
    namespace: Option<String>,
    port: Option<&'a Node>,
}

fn push_backend<'a>(b: &'a Node, out: &mut Vec<Backend<'a>>) {
    if let Some(s) = b.get("service") {
        // networking.k8s.io/v1
        if let Some(name) = s.get("name") {
            let port = s
                .get("port")
                .and_then(|p| p.get("number").or(p.get("name")));
            out.push(Backend {
                legacy: false,
                name,
                namespace: None,
                port,
            });
        }
    } else if let Some(name) = b.get("serviceName") {
        // extensions/v1beta1, networking.k8s.io/v1beta1
        out.push(Backend {
            legacy: true,
            name,
            namespace: None,
            port: b.get("servicePort"),
        });
    }
}

fn ingress_backends(obj: &Node) -> Vec<Backend<'_>> {
    let mut out = Vec::new();
    let Some(spec) = obj.get("spec") else {
        return out;
    };
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.get(key) {
            push_backend(b, &mut out);
        }
    }
    for rule in spec.get("rules").map(Node::items).unwrap_or(&[]) {
        let paths = rule.get("http").and_then(|h| h.get("paths"));
        for p in paths.map(Node::items).unwrap_or(&[]) {
            if let Some(b) = p.get("backend") {
                push_backend(b, &mut out);
            }
        }
    }
    out
}

fn route_backends(obj: &Node) -> Vec<Backend<'_>> {
    let mut out = Vec::new();
    let rules = obj.get("spec").and_then(|s| s.get("rules"));
    for rule in rules.map(Node::items).unwrap_or(&[]) {
        for r in rule.get("backendRefs").map(Node::items).unwrap_or(&[]) {
            let kind = r.get("kind").and_then(Node::as_str).unwrap_or("Service");
            let group = r.get("group").and_then(Node::as_str).unwrap_or("");
            if kind != "Service" || !group.is_empty() {
                continue;
            }
            if let Some(name) = r.get("name") {
                out.push(Backend {
                    legacy: false,
                    name,
                    namespace: r
                        .get("namespace")
                        .and_then(Node::as_str)
                        .map(str::to_string),
                    port: r.get("port"),
                });
            }
        }
    }
    out
}

impl Rule for BackendNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for inst in ix.instances.iter().filter(|i| i.first) {
            let obj = ix.object(m, inst);
            let backends = match (inst.kind.as_str(), inst.group.as_str()) {
                ("Ingress", "networking.k8s.io" | "extensions") => ingress_backends(&obj.node),
                ("HTTPRoute" | "GRPCRoute", "gateway.networking.k8s.io") => {
                    route_backends(&obj.node)
                }
                _ => continue,
            };
            let src = &ix.files[inst.file];
            let v1 = inst.group == "networking.k8s.io"
                && ix.object(m, inst).api_version.value.ends_with("/v1");
            for b in backends {
                if v1 && b.legacy {
                    out.push(Diagnostic::new(
                        &META,
                        src,
                        span_at(src, b.name.pos),
                        format!("{} uses the old `serviceName`/`servicePort` backend form, which networking.k8s.io/v1 does not have: the API server rejects the Ingress", who(inst)),
                        "write `service: {name: …, port: {number: …}}` (or `port: {name: …}`)",
                        format!("{}/{}/legacy", inst.kind, inst.name),
                    ));
                    continue;
                }
                let Some(raw) = b.name.as_str() else { continue };
                // AWS load balancer controller: `use-annotation` means the backend is an
                // action from the `alb.ingress.kubernetes.io/actions.<name>` annotation.
                let annotated = b.port.and_then(Node::as_str) == Some("use-annotation");
                if annotated || raw.contains("{{") || raw.contains("${") {
                    continue;
                }
                let ns = b
                    .namespace
                    .clone()
                    .unwrap_or_else(|| inst.namespace.clone());
                let name = format!("{}{}{}", inst.transform.prefix, raw, inst.transform.suffix);
                let mut found = ix.find(inst, "Service", &ns, &name);
                if found.is_empty() {
                    found = ix.find(inst, "Service", &ns, raw);
                }
                let Some(&svc_i) = found.first() else {
                    // Only a namespace whose Services live here can be judged, and only
                    // a Service nothing here may create (a Helm chart rollsafe does not
                    // render, an operator's resource).
                    if services_in(ix, inst, &ns)
                        && !ix.defined_anywhere("Service", &ns, &name)
                        && !ix.defined_anywhere("Service", &ns, raw)
                        && (b.namespace.is_some() || !flux_places(ix, m, inst, raw))
                        && crate::k8s::producers::may_create(ix, m, inst, "Service", raw).is_none()
                    {
                        out.push(Diagnostic::new(
                            &META,
                            src,
                            span_at(src, b.name.pos),
                            format!("{} routes to Service `{raw}`, which is not defined in namespace `{ns}`: {}", who(inst), outcome(inst)),
                            "create the Service or correct the backend name",
                            format!("{}/{}/{raw}", inst.kind, inst.name),
                        ));
                    }
                    continue;
                };
                let Some(port) = b.port else { continue };
                let ok = |i: &usize| service_has_port(&ix.object(m, &ix.instances[*i]).node, port);
                if found.iter().any(ok) {
                    continue;
                }
                let svc: &Instance = &ix.instances[svc_i];
                let ssrc = &ix.files[svc.file];
                let sobj = ix.object(m, svc);
                let shown = scalar_text(port).unwrap_or_default();
                out.push(
                    Diagnostic::new(
                        &META,
                        src,
                        span_at(src, port.pos),
                        format!("{} routes to port `{shown}` of Service `{raw}`, which has no such port: {}", who(inst), outcome(inst)),
                        "use one of the Service's `spec.ports[].port` numbers (or their names)",
                        format!("{}/{}/{raw}/{shown}", inst.kind, inst.name),
                    )
                    .with_related(Location::new(ssrc, object_span(ssrc, sobj)).with_message(format!("{} is defined here", who(svc)))),
                );
            }
        }
    }
}

/// A route whose namespace nothing here states (no `metadata.namespace`, no kustomize
/// `namespace:`), in a repository Flux applies: Flux puts it in the Kustomization's
/// `targetNamespace`, which GitOps repositories often set with patches or kustomize
/// transformers rollsafe does not evaluate (a `NamespaceTransformer` writing
/// `spec/targetNamespace`). Its Service may then be any of that name, or come from any
/// Helm release of the repository (Flux's HelmRelease renders a chart rollsafe does not).
fn flux_places(
    ix: &crate::k8s::Index,
    m: &[crate::model::manifest::ManifestFile],
    route: &Instance,
    service: &str,
) -> bool {
    let unstated =
        route.transform.namespace.is_none() && m[route.file].objects[route.obj].namespace.is_none();
    unstated
        && crate::k8s::query::applied_by_flux(ix)
        && (crate::k8s::query::defines_kind(ix, "helm.toolkit.fluxcd.io", "HelmRelease")
            || ix
                .instances
                .iter()
                .any(|i| i.is_core("Service") && i.name == service))
}

/// Whether the unit of `from` defines Services in `ns` (else they live elsewhere).
fn services_in(ix: &crate::k8s::Index, from: &Instance, ns: &str) -> bool {
    ix.instances
        .iter()
        .any(|i| i.is_core("Service") && i.namespace == ns && i.unit == from.unit)
}

/// Whether a Service has `port` (a number matching `port`, or a name matching `name`).
fn service_has_port(svc: &Node, port: &Node) -> bool {
    // An ExternalName Service is a DNS name: ingress-nginx (`externalNamePorts`) and
    // Traefik (`getServicePort`) send a numeric backend port to that name as is.
    let external = svc
        .get("spec")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
        == Some("ExternalName");
    if external && matches!(port.kind, Kind::Int(_)) {
        return true;
    }
    let ports = svc
        .get("spec")
        .and_then(|s| s.get("ports"))
        .map(Node::items)
        .unwrap_or(&[]);
    ports.iter().any(|p| match &port.kind {
        Kind::Int(n) => p.get("port").is_some_and(|v| v.kind == Kind::Int(*n)),
        Kind::Str(s) => p.get("name").and_then(Node::as_str) == Some(s.as_str()),
        _ => true,
    })
}
