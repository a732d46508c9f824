//! `rollsafe check --show-settings`: the settings a check would run with, and where each
//! comes from (a command-line option, a line of rollsafe.toml, the default, or what was
//! detected), printed as `key = value  # source` lines. Nothing is checked.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::check::{self, Options};
use crate::cli::ReportArgs;
use crate::config;
use crate::project::base;

/// Settings whose value is a table of the user's own keys: shown whole, not per key.
const MAPS: &[&str] = &[
    "rules.severity",
    "classify",
    "api.moved",
    "env.environments",
];

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, toml::Value>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) if !MAPS.contains(&key.as_str()) => flatten(&key, t, out),
            _ => {
                out.insert(key, v.clone());
            }
        }
    }
}

/// The line of `text` that sets the dotted `key`: `key =` under its `[section]`, or the
/// `[key]` header of a table.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let (section, name) = key.rsplit_once('.').unwrap_or(("", key));
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[') {
            current = h.trim_matches(['[', ']', ' ']).to_string();
            if current == key {
                return Some(i + 1);
            }
            continue;
        }
        let sets = |k: &str| {
            t.strip_prefix(k)
                .is_some_and(|r| r.trim_start().starts_with('='))
        };
        if (current == section && sets(name)) || (current.is_empty() && sets(key)) {
            return Some(i + 1);
        }
    }
    None
}

fn root_source(opts: &Options, cwd: &Path, root: &Path) -> String {
    if opts.root.is_some() {
        return "--root".into();
    }
    let from = if opts.paths.is_empty() {
        "the working directory"
    } else {
        "the first PATH"
    };
    if config::find_root(
        &opts
            .paths
            .first()
            .map_or(cwd.to_path_buf(), |p| cwd.join(p)),
    )
    .is_some()
    {
        format!("nearest folder holding rollsafe.toml at or above {from}")
    } else if base::git_toplevel(root).as_deref() == Some(root) {
        "git top level (no rollsafe.toml at or above it)".into()
    } else {
        "working directory (no rollsafe.toml, not in a git repository)".into()
    }
}

fn quoted(s: &str) -> String {
    // A JSON string is a TOML basic string.
    serde_json::Value::from(s).to_string()
}

fn list(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", v.join(", "))
}

