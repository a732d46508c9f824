//! S103: a `serviceAccountName` or an `imagePullSecrets` entry that is defined nowhere in
//! the repository in that namespace and not declared external. Pods are rejected at
//! admission without their ServiceAccount; without the pull secret a private image
//! cannot be pulled (ImagePullBackOff).

use crate::diagnostic::catalogue::S103 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::k8s::resolve::{Resolution, name_span, resolve};
use crate::rules::workloads::who;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct MissingServiceAccount;

impl Rule for MissingServiceAccount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        for r in &ix.refs {
            if r.kind != "ServiceAccount" && !r.pull_secret() {
                continue;
            }
            if !matches!(
                resolve(&cx.head.k8s, &cx.head.manifests, &ix.defs, r),
                Resolution::Missing
            ) {
                continue;
            }
            if !done.insert((r.src.path.clone(), r.name_pos.offset)) {
                continue;
            }
            let inst = &ix.instances[r.inst];
            let (severity, message, help) = if r.pull_secret() {
                (
                    Severity::Warning,
                    format!(
                        "image pull secret `{}` of {} is defined nowhere in namespace `{}`: a private image cannot be pulled (ImagePullBackOff)",
                        r.name,
                        who(inst),
                        inst.namespace
                    ),
                    "define the dockerconfigjson Secret (or SealedSecret/ExternalSecret), or declare it in `[secrets] external`",
                )
            } else {
                (
                    Severity::Error,
                    format!(
                        "ServiceAccount `{}` of {} is defined nowhere in namespace `{}`: its pods are rejected at admission and the rollout never starts",
                        r.name,
                        who(inst),
                        inst.namespace
                    ),
                    "add the ServiceAccount manifest, or declare it in `[secrets] external` if it is created outside this repository",
                )
            };
            let mut d = Diagnostic::new(
                &META,
                &r.src,
                name_span(r),
                message,
                help,
                format!("{}/{}/{}/{}", inst.kind, inst.name, r.kind, r.name),
            )
            .with_severity(severity);
            // Without a base, what no file defines anywhere is a prerequisite made
            // outside the repository: a pull secret, or a ServiceAccount that an RBAC
            // manifest fetched from another project creates (csi-driver-host-path's
            // deploy script applies external-attacher's `rbac.yaml` by URL).
            let kind = if r.pull_secret() {
                "Secret"
            } else {
                "ServiceAccount"
            };
            let anywhere = ix.made_in_any_namespace(kind, &r.name);
            cx.external_prerequisite(anywhere, &mut d);
            out.push(d);
        }
    }
}
