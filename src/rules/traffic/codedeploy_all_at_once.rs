//! T503: a CodeDeploy deployment with no small first step — a deployment group's
//! `CodeDeployDefault.*AllAtOnce` (everything at once) or `CodeDeployDefault.HalfAtATime`
//! (EC2/on-premises: half of the instances per batch), a SAM `DeploymentPreference` of
//! `AllAtOnce`, or a custom config of type `AllAtOnce` — unless the resource, its template
//! or its folder is named for a non-production stage (dev, test, beta, gamma, staging…).

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T503 as META;
use crate::model::aws::codedeploy_configs;
use crate::rules::workloads::span_at;
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct CodeDeployAllAtOnce;

fn non_production(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        matches!(
            w,
            "dev"
                | "development"
                | "test"
                | "testing"
                | "beta"
                | "gamma"
                | "staging"
                | "stage"
                | "sandbox"
                | "qa"
                | "preview"
                | "local"
        )
    })
}

impl Rule for CodeDeployAllAtOnce {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for f in &cx.head.aws {
            let src = &f.source;
            if non_production(&src.path) {
                continue;
            }
            for (id, v) in codedeploy_configs(&f.doc) {
                let Some(name) = v.as_str() else { continue };
                let all = name.ends_with("AllAtOnce");
                let half = name.ends_with("HalfAtATime");
                if !(all || half) || non_production(&id) {
                    continue;
                }
                let what = if all {
                    "CodeDeploy shifts 100% of traffic at once, with no canary step for alarms to catch a bad version"
                } else {
                    "CodeDeploy updates half of the instances in its first batch (fractions rounded down), so a bad version serves half the fleet before alarms can stop it"
                };
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, v.pos),
                    format!("`{id}` deploys with `{name}`: {what}"),
                    if all {
                        "use a canary or linear configuration (e.g. `Canary10Percent10Minutes`, `ECSCanary10Percent15Minutes`) with CloudWatch alarms"
                    } else {
                        "use `CodeDeployDefault.OneAtATime`, or a custom config whose `MinimumHealthyHosts` keeps most instances on the old version, with CloudWatch alarms and automatic rollback"
                    },
                    format!("{id}/{name}"),
                ));
            }
        }
    }
}
