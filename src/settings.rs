//! The resolved settings: what the loader, the models and the rules read, with their
//! defaults and the typed views of their values (`MigrationsConfig::dialect`,
//! `parse_duration`). `crate::config` reads them from `rollsafe.toml`, checks them and
//! points at the line of a bad value; nothing here knows about the file or the rules.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::migrations::Convention;
use crate::sql::Dialect;

pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Default previous release (git revision or directory).
    pub base: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub rules: RulesConfig,
    /// Glob → file kind, overriding classification.
    #[serde(default)]
    pub classify: BTreeMap<String, String>,
    #[serde(default)]
    pub migrations: MigrationsConfig,
    #[serde(default)]
    pub workloads: WorkloadsConfig,
    #[serde(default)]
    pub secrets: SecretsConfig,
    #[serde(default)]
    pub env: EnvConfig,
    #[serde(default)]
    pub traffic: TrafficConfig,
    #[serde(default)]
    pub api: ApiConfig,
}

/// Settings of the A rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ApiConfig {
    /// Descriptions that moved: new path → path in the previous release.
    #[serde(default)]
    pub moved: BTreeMap<String, String>,
    /// Operations never compared: `"GET /internal/**"`, or a path glob for every method.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// A900: list the non-breaking changes too (what `rollsafe diff --changelog` does).
    #[serde(default)]
    pub changelog: bool,
    /// Minimum days between deprecating a beta element and its `x-sunset` (0: no policy).
    #[serde(default)]
    pub deprecation_days_beta: i64,
    /// The same for stable elements.
    #[serde(default)]
    pub deprecation_days_stable: i64,
}

/// Thresholds of the T rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrafficConfig {
    /// T101/T202/T302: the largest increase of traffic in one step, in percentage points.
    #[serde(default = "twenty_five")]
    pub max_step: u32,
    /// T103: the shortest timed pause (`30s`, `5m`, `1h`).
    #[serde(default = "five_minutes")]
    pub min_pause: String,
    /// T104/T203: the shortest total bake time before full traffic.
    #[serde(default = "five_minutes")]
    pub min_bake: String,
    /// T105: a canary with no analysis at all is reported.
    #[serde(default = "yes")]
    pub require_analysis: bool,
}

fn twenty_five() -> u32 {
    25
}

fn five_minutes() -> String {
    "5m".to_string()
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            max_step: 25,
            min_pause: five_minutes(),
            min_bake: five_minutes(),
            require_analysis: true,
        }
    }
}

impl TrafficConfig {
    /// `min-pause` in seconds (5 minutes if it cannot be read, which `config` rejects).
    pub fn min_pause_secs(&self) -> u64 {
        parse_duration(&self.min_pause).unwrap_or(300)
    }

    /// `min-bake` in seconds (5 minutes if it cannot be read, which `config` rejects).
    pub fn min_bake_secs(&self) -> u64 {
        parse_duration(&self.min_bake).unwrap_or(300)
    }
}

/// `30`, `"30s"`, `"5m"`, `"1h"`, `"1h30m"` → seconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return None,
        };
    }
    num.is_empty().then_some(total)
}

/// Things the S rules accept as provided outside the repository.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretsConfig {
    /// Secrets, ConfigMaps and ServiceAccounts created outside the repository: `"name"`,
    /// `"namespace/name"`, or `{ name, namespace, kind, keys }`.
    #[serde(default)]
    pub external: Vec<External>,
    /// Files that compose reads but that are deliberately not committed (git-ignored
    /// secrets), relative to the repository root.
    #[serde(default)]
    pub uncommitted_files: Vec<String>,
    /// Variables that the deploying environment provides to compose interpolation.
    #[serde(default)]
    pub provided_variables: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum External {
    Name(String),
    Full(ExternalObject),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExternalObject {
    pub name: String,
    pub namespace: Option<String>,
    /// `Secret`, `ConfigMap` or `ServiceAccount`; unset means any of them.
    pub kind: Option<String>,
    /// Keys it holds; unset means unknown (keys are not checked).
    pub keys: Option<Vec<String>>,
}

impl External {
    /// (namespace, name, kind, keys)
    pub fn parts(&self) -> (Option<&str>, &str, Option<&str>, Option<&[String]>) {
        match self {
            External::Name(s) => match s.split_once('/') {
                Some((ns, n)) => (Some(ns), n, None, None),
                None => (None, s.as_str(), None, None),
            },
            External::Full(o) => (
                o.namespace.as_deref(),
                &o.name,
                o.kind.as_deref(),
                o.keys.as_deref(),
            ),
        }
    }
}

/// Environment files: which one is the template and which belong to which environment.
/// Unset means detected (`.env.example`, `.env.<environment>`, `<environment>.env`,
/// `deploy/<environment>/*.env`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EnvConfig {
    pub template: Option<String>,
    #[serde(default)]
    pub environments: BTreeMap<String, Vec<String>>,
}

/// Thresholds of the K rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WorkloadsConfig {
    /// K102: seconds a liveness probe must leave a container to start when there is no
    /// startup probe (initialDelaySeconds + failureThreshold × periodSeconds).
    #[serde(default = "fifteen")]
    pub min_startup_seconds: u32,
    /// K402: image tags that float (`latest` is always one).
    #[serde(default)]
    pub floating_tags: Vec<String>,
}

fn fifteen() -> u32 {
    15
}

impl Default for WorkloadsConfig {
    fn default() -> Self {
        WorkloadsConfig {
            min_startup_seconds: 15,
            floating_tags: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesConfig {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub per_path: Vec<PerPath>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PerPath {
    pub paths: Vec<String>,
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MigrationsConfig {
    /// Folders holding migrations; empty means detect.
    #[serde(default)]
    pub paths: Vec<String>,
    pub convention: Option<String>,
    pub dialect: Option<String>,
    /// For tools whose transaction handling is not known (golang-migrate): true means the
    /// runner wraps each file in a transaction.
    pub assume_in_transaction: Option<bool>,
    #[serde(default = "yes")]
    pub lock_timeout_required: bool,
    /// Lock and availability findings on down parts (run only in a rollback) are one
    /// level lower.
    #[serde(default = "yes")]
    pub demote_down_parts: bool,
}

fn yes() -> bool {
    true
}

impl Default for MigrationsConfig {
    fn default() -> Self {
        MigrationsConfig {
            paths: Vec::new(),
            convention: None,
            dialect: None,
            assume_in_transaction: None,
            lock_timeout_required: true,
            demote_down_parts: true,
        }
    }
}

impl MigrationsConfig {
    pub fn dialect(&self) -> Dialect {
        self.dialect
            .as_deref()
            .and_then(Dialect::parse)
            .unwrap_or(Dialect::Postgres)
    }

    pub fn convention(&self) -> Option<Convention> {
        self.convention.as_deref().and_then(Convention::parse)
    }
}
