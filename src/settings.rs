//! The resolved settings: what the loader, the models and the rules read, with every
//! default applied and every value typed (a `Dialect`, a `Severity`, seconds).
//! `crate::config` reads `rollsafe.toml` into its own file model, checks it, points at
//! the line of a bad value and resolves it into these; nothing here knows about the file
//! or the rules (as ruff keeps `ruff_workspace` apart from `ruff_linter::settings`).

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
use crate::migrations::Convention;
use crate::sql::Dialect;

pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// Default previous release (git revision or directory).
    pub base: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped (E003).
    pub max_file_size: u64,
    pub rules: RulesConfig,
    /// Glob → file kind (`migration`, `manifest`, …), overriding classification.
    pub classify: BTreeMap<String, String>,
    pub migrations: MigrationsConfig,
    pub workloads: WorkloadsConfig,
    pub secrets: SecretsConfig,
    pub env: EnvConfig,
    pub traffic: TrafficConfig,
    pub api: ApiConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base: None,
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            rules: RulesConfig::default(),
            classify: BTreeMap::new(),
            migrations: MigrationsConfig::default(),
            workloads: WorkloadsConfig::default(),
            secrets: SecretsConfig::default(),
            env: EnvConfig::default(),
            traffic: TrafficConfig::default(),
            api: ApiConfig::default(),
        }
    }
}

/// Settings of the A rules.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Descriptions that moved: new path → path in the previous release.
    pub moved: BTreeMap<String, String>,
    /// Operations never compared: `"GET /internal/**"`, or a path glob for every method.
    pub ignore: Vec<String>,
    /// A900: list the non-breaking changes too (what `rollsafe diff --changelog` does).
    pub changelog: bool,
    /// Minimum days between deprecating a beta element and its `x-sunset` (0: no policy).
    pub deprecation_days_beta: i64,
    /// The same for stable elements.
    pub deprecation_days_stable: i64,
    /// The server validates requests against the description: a request bound set where
    /// none was documented is a new limit (warning), not information.
    pub validates_requests: bool,
    /// Clients treat response enums as closed: a value added to one is a warning (A401).
    pub closed_response_enums: bool,
    /// More schema-level breaking findings than this in one description file are
    /// summarised in one (`rules::api::broad`); 0: never.
    pub broad_change: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            moved: BTreeMap::new(),
            ignore: Vec::new(),
            changelog: false,
            deprecation_days_beta: 0,
            deprecation_days_stable: 0,
            validates_requests: false,
            closed_response_enums: false,
            // The judged regenerations made 63 and 80; the largest real release, 11.
            broad_change: 20,
        }
    }
}

/// Thresholds of the T rules.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// T101/T202/T302: the largest increase of traffic in one step, in percentage points.
    pub max_step: u32,
    /// T103: the shortest timed pause, in seconds.
    pub min_pause_secs: u64,
    /// T104/T203: the shortest total bake time before full traffic, in seconds.
    pub min_bake_secs: u64,
    /// T105: a canary with no analysis at all is reported.
    pub require_analysis: bool,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            max_step: 25,
            min_pause_secs: 300,
            min_bake_secs: 300,
            require_analysis: true,
        }
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
#[derive(Debug, Clone, Default)]
pub struct SecretsConfig {
    /// Secrets, ConfigMaps and ServiceAccounts created outside the repository.
    pub external: Vec<External>,
    /// Files that compose reads but that are deliberately not committed (git-ignored
    /// secrets), relative to the repository root.
    pub uncommitted_files: Vec<String>,
    /// Variables that the deploying environment provides to compose interpolation.
    pub provided_variables: Vec<String>,
}

/// An object created outside the repository (`"ns/name"` written as text is split here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct External {
    /// `None`: any namespace.
    pub namespace: Option<String>,
    pub name: String,
    /// `Secret`, `ConfigMap` or `ServiceAccount`; `None` means any of them.
    pub kind: Option<String>,
    /// Keys it holds; `None` means unknown (keys are not checked).
    pub keys: Option<Vec<String>>,
}

/// Environment files: which one is the template and which belong to which environment.
/// Unset means detected (`.env.example`, `.env.<environment>`, `<environment>.env`,
/// `deploy/<environment>/*.env`).
#[derive(Debug, Clone, Default)]
pub struct EnvConfig {
    pub template: Option<String>,
    pub environments: BTreeMap<String, Vec<String>>,
}

