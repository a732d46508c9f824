//! `rollsafe.toml`, what users write: discovery, parsing and validation. Unknown keys and
//! bad values are errors with their position, because a typo must never silently disable
//! a rule. Validation needs the rule registry (selectors, severities), so this module
//! sits above the rules; what the loader, the models and the rules read is the resolved
//! settings of `crate::settings`, below them (as ruff keeps `ruff_workspace` apart from
//! `ruff_linter::settings`).

use std::path::{Path, PathBuf};

use crate::diagnostic::Severity;
use crate::migrations::Convention;
use crate::rules;
use crate::sql::Dialect;

pub mod file;

use file::{FileConfig, FileDeploy, FileExternal};

pub use crate::settings::{
    ApiConfig, Config, DEFAULT_MAX_FILE_SIZE, DeployStyle, EnvConfig, External, MigrationsConfig,
    PerPath, RulesConfig, SecretsConfig, TrafficConfig, WorkloadsConfig, parse_duration,
};

pub const FILE_NAME: &str = "rollsafe.toml";
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

pub const FILE_KINDS: &[&str] = &[
    "migration",
    "manifest",
    "compose",
    "env",
    "openapi",
    "ignore",
];

/// An error at a byte offset of the configuration's text, as line:column.
pub(crate) fn error_at(path: &Path, text: &str, offset: usize, message: String) -> ConfigError {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    ConfigError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Offset of a key's first occurrence at the start of a line (`key =`), else of the text
/// anywhere, else 0: where an error about that setting points.
pub(crate) fn key_offset(text: &str, key: &str) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return offset + (line.len() - t.len());
        }
        offset += line.len();
    }
    text.find(key).unwrap_or(0)
}

