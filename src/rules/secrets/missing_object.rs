//! S101: a Secret or ConfigMap that a workload needs to start (env, envFrom, volumes,
//! projected volumes) is defined nowhere in the repository in that namespace and not
//! declared external. A missing Ingress/Gateway TLS Secret stops no pod: the controller
//! serves its default certificate instead, so it is a warning with its own reason.

use crate::diagnostic::catalogue::S101 as META;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::resolve::{Resolution, name_span, resolve};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct MissingObject;

impl Rule for MissingObject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        // One finding per reference in the files: a base read by several units (dev,
        // staging, production overlays) reports the unit where it matters most, as a
        // missing Secret in an overlay that keeps its Secrets outweighs one in an
        // overlay whose Secrets are made outside.
        let mut found: Vec<Diagnostic> = Vec::new();
        let mut at: std::collections::HashMap<(String, usize), usize> =
            std::collections::HashMap::new();
        for r in &ix.refs {
            if r.optional
                || r.pull_secret()
                || r.kind == "ServiceAccount"
                || r.kind == "PersistentVolumeClaim"
            {
                continue;
            }
            if !matches!(
                resolve(&cx.head.k8s, &cx.head.manifests, &ix.defs, r),
                Resolution::Missing
            ) {
                continue;
            }
            let inst = &ix.instances[r.inst];
            // No pod reads a route certificate: nothing fails to start.
            let consequence = if r.route_tls() && inst.kind == "Gateway" {
                "the listener is marked ResolvedRefs=False (InvalidCertificateRef), and HTTPS on it fails or falls back to a certificate clients reject, depending on the implementation"
            } else if r.route_tls() {
                // ingress-nginx: its default certificate, self-signed unless
                // `--default-ssl-certificate` names one.
                "the ingress controller serves its default certificate for these hosts instead (self-signed unless one is configured), and HTTPS clients reject it"
            } else {
                "pods fail to start (CreateContainerConfigError or FailedMount)"
            };
            let mut d = Diagnostic::new(
                &META,
                &r.src,
                name_span(r),
                format!(
                    "{} `{}` ({} of {}) is defined nowhere in namespace `{}`: {consequence}",
                    r.kind,
                    r.name,
                    r.what,
                    who(inst),
                    inst.namespace
                ),
                if r.route_tls() {
                    "define the certificate's Secret (a cert-manager Certificate, an ExternalSecret, a SealedSecret or a manifest), or declare it in `[secrets] external` if it is created outside this repository".to_string()
                } else {
                    format!(
                        "define the {} (a manifest, an ExternalSecret, a SealedSecret or a kustomize generator), mark the reference `optional: true`, or declare it in `[secrets] external` if it is created outside this repository",
                        r.kind
                    )
                },
                format!("{}/{}/{}/{}", inst.kind, inst.name, r.kind, r.name),
            );
            if r.route_tls() {
                // The release's pods run; HTTPS to these hosts fails unless the controller's
                // default certificate happens to cover them.
                d = d.with_severity(Severity::Warning);
            }
            // The nearest definition: the same name in another namespace.
            let elsewhere = ix
                .defs
                .iter()
                .find(|d| d.kind == r.kind && (d.raw_name == r.name || d.name == r.name));
            if r.kind == "Secret" || r.kind == "ConfigMap" {
                // A near miss of an object the repository defines is a typo, not a
                // prerequisite made outside it.
                let limit = (r.name.len() / 4).clamp(1, 3);
                let near_miss = ix.defs.iter().any(|d| {
                    d.kind == r.kind
                        && (1..=limit)
                            .contains(&crate::k8s::schema::edit_distance(&d.name, &r.name))
                });
                // A unit that ships ConfigMaps of its own keeps its configuration in the
                // repository: one it reads but does not ship was renamed or forgotten. A
                // unit that ships none is configured from outside (crowd.dev reads
                // `backend-config` and ships only `pre-built/backend.env` to make it from).
                let ships_own = r.kind == "ConfigMap"
                    && ix
                        .defs
                        .iter()
                        .any(|d| d.kind == "ConfigMap" && d.unit == Some(inst.unit));
                // Made by a command of the repository in another namespace (`kubectl
                // create configmap shop-flags -n staging`): a wrong place, not a
                // prerequisite. So is one defined in another namespace or unit, where this
                // namespace or unit keeps objects of the kind in the repository. One that
                // keeps none has them made outside: fineract's dev overlays seal their
                // Secrets beside them, production's are sealed at its bootstrap, and dev's
                // say nothing about production.
                let keeps_kind = ix.defs.iter().any(|d| {
                    d.kind == r.kind
                        && (d.unit == Some(inst.unit)
                            || d.namespace.as_deref() == Some(inst.namespace.as_str()))
                });
                let anywhere = ix.made_by_command(r.kind, &r.name)
                    || (keeps_kind && ix.defined_in_any_namespace(r.kind, &r.name));
                cx.external_prerequisite(anywhere || near_miss || ships_own, &mut d);
            }
            if let Some(other) = elsewhere
                && let Some((src, pos)) = &other.at
            {
                d = d.with_related(Location::new(src, span_at(src, *pos)).with_message(format!(
                    "{} defines `{}` in namespace `{}`",
                    other.via,
                    other.name,
                    other.namespace.as_deref().unwrap_or("any")
                )));
            }
            match at.entry((r.src.path.clone(), r.name_pos.offset)) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let i = *e.get();
                    if found[i].severity < d.severity {
                        found[i] = d;
                    }
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(found.len());
                    found.push(d);
                }
            }
        }
        out.extend(found);
    }
}
