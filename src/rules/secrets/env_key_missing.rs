//! S301: a variable the env template (`.env.example`) lists without a value — so the
//! application has no default for it — that an environment's file does not set, and
//! that the environment's manifests do not set either. The release starts without it.

use crate::diagnostic::catalogue::S301 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::env_sets::{env_sets, set_by_manifests};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct EnvKeyMissing;

impl Rule for EnvKeyMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for set in env_sets(&cx.head.env_files, &cx.config.env) {
            for (env, files) in &set.environments {
                let Some(first) = files.first() else { continue };
                let from_manifests = set_by_manifests(&cx.head.k8s, env);
                for t in &set.template {
                    for v in &t.env.vars {
                        // A value in the template is a default the application can live with.
                        if v.value_range.0 != v.value_range.1 {
                            continue;
                        }
                        let set_here = files
                            .iter()
                            .any(|f| f.env.vars.iter().any(|x| x.key == v.key));
                        if set_here || from_manifests.contains(&v.key) {
                            continue;
                        }
                        let src = &first.source;
                        let tsrc = &t.source;
                        let names: Vec<&str> =
                            files.iter().map(|f| f.source.path.as_str()).collect();
                        out.push(
                            Diagnostic::new(
                                &META,
                                src,
                                src.first_line_span(0, src.text.len()),
                                format!("`{}` is required by `{}` but not set for environment `{env}` ({}): the release starts without it", v.key, tsrc.path, names.join(", ")),
                                format!("add `{}=…` to `{}` (or set it in the {env} manifests)", v.key, src.path),
                                format!("{env}/{}", v.key),
                            )
                            .with_related(
                                Location::new(tsrc, tsrc.span(v.key_range.0, v.key_range.1))
                                    .with_message("listed in the template without a value"),
                            ),
                        );
                    }
                }
            }
        }
    }
}
