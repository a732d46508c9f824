//! S104: a reference that kustomize does not rewrite (its kind and field are outside
//! kustomize's built-in name-reference table: an Argo Rollout, a ReplicationController's
//! ConfigMap, a Knative Service's volume…) to an object whose name kustomize changes (name
//! prefix or suffix, generator hash), so the deployed object names something that does
//! not exist. The table is `k8s::name_reference`.

use crate::diagnostic::catalogue::S104 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::resolve::{Resolution, name_span, resolve};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct NameNotRewritten;

impl Rule for NameNotRewritten {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        for r in &ix.refs {
            let Resolution::NotRewritten(def) =
                resolve(&cx.head.k8s, &cx.head.manifests, &ix.defs, r)
            else {
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
                    "{} `{}` ({} of {}) is deployed as {becomes}, but kustomize does not rewrite this field of a {}: the deployed {} names a {} that does not exist",
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
