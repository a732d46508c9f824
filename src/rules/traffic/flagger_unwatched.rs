//! T201: a Flagger Canary that nothing watches: `skipAnalysis: true`, no `analysis`
//! block (the CRD requires one: the apply fails), or an analysis with neither metrics nor webhooks
//! — weights advance on a timer alone.

use crate::diagnostic::catalogue::T201 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::workloads::{entry, key_span, object_span, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::flagger::analysis;

pub struct FlaggerUnwatched;

impl Rule for FlaggerUnwatched {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "Canary" && i.group == "flagger.app")
        {
            let obj = ix.object(&cx.head.manifests, inst);
            let a = analysis(&obj.node);
            let src = &ix.files[inst.file];
            let spec = obj.node.get("spec");
            let mut severity = META.severity;
            let (at, message) = if let Some((k, _)) = spec
                .and_then(|s| entry(s, "skipAnalysis"))
                .filter(|_| a.skip)
            {
                (
                    key_span(src, k),
                    format!(
                        "{} sets skipAnalysis: the new version is promoted straight to all traffic, without metric or webhook checks",
                        who(inst)
                    ),
                )
            } else if a.node.is_none() {
                // flagger.app's CRD lists `analysis` under `required`: the API server
                // refuses the object, so the apply step of the release fails.
                severity = Severity::Error;
                (
                    object_span(src, obj),
                    format!(
                        "{} has no `analysis`, which the Canary CRD requires (`spec.required: [targetRef, analysis]`): the API server rejects it and the release's apply fails",
                        who(inst)
                    ),
                )
            } else if !a.has_checks {
                let k = spec
                    .and_then(|s| entry(s, "analysis").or(entry(s, "canaryAnalysis")))
                    .map(|(k, _)| key_span(src, k))
                    .unwrap_or_else(|| object_span(src, obj));
                (
                    k,
                    format!(
                        "the analysis of {} has no metrics and no webhooks: weights advance every interval whatever the new version does",
                        who(inst)
                    ),
                )
            } else {
                continue;
            };
            out.push(Diagnostic::new(
                &META,
                src,
                at,
                message,
                "give the analysis metrics (request-success-rate, request-duration) or a load-test/acceptance webhook, and do not skip it",
                format!("{}/{}", inst.kind, inst.name),
            ).with_severity(severity));
        }
    }
}
