//! The `check` pipeline: load head (and base), run the rules, then suppress, filter and
//! fingerprint the findings. Everything the CLI, tests and the language server need.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::baseline;
use crate::config::{self, Config};
pub use crate::diagnostic::Outcome;
use crate::diagnostic::catalogue;
use crate::diagnostic::{self, Diagnostic, InputCode, Severity};
use crate::project::base;
use crate::project::discover::{Filter, walk_all};
use crate::project::suppress;
use crate::project::{self, Project};
use crate::rules::ProjectCx;
use crate::rules::{self, Rule};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub root: Option<PathBuf>,
    pub base: Option<String>,
    /// Compare with the commit `base` names, not with its merge base with HEAD.
    pub base_exact: bool,
    pub config: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub all: bool,
    pub no_inline_ignores: bool,
    /// Working directory used to resolve relative paths (the process's by default).
    pub cwd: Option<PathBuf>,
    /// Folders under the root (relative, `/`-separated) that are projects of their own
    /// (a nested `rollsafe.toml`): never read as part of this one.
    pub skip: Vec<String>,
    /// Judge the commit being made: the release is the git index, the base HEAD (unless
    /// `base` is given); before the first commit everything staged is new.
    pub staged: bool,
    /// Contents that replace (or add) files of the working tree: stdin, editor buffers.
    pub overlay: crate::overlay::Overlay,
    /// Without a base, judge the migrations added since the previous git tag (the
    /// command line does); otherwise, and outside git, the newest of each folder.
    pub since_previous_tag: bool,
}

/// Without a base: the previous release's tag (see [`base::previous_tag`]) and a project
/// of its migrations only, read from git. `None` when there is no such tag or it cannot
/// be read.
pub fn previous_release(
    root: &Path,
    filter: &Filter,
    max: u64,
    config: &Config,
) -> Option<(String, Project)> {
    let src = base::previous_tag(root)?;
    let files = base::read(&src, root, &filter.clone().migrations_only(), max).ok()?;
    match src {
        base::BaseSource::Git { rev, .. } => Some((rev, project::load(files, config))),
        base::BaseSource::Dir(_) => None,
    }
}

/// Without a base: marks the migrations `shipped` (the previous tag's) lacks as this
/// release's, and records `tag`; a tag too far behind (`Err`: how many it lacks) is
/// not the previous release, and nothing is marked.
pub fn mark_since_tag(head: &mut Project, shipped: &Project, tag: &str) -> Result<(), usize> {
    head.mark_new_migrations(shipped);
    let new = head.migrations().filter(|m| m.is_new).count();
    if new > STALE_TAG_MIGRATIONS {
        for m in head
            .migration_sets
            .iter_mut()
            .flat_map(|s| s.migrations.iter_mut())
        {
            m.is_new = false;
            m.shipped_up = None;
        }
        head.release_tag = None;
        return Err(new);
    }
    head.release_tag = Some(tag.to_string());
    Ok(())
}

/// More migrations than this missing from the previous tag: the tag is not the previous
/// release (a project that stopped tagging), and a first run judges each folder's newest.
const STALE_TAG_MIGRATIONS: usize = 50;

/// A failure that is not a finding: usage, configuration, or an unreadable base.
#[derive(Debug)]
pub struct Failure(pub String);

impl From<config::ConfigError> for Failure {
    fn from(e: config::ConfigError) -> Self {
        Failure(format!("invalid configuration: {e}"))
    }
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// The project root: `--root`, else the nearest folder with rollsafe.toml at or above the
/// first PATH (or the working directory), else the git top level, else the working directory.
pub fn find_root(opts: &Options, cwd: &Path) -> PathBuf {
    if let Some(r) = &opts.root {
        return absolute(cwd, r);
    }
    let start = opts
        .paths
        .first()
        .map(|p| absolute(cwd, p))
        .unwrap_or_else(|| cwd.to_path_buf());
    if let Some(r) = config::find_root(&start) {
        return r;
    }
    // A PATH given on stdin may not exist on disk: its folder is where the search starts.
    let dir = if start.is_file() || !start.exists() {
        start
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(start.clone())
    } else {
        start.clone()
    };
    base::git_toplevel(&dir).unwrap_or_else(|| cwd.to_path_buf())
}

/// The rules the configuration and the options select.
pub fn selected(config: &Config, opts: &Options) -> Vec<&'static dyn Rule> {
    let select = if opts.select.is_empty() {
        &config.rules.select
    } else {
        &opts.select
    };
    rules::ALL
        .iter()
        .copied()
        .filter(|r| {
            let code = r.meta().code;
            (select.is_empty() || select.iter().any(|s| rules::selects(s, code)))
                && !config
                    .rules
                    .ignore
                    .iter()
                    .chain(&opts.ignore)
                    .any(|s| rules::selects(s, code))
        })
        .collect()
}

