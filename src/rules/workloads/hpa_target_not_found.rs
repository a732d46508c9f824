//! K301: an autoscaler whose `scaleTargetRef` names a workload the repository does not
//! define in its namespace. It scales nothing, so the release runs at whatever replica
//! count the workload was given.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K301 as META;
use crate::rules::workloads::{scale_target, span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct HpaTargetNotFound;

impl Rule for HpaTargetNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let m = &cx.head.manifests;
        for a in ix.instances.iter().filter(|i| i.first) {
            let obj = ix.object(m, a);
            let Some((kind, name_node)) = scale_target(a, &obj.node) else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            if name.contains("{{") || name.contains("${") {
                continue;
            }
            let full = format!("{}{}{}", a.transform.prefix, name, a.transform.suffix);
            if !ix.find(a, &kind, &a.namespace, &full).is_empty()
                || !ix.find(a, &kind, &a.namespace, name).is_empty()
            {
                continue;
            }
            // Only a namespace whose workloads are defined in the unit can be judged, and
            // another unit defining the target may be applied with this one.
            if ix.pods_in_unit(a) == 0
                || ix.defined_anywhere(&kind, &a.namespace, &full)
                || ix.defined_anywhere(&kind, &a.namespace, name)
            {
                continue;
            }
            let src = &ix.files[a.file];
            out.push(Diagnostic::new(
                &META,
                src,
                span_at(src, name_node.pos),
                format!(
                    "{} scales {kind} `{name}`, which is not defined in namespace `{}`: nothing is autoscaled",
                    who(a),
                    a.namespace
                ),
                "point scaleTargetRef at the workload's kind and name (after any kustomize prefix)",
                format!("{}/{}", a.kind, a.name),
            ));
        }
    }
}
