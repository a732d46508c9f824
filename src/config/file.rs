//! The model of `rollsafe.toml` as users write it: every key optional, values as text
//! (`"5m"`, `"mysql"`, `"error"`), unknown keys rejected by serde with their position.
//! `config::parse` checks the values and resolves this into `crate::settings::Config`,
//! which is what the rest of rollsafe reads.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    pub base: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    #[serde(default)]
    pub rules: FileRules,
    #[serde(default)]
    pub classify: BTreeMap<String, String>,
    #[serde(default)]
    pub migrations: FileMigrations,
    #[serde(default)]
    pub workloads: FileWorkloads,
    #[serde(default)]
    pub secrets: FileSecrets,
    #[serde(default)]
    pub env: FileEnv,
    #[serde(default)]
    pub traffic: FileTraffic,
    #[serde(default)]
    pub api: FileApi,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileRules {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub per_path: Vec<FilePerPath>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FilePerPath {
    pub paths: Vec<String>,
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileMigrations {
    #[serde(default)]
    pub paths: Vec<String>,
    pub convention: Option<String>,
    pub dialect: Option<String>,
    pub assume_in_transaction: Option<bool>,
    pub lock_timeout_required: Option<bool>,
    #[serde(default)]
    pub hot_tables: Vec<String>,
    pub demote_down_parts: Option<bool>,
    pub deploy: Option<FileDeploy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileDeploy {
    Rolling,
    StopThenMigrate,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileWorkloads {
    pub min_startup_seconds: Option<u32>,
    #[serde(default)]
    pub floating_tags: Vec<String>,
    pub demote_examples: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileSecrets {
    #[serde(default)]
    pub external: Vec<FileExternal>,
    #[serde(default)]
    pub uncommitted_files: Vec<String>,
    #[serde(default)]
    pub provided_variables: Vec<String>,
}

/// `"name"`, `"namespace/name"`, or `{ name, namespace, kind, keys }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FileExternal {
    Name(String),
    Full(FileExternalObject),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileExternalObject {
    pub name: String,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub keys: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileEnv {
    pub template: Option<String>,
    #[serde(default)]
    pub environments: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileTraffic {
    pub max_step: Option<u32>,
    pub min_pause: Option<String>,
    pub min_bake: Option<String>,
    pub require_analysis: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileApi {
    #[serde(default)]
    pub moved: BTreeMap<String, String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub changelog: bool,
    #[serde(default)]
    pub deprecation_days_beta: i64,
    #[serde(default)]
    pub deprecation_days_stable: i64,
    #[serde(default)]
    pub validates_requests: bool,
    #[serde(default)]
    pub closed_response_enums: bool,
    pub broad_change: Option<usize>,
}
