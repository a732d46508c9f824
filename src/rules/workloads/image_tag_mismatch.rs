//! K403: one image repository at different tags within one deployable unit (a file, a
//! kustomize build). The web and the worker of one app then run different versions —
//! usually a tag bumped in one place and forgotten in the other.

use std::collections::BTreeMap;

use crate::diagnostic::catalogue::K403 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::image::{compare_versions, containers, parts};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct ImageTagMismatch;

impl Rule for ImageTagMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let ix = &cx.head.k8s;
        // (unit, repository) → tag → uses
        let mut groups: BTreeMap<(String, String), BTreeMap<String, Vec<usize>>> = BTreeMap::new();
        let all = containers(ix);
        for (n, (pod, _, image)) in all.iter().enumerate() {
            let inst = &ix.instances[pod.inst];
            // Argo experiments run other versions beside the stable one on purpose.
            if inst.kind == "Experiment" {
                continue;
            }
            let (repo, Some(tag)) = parts(image) else {
                continue;
            };
            // Only version tags say "which release": `blue`/`green` or per-component tags
            // of one repository (`2.0.2-cart`, `2.0.2-email`) name different images.
            if compare_versions(tag, tag).is_none() || tag.contains('-') {
                continue;
            }
            let unit = if inst.scope == 0 {
                ix.files[inst.file].path.clone()
            } else {
                format!("kustomize:{}", ix.scopes[inst.scope])
            };
            groups
                .entry((unit, repo.to_string()))
                .or_default()
                .entry(tag.to_string())
                .or_default()
                .push(n);
        }
        for ((_, repo), tags) in groups {
            if tags.len() < 2 {
                continue;
            }
            // The most used tag is taken as intended; the others are reported.
            let (main_tag, main_uses) = tags
                .iter()
                .max_by_key(|(t, uses)| (uses.len(), std::cmp::Reverse((*t).clone())))
                .map(|(t, u)| (t.clone(), u.clone()))
                .expect("two tags");
            let (mpod, mc, _) = &all[main_uses[0]];
            let mat = mc.image.as_ref().expect("has image");
            for (tag, uses) in &tags {
                if *tag == main_tag {
                    continue;
                }
                for &u in uses {
                    let (pod, c, _) = &all[u];
                    let Some(at) = &c.image else { continue };
                    let inst = &ix.instances[pod.inst];
                    out.push(
                        Diagnostic::new(
                            &META,
                            &at.src,
                            span_at(&at.src, at.value.pos),
                            format!(
                                "container `{}` of {} runs `{repo}:{tag}`, while {} runs `{repo}:{main_tag}`: one release, two versions",
                                c.name,
                                who(inst),
                                who(&ix.instances[mpod.inst])
                            ),
                            "use the same tag everywhere (kustomize `images:` sets it in one place)",
                            format!("{}/{}/{}/{repo}", inst.kind, inst.name, c.name),
                        )
                        .with_related(Location::new(&mat.src, span_at(&mat.src, mat.value.pos)).with_message(format!("`{repo}:{main_tag}` here"))),
                    );
                }
            }
        }
        cx.standing_practice(&mut out[start..]);
    }
}
