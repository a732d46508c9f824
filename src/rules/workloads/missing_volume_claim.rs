//! K206: a pod volume's `persistentVolumeClaim.claimName` names a claim that its
//! deployment unit does not define in that namespace, while the unit does define claims
//! there (so claims are this repository's business, not pre-provisioned by hand). The
//! scheduler's VolumeBinding plugin rejects such a pod (`persistentvolumeclaim "x" not
//! found`): it stays Pending and the rollout never progresses.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K206 as META;
use crate::k8s::pod::at_path;
use crate::k8s::resolve::{Resolution, name_span, resolve};
use crate::rules::workloads::who;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct MissingVolumeClaim;

impl Rule for MissingVolumeClaim {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        for r in ix.refs.iter().filter(|r| r.kind == "PersistentVolumeClaim") {
            let inst = &ix.instances[r.inst];
            // Evidence that this unit owns the namespace's claims: it defines one, or a
            // StatefulSet of it makes them from volumeClaimTemplates.
            let owns_claims = ix.defs.iter().any(|d| {
                d.kind == "PersistentVolumeClaim"
                    && d.unit == Some(inst.unit)
                    && d.namespace.as_deref() == Some(inst.namespace.as_str())
            }) || ix.instances.iter().any(|i| {
                i.unit == inst.unit
                    && i.namespace == inst.namespace
                    && i.kind == "StatefulSet"
                    && at_path(
                        &ix.object(&cx.head.manifests, i).node,
                        &["spec", "volumeClaimTemplates"],
                    )
                    .is_some_and(|t| !t.items().is_empty())
            });
            if !owns_claims
                || !matches!(
                    resolve(&cx.head.k8s, &cx.head.manifests, &ix.defs, r),
                    Resolution::Missing
                )
            {
                continue;
            }
            if !done.insert((r.src.path.clone(), r.name_pos.offset)) {
                continue;
            }
            out.push(Diagnostic::new(
                &META,
                &r.src,
                name_span(r),
                format!(
                    "PersistentVolumeClaim `{}` ({} of {}) is defined nowhere in namespace `{}`, where this unit defines its other claims: the scheduler rejects the pods (`persistentvolumeclaim \"{}\" not found`) and they stay Pending",
                    r.name,
                    r.what,
                    who(inst),
                    inst.namespace,
                    r.name
                ),
                "define the claim with the others (or fix the name); if it is provisioned outside this repository, declare it in `[secrets] external` as `PersistentVolumeClaim`",
                format!("{}/{}/PersistentVolumeClaim/{}", inst.kind, inst.name, r.name),
            ));
        }
    }
}
