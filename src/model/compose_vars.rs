//! What compose knows about variables in one folder: the `.env` next to the compose
//! files, every `env_file` its services read, and what the configuration and the process
//! environment provide. Shared by S201 and S203.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::compose;
use crate::model::compose::ComposeFile;
use crate::model::env::EnvFileParsed;

/// The project folder of a compose file: its folder, or for a Docker Dev Environments
/// file in `.docker/` the folder above, whose paths it is written against (awesome-compose's
/// `.docker/docker-compose.yaml` builds `backend` and reads `db/password.txt` of the
/// sample's root; Docker Desktop 4.13 moves such a file to `../compose-dev.yaml` as it is).
pub fn dir(path: &str) -> &str {
    let folder = path.rsplit_once('/').map(|x| x.0).unwrap_or("");
    match folder.rsplit_once('/') {
        Some((parent, ".docker")) => parent,
        None if folder == ".docker" => "",
        _ => folder,
    }
}

/// `dir` joined with a path written in a compose file.
pub fn resolve_path(dir: &str, p: &str) -> Option<String> {
    // An absolute or home-relative path names a file of the host (bluesky's PDS reads
    // `/pds/pds.env`, which its installer writes), never one of the repository.
    if p.starts_with('/') || p.starts_with('~') {
        return None;
    }
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

/// [`by_folder`], each group with the files its files `include:` (Compose 2.20+ loads them
/// into the project: wger keeps its database service, healthcheck included, in
/// `services/postgres.yaml`). Paths inside an included file stay relative to its own
/// folder, so rules that resolve paths keep to [`by_folder`].
pub fn by_project(compose: &[ComposeFile]) -> BTreeMap<&str, Vec<&ComposeFile>> {
    let mut m = by_folder(compose);
    for files in m.values_mut() {
        let mut i = 0;
        while i < files.len() {
            for path in included(files[i]) {
                if let Some(g) = compose.iter().find(|c| c.source.path == path)
                    && !files.iter().any(|f| std::ptr::eq(*f, g))
                {
                    files.push(g);
                }
            }
            i += 1;
        }
    }
    m
}

/// The files a compose file's top-level `include:` loads (a path, or `path:` holding one
/// or several), resolved against its folder.
fn included(f: &ComposeFile) -> Vec<String> {
    let here = dir(&f.source.path);
    let mut out = Vec::new();
    for item in f
        .doc
        .get("include")
        .map(crate::yaml::Node::items)
        .unwrap_or(&[])
    {
        let paths: Vec<&str> = match item.as_str() {
            Some(p) => vec![p],
            None => match item.get("path") {
                Some(p) if p.as_str().is_some() => p.as_str().into_iter().collect(),
                Some(list) => list.items().iter().filter_map(|x| x.as_str()).collect(),
                None => Vec::new(),
            },
        };
        out.extend(paths.into_iter().filter_map(|p| resolve_path(here, p)));
    }
    out
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

/// Variables the folder's env template documents as optional, commented out
/// (`# MCP_CORS_ORIGINS=*` in Flowise's `docker/.env.example`), with the template.
pub fn commented_in_templates(
    env_files: &[EnvFileParsed],
    folder: &str,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for e in env_files {
        let path = &e.source.path;
        if dir(path) == folder && crate::model::env_sets::is_template(path) {
            for k in &e.env.commented {
                out.entry(k.clone()).or_insert_with(|| path.clone());
            }
        }
    }
    out
}

/// Whether the folder holds a `.env` or an env template (`.env.example`…): without
/// either, the repository leaves every variable to the deploying environment.
pub fn has_env_source(env_files: &[EnvFileParsed], paths: &BTreeSet<String>, folder: &str) -> bool {
    let dot_env = resolve_path(folder, ".env").unwrap_or_else(|| ".env".into());
    paths.contains(&dot_env) || has_env_template(env_files, folder)
}

/// Whether the folder holds an env template (`.env.example`…).
pub fn has_env_template(env_files: &[EnvFileParsed], folder: &str) -> bool {
    env_files.iter().any(|e| {
        let path = &e.source.path;
        dir(path) == folder && crate::model::env_sets::is_template(path)
    })
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

/// Variables a shell script that runs compose (`docker compose`, `docker-compose`) hands
/// to it: `export NAME=…` anywhere in the script, and `NAME=… NAME=… docker … compose …`
/// assignments prefixed to the command (lines continued with `\` are joined). Projects
/// document such a launcher (`./docker/up.sh`) instead of a `.env`.
pub fn launcher_variables(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !(script.contains("docker") && script.contains("compose")) {
        return out;
    }
    let joined = script.replace("\\\n", " ");
    for line in joined.lines() {
        let words = shell_words(line.trim());
        let Some(first) = words.first() else {
            continue;
        };
        if first.starts_with('#') {
            continue;
        }
        if first == "export" {
            out.extend(words[1..].iter().filter_map(|w| assigned_name(w, true)));
            continue;
        }
        let names: Vec<String> = words
            .iter()
            .map_while(|w| assigned_name(w, false))
            .collect();
        let runs_compose = words[names.len()..]
            .iter()
            .any(|w| w == "docker" || w == "docker-compose")
            && words[names.len()..].iter().any(|w| w.contains("compose"));
        if runs_compose {
            out.extend(names);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `path` is a CI pipeline definition whose jobs may run compose: a GitHub Actions
/// workflow (`.github/workflows/*.yml`) or a GitLab CI file (`.gitlab-ci.yml`).
pub fn is_ci_pipeline(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    (yaml && path.contains(".github/workflows/")) || name == ".gitlab-ci.yml"
}

/// How [`ci_variables`] names an env file compose reads for interpolation (not a variable:
/// its variables are known only once env files are read; see [`launcher_known`]).
const ENV_FILE_ENTRY: &str = "@env-file:";

fn env_file_entry(path: &str) -> String {
    format!("{ENV_FILE_ENTRY}{}", path.trim_start_matches("./"))
}

/// The variables launchers (CI pipelines, scripts) give compose: the names they set, and
/// every variable of the env files they pass (`COMPOSE_ENV_FILES`, `--env-file`).
pub fn launcher_known(
    launcher_variables: &BTreeSet<String>,
    env_files: &[EnvFileParsed],
) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for v in launcher_variables {
        match v.strip_prefix(ENV_FILE_ENTRY) {
            Some(path) => {
                for e in env_files.iter().filter(|e| e.source.path == path) {
                    set.extend(e.env.vars.iter().map(|x| x.key.clone()));
                }
            }
            None => {
                set.insert(v.clone());
            }
        }
    }
    set
}

/// Variables a CI pipeline that runs compose sets for it: the keys of GitHub's `env:` and
/// GitLab's `variables:` mappings (workflow, job or step level), `NAME=value` lines a step
/// appends to `$GITHUB_ENV` or to a `.env` file, and what its shell steps hand to compose as a launcher script
/// does. Compose files kept for CI jobs take their tags and settings from there
/// (tensorzero's `ui/fixtures`), not from a `.env`.
pub fn ci_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !(text.contains("docker") && text.contains("compose")) {
        return out;
    }
    let Some(docs) = crate::yaml::events::parse_plain(text) else {
        return out;
    };
    fn visit(node: &crate::yaml::Node, out: &mut Vec<String>) {
        use crate::yaml::Kind;
        match &node.kind {
            Kind::Map(entries) => {
                for (k, v) in entries {
                    match (k.text.as_str(), &v.kind) {
                        ("env" | "variables", Kind::Map(vars)) => {
                            out.extend(
                                vars.iter()
                                    .map(|(name, _)| name.text.clone())
                                    .filter(|n| assigned_name(&format!("{n}="), false).is_some()),
                            );
                            // Compose reads these env files for interpolation (zulip's CI:
                            // `COMPOSE_ENV_FILES: ci/base.env`).
                            for (name, value) in vars {
                                if name.text == "COMPOSE_ENV_FILES"
                                    && let Some(list) = value.as_str()
                                {
                                    out.extend(list.split(',').map(|p| env_file_entry(p.trim())));
                                }
                            }
                        }
                        ("run" | "script" | "before_script", _) => scripts(v, out),
                        _ => {}
                    }
                    visit(v, out);
                }
            }
            Kind::Seq(items) => items.iter().for_each(|i| visit(i, out)),
            _ => {}
        }
    }
    fn scripts(node: &crate::yaml::Node, out: &mut Vec<String>) {
        use crate::yaml::Kind;
        match &node.kind {
            Kind::Str(script) => {
                out.extend(launcher_variables(script));
                // `docker compose --env-file ci/base.env …`: interpolation variables.
                let words = shell_words(script);
                for pair in words.windows(2) {
                    if pair[0] == "--env-file" {
                        out.push(env_file_entry(pair[1].trim_matches(['"', '\''])));
                    }
                }
                for line in script.lines() {
                    // `echo "NAME=…" >> $GITHUB_ENV`, or into the `.env` compose reads.
                    let target = line.rsplit(">>").next().unwrap_or("").trim();
                    if line.contains(">>")
                        && (target.contains("GITHUB_ENV")
                            || target.trim_matches('"').ends_with(".env"))
                    {
                        let words = shell_words(line.trim());
                        out.extend(
                            words
                                .iter()
                                .filter_map(|w| assigned_name(w.trim_matches(['"', '\'']), false)),
                        );
                    }
                }
            }
            Kind::Seq(items) => items.iter().for_each(|i| scripts(i, out)),
            _ => {}
        }
    }
    for doc in &docs {
        visit(doc, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// `NAME=value` → `NAME` (with `bare`, a lone `NAME` too, as `export NAME` allows).
fn assigned_name(word: &str, bare: bool) -> Option<String> {
    let (name, assigned) = match word.split_once('=') {
        Some((n, _)) => (n, true),
        None => (word, false),
    };
    let ident = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (ident && (assigned || bare)).then(|| name.to_string())
}

/// A shell line split into words, quotes kept inside their word (`A="x y"` is one).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            (None, ';' | '&' | '|') => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                words.push(c.to_string());
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_a_ci_pipeline_sets_for_compose() {
        let workflow = "on: push\nenv:\n  TENSORZERO_COMMIT_TAG: sha-1\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    env: {UI_TAG: x}\n    steps:\n      - run: |\n          echo \"GATEWAY_TAG=sha-1\" >> $GITHUB_ENV\n          echo \"E2E_TAG=sha-1\" >> fixtures/.env\n          docker compose -f ui/fixtures/docker-compose.yml up -d\n";
        assert_eq!(
            ci_variables(workflow),
            ["E2E_TAG", "GATEWAY_TAG", "TENSORZERO_COMMIT_TAG", "UI_TAG"]
        );
        // A pipeline that never runs compose sets nothing for it.
        assert!(ci_variables("env:\n  TAG: 1\njobs: {}\n").is_empty());
        assert!(is_ci_pipeline(".github/workflows/e2e.yml"));
        assert!(is_ci_pipeline(".gitlab-ci.yml"));
        assert!(!is_ci_pipeline("deploy/workflows/e2e.yml"));
    }

    #[test]
    fn variables_a_launcher_hands_to_compose() {
        let script = "#!/bin/bash\nexport TAG=1.2\nWEB_PORT=3000\nif [ x ]; then\n  SEARCH=true\nfi\nAPI_PORT=${API_PORT} SEARCH_ENABLED=\"${SEARCH}\" \\\n  docker --log-level ERROR compose -f docker-compose.yml up\n";
        assert_eq!(
            launcher_variables(script),
            ["API_PORT", "SEARCH_ENABLED", "TAG"]
        );
        // A script that never runs compose hands nothing to it.
        assert!(launcher_variables("export TAG=1\nmake build\n").is_empty());
    }
}
