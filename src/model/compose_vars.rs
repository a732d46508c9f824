//! What compose knows about variables in one folder: the `.env` next to the compose
//! files, every `env_file` its services read, and what the configuration and the process
//! environment provide. Shared by S201 and S203.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::compose;
use crate::model::compose::ComposeFile;
use crate::model::env::EnvFileParsed;

pub fn dir(path: &str) -> &str {
    path.rsplit_once('/').map(|x| x.0).unwrap_or("")
}

/// `dir` joined with a path written in a compose file.
pub fn resolve_path(dir: &str, p: &str) -> Option<String> {
    crate::k8s::kustomize::join(dir, p)
}

/// Compose files grouped by folder (they are merged by `-f` and the override file).
pub fn by_folder(compose: &[ComposeFile]) -> BTreeMap<&str, Vec<&ComposeFile>> {
    let mut m: BTreeMap<&str, Vec<&ComposeFile>> = BTreeMap::new();
    for f in compose {
        m.entry(dir(&f.source.path)).or_default().push(f);
    }
    m
}

/// Variables compose interpolates from for the folder: the project `.env` (and, with
/// `with_templates`, the folder's env templates) and `[secrets] provided-variables`.
/// A service's `env_file` is not a source: it sets the container's environment only
/// (docker/docs#20735).
pub fn known_variables(
    env_files: &[EnvFileParsed],
    provided_variables: &[String],
    folder: &str,
    _files: &[&ComposeFile],
    with_templates: bool,
) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let dot_env = resolve_path(folder, ".env").unwrap_or_else(|| ".env".into());
    for e in env_files {
        let path = &e.source.path;
        let template =
            with_templates && dir(path) == folder && crate::model::env_sets::is_template(path);
        if *path == dot_env || template {
            set.extend(e.env.vars.iter().map(|v| v.key.clone()));
        }
    }
    set.extend(provided_variables.iter().cloned());
    set
}

/// Variables set only by the services' `env_file`s of the folder, with the file: a
/// project run with `docker compose --env-file FILE` interpolates from it, a plain
/// `docker compose up` does not.
pub fn env_file_variables(
    env_files: &[EnvFileParsed],
    folder: &str,
    files: &[&ComposeFile],
) -> std::collections::BTreeMap<String, String> {
    let mut paths: Vec<String> = Vec::new();
    for f in files {
        for (_, svc) in compose::services(&f.doc) {
            for (p, _, _) in compose::env_files(svc) {
                if let Some(p) = resolve_path(folder, p) {
                    paths.push(p);
                }
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    for e in env_files {
        if paths.contains(&e.source.path) {
            for v in &e.env.vars {
                out.entry(v.key.clone())
                    .or_insert_with(|| e.source.path.clone());
            }
        }
    }
    out
}

pub fn in_process_env(name: &str) -> bool {
    std::env::var_os(name).is_some()
}
