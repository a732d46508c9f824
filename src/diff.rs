//! `rollsafe diff OLD NEW`: two API descriptions compared directly, without a
//! repository or git, by the same A rules and reports as `check --base`.

use std::path::{Component, Path, PathBuf};

use crate::check::{Failure, Outcome, postprocess, run_rules};
use crate::config::{self, Config};
use crate::diagnostic::InputCode;
use crate::project;
use crate::rules::ProjectCx;
use crate::rules::{self, Domain};

pub struct DiffOptions {
    pub old: PathBuf,
    pub new: PathBuf,
    /// Also list the non-breaking changes (A900).
    pub changelog: bool,
    pub config: Option<PathBuf>,
}

/// A file as the reports name it: relative to the working directory even when given as an
/// absolute path, so no report carries an absolute path of this machine (SARIF's related
/// locations, fingerprints that would differ between machines). The file is read by
/// the same name, relative to the directory the process runs in.
fn display(p: &Path, cwd: &Path) -> String {
    let p = if p.is_absolute() {
        relative(p, cwd)
    } else {
        p.to_path_buf()
    };
    p.to_string_lossy().replace('\\', "/")
}

/// `p` relative to `cwd`, with `..` where it lies outside; unchanged when the two share no
/// root (another drive on Windows).
fn relative(p: &Path, cwd: &Path) -> PathBuf {
    let target: Vec<Component> = p.components().collect();
    let here: Vec<Component> = cwd.components().collect();
    let common = target.iter().zip(&here).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return p.to_path_buf();
    }
    let mut out: PathBuf = here[common..].iter().map(|_| "..").collect();
    out.extend(&target[common..]);
    out
}

pub fn diff(opts: &DiffOptions) -> Result<Outcome, Failure> {
    crate::workers::init();
    let cwd = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the working directory: {e}")))?;
    let mut config = match &opts.config {
        Some(p) => config::load(p)?,
        None => {
            let p = cwd.join(config::FILE_NAME);
            if p.is_file() {
                config::load(&p)?
            } else {
                Config::default()
            }
        }
    };
    let (old, new) = (display(&opts.old, &cwd), display(&opts.new, &cwd));
    let (base, head) = rayon::join(
        || project::load_api_files(std::slice::from_ref(&old), &config),
        || project::load_api_files(std::slice::from_ref(&new), &config),
    );
    let (base, head) = (base.map_err(Failure)?, head.map_err(Failure)?);
    for (p, path) in [(&base, &old), (&head, &new)] {
        if p.openapi.is_empty() {
            let why = p
                .problems
                .iter()
                .find(|e| e.code == InputCode::InvalidSyntax)
                .map(|e| format!(": {}", e.message))
                .unwrap_or_else(|| " (no top-level `openapi` or `swagger` key)".into());
            return Err(Failure(format!(
                "{path} is not a readable OpenAPI or Swagger description{why}"
            )));
        }
    }
    config.api.moved.insert(new.clone(), old.clone());
    config.api.changelog |= opts.changelog;
    let selected: Vec<&'static dyn rules::Rule> = rules::ALL
        .iter()
        .copied()
        .filter(|r| matches!(r.meta().domain, Domain::Api | Domain::Input))
        .filter(|r| {
            !config
                .rules
                .ignore
                .iter()
                .any(|c| rules::selects(c, r.meta().code))
        })
        .collect();
    let cx = ProjectCx {
        head: &head,
        base: Some(&base),
        config: &config,
        check_all: true,
        no_inline_ignores: false,
        base_run: false,
    };
    let diagnostics = run_rules(&cx, &selected);
    // Suppressions in the new file and `[rules]` settings apply as in `check`.
    let diagnostics = postprocess(
        diagnostics,
        &head,
        &config,
        &crate::check::Options::default(),
        &cwd,
        &cwd,
        &selected,
    )?;
    Ok(Outcome {
        diagnostics,
        files_checked: 2,
        base: Some(old),
        root: cwd,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_shown_relative_to_the_working_directory() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            display(Path::new("/work/repo/api/new.yaml"), cwd),
            "api/new.yaml"
        );
        assert_eq!(
            display(Path::new("/tmp/a b/old.yaml"), cwd),
            "../../tmp/a b/old.yaml"
        );
        assert_eq!(display(Path::new("old.yaml"), cwd), "old.yaml");
    }
}