/// Thresholds of the K rules.
#[derive(Debug, Clone)]
pub struct WorkloadsConfig {
    /// K102: seconds a liveness probe must leave a container to start when there is no
    /// startup probe (initialDelaySeconds + failureThreshold × periodSeconds).
    pub min_startup_seconds: u32,
    /// K402: image tags that float (`latest` is always one).
    pub floating_tags: Vec<String>,
    /// Findings on manifests only quick-start, demo or sample units deploy are
    /// information (`k8s::examples`).
    pub demote_examples: bool,
}

impl Default for WorkloadsConfig {
    fn default() -> Self {
        WorkloadsConfig {
            min_startup_seconds: 10,
            floating_tags: Vec::new(),
            demote_examples: true,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RulesConfig {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Severity overrides by rule code.
    pub severity: BTreeMap<String, Severity>,
    pub per_path: Vec<PerPath>,
}

#[derive(Debug, Clone, Default)]
pub struct PerPath {
    pub paths: Vec<String>,
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct MigrationsConfig {
    /// Folders holding migrations; empty means detect.
    pub paths: Vec<String>,
    /// The migration tool as named in the file (`sqlx`, `goose`, …); `None`: detect.
    pub convention: Option<String>,
    /// The SQL dialect set in the file; `None`: detect, else PostgreSQL.
    pub dialect: Option<Dialect>,
    /// For tools whose transaction handling is not known (golang-migrate): true means the
    /// runner wraps each file in a transaction.
    pub assume_in_transaction: Option<bool>,
    pub lock_timeout_required: bool,
    /// `[migrations] hot-tables`: tables busy enough that waiting for their lock is an
    /// outage; M209 is a warning on them and information elsewhere. `*` names every table.
    pub hot_tables: Vec<String>,
    /// Lock and availability findings on down parts (run only in a rollback) are
    /// information.
    pub demote_down_parts: bool,
    /// How a release meets the database.
    pub deploy: DeployStyle,
}

/// `[migrations] deploy`: whether the previous release runs while a migration does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeployStyle {
    /// The previous release serves during the migration and the rollout (the default:
    /// every mixed-version and lock rule applies).
    #[default]
    Rolling,
    /// The previous release is stopped, the migration runs, then the new release starts:
    /// lock findings are info, mixed-version findings concern only a rollback.
    StopThenMigrate,
}

impl Default for MigrationsConfig {
    fn default() -> Self {
        MigrationsConfig {
            paths: Vec::new(),
            convention: None,
            dialect: None,
            assume_in_transaction: None,
            lock_timeout_required: true,
            hot_tables: Vec::new(),
            demote_down_parts: true,
            deploy: DeployStyle::Rolling,
        }
    }
}

impl MigrationsConfig {
    /// Whether `table` (as a migration names it, perhaps schema-qualified or quoted) is
    /// listed in `hot-tables`; a listed name without a schema matches any schema.
    pub fn is_hot(&self, table: &str) -> bool {
        let bare = |s: &str| {
            s.trim_matches(|c| c == '"' || c == '`')
                .to_ascii_lowercase()
        };
        let table: Vec<String> = table.split('.').map(bare).collect();
        self.hot_tables.iter().any(|h| {
            if h == "*" {
                return true;
            }
            let listed: Vec<String> = h.split('.').map(bare).collect();
            listed == table || (listed.len() == 1 && table.last() == listed.last())
        })
    }

    /// The dialect of SQL files that name none: the configured one, else PostgreSQL.
    pub fn dialect(&self) -> Dialect {
        self.dialect.unwrap_or(Dialect::Postgres)
    }

    pub fn convention(&self) -> Option<Convention> {
        self.convention.as_deref().and_then(Convention::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::MigrationsConfig;

    #[test]
    fn hot_tables_match_with_or_without_a_schema() {
        let c = MigrationsConfig {
            hot_tables: vec!["orders".into(), "billing.Invoices".into()],
            ..MigrationsConfig::default()
        };
        assert!(c.is_hot("orders"));
        assert!(c.is_hot("public.\"orders\""));
        assert!(c.is_hot("`Orders`"));
        assert!(c.is_hot("billing.invoices"));
        assert!(!c.is_hot("invoices"));
        assert!(!c.is_hot("sales.invoices"));
        assert!(!c.is_hot("order_items"));
        let all = MigrationsConfig {
            hot_tables: vec!["*".into()],
            ..MigrationsConfig::default()
        };
        assert!(all.is_hot("anything"));
        assert!(!MigrationsConfig::default().is_hot("orders"));
    }
}
