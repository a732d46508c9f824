//! S201: a compose interpolation (`${VAR}`, `$VAR`, `${VAR:?…}`) with no default, for a
//! variable that neither the `.env` next to the compose file sets (or, when the
//! repository has no `.env`, the env template it is made from), nor the configuration
//! or the environment rollsafe runs in (a service's env_file is not an interpolation
//! source: a variable found only there is information; one the template documents
//! commented out is an optional setting, information too). Compose substitutes an empty
//! string (a broken image tag, an empty password) or, for `:?`, refuses to start.

use crate::diagnostic::catalogue::S201 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::compose::interpolations;
use crate::model::compose_vars::{
    by_folder, env_file_variables, has_env_source, in_process_env, known_variables,
};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Kind, Node};

pub struct ComposeVariableUnset;

fn strings<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
    match &n.kind {
        Kind::Str(_) => out.push(n),
        Kind::Seq(items) => items.iter().for_each(|i| strings(i, out)),
        Kind::Map(entries) => entries.iter().for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}

impl Rule for ComposeVariableUnset {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let mut refusing = Vec::new();
        for (folder, files) in by_folder(&cx.head.compose) {
            let env = if folder.is_empty() {
                ".env".to_string()
            } else {
                format!("{folder}/.env")
            };
            // No `.env` in the repository (it is git-ignored): the deploy makes it from
            // the folder's template (`.env.example`), so what the template sets is set.
            // A `.env` that is listed but was not read is a link to a file the checkout
            // does not hold (trigger.dev's `webapp/.env -> ../.env`, made from
            // `../.env.example` by its setup script): what it sets is unknown.
            let env_unread =
                cx.head.has_file(&env) && !cx.head.env_files.iter().any(|e| e.source.path == env);
            let mut known = known_variables(
                &cx.head.env_files,
                &cx.config.secrets.provided_variables,
                folder,
                &files,
                !cx.head.has_file(&env) || env_unread,
            );
            // A launcher script of the project (`./docker/up.sh`) hands these to compose.
            known.extend(crate::model::compose_vars::launcher_known(
                &cx.head.launcher_variables,
                &cx.head.env_files,
            ));
            let in_env_files = env_file_variables(&cx.head.env_files, folder, &files);
            // Only when the template stands in for the `.env` the checkout lacks: a
            // committed `.env` says what the deploy sets.
            let optional = if !cx.head.has_file(&env) {
                crate::model::compose_vars::commented_in_templates(&cx.head.env_files, folder)
            } else {
                Default::default()
            };
            // Neither a `.env` nor a template beside the compose file: the repository
            // leaves every variable to whoever deploys it (a self-hosting template whose
            // guide says to write the `.env`), so no single variable is a defect of it.
            let no_source = if env_unread {
                !crate::model::compose_vars::has_env_template(&cx.head.env_files, folder)
            } else {
                !has_env_source(&cx.head.env_files, &cx.head.paths, folder)
            };
            for f in &files {
                let src = &f.source;
                let mut nodes = Vec::new();
                strings(&f.doc, &mut nodes);
                let mut seen = std::collections::HashSet::new();
                for n in nodes {
                    let Some(s) = n.as_str() else { continue };
                    for i in interpolations(s) {
                        if i.has_default || known.contains(&i.name) || in_process_env(&i.name) {
                            continue;
                        }
                        // One finding per variable and file; anchors repeat strings.
                        if !seen.insert(i.name.clone()) {
                            continue;
                        }
                        // Point at the variable inside the scalar when the text shows it.
                        let raw = src
                            .text
                            .get(n.pos.offset..n.pos.offset + n.pos.len)
                            .unwrap_or("");
                        let needle = format!("${{{}", i.name);
                        let start = raw
                            .find(&needle)
                            .or_else(|| raw.find(&format!("${}", i.name)))
                            .map(|k| n.pos.offset + k)
                            .unwrap_or(n.pos.offset);
                        let end = raw[start - n.pos.offset..]
                            .find('}')
                            .map(|k| start + k + 1)
                            .filter(|e| *e <= n.pos.offset + n.pos.len)
                            .unwrap_or(start + 1 + i.name.len());
                        let only_in = in_env_files.get(&i.name);
                        // A `:?` variable the template documents (commented out) is
                        // the documented opt-in when the compose file is one compose
                        // reads only when asked (`-f`, `COMPOSE_FILE`): zrok's
                        // `compose.caddy.yml`, whose `.env.example` says "Optional — TLS
                        // with Caddy" above `# CADDY_DNS_PLUGIN=cloudflare`.
                        let opt_in =
                            !i.required || !crate::model::compose::read_by_default(&src.path);
                        let documented_optional = optional.get(&i.name).filter(|_| opt_in);
                        let message = if let Some(template) =
                            documented_optional.filter(|_| i.required)
                        {
                            format!(
                                "`{}` is required (`:?`) by `{}`, which compose reads only when asked (`-f`, `COMPOSE_FILE`), and `{template}` documents it commented out: whoever opts into this file sets it, or compose refuses to start with the file's own message",
                                i.name,
                                src.path.rsplit('/').next().unwrap_or(&src.path)
                            )
                        } else if let Some(template) = documented_optional {
                            format!(
                                "`{}` is interpolated without a default; `{template}` documents it as optional (commented out), so unless the deploy sets it compose substitutes an empty string",
                                i.name
                            )
                        } else if let Some(file) = only_in {
                            format!(
                                "`{}` is set only in env_file `{file}`, which compose does not read for interpolation: `docker compose up` substitutes an empty string{} unless it is run with `--env-file {file}`",
                                i.name,
                                if i.required {
                                    " (refuses to start, for `:?`)"
                                } else {
                                    ""
                                }
                            )
                        } else if no_source && env_unread {
                            format!(
                                "`{}` is interpolated without a default, and this folder's `{env}` is a link to a file the checkout does not hold: the deploying environment must set it there, or compose {}",
                                i.name,
                                if i.required {
                                    "refuses to start (`:?`)"
                                } else {
                                    "substitutes an empty string"
                                }
                            )
                        } else if no_source {
                            format!(
                                "`{}` is interpolated without a default, and this folder has no `{env}` or env template: the deploying environment must set it, or compose {}",
                                i.name,
                                if i.required {
                                    "refuses to start (`:?`)"
                                } else {
                                    "substitutes an empty string"
                                }
                            )
                        } else if i.required {
                            format!(
                                "`{}` is required by this compose file (`:?`) but set nowhere: not in `{env}`, not in `[secrets] provided-variables`; `docker compose up` refuses to start",
                                i.name
                            )
                        } else {
                            format!(
                                "`{}` is interpolated without a default and set nowhere (not in `{env}`): compose substitutes an empty string",
                                i.name
                            )
                        };
                        // Whether the deploy passes `--env-file` is not in the repository.
                        let severity =
                            if only_in.is_some() || no_source || documented_optional.is_some() {
                                Severity::Info
                            } else {
                                META.severity
                            };
                        let d = Diagnostic::new(
                            &META,
                            src,
                            src.first_line_span(start, end),
                            message,
                            format!("set `{}` in `{env}`, give it a default (`${{{}:-value}}`), or list it in `[secrets] provided-variables` if the deploying environment sets it", i.name, i.name),
                            i.name.clone(),
                        )
                        .with_severity(severity);
                        // `:?` stops compose: a defect whether or not the release adds it.
                        if i.required {
                            refusing.push(d);
                        } else {
                            out.push(d);
                        }
                    }
                }
            }
        }
        cx.standing_practice(&mut out[start..]);
        out.append(&mut refusing);
    }
}
