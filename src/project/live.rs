//! A release kept in memory between checks (`rollsafe server`): each file's load result
//! is kept by path and content hash, so an edit parses only the files that changed, then
//! the index (migration sets, object index, API fragments, suppressions) is rebuilt.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Problem;
use crate::k8s::kustomize::Kustomization;
use crate::migrations::{self, Convention, MigrationFile};
use crate::project::classify::{Side, is_env_name, side_facts};
use crate::project::discover::RawFile;
use crate::project::load::{LoadOut, Loaded, load_each, load_one, overrides};
use crate::project::{FileKind, Project, index};
use crate::settings::Config;
use crate::source::SourceFile;

/// What the files of a release give, each on its own, that is not kept in the project as
/// such: the parts that [`index::build`] assembles.
#[derive(Default)]
pub(super) struct Parts {
    pub(super) migration_files: Vec<MigrationFile>,
    pub(super) kustomizations: Vec<Kustomization>,
    /// Helm template path → its chart.
    pub(super) charts: std::collections::BTreeMap<String, String>,
    /// The problems of each file alone (parse errors, skips).
    pub(super) problems: Vec<Problem>,
}

impl Parts {
    /// Adds one file's load result: to the project what it keeps per file, to the parts
    /// the rest.
    pub(super) fn add(&mut self, p: &mut Project, path: &str, o: LoadOut) {
        self.problems.extend(o.problems);
        if let Some((src, _)) = &o.source
            && !o.secrets.is_empty()
        {
            p.secrets.insert(src.path.clone(), o.secrets.into());
        }
        if let Some((src, kind)) = o.source {
            p.sources.insert(src.path.clone(), (src, kind));
        }
        match o.loaded {
            Loaded::Migration(m) => self.migration_files.push(m),
            Loaded::Manifest(m) => p.manifests.push(m),
            Loaded::Compose(c) => p.compose.push(c),
            Loaded::Env(e) => p.env_files.push(e),
            Loaded::OpenApi(a) => p.openapi.push(a),
            Loaded::Aws(a) => p.aws.push(a),
            Loaded::Kustomization(k) => self.kustomizations.push(k),
            Loaded::Helm(chart) => {
                self.charts.insert(path.to_string(), chart);
            }
            Loaded::None => {}
        }
    }

    /// Forgets everything the file at `path` gave (to the project and to the parts).
    fn remove(&mut self, p: &mut Project, path: &str) {
        self.problems.retain(|x| x.path != path);
        p.secrets.remove(path);
        p.sources.remove(path);
        self.migration_files.retain(|m| m.sql.source.path != path);
        p.manifests.retain(|m| m.source.path != path);
        p.compose.retain(|c| c.source.path != path);
        p.env_files.retain(|e| e.source.path != path);
        p.openapi.retain(|a| a.source.path != path);
        p.aws.retain(|a| a.source.path != path);
        self.kustomizations.retain(|k| k.source.path != path);
        self.charts.remove(path);
    }
}

impl Side {
    /// Whether two sets of facts classify and parse every file alike (the dialect marks
    /// of a folder matter only through the dialect they decide).
    fn same_effect(&self, o: &Side) -> bool {
        let decided = |m: &HashMap<String, migrations::dialect_marks::Marks>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.decide()))
                .collect::<HashMap<_, _>>()
        };
        let decided_unnamed = |m: &HashMap<Convention, migrations::dialect_marks::Marks>| {
            m.iter()
                .map(|(k, v)| (*k, v.decide()))
                .collect::<HashMap<_, _>>()
        };
        self.sqitch_plans == o.sqitch_plans
            && self.diesel_no_tx == o.diesel_no_tx
            && self.prisma_dialect == o.prisma_dialect
            && self.driver_manifests == o.driver_manifests
            && self.code_migrations == o.code_migrations
            && self.drizzle == o.drizzle
            && self.charts == o.charts
            && self.flyway == o.flyway
            && self.flyway_script_tx == o.flyway_script_tx
            && self.json_paths == o.json_paths
            && self.foreign_dirs == o.foreign_dirs
            && decided(&self.sql_marks) == decided(&o.sql_marks)
            && decided_unnamed(&self.sql_marks_unnamed) == decided_unnamed(&o.sql_marks_unnamed)
    }
}

