//! What compose knows about variables in one folder: the `.env` next to the compose
//! files, every `env_file` its services read, and what the configuration and the process
//! environment provide. Shared by S201 and S203.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::compose;
use crate::project::{ComposeFile, ProjectCx};

pub fn dir(path: &str) -> &str {
    path.rsplit_once('/').map(|x| x.0).unwrap_or("")
}

/// `dir` joined with a path written in a compose file.
pub fn resolve_path(dir: &str, p: &str) -> Option<String> {
    crate::k8s::kustomize::join(dir, p)
}

/// Compose files grouped by folder (they are merged by `-f` and the override file).
pub fn by_folder<'a>(cx: &'a ProjectCx) -> BTreeMap<&'a str, Vec<&'a ComposeFile>> {
    let mut m: BTreeMap<&str, Vec<&ComposeFile>> = BTreeMap::new();
    for f in &cx.head.compose {
        m.entry(dir(&f.source.path)).or_default().push(f);
    }
    m
}

/// Variables set for the folder: (name → where, for messages).
pub fn known_variables(
    cx: &ProjectCx,
    folder: &str,
    files: &[&ComposeFile],
    with_templates: bool,
) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut env_paths: Vec<String> =
        vec![resolve_path(folder, ".env").unwrap_or_else(|| ".env".into())];
    for f in files {
        for (_, svc) in compose::services(&f.doc) {
            for (p, _, _) in compose::env_files(svc) {
                if let Some(p) = resolve_path(folder, p) {
                    env_paths.push(p);
                }
            }
        }
    }
    for e in &cx.head.env_files {
        let path = &e.source.path;
        let template =
            with_templates && dir(path) == folder && crate::model::env_sets::is_template(path);
        if env_paths.contains(path) || template {
            set.extend(e.env.vars.iter().map(|v| v.key.clone()));
        }
    }
    set.extend(cx.config.secrets.provided_variables.iter().cloned());
    set
}

pub fn in_process_env(name: &str) -> bool {
    std::env::var_os(name).is_some()
}