/// Runs the rules over one project (no filtering).
pub fn run_rules(cx: &ProjectCx, rules: &[&'static dyn Rule]) -> Vec<Diagnostic> {
    crate::workers::init();
    use rayon::prelude::*;
    let timing = std::env::var_os("ROLLSAFE_TIMING").is_some();
    // Project rules are independent: run them in parallel, keep their order.
    let per_rule: Vec<Vec<Diagnostic>> = rules
        .par_iter()
        .filter(|r| !(r.meta().needs_base && cx.base.is_none()))
        .map(|r| {
            let t = std::time::Instant::now();
            let mut found = Vec::new();
            r.check_project(cx, &mut found);
            if timing && t.elapsed().as_millis() >= 2 {
                eprintln!("rollsafe timing: {} took {:?}", r.meta().code, t.elapsed());
            }
            found
        })
        .collect();
    let mut out: Vec<Diagnostic> = per_rule.into_iter().flatten().collect();
    let judge = if cx.check_all {
        crate::rules::migrations::walk::Judge::All
    } else if cx.new_migrations_known() {
        crate::rules::migrations::walk::Judge::New
    } else {
        crate::rules::migrations::walk::Judge::Newest
    };
    let t = std::time::Instant::now();
    let mut key: Vec<&'static str> = rules.iter().map(|r| r.meta().code).collect();
    key.push(match judge {
        crate::rules::migrations::walk::Judge::All => "all",
        crate::rules::migrations::walk::Judge::New => "new",
        crate::rules::migrations::walk::Judge::Newest => "newest",
    });
    let cached = cx.head.migration_walk.lock().ok().and_then(|c| {
        c.as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, found)| found.clone())
    });
    match cached {
        Some(found) => out.extend(found),
        None => {
            let mut found = Vec::new();
            crate::rules::migrations::walk::run(
                &cx.head.migration_sets,
                rules,
                &cx.config.migrations,
                judge,
                &mut found,
            );
            if let Ok(mut c) = cx.head.migration_walk.lock() {
                *c = Some((key, found.clone()));
            }
            out.extend(found);
        }
    }
    if timing {
        eprintln!(
            "rollsafe timing: migration replay and rules took {:?}",
            t.elapsed()
        );
    }
    // Every finding carries a severity its rule declares (`severities:` in its document),
    // so that `rollsafe rules` and SARIF tell `--fail-on` users the truth.
    #[cfg(debug_assertions)]
    for d in &out {
        let declared = rules::find(d.code).map_or(&[][..], |m| m.severities);
        debug_assert!(
            declared.contains(&d.severity),
            "{} reported {:?}, outside its declared severities {declared:?}",
            d.code,
            d.severity
        );
    }
    // Two properties of an API description that reference one changed component report
    // the component's change at the component, in the same words: said once.
    diagnostic::drop_identical(&mut out);
    diagnostic::sort(&mut out);
    diagnostic::assign_fingerprints(&mut out);
    out
}

/// Rules that report something missing: with a base, they report only what the release
/// changed (a reference added, a definition removed or renamed).
const ABSENCE: &[&str] = &[
    catalogue::S101.code,
    catalogue::S102.code,
    catalogue::S103.code,
    catalogue::K201.code,
    catalogue::K204.code,
    catalogue::K205.code,
    catalogue::K206.code,
    catalogue::K301.code,
    catalogue::K304.code,
    catalogue::T601.code,
];

