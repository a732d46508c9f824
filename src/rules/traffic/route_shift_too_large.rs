//! T302: compared with the previous release, a route whose share of traffic to one
//! backend rises by more than `[traffic] max-step` in one release — a hand-written canary
//! moving too fast. Routes that Argo Rollouts rewrites are skipped.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::T302 as META;
use crate::rules::traffic::route_weights::managed_routes;
use crate::rules::traffic::{max_step, pct};
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::traffic::routes::splits;

pub struct RouteShiftTooLarge;

impl Rule for RouteShiftTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        let limit = max_step(cx);
        let bix = &base.k8s;
        let managed = managed_routes(cx);
        let ix = &cx.head.k8s;
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && !managed.contains(&i.name))
        {
            // The same route in the previous release: same kind, namespace and name in the
            // unit of the same identity (or the same file). Several files may define a
            // route of one name (alternative sample bundles); each is compared with its own
            // previous version, never with another file's.
            let Some(b) = bix.counterpart(ix, inst) else {
                continue;
            };
            let binst = &bix.instances[b];
            let bobj = bix.object(&base.manifests, binst);
            let mut before: HashMap<(String, String), f64> = HashMap::new();
            let mut existed: std::collections::HashSet<String> = Default::default();
            for s in splits(&binst.group, &binst.kind, &bobj.node) {
                existed.insert(s.label.clone());
                for (b, share) in s.shares() {
                    before.insert((s.label.clone(), b), share);
                }
            }
            let obj = ix.object(&cx.head.manifests, inst);
            for s in splits(&inst.group, &inst.kind, &obj.node) {
                // A route new in this release is not a shift of existing traffic.
                if s.backends.len() < 2 || !existed.contains(&s.label) {
                    continue;
                }
                for ((name, share), b) in s.shares().into_iter().zip(&s.backends) {
                    let key = (s.label.clone(), name.clone());
                    // A backend new in this release starts from 0%.
                    let old = before.get(&key).copied().unwrap_or(0.0);
                    if share - old <= limit || share >= 100.0 && old == 0.0 && s.backends.len() == 1
                    {
                        continue;
                    }
                    let src = &ix.files[inst.file];
                    out.push(Diagnostic::new(
                        &META,
                        src,
                        span_at(src, b.pos),
                        format!("{} moves `{name}` from {} to {} of traffic in this release, more than the {}% `max-step`", who(inst), pct(old), pct(share), limit),
                        "ship the shift in smaller releases (or let Argo Rollouts or Flagger move the weights with analysis)",
                        format!("{}/{}/{}/{name}", inst.kind, inst.name, s.label),
                    ));
                }
            }
        }
    }
}
