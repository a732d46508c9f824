//! K402: an image with no tag, `:latest`, or a configured floating tag. What runs then
//! depends on when each node pulled it: pods of one ReplicaSet run different code, and a
//! rollback re-pulls the newest image instead of the previous one.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K402 as META;
use crate::k8s::image::{containers, has_digest, parts};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct ImageNotPinned;

impl Rule for ImageNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let mut defects = Vec::new();
        let ix = &cx.head.k8s;
        let floating = &cx.config.workloads.floating_tags;
        // Images that skaffold builds get their tag at deploy time (wherever they are used:
        // skaffold's own `manifests` list is not read).
        let built: std::collections::HashSet<&str> = cx
            .head
            .manifests
            .iter()
            .flat_map(|f| f.objects.iter())
            .filter(|o| o.api_version.value.starts_with("skaffold/"))
            .flat_map(|o| {
                let artifacts = o.node.get("build").and_then(|b| b.get("artifacts"));
                artifacts
                    .map(crate::yaml::Node::items)
                    .unwrap_or(&[])
                    .iter()
            })
            .filter_map(|a| a.get("image").and_then(crate::yaml::Node::as_str))
            .collect();
        for (pod, c, image) in containers(ix) {
            if has_digest(&image)
                || image.starts_with("ko://")
                || built.contains(parts(&image).0)
                || ix.set_images.contains(parts(&image).0)
            {
                continue;
            }
            let Some(at) = &c.image else { continue };
            // Tilt replaces the images it builds in the manifests it deploys.
            let tilt = &cx.head.tilt;
            if tilt
                .iter()
                .any(|t| t.replaces(parts(&image).0, &at.src.path))
            {
                continue;
            }
            let inst = &ix.instances[pod.inst];
            // An empty image is a defect, not a practice: it stays a warning without a
            // base, so it is kept apart from what `standing_practice` demotes.
            let (message, help, into) = if image.trim().is_empty() {
                (
                    format!(
                        "the image of container `{}` in {} is empty: Kubernetes creates no pod without an image, so the workload never runs",
                        c.name,
                        who(inst)
                    ),
                    "set the image (`app:1.4.2`), or the kustomize `images:` entry or Helm value meant to fill it",
                    &mut defects,
                )
            } else {
                let why = match parts(&image).1 {
                    None => "has no tag (it means `latest`)".to_string(),
                    Some("latest") => "uses the `latest` tag".to_string(),
                    Some(t) if floating.iter().any(|f| f == t) => {
                        format!("uses the floating tag `{t}`")
                    }
                    _ => continue,
                };
                (
                    format!(
                        "image `{image}` of container `{}` in {} {why}: nodes run whatever they pulled last, and a rollback does not bring the old code back",
                        c.name,
                        who(inst)
                    ),
                    "pin a version tag (`app:1.4.2`) or a digest (`app@sha256:…`), e.g. with kustomize `images:`",
                    &mut *out,
                )
            };
            into.push(Diagnostic::new(
                &META,
                &at.src,
                span_at(&at.src, at.value.pos),
                message,
                help,
                format!("{}/{}/{}", inst.kind, inst.name, c.name),
            ));
        }
        cx.standing_practice(&mut out[start..]);
        out.append(&mut defects);
    }
}