/// A release kept in memory between checks (`rollsafe server`): a change parses only the
/// files whose contents changed (known by path and content hash), then rebuilds what
/// depends on all files at once (migration sets, the object index, API fragments,
/// suppressions). When a change alters how other files are read (a migration tool's
/// settings, a folder's dialect, a chart), everything is loaded again.
pub struct Live {
    project: Project,
    /// Sorted by path.
    files: Vec<RawFile>,
    hashes: HashMap<String, u64>,
    /// Files listed but not read.
    others: BTreeSet<String>,
    side: Side,
    overrides: Vec<(globset::GlobMatcher, String)>,
    parts: Parts,
    /// The problems of the API fragments last loaded.
    fragment_problems: Vec<Problem>,
}

fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    // In memory only, never persisted: the standard hasher is enough.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl Live {
    /// Loads a release from all its files (sorted by path) and the paths of the others.
    pub fn new(mut files: Vec<RawFile>, others: Vec<String>, config: &Config) -> Live {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let side = side_facts(&files);
        let overrides = overrides(config);
        let outs = load_each(&files, config, &side, &overrides);
        let mut live = Live {
            project: Project::default(),
            hashes: files
                .iter()
                .map(|f| (f.path.clone(), content_hash(&f.bytes)))
                .collect(),
            files: Vec::new(),
            others: others.into_iter().collect(),
            side,
            overrides,
            parts: Parts::default(),
            fragment_problems: Vec::new(),
        };
        for (f, o) in files.iter().zip(outs) {
            live.parts.add(&mut live.project, &f.path, o);
        }
        live.files = files;
        live.rebuild(config, false);
        live
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    pub fn project_mut(&mut self) -> &mut Project {
        &mut self.project
    }

    /// Whether the release has a file at `path` (read or only listed).
    pub fn has_path(&self, path: &str) -> bool {
        self.hashes.contains_key(path) || self.others.contains(path)
    }

    /// The files of the release, sorted by path.
    pub fn files(&self) -> &[RawFile] {
        &self.files
    }

    /// Replaces or adds the `changed` files and drops the `removed` paths; returns how
    /// many files were parsed again.
    pub fn update(&mut self, changed: Vec<RawFile>, removed: &[String], config: &Config) -> usize {
        crate::workers::init();
        let changed: Vec<RawFile> = changed
            .into_iter()
            .filter(|f| {
                f.unread.is_some() || self.hashes.get(&f.path) != Some(&content_hash(&f.bytes))
            })
            .collect();
        let removed: Vec<&String> = removed
            .iter()
            .filter(|p| self.hashes.contains_key(*p) || self.others.contains(*p))
            .collect();
        if changed.is_empty() && removed.is_empty() {
            return 0;
        }
        let mut paths_changed = !removed.is_empty();
        for f in &changed {
            self.hashes.insert(f.path.clone(), content_hash(&f.bytes));
            self.others.remove(&f.path);
        }
        for p in &removed {
            self.hashes.remove(*p);
            self.others.remove(*p);
            if let Ok(i) = self.files.binary_search_by(|f| f.path.cmp(p)) {
                self.files.remove(i);
            }
        }
        let changed_paths: Vec<String> = changed.iter().map(|f| f.path.clone()).collect();
        for f in changed {
            match self.files.binary_search_by(|x| x.path.cmp(&f.path)) {
                Ok(i) => self.files[i] = f,
                Err(i) => {
                    paths_changed = true;
                    self.files.insert(i, f);
                }
            }
        }
        let plain = |p: &str| {
            let l = p.to_ascii_lowercase();
            (l.ends_with(".yaml") || l.ends_with(".yml") || l.ends_with(".json"))
                && !l.ends_with("chart.yaml")
                || is_env_name(p)
        };
        if paths_changed || !changed_paths.iter().all(|p| plain(p)) {
            let side = side_facts(&self.files);
            if !side.same_effect(&self.side) {
                let files = std::mem::take(&mut self.files);
                let others = std::mem::take(&mut self.others).into_iter().collect();
                *self = Live::new(files, others, config);
                return self.files.len();
            }
            self.side = side;
        }
        let is_api = |p: &Project, path: &str| {
            p.api_fragments.contains_key(path)
                || matches!(p.sources.get(path), Some((_, FileKind::OpenApi)))
        };
        let mut api_touched = paths_changed
            || changed_paths
                .iter()
                .chain(removed.iter().copied())
                .any(|path| is_api(&self.project, path));
        let is_migration =
            |p: &Project, path: &str| matches!(p.sources.get(path), Some((_, FileKind::Migration)));
        let mut migrations_touched = paths_changed
            || changed_paths
                .iter()
                .chain(removed.iter().copied())
                .any(|path| is_migration(&self.project, path));
        for p in &removed {
            self.parts.remove(&mut self.project, p);
        }
        let outs: Vec<(String, LoadOut)> = changed_paths
            .par_iter()
            .filter_map(|p| {
                let i = self.files.binary_search_by(|x| x.path.cmp(p)).ok()?;
                let f = &self.files[i];
                Some((p.clone(), load_one(f, config, &self.side, &self.overrides)))
            })
            .collect();
        let n = outs.len();
        let t = std::time::Instant::now();
        for (p, o) in outs {
            self.parts.remove(&mut self.project, &p);
            self.parts.add(&mut self.project, &p, o);
            api_touched |= is_api(&self.project, &p);
            migrations_touched |= is_migration(&self.project, &p);
        }
        if migrations_touched && let Ok(walk) = self.project.migration_walk.get_mut() {
            *walk = None;
        }
        self.rebuild(config, !api_touched);
        if std::env::var_os("ROLLSAFE_TIMING").is_some() {
            eprintln!("rollsafe timing: rebuilt in {:?}", t.elapsed());
        }
        n
    }

    /// Rebuilds what depends on all files, from the parts kept per file.
    fn rebuild(&mut self, config: &Config, keep_fragments: bool) {
        let p = &mut self.project;
        let fragments = keep_fragments.then(|| {
            (
                std::mem::take(&mut p.api_fragments),
                std::mem::take(&mut self.fragment_problems),
            )
        });
        let by_path = |a: &Arc<SourceFile>, b: &Arc<SourceFile>| a.path.cmp(&b.path);
        p.openapi.sort_by(|a, b| by_path(&a.source, &b.source));
        p.env_files.sort_by(|a, b| by_path(&a.source, &b.source));
        p.aws.sort_by(|a, b| by_path(&a.source, &b.source));
        p.problems = self.parts.problems.clone();
        p.paths = self.others.clone();
        self.parts
            .migration_files
            .sort_by(|a, b| a.sql.source.path.cmp(&b.sql.source.path));
        let charts = self.parts.charts.values().cloned().collect();
        p.file_count = self.files.iter().filter(|f| f.unread.is_none()).count();
        p.dockerfiles = self.side.dockerfiles.clone();
        p.launcher_variables = self.side.launcher_variables.clone();
        p.gitignores = self.side.gitignores.clone();
        p.tilt = self.side.tilt.clone();
        p.paths.extend(self.files.iter().map(|f| f.path.clone()));
        p.api_changes = Default::default();
        let parsed = index::Parsed {
            migrations: self.parts.migration_files.clone(),
            charts,
            kustomizations: self.parts.kustomizations.clone(),
        };
        let fragment_problems =
            index::build(p, parsed, &self.files, None, &self.side, config, fragments);
        self.fragment_problems = fragment_problems;
    }
}
