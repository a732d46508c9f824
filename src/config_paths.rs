//! Settings of `rollsafe.toml` that name files of the project (`migrations.paths`,
//! `env.template`, `env.environments`): each must exist inside the root. A misspelt one
//! would otherwise make its rules judge nothing and pass.

use std::path::{Component, Path};

use crate::config::{Config, ConfigError, error_at};

/// What a named path must be.
#[derive(Clone, Copy)]
enum Want {
    Folder,
    File,
}

/// Checks every setting that names a path, relative to `root`; errors point at the value
/// in the configuration's text.
pub fn check(
    config: &Config,
    config_path: &Path,
    text: &str,
    root: &Path,
) -> Result<(), ConfigError> {
    let named = config
        .migrations
        .paths
        .iter()
        .map(|p| ("migrations.paths", p, Want::Folder))
        .chain(
            config
                .env
                .template
                .iter()
                .map(|p| ("env.template", p, Want::File)),
        )
        .chain(
            config
                .env
                .environments
                .values()
                .flatten()
                .map(|p| ("env.environments", p, Want::File)),
        );
    for (key, value, want) in named {
        if let Some(why) = problem(root, value, want) {
            let offset = text.find(&format!("\"{value}\"")).unwrap_or(0);
            return Err(error_at(
                config_path,
                text,
                offset,
                format!("`{key}` names `{value}`, which {why}"),
            ));
        }
    }
    Ok(())
}

/// Why `value` is not a usable path of the project, if it is not.
fn problem(root: &Path, value: &str, want: Want) -> Option<String> {
    let rel = Path::new(value);
    // rollsafe reads nothing outside the root, so such a path could never match.
    let escapes = rel.is_absolute()
        || rel
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if escapes {
        return Some(
            "is outside the project root: give a path relative to the root, inside it".into(),
        );
    }
    let path = root.join(rel);
    let (ok, noun) = match want {
        Want::Folder => (path.is_dir(), "folder"),
        Want::File => (path.is_file(), "file"),
    };
    (!ok).then(|| {
        format!(
            "is not a {noun} under the project root {}: fix the path, or remove the setting to detect it",
            root.display()
        )
    })
}
