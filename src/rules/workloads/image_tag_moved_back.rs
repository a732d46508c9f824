//! K404: an image whose version tag is lower than in the previous release. Sometimes that
//! is a deliberate rollback; often it is a stale branch or a merge that reverted a bump.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K404 as META;
use crate::k8s::image::{compare_versions, containers, parts};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct ImageTagMovedBack;

impl Rule for ImageTagMovedBack {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        let key = |ix: &crate::k8s::Index, pod: &crate::k8s::pod::Pod, c: &str, repo: &str| {
            let i = &ix.instances[pod.inst];
            (
                ix.unit_id(i).to_string(),
                i.kind.clone(),
                i.namespace.clone(),
                i.name.clone(),
                c.to_string(),
                repo.to_string(),
            )
        };
        let mut before = HashMap::new();
        for (pod, c, image) in containers(&base.k8s) {
            let (repo, Some(tag)) = parts(&image) else {
                continue;
            };
            before.insert(key(&base.k8s, pod, &c.name, repo), tag.to_string());
        }
        let ix = &cx.head.k8s;
        for (pod, c, image) in containers(ix) {
            let (repo, Some(tag)) = parts(&image) else {
                continue;
            };
            let Some(old) = before.get(&key(ix, pod, &c.name, repo)) else {
                continue;
            };
            if compare_versions(tag, old) != Some(std::cmp::Ordering::Less) {
                continue;
            }
            let Some(at) = &c.image else { continue };
            let inst = &ix.instances[pod.inst];
            out.push(Diagnostic::new(
                &META,
                &at.src,
                span_at(&at.src, at.value.pos),
                format!(
                    "container `{}` of {} moves `{repo}` back from {old} to {tag}",
                    c.name,
                    who(inst)
                ),
                "if this is not a deliberate rollback, rebase onto the current release's tag",
                format!("{}/{}/{}/{repo}", inst.kind, inst.name, c.name),
            ));
        }
    }
}
