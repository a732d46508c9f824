//! The project index, built once every file is parsed: the API descriptions' referenced
//! fragments, the migration sets, the Kubernetes object index with its references and
//! definitions, and the inline suppressions.

use std::collections::{BTreeSet, HashMap};

use crate::api::doc::OpenApiFile;
use crate::diagnostic::{InputCode, Problem};
use crate::k8s::kustomize::Kustomization;
use crate::migrations::{self, MigrationFile};
use crate::project::Project;
use crate::project::classify::{Side, migration_tool};
use crate::project::discover::RawFile;
use crate::project::load::ReadFile;
use crate::settings::Config;

/// What the per-file loaders produced that the index is built from.
pub(super) struct Parsed {
    pub migrations: Vec<MigrationFile>,
    /// Chart folders whose templates were skipped.
    pub charts: BTreeSet<String>,
    pub kustomizations: Vec<Kustomization>,
}

/// Builds the indexes of a project whose files are loaded; returns the API fragments'
/// problems (kept by a project in memory with the fragments).
pub(super) fn build(
    p: &mut Project,
    mut parsed: Parsed,
    files: &[RawFile],
    extra_read: Option<&ReadFile>,
    side: &Side,
    config: &Config,
    reuse_fragments: Option<(HashMap<String, OpenApiFile>, Vec<Problem>)>,
) -> Vec<Problem> {
    let texts: HashMap<&str, &RawFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let read = |path: &str| match texts.get(path) {
        Some(f) => String::from_utf8(f.bytes.clone()).ok(),
        None => extra_read.and_then(|r| r(path)),
    };
    // A project kept in memory gives back its fragments when no API file changed.
    let fragment_problems = match reuse_fragments {
        Some((fragments, problems)) => {
            p.api_fragments = fragments;
            problems
        }
        None => {
            let mut problems = Vec::new();
            p.api_fragments = crate::api::refs::load_fragments(&p.openapi, &read, &mut problems);
            problems
        }
    };
    p.problems.extend(fragment_problems.iter().cloned());
    let unrendered_charts = parsed.charts.iter().cloned().collect();
    for chart in parsed.charts {
        let path = if chart.is_empty() {
            "Chart.yaml".to_string()
        } else {
            format!("{chart}/Chart.yaml")
        };
        p.problems.push(Problem::file(
            InputCode::FileSkipped,
            &path,
            format!(
                "Helm chart `{}` only partly read: its templated files are not plain YAML (its plain ones are read, and what they refer to may come from the others); render it (`helm template`) into a folder and check that",
                if chart.is_empty() { "." } else { chart.as_str() }
            ),
        ));
    }
    let mcfg = &config.migrations;
    let assume = mcfg
        .assume_in_transaction
        .or_else(|| (mcfg.convention.as_deref() == Some("sqlx")).then_some(true));
    let tool_of = |dir: &str, convention, has_variants| {
        migration_tool(dir, convention, has_variants, mcfg, side)
    };
    p.migration_sets = migrations::build_sets(parsed.migrations, mcfg.dialect(), assume, &tool_of);
    // A SQLPage site on an in-memory database migrates a new, empty database at every
    // start: no release runs against another's data, so no migration rule applies.
    p.migration_sets.retain(|set| {
        migrations::convention::sqlpage_config_of(&set.dir)
            .is_none_or(|c| side.sqlpage.get(c) != Some(&true))
    });
    // A folder a compose service mounts as its database's `/docker-entrypoint-initdb.d`
    // holds init scripts (flexprice's `migrations/postgres`, `V1__seed.sql` …): they run
    // on an empty database only, so no release's data meets them.
    let init_dirs: Vec<String> = p
        .compose
        .iter()
        .flat_map(crate::model::compose::init_script_dirs)
        .collect();
    p.migration_sets.retain(|set| !init_dirs.contains(&set.dir));
    for set in &mut p.migration_sets {
        set.code_versions = side
            .code_migrations
            .iter()
            .filter(|(dir, _, _)| *dir == set.dir)
            .map(|(_, v, tables)| (v.clone(), tables.clone()))
            .collect();
    }
    p.flyway_out_of_order = side.flyway_out_of_order;
    p.flyway_validate_off = side.flyway_validate_off;
    // Walk order must not depend on the parallel load.
    p.manifests
        .sort_by(|a, b| a.source.path.cmp(&b.source.path));
    p.compose.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    parsed.kustomizations.sort_by(|a, b| a.dir.cmp(&b.dir));
    let raw: HashMap<&str, &RawFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let read = |path: &str| {
        raw.get(path)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
    };
    let t = std::time::Instant::now();
    p.k8s = crate::k8s::Index::build(&p.manifests, parsed.kustomizations, &read, &side.applied);
    p.k8s.created = side.created.clone();
    p.k8s.set_images = side.set_images.iter().cloned().collect();
    p.k8s.unrendered_charts = unrendered_charts;
    p.k8s.refs = crate::k8s::refs::references(&p.k8s, &p.manifests);
    p.k8s.defs = crate::k8s::defs::definitions(&p.k8s, &p.manifests, &config.secrets.external);
    if std::env::var_os("ROLLSAFE_TIMING").is_some() {
        eprintln!("rollsafe timing: object index built in {:?}", t.elapsed());
    }
    p.problems.sort_by(|a, b| a.path.cmp(&b.path));
    (p.suppressions, p.bad_suppressions) = super::suppress::collect(p);
    fragment_problems
}
