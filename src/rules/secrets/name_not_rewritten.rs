//! S104: a reference, in a kind kustomize does not know (an Argo Rollout, a Knative
//! Service…), to a Secret or ConfigMap whose name kustomize changes (name prefix or
//! suffix, generator hash). kustomize rewrites such references only in built-in kinds,
//! so the deployed object names something that does not exist.

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::resolve::{Resolution, name_span, resolve};
use crate::project::ProjectCx;
use crate::rules::workloads::{span_at, who};
use crate::rules::{Domain, Rule, RuleMeta};

pub struct NameNotRewritten;

static META: RuleMeta = RuleMeta {
    code: "S104",
    name: "name-not-rewritten",
    domain: Domain::Secrets,
    severity: Severity::Error,
    summary: "A custom resource refers to a ConfigMap or Secret by a name kustomize changes but does not rewrite there.",
    needs_base: false,
};

impl Rule for NameNotRewritten {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        for r in &ix.refs {
            let Resolution::NotRewritten(def) = resolve(cx, &ix.defs, r) else {
                continue;
            };
            if !done.insert((r.src.path.clone(), r.name_pos.offset)) {
                continue;
            }
            let inst = &ix.instances[r.inst];
            let becomes = if def.hashed {
                format!("`{}-<hash>`", def.name)
            } else {
                format!("`{}`", def.name)
            };
            let mut d = Diagnostic::new(
                &META,
                &r.src,
                name_span(r),
                format!(
                    "{} `{}` ({} of {}) is deployed as {becomes}, but kustomize does not rewrite references inside a {}: the deployed {} names a {} that does not exist",
                    r.kind,
                    r.name,
                    r.what,
                    who(inst),
                    inst.kind,
                    inst.kind,
                    r.kind
                ),
                "teach kustomize the field (`configurations:` with the kind's nameReference field specs, e.g. Argo's rollout-transform.yaml), or disable the name suffix hash for this generator",
                format!("{}/{}/{}/{}", inst.kind, inst.name, r.kind, r.name),
            );
            if let Some((src, pos)) = &def.at {
                d = d.with_related(
                    Location::new(src, span_at(src, *pos)).with_message(def.via.clone()),
                );
            }
            out.push(d);
        }
    }
}
