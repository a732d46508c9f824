//! A release as rollsafe sees it: every file discovered (`discover`, `base`), classified
//! (`classify`), parsed once (`load`) and indexed (`index`), with every input problem (E
//! diagnostics) and inline suppression (`suppress`). The file types belong to their
//! domains (`model`, `k8s`, `api`, `migrations`); this module only holds them together.

pub mod base;
pub mod classify;
pub mod discover;
mod index;
pub mod listing;
mod live;
mod load;
pub mod suppress;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::migrations::{self, MigrationSet};
use crate::source::SourceFile;

pub use crate::api::doc::OpenApiFile;
pub use crate::diagnostic::{InputCode, Problem};
pub use crate::model::aws::AwsFile;
pub use crate::model::compose::ComposeFile;
pub use crate::model::env::EnvFileParsed;
pub use crate::model::manifest::ManifestFile;
pub use live::Live;
pub use load::{load, load_api_files};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Migration,
    Manifest,
    Compose,
    Env,
    OpenApi,
    CloudFormation,
    HelmTemplate,
    Kustomization,
    Other,
}

/// One release: every parsed file, the indexes built from them, and the problems found.
#[derive(Debug, Default)]
pub struct Project {
    /// Every text file that was classified, by path.
    pub sources: HashMap<String, (Arc<SourceFile>, FileKind)>,
    pub migration_sets: Vec<MigrationSet>,
    pub manifests: Vec<ManifestFile>,
    pub compose: Vec<ComposeFile>,
    pub env_files: Vec<EnvFileParsed>,
    pub openapi: Vec<OpenApiFile>,
    /// Files the API descriptions reference (`$ref: schemas/pet.yaml`), by path.
    pub api_fragments: HashMap<String, OpenApiFile>,
    /// API changes against the base release, computed once by the first A rule.
    pub api_changes: std::sync::OnceLock<Vec<crate::api::Change>>,
    /// CloudFormation/SAM templates and ECS service definitions (JSON).
    pub aws: Vec<AwsFile>,
    /// Kubernetes objects as the cluster will see them (kustomize applied), and their pods.
    pub k8s: crate::k8s::Index,
    pub problems: Vec<Problem>,
    /// Inline suppressions and annotations, read once at load.
    pub suppressions: Vec<suppress::Suppression>,
    /// Malformed ones (reported by E005).
    pub bad_suppressions: Vec<suppress::BadSuppression>,
    /// Byte ranges of secret values per path: masked in every source snippet.
    pub secrets: HashMap<String, Arc<[(usize, usize)]>>,
    /// Dockerfiles by path: whether they declare a HEALTHCHECK.
    pub dockerfiles: HashMap<String, bool>,
    /// What the project's Tiltfiles build and deploy (K402).
    pub tilt: Vec<crate::model::tilt::TiltBuilds>,
    /// Variables the project's shell scripts hand to `docker compose` (S201).
    pub launcher_variables: BTreeSet<String>,
    /// The release's `.gitignore` files: what is kept out of git on purpose (S202).
    pub gitignores: crate::model::gitignore::Ignores,
    /// Every file of the release, read or not (only their existence matters).
    pub paths: BTreeSet<String>,
    /// Number of files read.
    pub file_count: usize,
    /// A Flyway configuration allows out-of-order migrations (`outOfOrder = true`).
    pub flyway_out_of_order: bool,
    /// A Flyway configuration turns checksum and description validation off
    /// (`validateOnMigrate = false`).
    pub flyway_validate_off: bool,
    /// The findings of the migration walk, by the rules and judgement they were made
    /// with: a project kept in memory ([`Live`]) walks its migrations again only when one
    /// of them changed.
    pub migration_walk:
        std::sync::Mutex<Option<(Vec<&'static str>, Vec<crate::diagnostic::Diagnostic>)>>,
    /// Without a base: the tag of the previous release, against whose migrations this
    /// release's were marked new ([`Project::mark_new_migrations`]).
    pub release_tag: Option<String>,
}

impl Project {
    /// Whether a file exists in the release (read or not).
    pub fn has_file(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// Migrations the base release does not have are the release's new ones (and the
    /// repeatable ones it has with other contents, which Flyway applies again).
    /// A shipped migration this release edited keeps the base's up parts: the databases
    /// that applied it ran those.
    pub fn mark_new_migrations(&mut self, base: &Project) {
        type Marks = (bool, Option<Vec<migrations::PartRef>>);
        let marks: Vec<Marks> = {
            let shipped = migrations::Shipped::new(base.migrations(), self.migrations());
            self.migrations()
                .map(|m| {
                    let old = shipped.counterpart(m).filter(|old| old.tool == m.tool);
                    if m.repeatable {
                        // Flyway applies a repeatable migration again whenever its
                        // checksum changes: a changed one runs in this release.
                        let changed = shipped
                            .counterpart(m)
                            .is_none_or(|old| up_text(old) != up_text(m));
                        return (changed, None);
                    }
                    let edited = old.filter(|old| up_text(old) != up_text(m));
                    (!shipped.has(m), edited.map(|old| old.up.clone()))
                })
                .collect()
        };
        let all = self
            .migration_sets
            .iter_mut()
            .flat_map(|s| s.migrations.iter_mut());
        for (m, (is_new, shipped_up)) in all.zip(marks) {
            m.is_new = is_new;
            if !is_new {
                m.shipped_up = shipped_up;
            }
        }
    }

    /// The release's API descriptions, for `api::changes`.
    pub fn api(&self) -> crate::api::Release<'_> {
        crate::api::Release {
            openapi: &self.openapi,
            fragments: &self.api_fragments,
        }
    }

    pub fn migrations(&self) -> impl Iterator<Item = &migrations::Migration> {
        self.migration_sets.iter().flat_map(|s| s.migrations.iter())
    }
}

/// Each up file of a migration (by name) with the statements it runs.
fn up_text(m: &migrations::Migration) -> std::collections::BTreeMap<String, String> {
    m.up.iter()
        .map(|p| {
            let name = p.file.source.path.rsplit('/').next().unwrap_or_default();
            (format!("{name}#{}", p.section), migrations::part_tokens(p))
        })
        .collect()
}
