//! Container images as the cluster will pull them (after kustomize `images:`), shared by
//! the image rules.

use crate::k8s::Index;
use crate::k8s::kustomize::split_image;
use crate::k8s::pod::{Container, Pod, Role};

/// (repository, tag) of a reference; the tag is `None` for `app` and for digests only.
pub fn parts(image: &str) -> (&str, Option<&str>) {
    let (name, rest) = split_image(image);
    let tag = rest.and_then(|r| {
        let r = r.split('@').next().unwrap_or("");
        r.strip_prefix(':').filter(|t| !t.is_empty())
    });
    (name, tag)
}

pub fn has_digest(image: &str) -> bool {
    image.contains("@sha256:") || image.contains('@')
}

/// Every container of every pod once, with its effective image.
pub fn containers(ix: &Index) -> Vec<(&Pod, &Container, String)> {
    let mut out = Vec::new();
    for pod in &ix.pods {
        let inst = &ix.instances[pod.inst];
        if !inst.first {
            continue;
        }
        for c in &pod.containers {
            let Some(raw) = c.image.as_ref().and_then(|i| i.value.as_str()) else {
                continue;
            };
            if raw.contains("{{") || raw.contains("${") || raw.contains('$') {
                continue;
            }
            // A kustomize replacement writes it at build time from another object.
            let init = |r: Role| matches!(r, Role::Init | Role::Sidecar);
            let index = pod
                .containers
                .iter()
                .filter(|o| init(o.role) == init(c.role))
                .position(|o| std::ptr::eq(o, c))
                .unwrap_or(0);
            if inst
                .transform
                .image_replaced(&inst.kind, &inst.name, init(c.role), index, &c.name)
            {
                continue;
            }
            out.push((pod, c, inst.transform.image(raw)));
        }
    }
    out
}

/// Dotted numeric versions compare numerically (`v1.10.0` > `v1.9.3`); `None` when
/// either tag is not a version.
pub fn compare_versions(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    let parse = |t: &str| -> Option<Vec<u64>> {
        let t = t.strip_prefix('v').unwrap_or(t);
        let core = t.split(['-', '+']).next()?;
        let v: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
        v.filter(|v| !v.is_empty() && v.len() <= 4)
    };
    Some(parse(a)?.cmp(&parse(b)?))
}
