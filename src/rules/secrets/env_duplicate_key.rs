//! S303: a key set twice in one env file. A kustomize generator that reads the file fails
//! the build (error); elsewhere compose and the dotenv libraries keep the last value while
//! `kubectl create configmap --from-env-file` refuses the file, so it says two things
//! (information when both lines set the same value: nothing depends on which is kept).
//! A bare `NAME` or `export NAME` line assigns nothing and is not a second setting.

use crate::diagnostic::catalogue::S303 as META;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct EnvDuplicateKey;

impl Rule for EnvDuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        for f in &cx.head.env_files {
            let src = &f.source;
            // kustomize's `makeValidatedDataMap` refuses a repeated key.
            let generator = ix.kustomizations.iter().find_map(|k| {
                k.env_sources()
                    .into_iter()
                    .find(|(_, _, path)| *path == src.path)
                    .map(|(kind, name, _)| (kind, name.to_string(), k.source.path.clone()))
            });
            // The first line of each key, found in one pass (a search of the earlier lines
            // per line is quadratic in the file).
            let value = |v: &crate::model::env::EnvVar| {
                src.text
                    .get(v.value_range.0..v.value_range.1)
                    .map(str::trim)
            };
            let mut firsts = std::collections::HashMap::new();
            for v in f.env.vars.iter().filter(|v| !v.is_bare()) {
                let first = *firsts.entry(v.key.as_str()).or_insert(v);
                if std::ptr::eq(first, v) {
                    continue;
                }
                let first_line = src.pos(first.key_range.0).line;
                let (consequence, severity) = match &generator {
                    Some((kind, name, kustomization)) => (
                        format!(", and the {kind} generator `{name}` of `{kustomization}` reads this file: `kustomize build` fails (`illegally repeats the key`)"),
                        Severity::Error,
                    ),
                    // The same value twice (a merge that repeated a block, Mbin's
                    // `.env.example_docker`): whichever line is kept, nothing changes.
                    None if value(first) == value(v) => (
                        ": both lines set the same value, so whichever docker compose and the dotenv libraries keep changes nothing; only `kubectl create configmap --from-env-file` refuses the file".to_string(),
                        Severity::Info,
                    ),
                    None => (
                        ": docker compose and the dotenv libraries keep this value, while `kubectl create configmap --from-env-file` refuses the file".to_string(),
                        Severity::Warning,
                    ),
                };
                let mut d = Diagnostic::new(
                    &META,
                    src,
                    src.span(v.key_range.0, v.key_range.1),
                    format!(
                        "`{}` is set again (first on line {first_line}){consequence}",
                        v.key
                    ),
                    "keep one line per key",
                    v.key.clone(),
                )
                .with_severity(severity);
                d = d.with_related(
                    Location::new(src, src.span(first.key_range.0, first.key_range.1))
                        .with_message("first set here"),
                );
                out.push(d);
            }
        }
    }
}
