//! S101: a Secret or ConfigMap that a workload needs to start (env, envFrom, volumes,
//! projected volumes, Ingress/Gateway TLS) is defined nowhere in the repository in that
//! namespace and not declared external.

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::resolve::{Resolution, name_span, resolve};
use crate::project::ProjectCx;
use crate::rules::workloads::{span_at, who};
use crate::rules::{Domain, Rule, RuleMeta};

pub struct MissingObject;

static META: RuleMeta = RuleMeta {
    code: "S101",
    name: "missing-config-object",
    domain: Domain::Secrets,
    severity: Severity::Error,
    summary: "A Secret or ConfigMap a workload needs is defined nowhere in its namespace and not declared external.",
    needs_base: false,
};

impl Rule for MissingObject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        for r in &ix.refs {
            if r.optional
                || r.pull_secret
                || r.kind == "ServiceAccount"
                || r.kind == "PersistentVolumeClaim"
            {
                continue;
            }
            if !matches!(resolve(cx, &ix.defs, r), Resolution::Missing) {
                continue;
            }
            if !done.insert((r.src.path.clone(), r.name_pos.offset)) {
                continue;
            }
            let inst = &ix.instances[r.inst];
            let mut d = Diagnostic::new(
                &META,
                &r.src,
                name_span(r),
                format!(
                    "{} `{}` ({} of {}) is defined nowhere in namespace `{}`: pods fail to start (CreateContainerConfigError or FailedMount)",
                    r.kind,
                    r.name,
                    r.what,
                    who(inst),
                    inst.namespace
                ),
                format!(
                    "define the {} (a manifest, an ExternalSecret, a SealedSecret or a kustomize generator), mark the reference `optional: true`, or declare it in `[secrets] external` if it is created outside this repository",
                    r.kind
                ),
                format!("{}/{}/{}/{}", inst.kind, inst.name, r.kind, r.name),
            );
            // The nearest definition: the same name in another namespace.
            if let Some(other) = ix
                .defs
                .iter()
                .find(|d| d.kind == r.kind && (d.raw_name == r.name || d.name == r.name))
                && let Some((src, pos)) = &other.at
            {
                d = d.with_related(Location::new(src, span_at(src, *pos)).with_message(format!(
                    "{} defines `{}` in namespace `{}`",
                    other.via,
                    other.name,
                    other.namespace.as_deref().unwrap_or("any")
                )));
            }
            out.push(d);
        }
    }
}
