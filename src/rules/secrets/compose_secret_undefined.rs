//! S203: a compose service uses a secret or config that no compose file of its folder
//! defines at the top level (compose refuses to start), or a top-level secret taken
//! from an environment variable that nothing sets.

use std::collections::BTreeSet;

use crate::diagnostic::catalogue::S203 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::compose;
use crate::model::compose_vars::{by_folder, in_process_env, known_variables};
use crate::rules::workloads::span_at;
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct ComposeSecretUndefined;

impl Rule for ComposeSecretUndefined {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let projects = crate::model::compose_vars::by_project(&cx.head.compose);
        for (folder, files) in by_folder(&cx.head.compose) {
            // What the folder's files `include:` defines counts too (compose imports it).
            let defined = |top: &str| -> BTreeSet<&str> {
                projects[folder]
                    .iter()
                    .flat_map(|f| f.doc.get(top).map(Node::entries).unwrap_or(&[]))
                    .map(|(k, _)| k.text.as_str())
                    .collect()
            };
            let (secrets, configs) = (defined("secrets"), defined("configs"));
            let mut known = known_variables(
                &cx.head.env_files,
                &cx.config.secrets.provided_variables,
                folder,
                &files,
                true,
            );
            known.extend(crate::model::compose_vars::launcher_known(
                &cx.head.launcher_variables,
                &cx.head.env_files,
            ));
            // Neither a `.env` nor a template beside the compose file: the repository
            // leaves every variable to whoever deploys it (as S201 says), so a secret's
            // variable unset here is no defect of it (wakapi's `compose.yml` documents
            // `WAKAPI_PASSWORD_SALT` in its README).
            let no_source = !crate::model::compose_vars::has_env_source(
                &cx.head.env_files,
                &cx.head.paths,
                folder,
            );
            // An example the user copies (`compose.override.yaml.example`) counts for what
            // it defines, but is not judged itself: the copy is completed by hand.
            for f in files
                .iter()
                .filter(|f| !crate::model::env_sets::is_example_name(&f.source.path))
            {
                let src = &f.source;
                for (sname, svc) in compose::services(&f.doc) {
                    for (top, set) in [("secrets", &secrets), ("configs", &configs)] {
                        for item in svc.get(top).map(Node::items).unwrap_or(&[]) {
                            let source = match &item.kind {
                                Kind::Str(_) => Some(item),
                                _ => item.get("source"),
                            };
                            let Some(n) = source else { continue };
                            let Some(name) = n.as_str() else { continue };
                            if set.contains(name) {
                                continue;
                            }
                            let kind = &top[..top.len() - 1];
                            out.push(Diagnostic::new(
                                &META,
                                src,
                                span_at(src, n.pos),
                                format!("service `{}` uses {kind} `{name}`, which no compose file in this folder defines under top-level `{top}:`: compose refuses to start", sname.text),
                                format!("define `{name}` under top-level `{top}:` (with `file:`, `environment:` or `external: true`)"),
                                format!("{}/{kind}/{name}", sname.text),
                            ));
                        }
                    }
                }
                for (name, def) in f.doc.get("secrets").map(Node::entries).unwrap_or(&[]) {
                    let Some(var) = def.get("environment") else {
                        continue;
                    };
                    let Some(v) = var.as_str() else { continue };
                    if known.contains(v) || in_process_env(v) {
                        continue;
                    }
                    let refusal = format!(
                        "compose refuses to start the services using it (`environment variable \"{v}\" required by secret \"{}\" is not set`)",
                        name.text
                    );
                    let (message, severity) = if no_source {
                        (
                            format!(
                                "secret `{}` is read from environment variable `{v}`, and this folder has no `.env` or env template: the deploying environment must set it, or {refusal}",
                                name.text
                            ),
                            Severity::Info,
                        )
                    } else {
                        (
                            format!(
                                "secret `{}` is read from environment variable `{v}`, which no .env, env template or configuration sets: {refusal}",
                                name.text
                            ),
                            META.severity,
                        )
                    };
                    out.push(
                        Diagnostic::new(
                            &META,
                            src,
                            span_at(src, var.pos),
                            message,
                            format!("set `{v}` in the project's `.env` or env template, or list it in `[secrets] provided-variables` if the deploying environment sets it"),
                            format!("secret/{}/{v}", name.text),
                        )
                        .with_severity(severity),
                    );
                }
            }
        }
    }
}