/// Parses and validates a configuration file's text, and resolves it into the settings.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let err_at = |offset: usize, message: String| error_at(path, text, offset, message);
    let config: FileConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        err_at(offset, e.message().trim().to_string())
    })?;
    // Values serde cannot check: position them at the offending value's text.
    let find = |needle: &str| text.find(needle).unwrap_or(0);
    let check_codes = |list: &[String], key: &str| -> Result<(), ConfigError> {
        for code in list {
            if !rules::is_known_selector(code) {
                return Err(err_at(
                    find(&format!("\"{code}\"")),
                    format!("unknown rule `{code}` in `{key}` (see `rollsafe rules`)"),
                ));
            }
        }
        Ok(())
    };
    check_codes(&config.rules.select, "rules.select")?;
    check_codes(&config.rules.ignore, "rules.ignore")?;
    for (key, value) in [
        ("min-pause", &config.traffic.min_pause),
        ("min-bake", &config.traffic.min_bake),
    ] {
        let Some(value) = value else { continue };
        if parse_duration(value).is_none() {
            return Err(err_at(
                find(&format!("\"{value}\"")),
                format!(
                    "`traffic.{key}` must be a duration such as \"30s\", \"5m\" or \"1h\", not `{value}`"
                ),
            ));
        }
    }
    for pp in &config.rules.per_path {
        check_codes(&pp.ignore, "rules.per-path.ignore")?;
        for g in &pp.paths {
            globset::Glob::new(g).map_err(|e| {
                err_at(
                    find(&format!("\"{g}\"")),
                    format!("invalid glob `{g}`: {e}"),
                )
            })?;
        }
    }
    for (code, sev) in &config.rules.severity {
        if rules::find(code).is_none() {
            return Err(err_at(
                find(code),
                format!("unknown rule `{code}` in `rules.severity`"),
            ));
        }
        if Severity::parse(sev).is_none() {
            return Err(err_at(
                find(&format!("\"{sev}\"")),
                format!("invalid severity `{sev}` for {code}: expected error, warning or info"),
            ));
        }
    }
    // `[api] ignore` entries are "METHOD glob" or a path glob.
    let api_globs = config
        .api
        .ignore
        .iter()
        .map(|p| p.split_once(' ').map(|(_, g)| g.trim()).unwrap_or(p));
    for g in config
        .include
        .iter()
        .chain(&config.exclude)
        .map(String::as_str)
        .chain(api_globs)
    {
        globset::Glob::new(g).map_err(|e| {
            err_at(
                find(&format!("\"{g}\"")),
                format!("invalid glob `{g}`: {e}"),
            )
        })?;
    }
    if config.base.as_deref().is_some_and(|b| b.trim().is_empty()) {
        return Err(err_at(
            key_offset(text, "base"),
            "`base` is empty: set it to a git revision (\"origin/main\") or a folder holding the previous release, or remove the line to check without a base".into(),
        ));
    }
    for (key, days) in [
        ("deprecation-days-beta", config.api.deprecation_days_beta),
        (
            "deprecation-days-stable",
            config.api.deprecation_days_stable,
        ),
    ] {
        if days < 0 {
            return Err(err_at(
                key_offset(text, key),
                format!("`api.{key}` is {days}: give a number of days, 0 or more (0: no policy)"),
            ));
        }
    }
    if let Some(step) = config.traffic.max_step
        && !(1..=100).contains(&step)
    {
        return Err(err_at(
            key_offset(text, "max-step"),
            format!("`traffic.max-step` is {step}: give percentage points from 1 to 100"),
        ));
    }
    for (g, kind) in &config.classify {
        // A glob that does not compile would classify nothing, silently.
        globset::Glob::new(g).map_err(|e| {
            err_at(
                find(&format!("\"{g}\"")),
                format!("invalid glob `{g}` in `[classify]`: {e}"),
            )
        })?;
        if !FILE_KINDS.contains(&kind.as_str()) {
            return Err(err_at(
                find(&format!("\"{kind}\"")),
                format!(
                    "invalid file kind `{kind}` for `{g}`: expected one of {}",
                    FILE_KINDS.join(", ")
                ),
            ));
        }
    }
    if let Some(d) = &config.migrations.dialect
        && Dialect::parse(d).is_none()
    {
        return Err(err_at(
            find(&format!("\"{d}\"")),
            format!("invalid dialect `{d}`: expected postgres, mysql or sqlite"),
        ));
    }
    if let Some(c) = &config.migrations.convention
        && Convention::parse(c).is_none()
    {
        return Err(err_at(
            find(&format!("\"{c}\"")),
            format!(
                "invalid convention `{c}`: expected one of {}",
                Convention::NAMES.join(", ")
            ),
        ));
    }
    Ok(resolve(config))
}

/// The settings a checked file gives: defaults applied, values typed.
fn resolve(f: FileConfig) -> Config {
    let defaults = Config::default();
    let secs =
        |v: Option<String>, default: u64| v.and_then(|v| parse_duration(&v)).unwrap_or(default);
    Config {
        base: f.base,
        include: f.include,
        exclude: f.exclude,
        max_file_size: f.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        rules: RulesConfig {
            select: f.rules.select,
            ignore: f.rules.ignore,
            severity: f
                .rules
                .severity
                .into_iter()
                .filter_map(|(code, s)| Some((code, Severity::parse(&s)?)))
                .collect(),
            per_path: f
                .rules
                .per_path
                .into_iter()
                .map(|p| PerPath {
                    paths: p.paths,
                    ignore: p.ignore,
                })
                .collect(),
        },
        classify: f.classify,
        migrations: MigrationsConfig {
            paths: f.migrations.paths,
            convention: f.migrations.convention,
            dialect: f.migrations.dialect.as_deref().and_then(Dialect::parse),
            assume_in_transaction: f.migrations.assume_in_transaction,
            lock_timeout_required: f
                .migrations
                .lock_timeout_required
                .unwrap_or(defaults.migrations.lock_timeout_required),
            hot_tables: f.migrations.hot_tables,
            demote_down_parts: f
                .migrations
                .demote_down_parts
                .unwrap_or(defaults.migrations.demote_down_parts),
            deploy: match f.migrations.deploy {
                Some(FileDeploy::StopThenMigrate) => DeployStyle::StopThenMigrate,
                Some(FileDeploy::Rolling) | None => DeployStyle::Rolling,
            },
        },
        workloads: WorkloadsConfig {
            min_startup_seconds: f
                .workloads
                .min_startup_seconds
                .unwrap_or(defaults.workloads.min_startup_seconds),
            floating_tags: f.workloads.floating_tags,
            demote_examples: f
                .workloads
                .demote_examples
                .unwrap_or(defaults.workloads.demote_examples),
        },
        secrets: SecretsConfig {
            external: f.secrets.external.into_iter().map(external).collect(),
            uncommitted_files: f.secrets.uncommitted_files,
            provided_variables: f.secrets.provided_variables,
        },
        env: EnvConfig {
            template: f.env.template,
            environments: f.env.environments,
        },
        traffic: TrafficConfig {
            max_step: f.traffic.max_step.unwrap_or(defaults.traffic.max_step),
            min_pause_secs: secs(f.traffic.min_pause, defaults.traffic.min_pause_secs),
            min_bake_secs: secs(f.traffic.min_bake, defaults.traffic.min_bake_secs),
            require_analysis: f
                .traffic
                .require_analysis
                .unwrap_or(defaults.traffic.require_analysis),
        },
        api: ApiConfig {
            moved: f.api.moved,
            ignore: f.api.ignore,
            changelog: f.api.changelog,
            deprecation_days_beta: f.api.deprecation_days_beta,
            deprecation_days_stable: f.api.deprecation_days_stable,
            validates_requests: f.api.validates_requests,
            closed_response_enums: f.api.closed_response_enums,
            broad_change: f.api.broad_change.unwrap_or(defaults.api.broad_change),
        },
    }
}