/// A message with every backquoted `namespace/name` read as `name`: a bundle rendered
/// without a namespace (applied with `-n`) and the kustomize build that sets one describe
/// the same object (argo-cd's `manifests/base/dex` and `manifests/ha/install.yaml`).
fn unqualified(message: &str) -> String {
    message
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            let quoted = i % 2 == 1;
            match part.split_once('/') {
                Some((_, name))
                    if quoted && !name.contains('/') && !part.contains(char::is_whitespace) =>
                {
                    name
                }
                _ => part,
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// One finding repeated identically in several deployment units (the same install bundle
/// shipped as `install.yaml` and `ha/install.yaml`) is reported once, at the first file
/// by path, naming the others. Keyed on code and message (which name the object, never the
/// file), with namespaces set by one unit and not by another ignored (`unqualified`). The
/// same holds for API findings repeated in several descriptions of one API.
pub fn dedupe_across_units(diags: &mut Vec<Diagnostic>) {
    // One API kept in several files (a generated spec copied into a second folder, a
    // JSON and a YAML rendering): the same change of the same operation, reported once.
    for (codes, intro, what) in [
        (&['K', 'S', 'T'][..], "and", "bundle"),
        (&['A'][..], "the same in", "API description"),
    ] {
        diagnostic::merge_repeats(
            diags,
            |d| d.code.starts_with(codes).then(|| unqualified(&d.message)),
            |d| (d.location.path.clone(), d.location.line, d.location.column),
            |paths| {
                format!(
                    " ({intro} {} other {what}{}: {})",
                    paths.len(),
                    if paths.len() == 1 { "" } else { "s" },
                    paths.join(", ")
                )
            },
            &format!("the same finding in this {what}"),
        );
    }
}

/// Manifest findings (K, S, T) on files that only quick-start, demo, sample or test units
/// deploy are information: people try those, nobody releases them (`k8s::examples`;
/// `example` folders are not among them, as some projects install from them). So is every
/// finding on a file of the test suite.
fn demote_example_units(diags: &mut [Diagnostic], head: &Project) {
    let examples = head.k8s.example_only_files();
    for d in diags
        .iter_mut()
        .filter(|d| d.code.starts_with(['K', 'S', 'T']) && d.severity > diagnostic::Severity::Info)
    {
        if let Some(unit) = examples.get(d.location.path.as_str()) {
            d.severity = diagnostic::Severity::Info;
            d.message.push_str(&format!(
                " (information: only `{unit}`, a quick-start, demo or test, deploys this file)"
            ));
        }
    }
    // Whatever sits in the test suite (manifests its scripts apply, migrations and API
    // descriptions its tests load, templates that do not parse before substitution) or
    // in an archive of what is no longer maintained is not released; a manifest named as
    // a template (`template.yaml`, `bundle.template.yaml`) holds placeholders
    // (`targetPort: target_port`) that a script replaces.
    for d in diags
        .iter_mut()
        .filter(|d| d.severity > diagnostic::Severity::Info)
    {
        let path = &d.location.path;
        let what = if crate::model::env_sets::is_test_path(path) {
            "a file of the test suite"
        } else if d.code.starts_with(['K', 'S', 'T'])
            && crate::model::env_sets::is_rendered_template_name(path)
        {
            "a template that a script fills in before it is applied"
        } else if crate::model::env_sets::is_archived_path(path) {
            "an archived file"
        } else {
            continue;
        };
        d.severity = diagnostic::Severity::Info;
        d.message
            .push_str(&format!(" (information: {what}, which no release deploys)"));
    }
}

/// API findings on a translated copy of a description whose original the release also
/// holds are information: the original is the contract (`api::translation`).
fn demote_translations(diags: &mut [Diagnostic], head: &Project) {
    let described: BTreeSet<&str> = head
        .openapi
        .iter()
        .map(|a| a.source.path.as_str())
        .collect();
    for d in diags
        .iter_mut()
        .filter(|d| d.code.starts_with('A') && d.severity > diagnostic::Severity::Info)
    {
        let Some(original) = crate::api::translation::original_path(&d.location.path)
            .filter(|o| described.contains(o.as_str()))
        else {
            continue;
        };
        d.severity = diagnostic::Severity::Info;
        rules::api::before_id(
            &mut d.message,
            &format!(
                " (information: a translation of `{original}`, which describes the same API for clients)"
            ),
        );
    }
}

pub fn load_config(opts: &Options, root: &Path, cwd: &Path) -> Result<Config, Failure> {
    let path = match &opts.config {
        Some(p) => Some(absolute(cwd, p)),
        None => Some(root.join(config::FILE_NAME)).filter(|p| p.is_file()),
    };
    Ok(match path {
        Some(p) => config::load_for_root(&p, root)?,
        None => Config::default(),
    })
}

/// `--base ""` is what an unset CI variable (`--base "$BASE_SHA"`) gives: taken as a
/// folder it is the working directory, so the release would be compared with itself and
/// pass.
const EMPTY_BASE: &str = "--base is empty (an unset variable such as \"$BASE_SHA\" gives that): pass a git revision or a folder holding the previous release, or leave --base out to check without one";

/// Every PATH must name something: a typo or a file deleted since would otherwise
/// filter every finding away and pass.
fn check_paths(opts: &Options, cwd: &Path) -> Result<(), Failure> {
    for p in &opts.paths {
        if p.as_os_str() == "-" {
            return Err(Failure(
                "`-` (read from stdin) needs --stdin-filename PATH, given on the command line"
                    .into(),
            ));
        }
        if opts.overlay.contains(&absolute(cwd, p)) {
            continue;
        }
        // symlink_metadata: a dangling link is named, and reported as skipped later.
        if let Err(e) = std::fs::symlink_metadata(absolute(cwd, p)) {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "does not exist".to_string()
            } else {
                format!("cannot be read: {e}")
            };
            return Err(Failure(format!(
                "PATH {} {why}: pass files or folders inside the project",
                p.display()
            )));
        }
    }
    Ok(())
}

pub fn check(opts: &Options) -> Result<Outcome, Failure> {
    crate::workers::init();
    let cwd = match &opts.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()
            .map_err(|e| Failure(format!("cannot read the working directory: {e}")))?,
    };
    check_paths(opts, &cwd)?;
    if opts.base.as_deref().is_some_and(|b| b.trim().is_empty()) {
        return Err(Failure(EMPTY_BASE.into()));
    }
    let root = find_root(opts, &cwd);
    if !root.is_dir() {
        return Err(Failure(format!(
            "project root {} is not a directory",
            root.display()
        )));
    }
    for s in opts.select.iter().chain(&opts.ignore) {
        if !rules::is_known_selector(s) {
            return Err(Failure(format!(
                "unknown rule `{s}` (see `rollsafe rules`)"
            )));
        }
    }
    let config = load_config(opts, &root, &cwd)?;
    let mut exclude = config.exclude.clone();
    exclude.extend(
        opts.skip
            .iter()
            .map(|d| format!("{}/**", globset::escape(d))),
    );
    let filter = Filter::new(&config.include, &exclude);
    let skip_api = reports_only_non_api_yaml(opts, &config, &cwd);
    let staged_kinds = staged_change_kinds(opts, &config, &root);
    let filter = if reports_only_migrations(opts, &config, &cwd)
        || staged_kinds == Some(ChangeKinds::Migrations)
    {
        filter.migrations_only()
    } else if reports_only_yaml(opts, &config, &cwd) || staged_kinds == Some(ChangeKinds::Yaml) {
        filter.without_migrations()
    } else {
        filter
    };
    let max = config.max_file_size;

    let timing = std::env::var_os("ROLLSAFE_TIMING").is_some();
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("rollsafe timing: {what} at {:?}", t0.elapsed());
        }
    };
    let base_spec = match (&opts.base, opts.staged) {
        (Some(b), _) => Some(b.clone()),
        (None, true) => base::has_head(&root).then(|| "HEAD".to_string()),
        (None, false) => config.base.clone(),
    };
    let mut base_note = None;
    let mut stale_tag: Option<(String, usize)> = None;
    // Before a repository's first commit, everything staged is what the commit adds.
    let all = opts.all || (opts.staged && base_spec.is_none());
    let read_head = || {
        let (mut files, mut others) = if opts.staged {
            base::read_index(&root, &filter, max)?
        } else {
            walk_all(&root, &filter, max)
        };
        opts.overlay
            .apply(&root, &filter, max, &mut files, &mut others);
        Ok::<_, String>((files, others))
    };
    // Both releases are read, then parsed, side by side (a large API description per
    // release is one file each: parsing them one after the other doubles the wait).
    let (head, base_project) = match &base_spec {
        Some(spec) => {
            let src = base::resolve(spec, &root, &cwd, opts.base_exact).map_err(|e| {
                Failure(if opts.base.is_some() || opts.staged {
                    e
                } else {
                    format!("{e} (the base is set by `base` in rollsafe.toml)")
                })
            })?;
            base_note = src.note();
            let (head_files, base_files) =
                rayon::join(read_head, || base::read(&src, &root, &filter, max));
            let (mut head_files, mut other_paths) = head_files.map_err(Failure)?;
            let mut base_files = base_files.map_err(Failure)?;
            let mut base_api = Vec::new();
            let flags = skip_api.then(|| (api_flags(&head_files), api_flags(&base_files)));
            if let Some((head_flags, base_flags)) = flags
                && !api_may_reach(
                    &opts.paths,
                    &[(&head_files, &head_flags), (&base_files, &base_flags)],
                )
            {
                other_paths.extend(drop_api_descriptions(&mut head_files, &head_flags));
                base_api = drop_api_descriptions(&mut base_files, &base_flags);
            }
            lap("read files");
            let (mut head, mut base) = rayon::join(
                || project::load(head_files, &config),
                || project::load(base_files, &config),
            );
            head.paths.extend(other_paths);
            base.paths.extend(base_api);
            head.mark_new_migrations(&base);
            (head, Some((spec.clone(), base)))
        }
        None => {
            let (mut head_files, mut other_paths) = read_head().map_err(Failure)?;
            if skip_api {
                let flags = api_flags(&head_files);
                if !api_may_reach(&opts.paths, &[(&head_files, &flags)]) {
                    other_paths.extend(drop_api_descriptions(&mut head_files, &flags));
                }
            }
            lap("read files");
            let mut head = project::load(head_files, &config);
            head.paths.extend(other_paths);
            // Without a base, in a clone with tags: the previous release's migrations
            // (read from its tag, nothing else) are the shipped ones.
            if opts.since_previous_tag
                && !all
                && !head.migration_sets.is_empty()
                && let Some((rev, shipped)) = previous_release(&root, &filter, max, &config)
                && let Err(new) = mark_since_tag(&mut head, &shipped, &rev)
            {
                stale_tag = Some((rev, new));
            }
            (head, None)
        }
    };
    lap("parse");
    let rules = selected(&config, opts);

    let base_p = base_project.as_ref().map(|(_, p)| p);
    let before = base_p
        .filter(|_| !all)
        .map(|b| base_findings(b, &config, opts, &rules));
    let diags = judge(
        &head,
        base_p,
        before.as_deref(),
        &config,
        opts,
        all,
        (&root, &cwd),
        &rules,
    );
    lap("rules");
    let mut diags = diags?;
    lap("suppress and filter");

    if let Some(p) = &opts.write_baseline {
        baseline::write(&absolute(&cwd, p), &diags).map_err(Failure)?;
    }
    if let Some(p) = &opts.baseline {
        let known = baseline::read(&absolute(&cwd, p)).map_err(Failure)?;
        diags.retain(|d| !known.contains(&d.fingerprint));
    }
    let mut notes: Vec<String> = base_note.into_iter().collect();
    if let (None, Some(tag)) = (&base_project, &head.release_tag)
        && !all
    {
        let shipped = head.migrations().filter(|m| !m.is_new).count();
        let new = head.migrations().filter(|m| m.is_new).count();
        notes.push(format!(
            "without a base, only the migrations added since tag `{tag}` (the previous release) were judged: {new} of {}; set `base = \"origin/main\"` in rollsafe.toml or pass `--base REV` to compare whole releases, or `--all` to judge every migration",
            new + shipped
        ));
    } else if base_project.is_none() && !all {
        if let Some((tag, new)) = &stale_tag {
            notes.push(format!(
                "the newest tag before HEAD, `{tag}`, lacks {new} of the migrations: too far behind to be the previous release, so it was not used"
            ));
        }
        let older: usize = head
            .migration_sets
            .iter()
            .map(|s| {
                s.migrations
                    .iter()
                    .filter(|m| !m.repeatable)
                    .count()
                    .saturating_sub(1)
            })
            .sum();
        if older > 0 {
            notes.push(format!(
                "without a base, only the newest migration of each folder was judged ({older} older ones were taken as shipped): set `base = \"origin/main\"` in rollsafe.toml or pass `--base REV` to judge what this release adds, or `--all` to judge every migration"
            ));
        }
    }
    Ok(Outcome {
        diagnostics: diags,
        files_checked: head.file_count,
        base: base_project.map(|(l, _)| l),
        root,
        notes,
    })
}

