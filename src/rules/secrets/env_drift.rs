//! S302: a variable set for one environment and missing from another of the same
//! application (present in staging, absent in production). Either production lacks a
//! setting that staging tested with, or staging tests something production never runs.

use crate::diagnostic::catalogue::S302 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::env_sets::{env_sets, set_by_manifests};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct EnvDrift;

impl Rule for EnvDrift {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for set in env_sets(&cx.head.env_files, &cx.config.env) {
            if set.environments.len() < 2 {
                continue;
            }
            // Keys the template requires are S301's.
            let required: Vec<&str> = set
                .template
                .iter()
                .flat_map(|t| t.env.vars.iter())
                .filter(|v| v.value_range.0 == v.value_range.1)
                .map(|v| v.key.as_str())
                .collect();
            for (env, files) in &set.environments {
                for (other, ofiles) in &set.environments {
                    if other == env {
                        continue;
                    }
                    let Some(ofirst) = ofiles.first() else {
                        continue;
                    };
                    let from_manifests = set_by_manifests(&cx.head.k8s, other);
                    let mut seen = std::collections::HashSet::new();
                    for f in files {
                        for v in &f.env.vars {
                            let missing = !ofiles
                                .iter()
                                .any(|o| o.env.vars.iter().any(|x| x.key == v.key));
                            if !missing
                                || required.contains(&v.key.as_str())
                                || from_manifests.contains(&v.key)
                                || !seen.insert(&v.key)
                            {
                                continue;
                            }
                            // The finding goes where the fix goes: the end of the file
                            // that lacks the variable; the file that sets it is related.
                            let src = &f.source;
                            let lacking = &ofirst.source;
                            let last = lacking.line_count().max(1);
                            out.push(
                                Diagnostic::new(
                                    &META,
                                    lacking,
                                    lacking.line_span(last),
                                    format!("`{}` is set for `{env}` (`{}`) but not for `{other}`", v.key, src.path),
                                    format!("set `{}` for `{other}` too, or remove it from `{env}` if it is not needed", v.key),
                                    format!("{env}/{other}/{}", v.key),
                                )
                                .with_related(Location::new(src, src.span(v.key_range.0, v.key_range.1)).with_message(format!("`{env}` sets `{}` here", v.key))),
                            );
                        }
                    }
                }
            }
        }
    }
}
