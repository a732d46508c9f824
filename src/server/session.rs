//! The server's state: the project kept in memory ([`Live`]), the open buffers (an
//! [`Overlay`] on the working tree), the configuration and the base release, and the
//! findings last published per file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_types as lsp;

use crate::check::{self, Options};
use crate::config::{self, Config};
use crate::diagnostic::Diagnostic;
use crate::overlay::{Overlay, normal};
use crate::project::discover::{Filter, RawFile};
use crate::project::{Live, Project};
use crate::rules::Rule;
use crate::source::SourceFile;

use super::convert::{self, Encoding};

/// The previous release, read and judged once per base commit.
struct Base {
    /// The commit HEAD was at when the base was resolved.
    head: Option<String>,
    project: Project,
    before: Vec<Diagnostic>,
}

/// The previous release's tag and its migrations (nothing else), read once per HEAD.
struct PreviousTag {
    tag: String,
    migrations: Project,
    /// The commit HEAD was at when the tag was found.
    head: Option<String>,
}

pub struct Session {
    pub root: PathBuf,
    pub encoding: Encoding,
    opts: Options,
    config: Config,
    rules: Vec<&'static dyn Rule>,
    filter: Filter,
    max: u64,
    live: Live,
    base: Option<Base>,
    /// Without a base: the previous release's tag and migrations, as `check` takes them.
    previous: Option<PreviousTag>,
    /// Why the base or the configuration could not be used (told to the user once).
    pub problem: Option<String>,
    pub overlay: Overlay,
    /// Open documents: text and version.
    pub docs: HashMap<lsp::Url, (i32, String)>,
    /// Project paths whose contents changed since the last check.
    dirty: BTreeSet<String>,
    /// Paths the project has only because a buffer is open there (a new file, or one
    /// `.gitignore` hides): closing the buffer removes them.
    buffer_only: BTreeSet<String>,
    /// The configuration or HEAD changed: everything is read again.
    reload: bool,
    /// Saved documents: their findings are published after the next check even when
    /// they did not change.
    saved: BTreeSet<String>,
    /// The findings of the last check, by project path.
    pub findings: BTreeMap<String, Vec<Diagnostic>>,
    published: HashMap<String, Vec<lsp::Diagnostic>>,
    head_checked: Instant,
}

