//! K501: a field the kind does not have — misspelt (`readinesProbe`), in the wrong place
//! (a probe under the pod spec instead of the container), or from another kind
//! (`strategy` on a StatefulSet). kubectl's strict validation rejects the object; older
//! clients and `--validate=false` drop the field silently, so a misspelt probe is a
//! missing probe.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K501 as META;
use crate::k8s::schema::Finding;
use crate::rules::workloads::{key_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct UnknownField;

impl Rule for UnknownField {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for ((f, o), found) in ix.schema_findings(&cx.head.manifests) {
            let Some(inst) = ix.instance_of(*f, *o) else {
                continue;
            };
            let src = &cx.head.manifests[*f].source;
            for finding in found.iter().cloned() {
                let Finding::UnknownField {
                    key,
                    path,
                    ty,
                    suggestion,
                    elsewhere,
                } = finding
                else {
                    continue;
                };
                let hint = match (suggestion, elsewhere.first()) {
                    (Some(s), _) => format!(" (did you mean `{s}`?):"),
                    (None, Some(_)) => format!(" (it is a field of {}):", elsewhere.join(", ")),
                    (None, None) => ":".to_string(),
                };
                out.push(Diagnostic::new(
                        &META,
                        src,
                        key_span(src, &key),
                        format!(
                            "`{path}` is not a field of {ty} in {}{hint} kubectl apply rejects it, or drops it where validation is off",
                            who(inst),
                        ),
                        match suggestion {
                            Some(s) => format!("rename it to `{s}`"),
                            None => "remove it, or move it where the API defines it".to_string(),
                        },
                        format!("{}/{}/{path}", inst.kind, inst.name),
                    ));
            }
        }
    }
}