/// The findings of the base release, against which only new ones are reported.
pub fn base_findings(
    base: &Project,
    config: &Config,
    opts: &Options,
    rules: &[&'static dyn Rule],
) -> Vec<Diagnostic> {
    let bcx = ProjectCx {
        head: base,
        base: None,
        config,
        check_all: true,
        no_inline_ignores: opts.no_inline_ignores,
        base_run: true,
    };
    run_rules(&bcx, rules)
}

/// Judges a loaded release: runs the rules, keeps what is new relative to the base's own
/// findings (`before`, from [`base_findings`]), then suppresses and filters. Shared by
/// `check` and the language server, which keeps both releases in memory.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    head: &Project,
    base: Option<&Project>,
    before: Option<&[Diagnostic]>,
    config: &Config,
    opts: &Options,
    all: bool,
    (root, cwd): (&Path, &Path),
    rules: &[&'static dyn Rule],
) -> Result<Vec<Diagnostic>, Failure> {
    let cx = ProjectCx {
        head,
        base,
        config,
        check_all: all,
        no_inline_ignores: opts.no_inline_ignores,
        base_run: false,
    };
    let mut diags = run_rules(&cx, rules);
    // Only what is new relative to the base, unless --all.
    if let Some(before) = before
        && !all
    {
        let old: BTreeSet<&str> = before.iter().map(|d| d.fingerprint.as_str()).collect();
        // An absence finding whose message (reference and object, not the file) the base
        // already had is not a change of this release, wherever the file moved.
        let old_absent: BTreeSet<(&str, &str)> = before
            .iter()
            .filter(|d| ABSENCE.contains(&d.code))
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        let was_absent = |d: &Diagnostic| {
            ABSENCE.contains(&d.code) && old_absent.contains(&(d.code, d.message.as_str()))
        };
        let head_prints: BTreeSet<String> = diags.iter().map(|d| d.fingerprint.clone()).collect();
        diags.retain(|d| !(old.contains(d.fingerprint.as_str()) || was_absent(d)));
        drop_moved_findings(&mut diags, before, &head_prints);
        if let Some(base) = base {
            drop_copied_findings(&mut diags, before, base);
        }
    }
    if config.workloads.demote_examples {
        demote_example_units(&mut diags, head);
    }
    demote_translations(&mut diags, head);
    show_template_names(&mut diags, head);
    dedupe_across_units(&mut diags);
    rules::api::broad::summarise(&mut diags, config.api.broad_change);
    postprocess(diags, head, config, opts, root, cwd, rules)
}

/// Migration findings name tables as the checks read them, with template expressions
/// replaced by placeholders (`_b90b6753c9blocks`); the message shows what the file says
/// (`{{.prefix}}blocks`). Fingerprints were taken before, so they do not change.
fn show_template_names(diags: &mut [Diagnostic], head: &Project) {
    let mut by_path: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for d in diags.iter_mut().filter(|d| d.code.starts_with('M')) {
        let names = by_path.entry(d.location.path.clone()).or_insert_with(|| {
            head.sources
                .get(&d.location.path)
                .map(|(src, _)| crate::sql::template::names(&src.text))
                .unwrap_or_default()
        });
        for (placeholder, expression) in names.iter() {
            if d.message.contains(placeholder.as_str()) {
                d.message = d.message.replace(placeholder.as_str(), expression);
            }
        }
    }
}

/// A manifest finding (K, S, T): its message names the object, container and value, not
/// the file, so it identifies the finding wherever the file is.
fn names_object(d: &Diagnostic) -> bool {
    matches!(d.code.as_bytes().first(), Some(b'K' | b'S' | b'T'))
}

/// Drops manifest findings (K, S, T) the base already had in another file: their
/// message names the object, container and value, not the file, so a folder renamed
/// between releases (kubeflow's `apps/` → `applications/`) changes every fingerprint but
/// no finding. Counted, so a second copy of a finding the release adds is still reported.
fn drop_moved_findings(
    diags: &mut Vec<Diagnostic>,
    before: &[Diagnostic],
    head_prints: &BTreeSet<String>,
) {
    // Base findings that kept their fingerprint were matched already.
    let mut left: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for d in before
        .iter()
        .filter(|d| names_object(d) && !head_prints.contains(&d.fingerprint))
    {
        *left.entry((d.code, d.message.clone())).or_default() += 1;
    }
    diags.retain(|d| {
        if !names_object(d) {
            return true;
        }
        match left.get_mut(&(d.code, d.message.clone())) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    });
}

/// Drops manifest findings (K, S, T) on a file the release adds as a copy of one it
/// keeps: a file of the same name elsewhere in the base had the same finding (litmus
/// ships each version's install bundle as `mkdocs/docs/<version>/litmus-getting-started.yaml`
/// beside the previous ones). Whoever installs the new copy meets what the old one
/// already had; the release changed nothing about it.
fn drop_copied_findings(diags: &mut Vec<Diagnostic>, before: &[Diagnostic], base: &Project) {
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let old: BTreeSet<(&str, String, &str)> = before
        .iter()
        .filter(|d| names_object(d))
        .map(|d| (d.code, name(&d.location.path), d.message.as_str()))
        .collect();
    diags.retain(|d| {
        !(names_object(d)
            && !base.sources.contains_key(&d.location.path)
            && old.contains(&(d.code, name(&d.location.path), d.message.as_str())))
    });
}

/// Inline suppressions, severity overrides, per-path ignores, PATHS filtering and secret
/// masking, in that order (shared by `check` and `diff`).
pub(crate) fn postprocess(
    mut diags: Vec<Diagnostic>,
    head: &Project,
    config: &Config,
    opts: &Options,
    root: &Path,
    cwd: &Path,
    rules: &[&'static dyn Rule],
) -> Result<Vec<Diagnostic>, Failure> {
    // Inline suppressions.
    if !opts.no_inline_ignores {
        let sups = &head.suppressions;
        let (kept, used) = suppress::apply(diags, sups);
        diags = kept;
        let e005 = rules
            .iter()
            .any(|r| r.meta().code == InputCode::InvalidSuppression.code());
        if e005 {
            let active: BTreeSet<&str> = rules.iter().map(|r| r.meta().code).collect();
            let mut unused = Vec::new();
            for (s, _) in sups
                .iter()
                .zip(&used)
                .filter(|(s, used)| !**used && !s.foreign)
            {
                if !s.codes.iter().all(|c| active.contains(c.as_str())) {
                    continue;
                }
                unused.push(Diagnostic::new(
                    &rules::input::invalid_suppression::META,
                    &s.source,
                    s.span,
                    format!("suppression of {} suppresses nothing", s.codes.join(", ")),
                    "remove it: the finding it was written for is gone",
                    format!("unused|{}", s.codes.join(",")),
                ));
            }
            diagnostic::assign_fingerprints(&mut unused);
            diags.extend(unused);
        }
    }
    // Severity overrides.
    for d in &mut diags {
        if let Some(sev) = config
            .rules
            .severity
            .iter()
            .find(|(c, _)| rules::find(c).is_some_and(|m| m.code == d.code))
            .map(|(_, s)| *s)
        {
            d.severity = sev;
        }
    }
    // Per-path ignores.
    let per_path: Vec<(globset::GlobSet, &Vec<String>)> = config
        .rules
        .per_path
        .iter()
        .map(|pp| {
            let mut b = globset::GlobSetBuilder::new();
            for g in &pp.paths {
                if let Ok(g) = globset::Glob::new(g) {
                    b.add(g);
                }
            }
            (
                b.build().unwrap_or_else(|_| globset::GlobSet::empty()),
                &pp.ignore,
            )
        })
        .collect();
    diags.retain(|d| {
        !per_path.iter().any(|(g, codes)| {
            g.is_match(&d.location.path) && codes.iter().any(|c| rules::selects(c, d.code))
        })
    });
    // PATHS only filter what is reported.
    if !opts.paths.is_empty() {
        let root_canon = root.canonicalize().unwrap_or(root.to_path_buf());
        let mut prefixes = Vec::new();
        for p in &opts.paths {
            let abs = absolute(cwd, p);
            let abs = abs.canonicalize().unwrap_or(abs);
            // A setting file changes how the files of its folder are judged (diesel's
            // `metadata.toml` turns a transaction off): named as a PATH, it stands for
            // its folder.
            let abs = match abs.parent() {
                Some(dir) if is_setting_file(&abs) => dir.to_path_buf(),
                _ => abs,
            };
            match abs.strip_prefix(&root_canon) {
                Ok(rel) => {
                    let rel = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    prefixes.push(rel);
                }
                Err(_) => {
                    return Err(Failure(format!(
                        "{} is outside the project root {}",
                        p.display(),
                        root.display()
                    )));
                }
            }
        }
        diags.retain(|d| {
            prefixes.iter().any(|p| {
                p.is_empty()
                    || d.location.path == *p
                    || d.location.path.starts_with(&format!("{p}/"))
            })
        });
    }
    // Secret values are never shown, whatever the rule.
    for d in &mut diags {
        if let Some(ranges) = head.secrets.get(&d.location.path) {
            d.masked.set_file(ranges.clone());
        }
    }
    diagnostic::sort(&mut diags);
    Ok(diags)
}

/// Whether every PATH is a migration file or a migration tool's setting, so that only
/// the migration rules can report on them (pre-commit passing one new migration). Not
/// when the configuration reads other files as migrations (`include`, `[classify]`).
/// What a `--staged` change touches, when it is all of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeKinds {
    /// Only migrations and their tools' settings: no other rule can report anything the
    /// change introduces, so only migration inputs are read (both sides).
    Migrations,
    /// Only YAML or JSON files that are not migration inputs: no migration rule can.
    Yaml,
}

/// The kind of every path the index changes against HEAD (`git diff --cached`,
/// deletions included), for a `--staged` run over the whole project: the findings it
/// reports are those the change introduces, so files no rule of that kind reads need not
/// be read on either side. `None` when the change mixes kinds, is empty, or git cannot
/// say.
fn staged_change_kinds(opts: &Options, config: &Config, root: &Path) -> Option<ChangeKinds> {
    if !opts.staged
        || !opts.paths.is_empty()
        || !config.include.is_empty()
        || !config.classify.is_empty()
    {
        return None;
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "diff",
            "--cached",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
            "HEAD",
            "--",
            ".",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let paths: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    if paths.is_empty() {
        return None;
    }
    let migration = |p: &str| crate::project::discover::is_migration_input(p);
    let yaml = |p: &str| {
        let lower = p.to_ascii_lowercase();
        [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| lower.ends_with(e))
            && !migration(p)
    };
    if paths.iter().all(|p| migration(p)) {
        Some(ChangeKinds::Migrations)
    } else if paths.iter().all(|p| yaml(p)) {
        Some(ChangeKinds::Yaml)
    } else {
        None
    }
}

fn reports_only_migrations(opts: &Options, config: &Config, cwd: &Path) -> bool {
    !opts.paths.is_empty()
        && config.include.is_empty()
        && !config.classify.values().any(|k| k == "migration")
        && opts.paths.iter().all(|p| {
            absolute(cwd, p).is_file()
                && crate::project::discover::is_migration_input(&p.to_string_lossy())
        })
}

/// Whether every PATH is a YAML or JSON file (manifests, compose files, API descriptions,
/// templates), so that no migration rule can report on them and the migrations need not
/// be read (pre-commit passing one changed manifest). Not when the configuration reads
/// other files as migrations (`include`, `[classify]`).
fn reports_only_yaml(opts: &Options, config: &Config, cwd: &Path) -> bool {
    !opts.paths.is_empty()
        && config.include.is_empty()
        && !config.classify.values().any(|k| k == "migration")
        && opts.paths.iter().all(|p| {
            let name = p.to_string_lossy().to_ascii_lowercase();
            absolute(cwd, p).is_file()
                && [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
                && !crate::project::discover::is_migration_input(&name)
        })
}

/// Whether every PATH is a YAML or JSON file that is not an API description, with no
/// `[classify]` forcing kinds: then no API rule can report on them (no other rule reads
/// API descriptions) and the descriptions — often the largest files of a repository —
/// need not be parsed.
fn reports_only_non_api_yaml(opts: &Options, config: &Config, cwd: &Path) -> bool {
    reports_only_yaml(opts, config, cwd)
        && config.classify.is_empty()
        && opts.paths.iter().all(|p| {
            let text = std::fs::read_to_string(absolute(cwd, p)).unwrap_or_default();
            !crate::project::classify::is_api_description(&p.to_string_lossy(), &text)
        })
}

/// Which files are API descriptions (decided once, for the reach test and the drop).
fn api_flags(files: &[crate::project::discover::RawFile]) -> Vec<bool> {
    crate::workers::init();
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|f| {
            f.unread.is_none()
                && std::str::from_utf8(&f.bytes)
                    .is_ok_and(|t| crate::project::classify::is_api_description(&f.path, t))
        })
        .collect()
}

/// Whether an API description may reach one of `paths` through `$ref` (a schema file
/// beside the description gets the API findings): a description mentions the file's
/// name, or mentions a file that mentions it, and so on. Searched backwards from the few
/// PATH names (one substring search per file and name) rather than by listing every
/// name every description mentions. By name, not by resolved path, so it errs towards
/// parsing.
fn api_may_reach(
    paths: &[PathBuf],
    sides: &[(&Vec<crate::project::discover::RawFile>, &Vec<bool>)],
) -> bool {
    crate::workers::init();
    use std::collections::HashSet;
    let base_name = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).to_string();
    // `$ref`s name YAML and JSON files only.
    let yaml_or_json = |p: &str| {
        let lower = p.to_ascii_lowercase();
        [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| lower.ends_with(e))
    };
    let files: Vec<(&str, &str, bool)> = sides
        .iter()
        .flat_map(|(files, flags)| files.iter().zip(flags.iter()))
        .filter(|(f, _)| yaml_or_json(&f.path))
        .filter_map(|(f, api)| Some((f.path.as_str(), std::str::from_utf8(&f.bytes).ok()?, *api)))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut frontier: Vec<String> = paths
        .iter()
        .map(|p| base_name(&p.to_string_lossy()))
        .filter(|n| yaml_or_json(n))
        .filter(|n| seen.insert(n.clone()))
        .collect();
    while !frontier.is_empty() {
        use rayon::prelude::*;
        let hits: Vec<(&str, bool)> = files
            .par_iter()
            .filter(|(_, text, _)| frontier.iter().any(|n| mentions(text, n)))
            .map(|&(path, _, api)| (path, api))
            .collect();
        if hits.iter().any(|&(_, api)| api) {
            return true;
        }
        frontier = hits
            .into_iter()
            .map(|(path, _)| base_name(path))
            .filter(|n| seen.insert(n.clone()))
            .collect();
    }
    false
}

/// Whether `text` names the file `name` as a whole word of a file name
/// (`./schemas/invoice.yaml#/Invoice` names `invoice.yaml`, `sales-invoice.yaml` does not).
fn mentions(text: &str, name: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(name).any(|(i, _)| {
        i == 0 || {
            let c = b[i - 1];
            !(c.is_ascii_alphanumeric() || c >= 0x80 || b"._-".contains(&c))
        }
    })
}

/// Takes the API descriptions out of `files`; returns their paths (still listed).
fn drop_api_descriptions(
    files: &mut Vec<crate::project::discover::RawFile>,
    flags: &[bool],
) -> Vec<String> {
    let mut dropped = Vec::new();
    let mut api = flags.iter();
    files.retain(|f| {
        let is_api = api.next().copied().unwrap_or(false);
        if is_api {
            dropped.push(f.path.clone());
        }
        !is_api
    });
    dropped
}

/// Files that only say how other files are read: migration tool settings and
/// rollsafe's own configuration.
fn is_setting_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        name.as_str(),
        "rollsafe.toml"
            | "metadata.toml"
            | "migration_lock.toml"
            | "sqitch.plan"
            | "flyway.conf"
            | "flyway.toml"
            | "go.mod"
            | "cargo.toml"
            | "sqlpage.json"
            | "sqlpage.yaml"
            | "sqlpage.yml"
            | "sqlpage.toml"
    ) || name.ends_with(".sql.conf")
        || (name.starts_with("application") && name.ends_with(".properties"))
}

/// Exit status for a set of findings: 1 when any is at or above `fail_on`.
pub fn fails(diags: &[Diagnostic], fail_on: Option<Severity>) -> bool {
    match fail_on {
        None => false,
        Some(level) => diags.iter().any(|d| d.severity >= level),
    }
}

#[cfg(test)]
mod reach_tests {
    use super::mentions;

    #[test]
    fn a_file_name_is_mentioned_only_as_a_whole_name() {
        assert!(mentions(
            "$ref: \"schemas/invoice.yaml#/Invoice\"",
            "invoice.yaml"
        ));
        assert!(mentions("invoice.yaml", "invoice.yaml"));
        assert!(!mentions("$ref: sales-invoice.yaml", "invoice.yaml"));
        assert!(!mentions("$ref: old_invoice.yaml", "invoice.yaml"));
        assert!(mentions(
            "a: x-invoice.yaml, b: ./invoice.yaml",
            "invoice.yaml"
        ));
    }
}
