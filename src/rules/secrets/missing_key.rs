//! S102: a key a workload reads from a Secret or ConfigMap (env `secretKeyRef` /
//! `configMapKeyRef`, volume `items`) that the definition does not have, where its keys
//! are known. The container fails with `couldn't find key … in Secret`.

use crate::diagnostic::catalogue::S102 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::k8s::resolve::{Resolution, resolve};
use crate::k8s::schema::closest;
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct MissingKey;

impl Rule for MissingKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let mut done = std::collections::HashSet::new();
        for r in &ix.refs {
            let Some((key, key_pos)) = &r.key else {
                continue;
            };
            if r.optional {
                continue;
            }
            let Resolution::Found(defs) = resolve(&cx.head.k8s, &cx.head.manifests, &ix.defs, r)
            else {
                continue;
            };
            // Unknown keys anywhere (dataFrom, a controller-filled Secret): cannot judge.
            if defs
                .iter()
                .any(|d| d.keys.as_ref().is_none_or(|k| k.contains(key)))
            {
                continue;
            }
            if !done.insert((r.src.path.clone(), key_pos.offset)) {
                continue;
            }
            let inst = &ix.instances[r.inst];
            let def = defs[0];
            let known: Vec<&str> = defs
                .iter()
                .flat_map(|d| d.keys.iter().flatten())
                .map(String::as_str)
                .collect();
            let hint = closest(key, known.iter().copied())
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            let mut d = Diagnostic::new(
                &META,
                &r.src,
                span_at(&r.src, *key_pos),
                format!(
                    "{} `{}` has no key `{key}`{hint}, but {} of {} reads it: the container fails to start",
                    r.kind,
                    r.name,
                    r.what,
                    who(inst)
                ),
                format!(
                    "add `{key}` to the {} (its {}), or read a key it has",
                    r.kind, def.via
                ),
                format!("{}/{}/{}/{}/{key}", inst.kind, inst.name, r.kind, r.name),
            );
            if let Some((src, pos)) = &def.at {
                d = d.with_related(Location::new(src, span_at(src, *pos)).with_message(format!(
                    "{} (keys: {})",
                    def.via,
                    known.join(", ")
                )));
            }
            out.push(d);
        }
    }
}