/// `"name"` or `"namespace/name"` as written, or the full table.
fn external(e: FileExternal) -> External {
    match e {
        FileExternal::Name(s) => match s.split_once('/') {
            Some((ns, n)) => External {
                namespace: Some(ns.to_string()),
                name: n.to_string(),
                ..External::default()
            },
            None => External {
                name: s,
                ..External::default()
            },
        },
        FileExternal::Full(o) => External {
            namespace: o.namespace,
            name: o.name,
            kind: o.kind,
            keys: o.keys,
        },
    }
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    parse(path, &read(path)?)
}

/// Loads the configuration of the project at `root`: also checks that the files and
/// folders it names exist there.
pub fn load_for_root(path: &Path, root: &Path) -> Result<Config, ConfigError> {
    let text = read(path)?;
    let config = parse(path, &text)?;
    crate::config_paths::check(&config, path, &text, root)?;
    Ok(config)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read: {e}"),
    })
}

/// The nearest folder at or above `start` that holds `rollsafe.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let mut dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start.to_path_buf()
    };
    loop {
        if dir.join(FILE_NAME).is_file() {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The commented configuration `rollsafe init` writes: every option at its default.
pub const INIT_TEMPLATE: &str = r#"# rollsafe configuration. Every option is shown at its default.

# Previous release to compare with: a git revision or a directory holding its checkout.
# Only findings that are new relative to it are reported (use --all for everything).
# base = "origin/main"

# Extra globs to include or exclude (relative to this folder). .gitignore is honoured.
include = []
exclude = []

# Files larger than this many bytes are skipped with an info diagnostic (E003).
max-file-size = 8388608

[rules]
# Codes or prefixes to run ("ALL", "M", "M2", "M201"). Empty means all rules.
select = []
# Codes or prefixes never to run.
ignore = []

# Per-rule severity overrides: error, warning or info.
[rules.severity]
# M202 = "error"

# Rules to ignore under some paths.
# [[rules.per-path]]
# paths = ["legacy/**"]
# ignore = ["M101"]

# Override how files are classified: glob = "migration" | "manifest" | "compose" |
# "env" | "openapi" | "ignore".
[classify]
# "db/schema/*.sql" = "ignore"

[migrations]
# Folders holding migrations; empty means detect them from the tool conventions.
paths = []
# Migration tool: golang-migrate, sqlx, migrate-rs, pop, flyway, dbmate, goose,
# sql-migrate, diesel, prisma, sqitch, liquibase, plain. Unset means detect from file names and annotations.
# convention = "goose"
# SQL dialect when the path does not name one: postgres, mysql or sqlite.
dialect = "postgres"
# For tools whose transaction handling is unknown (golang-migrate): does the runner wrap
# each file in a transaction? Unset: PostgreSQL runs a multi-statement file as one
# implicit transaction.
# assume-in-transaction = false
# Require `SET lock_timeout` before statements that block a busy table (M209).
lock-timeout-required = true
# Tables busy enough that a migration waiting for their lock is an outage (M209 is a
# warning on them, information on other tables); "*" names every table.
hot-tables = []
# Lock and availability findings (M2xx) on down parts, which run only in a rollback, are
# information.
demote-down-parts = true
# How a release meets the database: "rolling" (the previous release serves while the new
# one migrates) or "stop-then-migrate" (it is stopped first, as a single instance that
# migrates at startup is): then lock findings (M2xx) are info and mixed-version findings
# (M1xx) speak of a rollback only, one level lower.
deploy = "rolling"

[workloads]
# K102: a liveness probe with no startup probe must leave the container at least this many
# seconds to start (initialDelaySeconds + failureThreshold × periodSeconds).
min-startup-seconds = 10
# K402: tags that move like `latest` does (e.g. "stable", "main").
floating-tags = []
# Findings on manifests that only quick-start, demo or sample units (a folder or file so
# named, e2e, testdata) deploy, and every finding on a file of the test suite (top-level
# test/ or tests/, e2e, testdata, __tests__), are information.
demote-examples = true

[secrets]
# Secrets, ConfigMaps and ServiceAccounts created outside this repository (S101-S103):
# "name", "namespace/name", or { name = "db", namespace = "shop", kind = "Secret", keys = ["url"] }.
external = []
# Files compose reads that are deliberately not committed (S202).
uncommitted-files = []
# Variables the deploying environment sets for compose interpolation (S201).
provided-variables = []

[env]
# The environment file template and each environment's files (S301, S302).
# Unset: `.env.example`/`.sample`/`.template`/`.dist` and `.env.<env>`, `<env>.env`,
# `deploy/<env>/*.env` next to it.
# template = ".env.example"
# environments = { production = [".env.production"], staging = [".env.staging"] }

[traffic]
# T101/T202/T302: the largest traffic increase in one step (percentage points).
max-step = 25
# T103: the shortest timed pause of a canary.
min-pause = "5m"
# T104/T203: the shortest total bake time before full traffic.
min-bake = "5m"
# T105: report canaries that no analysis watches.
require-analysis = true

[api]
# Descriptions that moved since the previous release: new path = old path.
moved = {}
# Operations never compared ("GET /internal/**", or a path glob for every method).
ignore = []
# A900: also list non-breaking changes (what `rollsafe diff --changelog` does).
changelog = false
# Days of notice between deprecation and `x-sunset` (0: no policy), by stability.
deprecation-days-beta = 0
deprecation-days-stable = 0
# The server validates requests against the description (connexion,
# express-openapi-validator, kin-openapi middleware): a bound set on a request where none
# was documented is then a new limit, a warning, rather than information (A301).
validates-requests = false
# Clients treat response enums as closed (exhaustive switches, generated enums that reject
# unknown values): a value added to a response enum is then a warning (A401), not
# information.
closed-response-enums = false
# More schema-level breaking changes (A201, A301, A401) than this in one description file
# are one finding, the rest information: a change that broad is most often a regenerated
# or corrected description (0: report each).
broad-change = 20
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_valid() {
        parse(Path::new("rollsafe.toml"), INIT_TEMPLATE).unwrap();
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let e = parse(Path::new("r.toml"), "[rules]\nselct = [\"M\"]\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("unknown field `selct`"), "{}", e.message);
    }

    #[test]
    fn unknown_code_is_an_error() {
        let e = parse(Path::new("r.toml"), "[rules]\nignore = [\"M999\"]\n").unwrap_err();
        assert!(e.message.contains("M999"));
        assert_eq!(e.line, 2);
    }
}
