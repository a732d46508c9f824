//! T601: an Argo Rollout analysis (background, step, blue-green pre/post promotion)
//! naming an AnalysisTemplate (or, with `clusterScope: true`, a ClusterAnalysisTemplate)
//! that the repository does not define. The rollout errors at that point and aborts.
//! Judged only where analysis templates are kept: the same kustomize build, or the same
//! top-level folder of the repository.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T601 as META;
use crate::k8s::pod::at_path;
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct AnalysisTemplateMissing;

/// Every template reference under an analysis of a Rollout, and whether it belongs to an
/// experiment step (checked only when that step runs) rather than to the Rollout's own
/// analyses (checked before every reconcile).
fn template_refs(rollout: &Node) -> Vec<(&Node, bool)> {
    let mut out = Vec::new();
    let Some(strategy) = at_path(rollout, &["spec", "strategy"]) else {
        return out;
    };
    let mut lists: Vec<&Node> = Vec::new();
    if let Some(c) = strategy.get("canary") {
        lists.extend(at_path(c, &["analysis", "templates"]));
        for s in c.get("steps").map(Node::items).unwrap_or(&[]) {
            lists.extend(at_path(s, &["analysis", "templates"]));
            for a in at_path(s, &["experiment", "analyses"])
                .map(Node::items)
                .unwrap_or(&[])
            {
                if a.get("templateName").is_some() {
                    out.push((a, true));
                }
            }
        }
    }
    if let Some(b) = strategy.get("blueGreen") {
        lists.extend(at_path(b, &["prePromotionAnalysis", "templates"]));
        lists.extend(at_path(b, &["postPromotionAnalysis", "templates"]));
    }
    for l in lists {
        out.extend(l.items().iter().map(|t| (t, false)));
    }
    out
}

impl Rule for AnalysisTemplateMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let top = |file: usize| {
            ix.files[file]
                .path
                .split('/')
                .next()
                .unwrap_or("")
                .to_string()
        };
        for r in ix
            .instances
            .iter()
            .filter(|i| i.first && i.kind == "Rollout" && i.group == "argoproj.io")
        {
            // Judged only where templates live: the same build, or the same top folder.
            let here = ix.instances.iter().any(|i| {
                matches!(
                    i.kind.as_str(),
                    "AnalysisTemplate" | "ClusterAnalysisTemplate"
                ) && if r.scope != 0 {
                    i.scope == r.scope
                } else {
                    top(i.file) == top(r.file)
                }
            });
            if !here {
                continue;
            }
            let obj = ix.object(&cx.head.manifests, r);
            for (t, in_experiment) in template_refs(&obj.node) {
                let Some(name_node) = t.get("templateName") else {
                    continue;
                };
                let Some(name) = name_node.as_str() else {
                    continue;
                };
                if name.contains("{{") {
                    continue;
                }
                let cluster = t
                    .get("clusterScope")
                    .is_some_and(|c| c.kind == Kind::Bool(true));
                let found = if cluster {
                    ix.instances
                        .iter()
                        .any(|i| i.kind == "ClusterAnalysisTemplate" && i.name == name)
                } else {
                    !ix.find(r, "AnalysisTemplate", &r.namespace, name)
                        .is_empty()
                        || ix.defined_anywhere("AnalysisTemplate", &r.namespace, name)
                };
                if found {
                    continue;
                }
                let kind = if cluster {
                    "ClusterAnalysisTemplate"
                } else {
                    "AnalysisTemplate"
                };
                let src = &ix.files[r.file];
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, name_node.pos),
                    format!(
                        "{} runs {kind} `{name}`, which is not defined{}: {}",
                        who(r),
                        if cluster { String::new() } else { format!(" in namespace `{}`", r.namespace) },
                        if in_experiment {
                            "the experiment's analysis errors when that step runs, and the rollout aborts there"
                        } else {
                            "Argo marks the Rollout InvalidSpec and stops reconciling it, so the new version is never rolled out (the old one keeps running) until the template exists"
                        }
                    ),
                    format!("define the {kind} (or fix the name; a ClusterAnalysisTemplate needs `clusterScope: true`)"),
                    format!("{}/{}/{name}", r.kind, r.name),
                ));
            }
        }
    }
}
