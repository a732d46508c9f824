//! S202: a file compose must read that is not in the repository: a required `env_file`,
//! or a top-level secret's or config's `file:`. `docker compose up` stops with
//! `env file … not found` / `secret file … does not exist`.

use crate::diagnostic::catalogue::S202 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::compose;
use crate::model::compose_vars::{by_folder, resolve_path};
use crate::rules::workloads::span_at;
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::Node;

pub struct ComposeFileMissing;

impl Rule for ComposeFileMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let declared = &cx.config.secrets.uncommitted_files;
        for (folder, files) in by_folder(&cx.head.compose) {
            // An example override (`docker-compose.override.example.yml`) names the files
            // of the setup the user copies it into, not files the repository must hold.
            for f in files
                .iter()
                .filter(|f| !crate::model::env_sets::is_example_name(&f.source.path))
            {
                let src = &f.source;
                let mut check = |written: &str, node: &Node, what: String| {
                    let Some(path) = resolve_path(folder, written) else {
                        return;
                    };
                    // Portainer writes a stack's variables to `stack.env` beside the
                    // compose file when it deploys the stack.
                    if written.contains('$')
                        || is_portainer_stack_env(&path)
                        || cx.head.has_file(&path)
                        || declared.iter().any(|d| d == &path)
                    {
                        return;
                    }
                    let file_name = path.rsplit('/').next().unwrap_or(&path);
                    let (message, remedy, severity) =
                        // A committed template beside it (`.env.example`) means the file is
                        // made at install time, by the documented copy step.
                        if let Some(t) = template_of(&path, |p| cx.head.has_file(p)) {
                            (
                                format!("; it is made from the committed template `{t}` at install time, and `docker compose up` stops until it exists"),
                                format!("keep `{t}` listing every variable the services need, or list `{path}` in `[secrets] uncommitted-files`"),
                                Severity::Info,
                            )
                        // Git ignores it: kept out of the repository on purpose, and the
                        // install step writes it (Apicurio Registry's `pg-secrets/` README
                        // says to create `secrets/db_user.txt`; its `.gitignore` keeps
                        // `secrets/`).
                        } else if let Some(gi) = cx.head.gitignores.ignoring(&path) {
                            (
                                format!(": kept out of git on purpose (`{gi}` ignores it), so the install step must create it before `docker compose up`"),
                                format!("document how `{path}` is made, or list it in `[secrets] uncommitted-files`"),
                                Severity::Info,
                            )
                        // A dot-env env_file (`.env`, `.db.env`) is the secret-holding kind,
                        // git-ignored by convention and written by whoever installs the
                        // project (firefly-iii's `.db.env` from `database.env`): on every
                        // judged release pair such findings were the documented install
                        // step, never a file the release forgot.
                        } else if what.starts_with("env_file") && file_name.starts_with('.') {
                            (
                                ": a dot-env file, kept out of git as secret-holding files are, which the install step must create before `docker compose up`".to_string(),
                                format!("document how `{path}` is made (a committed `{path}.example`), or list it in `[secrets] uncommitted-files`"),
                                Severity::Info,
                            )
                        // Without a base nothing says the release dropped it: a file
                        // that was never committed is kept on the host that runs compose
                        // (tholinka's NAS-side `pihole-password`). Judged without a base,
                        // such errors were true 0 times in 52.
                        } else if !cx.release_compared() {
                            (
                                ": `docker compose up` stops where it is missing (information without a base: not known to be new in this release, so the host that runs compose may keep it)".to_string(),
                                format!("commit the file, mark the env_file `required: false`, or — if it is deliberately kept out of git — list `{path}` in `[secrets] uncommitted-files`"),
                                Severity::Info,
                            )
                        } else {
                            (
                                ": `docker compose up` stops before starting anything".to_string(),
                                format!("commit the file, mark the env_file `required: false`, or — if it is deliberately kept out of git — list `{path}` in `[secrets] uncommitted-files`"),
                                Severity::Error,
                            )
                        };
                    out.push(
                        Diagnostic::new(
                            &META,
                            src,
                            span_at(src, node.pos),
                            format!(
                                "{what} `{written}` is not in the repository (`{path}`){message}"
                            ),
                            remedy,
                            format!("{what}/{path}"),
                        )
                        .with_severity(severity),
                    );
                };
                for (name, svc) in compose::services(&f.doc) {
                    for (p, required, node) in compose::env_files(svc) {
                        if required {
                            let n = node.get("path").unwrap_or(node);
                            check(p, n, format!("env_file of service `{}`", name.text));
                        }
                    }
                }
                for top in ["secrets", "configs"] {
                    for (name, def) in f.doc.get(top).map(Node::entries).unwrap_or(&[]) {
                        if let Some(file) = def.get("file")
                            && let Some(p) = file.as_str()
                        {
                            let kind = if top == "secrets" { "secret" } else { "config" };
                            check(p, file, format!("file of {kind} `{}`", name.text));
                        }
                    }
                }
            }
        }
    }
}

fn is_portainer_stack_env(path: &str) -> bool {
    path.rsplit('/').next() == Some("stack.env")
}

/// The committed template a missing file is copied from: `x.example`, `x.sample`,
/// `x.dist`, `x.template`, `x.tmpl`, `x.default`, and for `name.env` also
/// `name.example.env` / `name.sample.env`.
fn template_of(path: &str, exists: impl Fn(&str) -> bool) -> Option<String> {
    const SUFFIXES: [&str; 6] = ["example", "sample", "dist", "template", "tmpl", "default"];
    let mut candidates: Vec<String> = SUFFIXES.iter().map(|s| format!("{path}.{s}")).collect();
    if let Some(stem) = path.strip_suffix(".env")
        && !stem.is_empty()
        && !stem.ends_with('/')
    {
        candidates.extend(
            ["example", "sample"]
                .iter()
                .map(|s| format!("{stem}.{s}.env")),
        );
    }
    candidates.into_iter().find(|c| exists(c))
}

#[cfg(test)]
mod tests {
    use super::template_of;

    #[test]
    fn a_template_beside_the_file_is_found() {
        let files = ["deploy/.env.example", "api.example.env"];
        let exists = |p: &str| files.contains(&p);
        assert_eq!(
            template_of("deploy/.env", exists).as_deref(),
            Some("deploy/.env.example")
        );
        assert_eq!(
            template_of("api.env", exists).as_deref(),
            Some("api.example.env")
        );
        assert_eq!(template_of("other/.env", exists), None);
    }
}