/// The commit HEAD is at, if `root` is in a git repository that has one.
fn head_commit(root: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

impl Session {
    /// The project holding the workspace folder `dir` (as `check` finds it: the nearest
    /// `rollsafe.toml`, else the git top level), read whole.
    pub fn new(dir: &Path, encoding: Encoding) -> Session {
        let dir = normal(dir);
        let opts = Options {
            cwd: Some(dir.clone()),
            ..Default::default()
        };
        let root = normal(&check::find_root(&opts, &dir));
        let opts = Options {
            root: Some(root.clone()),
            cwd: Some(root.clone()),
            ..Default::default()
        };
        let config = Config::default();
        let mut s = Session {
            rules: check::selected(&config, &opts),
            filter: Filter::new(&[], &[]),
            max: config::DEFAULT_MAX_FILE_SIZE,
            live: Live::new(Vec::new(), Vec::new(), &config),
            config,
            opts,
            root,
            encoding,
            base: None,
            previous: None,
            problem: None,
            overlay: Overlay::default(),
            docs: HashMap::new(),
            dirty: BTreeSet::new(),
            buffer_only: BTreeSet::new(),
            reload: true,
            saved: BTreeSet::new(),
            findings: BTreeMap::new(),
            published: HashMap::new(),
            head_checked: Instant::now(),
        };
        s.load();
        s
    }

    /// Reads the configuration, the working tree (under the open buffers) and the base.
    fn load(&mut self) {
        self.problem = None;
        self.config = match check::load_config(&self.opts, &self.root, &self.root) {
            Ok(c) => c,
            Err(e) => {
                self.problem = Some(format!("rollsafe.toml is not used: {}", e.0));
                Config::default()
            }
        };
        self.rules = check::selected(&self.config, &self.opts);
        self.filter = Filter::new(&self.config.include, &self.config.exclude);
        self.max = self.config.max_file_size;
        let (mut files, mut others) =
            crate::project::discover::walk_all(&self.root, &self.filter, self.max);
        self.overlay
            .apply(&self.root, &self.filter, self.max, &mut files, &mut others);
        self.live = Live::new(files, others, &self.config);
        self.load_base();
        self.reload = false;
        self.dirty.clear();
        self.head_checked = Instant::now();
    }

    /// `base` of the configuration, resolved to its merge base with HEAD now (again
    /// when HEAD moves), read and judged once.
    fn load_base(&mut self) {
        self.base = None;
        self.previous = None;
        let Some(spec) = self.config.base.clone().filter(|b| !b.trim().is_empty()) else {
            self.load_previous_tag();
            return;
        };
        let head = head_commit(&self.root);
        let src = match crate::project::base::resolve(&spec, &self.root, &self.root, false) {
            Ok(s) => s,
            Err(e) => {
                self.problem = Some(format!(
                    "{e} (the base is set by `base` in rollsafe.toml; checking without it)"
                ));
                return;
            }
        };
        let files = match crate::project::base::read(&src, &self.root, &self.filter, self.max) {
            Ok(f) => f,
            Err(e) => {
                self.problem = Some(format!("{e} (checking without a base)"));
                return;
            }
        };
        let project = crate::project::load(files, &self.config);
        let before = check::base_findings(&project, &self.config, &self.opts, &self.rules);
        self.base = Some(Base {
            head,
            project,
            before,
        });
    }

    /// Without a base, as `check` does: the migrations of the previous release's tag are
    /// the shipped ones.
    fn load_previous_tag(&mut self) {
        self.previous = check::previous_release(&self.root, &self.filter, self.max, &self.config)
            .map(|(tag, migrations)| PreviousTag {
                tag,
                migrations,
                head: head_commit(&self.root),
            });
    }

    /// The project path of a document, when it lies in the project.
    pub fn path_of(&self, uri: &lsp::Url) -> Option<String> {
        let p = uri.to_file_path().ok()?;
        crate::project::discover::rel(&self.root, &normal(&p)).filter(|r| !r.is_empty())
    }

    pub fn uri_of(&self, path: &str) -> Option<lsp::Url> {
        lsp::Url::from_file_path(self.root.join(path)).ok()
    }

    /// The text of a project file as last checked.
    pub fn source(&self, path: &str) -> Option<Arc<SourceFile>> {
        self.live
            .project()
            .sources
            .get(path)
            .map(|(s, _)| s.clone())
    }

    /// A document was opened or edited: its text is the file's contents from now on.
    pub fn set_text(&mut self, uri: &lsp::Url, version: i32, text: String) {
        if let Ok(p) = uri.to_file_path() {
            self.overlay.insert(&p, text.clone().into_bytes());
        }
        if let Some(path) = self.path_of(uri) {
            if path == config::FILE_NAME {
                // Read from disk on save, as `check` reads it.
            } else {
                if !self.live.has_path(&path) && !self.dirty.contains(&path) {
                    self.buffer_only.insert(path.clone());
                }
                self.dirty.insert(path);
            }
        }
        self.docs.insert(uri.clone(), (version, text));
    }

    /// A document was closed: the file on disk counts again.
    pub fn close(&mut self, uri: &lsp::Url) {
        self.docs.remove(uri);
        if let Ok(p) = uri.to_file_path() {
            self.overlay.remove(&p);
        }
        if let Some(path) = self.path_of(uri) {
            self.dirty.insert(path);
        }
    }

    /// A file changed on disk (saved, or changed by another program).
    pub fn changed_on_disk(&mut self, uri: &lsp::Url) {
        let Some(path) = self.path_of(uri) else {
            return;
        };
        if path == config::FILE_NAME || path.starts_with(".git/") {
            self.reload = true;
        } else if !self.docs.contains_key(uri) {
            self.dirty.insert(path);
        } else {
            // Saved from its buffer: the buffer already was its contents.
            self.saved.insert(path);
        }
    }

    pub fn needs_check(&self) -> bool {
        self.reload || !self.dirty.is_empty() || !self.saved.is_empty()
    }

    /// Whether HEAD moved since the base was resolved (looked at most once a second).
    fn head_moved(&mut self) -> bool {
        if self.head_checked.elapsed() < Duration::from_secs(1) {
            return false;
        }
        self.head_checked = Instant::now();
        match (&self.base, &self.previous) {
            (Some(b), _) => head_commit(&self.root) != b.head,
            (None, Some(p)) => head_commit(&self.root) != p.head,
            (None, None) => false,
        }
    }

    /// Brings the project up to date with the buffers and the disk; returns how many
    /// files were parsed.
    fn refresh(&mut self) -> usize {
        if self.head_moved() {
            // A checkout changes the working tree and the merge base.
            self.reload = true;
        }
        if self.reload {
            self.load();
            return self.live.files().len();
        }
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        let overlay: HashMap<String, Arc<Vec<u8>>> =
            self.overlay.under(&self.root).into_iter().collect();
        for path in std::mem::take(&mut self.dirty) {
            if !self.filter.keep(&path) {
                continue;
            }
            let bytes = match overlay.get(&path) {
                Some(b) => Some(b.to_vec()),
                // A closed buffer the working tree does not have (or hides).
                None if self.buffer_only.remove(&path) => None,
                // A file the walk never listed appeared on disk: whether `.gitignore`
                // hides it is the walk's to say.
                None if !self.live.has_path(&path) => {
                    if self.root.join(&path).is_file() {
                        self.load();
                        return self.live.files().len();
                    }
                    None
                }
                None => std::fs::read(self.root.join(&path)).ok(),
            };
            match bytes {
                Some(b) if b.len() as u64 > self.max => changed.push(RawFile {
                    path,
                    size: b.len() as u64,
                    bytes: Vec::new(),
                    unread: None,
                }),
                Some(b) => {
                    let size = b.len() as u64;
                    changed.push(RawFile::read(path, b, size));
                }
                None => removed.push(path),
            }
        }
        self.live.update(changed, &removed, &self.config)
    }

    /// Checks the project and returns the publications to send: every file whose
    /// findings differ from what was last published (an empty list clears a file).
    pub fn check(&mut self) -> (Vec<lsp::PublishDiagnosticsParams>, usize) {
        let timing = std::env::var_os("ROLLSAFE_TIMING").is_some();
        let t = Instant::now();
        let parsed = self.refresh();
        if timing {
            eprintln!("rollsafe server: project updated in {:?}", t.elapsed());
        }
        if let Some(b) = &self.base {
            self.live.project_mut().mark_new_migrations(&b.project);
        } else if let Some(p) = &self.previous {
            // A tag too far behind is left unused, as `check` leaves it.
            let _ = check::mark_since_tag(self.live.project_mut(), &p.migrations, &p.tag);
        }
        let head = self.live.project();
        let base = self.base.as_ref();
        let diags = check::judge(
            head,
            base.map(|b| &b.project),
            base.map(|b| b.before.as_slice()),
            &self.config,
            &self.opts,
            false,
            (&self.root, &self.root),
            &self.rules,
        )
        .unwrap_or_else(|e| {
            self.problem = Some(e.0);
            Vec::new()
        });
        let mut by_path: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        for d in diags {
            by_path.entry(d.location.path.clone()).or_default().push(d);
        }
        self.findings = by_path;
        if timing {
            eprintln!("rollsafe server: judged at {:?}", t.elapsed());
        }
        (self.publications(), parsed)
    }

    fn publications(&mut self) -> Vec<lsp::PublishDiagnosticsParams> {
        let mut now: HashMap<String, Vec<lsp::Diagnostic>> = HashMap::new();
        for (path, ds) in &self.findings {
            let list = ds
                .iter()
                .map(|d| {
                    convert::diagnostic(d, self.encoding, &|p| self.source(p), &|p| self.uri_of(p))
                })
                .collect();
            now.insert(path.clone(), list);
        }
        let mut out = Vec::new();
        let mut paths: BTreeSet<&String> = now.keys().collect();
        paths.extend(self.published.keys());
        paths.extend(self.saved.iter());
        for path in paths {
            let new = now.get(path).map(Vec::as_slice).unwrap_or_default();
            if self
                .published
                .get(path)
                .map(Vec::as_slice)
                .unwrap_or_default()
                == new
                && !self.saved.contains(path.as_str())
            {
                continue;
            }
            let Some(uri) = self.uri_of(path) else {
                continue;
            };
            let version = self.docs.get(&uri).map(|(v, _)| *v);
            out.push(lsp::PublishDiagnosticsParams {
                uri,
                diagnostics: new.to_vec(),
                version,
            });
        }
        self.published = now;
        self.saved.clear();
        out
    }

    /// How many files the project holds in memory, and their bytes.
    pub fn held(&self) -> (usize, usize) {
        let files = self.live.files();
        (files.len(), files.iter().map(|f| f.bytes.len()).sum())
    }

    /// The findings of a document whose LSP range holds `pos`.
    pub fn findings_at(&self, uri: &lsp::Url, pos: lsp::Position) -> Vec<&Diagnostic> {
        let Some(path) = self.path_of(uri) else {
            return Vec::new();
        };
        let src = self.source(&path);
        self.findings
            .get(&path)
            .map(|ds| {
                ds.iter()
                    .filter(|d| {
                        let r = convert::range(src.as_deref(), self.encoding, &d.location);
                        // An empty range (a whole-file finding) is hovered on its line.
                        r.start <= pos
                            && (pos < r.end || (r.start == r.end && pos.line == r.start.line))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}