/// A value as TOML writes it inline.
fn value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => quoted(s),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(value).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(t) if t.is_empty() => "{}".into(),
        toml::Value::Table(t) => {
            let items: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{} = {}", quoted(k), value(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

fn line(out: &mut String, key: &str, value: &str, source: &str) {
    let kv = format!("{key} = {value}");
    out.push_str(&format!("{kv:<44}  # {source}\n"));
}

/// Prints the settings; the exit status is 2 when the configuration or the base is
/// unusable (what a check would have stopped on), else 0.
pub fn show(opts: &Options, report: &ReportArgs) -> i32 {
    let cwd = match &opts.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    let root = check::find_root(opts, &cwd);
    let mut out = String::new();
    line(
        &mut out,
        "root",
        &quoted(&root.display().to_string()),
        &root_source(opts, &cwd, &root),
    );
    let config_path = match &opts.config {
        Some(p) => Some((cwd.join(p), "--config")),
        None => Some(root.join(config::FILE_NAME))
            .filter(|p| p.is_file())
            .map(|p| (p, "found at the root")),
    };
    match &config_path {
        Some((p, why)) => line(&mut out, "config", &quoted(&p.display().to_string()), why),
        None => line(
            &mut out,
            "config",
            "\"\"",
            "none: every setting at its default",
        ),
    }
    let config = match check::load_config(opts, &root, &cwd) {
        Ok(c) => c,
        Err(e) => {
            print!("{out}");
            eprintln!("rollsafe: {}", e.0);
            return 2;
        }
    };
    let text = config_path
        .as_ref()
        .and_then(|(p, _)| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let file_name = config_path
        .as_ref()
        .map(|(p, _)| p.strip_prefix(&cwd).unwrap_or(p).display().to_string())
        .unwrap_or_default();
    let mut status = 0;

    // The previous release and the commit it resolves to.
    let from_config = || {
        format!(
            "{file_name}:{}",
            line_of(&text, "base").map_or(String::new(), |n| n.to_string())
        )
    };
    let (spec, source) = match (&opts.base, &config.base) {
        (Some(b), _) if opts.base_exact => (Some(b.clone()), "--base-exact".to_string()),
        (Some(b), _) => (Some(b.clone()), "--base".to_string()),
        (None, Some(b)) => (Some(b.clone()), from_config()),
        (None, None) => (
            None,
            "none: the migrations added since the previous git tag are judged (outside git or without tags, the newest of each folder)".into(),
        ),
    };
    match &spec {
        None => line(&mut out, "base", "\"\"", &source),
        Some(s) => {
            line(&mut out, "base", &quoted(s), &source);
            match base::resolve(s, &root, &cwd, opts.base_exact) {
                Ok(base::BaseSource::Dir(d)) => line(
                    &mut out,
                    "base-resolved",
                    &quoted(&d.display().to_string()),
                    "a directory, taken as is",
                ),
                Ok(base::BaseSource::Git { commit, tip, .. }) => {
                    let why = if opts.base_exact {
                        "the commit it names (--base-exact)".to_string()
                    } else if commit == tip {
                        "the commit it names, an ancestor of HEAD".to_string()
                    } else {
                        format!(
                            "merge base of {s} (now {}) and HEAD",
                            &tip[..tip.len().min(12)]
                        )
                    };
                    line(&mut out, "base-resolved", &quoted(&commit), &why);
                }
                Err(e) => {
                    line(&mut out, "base-resolved", "\"\"", &format!("error: {e}"));
                    status = 2;
                }
            }
        }
    }
    let fail_on = if report.exit_zero {
        ("never", "--exit-zero")
    } else if report.fail_on != crate::cli::FailOn::Error {
        (fail_on_name(report), "--fail-on")
    } else {
        ("error", "default")
    };
    line(&mut out, "fail-on", &quoted(fail_on.0), fail_on.1);
    let (colour, why) = crate::cli::colour(std::io::stdout().is_terminal(), report.no_color, |k| {
        std::env::var(k).ok()
    });
    line(&mut out, "colour", &colour.to_string(), why);

    // Every rollsafe.toml setting: the file's value, else the default.
    out.push_str("\n# rollsafe.toml settings\n");
    let mut defaults = BTreeMap::new();
    if let Ok(t) = config::INIT_TEMPLATE.parse::<toml::Table>() {
        flatten("", &t, &mut defaults);
    }
    let mut set = BTreeMap::new();
    if let Ok(t) = text.parse::<toml::Table>() {
        flatten("", &t, &mut set);
    }
    let mut keys: Vec<&String> = defaults.keys().chain(set.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        if key == "base" {
            continue;
        }
        let from_file = set.get(key).map(|v| {
            (
                value(v),
                format!(
                    "{file_name}:{}",
                    line_of(&text, key).map_or(String::new(), |n| n.to_string())
                ),
            )
        });
        let (mut shown, mut source) =
            from_file.unwrap_or_else(|| (value(&defaults[key]), "default".to_string()));
        if key == "rules.select" && !opts.select.is_empty() {
            shown = list(&opts.select);
            source = "--select (replaces the file's)".into();
        }
        if key == "rules.ignore" && !opts.ignore.is_empty() {
            let mut all: Vec<String> = config.rules.ignore.clone();
            all.extend(opts.ignore.iter().cloned());
            shown = list(&all);
            source = format!("{source} and --ignore");
        }
        line(&mut out, key, &shown, &source);
    }

    // What the files show, for the settings left to detection.
    let detected = crate::init::detect(&root, &config);
    out.push_str("\n# detected in the files (used where the settings above leave it open)\n");
    for m in &detected.migrations {
        line(
            &mut out,
            &format!("migrations.\"{}\"", m.dir),
            &quoted(&format!(
                "{}, {}",
                m.convention.unwrap_or(m.layout),
                m.dialect
                    .map_or(config.migrations.dialect().as_str(), |d| d.as_str())
            )),
            &format!(
                "{} migrations; dialect {}",
                m.migrations,
                if m.dialect.is_some() {
                    "from the SQL"
                } else {
                    "from migrations.dialect (the SQL shows none)"
                }
            ),
        );
    }
    for l in detected.describe().iter().skip(detected.migrations.len()) {
        out.push_str(&format!("# {l}\n"));
    }
    print!("{out}");
    status
}

fn fail_on_name(report: &ReportArgs) -> &'static str {
    use crate::cli::FailOn;
    match report.fail_on {
        FailOn::Error => "error",
        FailOn::Warning => "warning",
        FailOn::Info => "info",
        FailOn::Never => "never",
    }
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn keys_are_found_under_their_section() {
        let t = "base = \"main\"\n[rules]\nselect = [\"M\"]\n[migrations]\ndialect = \"mysql\"\n[rules.severity]\nM202 = \"error\"\n";
        assert_eq!(line_of(t, "base"), Some(1));
        assert_eq!(line_of(t, "rules.select"), Some(3));
        assert_eq!(line_of(t, "migrations.dialect"), Some(5));
        assert_eq!(line_of(t, "rules.severity"), Some(6));
        assert_eq!(line_of(t, "migrations.paths"), None);
    }
}
