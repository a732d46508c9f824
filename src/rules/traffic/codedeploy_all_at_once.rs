//! T503: a CodeDeploy deployment that shifts all traffic at once — a deployment group's
//! `CodeDeployDefault.*AllAtOnce` (or `HalfAtATime`), a SAM `DeploymentPreference` of
//! `AllAtOnce`, or a custom config of type `AllAtOnce` — unless the resource, its template
//! or its folder is named for a non-production stage (dev, test, beta, gamma, staging…).

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::aws::codedeploy_configs;
use crate::project::ProjectCx;
use crate::rules::workloads::span_at;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct CodeDeployAllAtOnce;

static META: RuleMeta = RuleMeta {
    code: "T503",
    name: "codedeploy-all-at-once",
    domain: Domain::Traffic,
    severity: Severity::Warning,
    summary: "A CodeDeploy or SAM deployment shifts all traffic at once (AllAtOnce, HalfAtATime).",
    needs_base: false,
};

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
                    "100% of traffic at once"
                } else {
                    "half of the instances at once"
                };
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, v.pos),
                    format!("`{id}` deploys with `{name}`: CodeDeploy shifts {what}, with no canary step for alarms to catch a bad version"),
                    "use a canary or linear configuration (e.g. `Canary10Percent10Minutes`, `ECSCanary10Percent15Minutes`) with CloudWatch alarms",
                    format!("{id}/{name}"),
                ));
            }
        }
    }
}
