//! Loading a release: classify each file once, parse it once (in parallel), and keep the
//! parsed artifacts plus every input problem (E diagnostics) in one project index.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::discover::RawFile;
use crate::migrations::{self, Convention, FileInfo, MigrationFile, MigrationSet, Tool};
use crate::model::{env, manifest};
use crate::source::{SourceFile, Span};
use crate::sql::{self, Dialect, SqlFile};
use crate::yaml::{self, Flavor, Node};

/// An input problem found while loading; the E rules turn them into diagnostics.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: &'static str,
    pub path: String,
    pub source: Option<Arc<SourceFile>>,
    pub span: Option<Span>,
    pub message: String,
    pub help: String,
    /// Set when this problem matters more or less than its rule's default (a file that
    /// could not be read is a warning; a binary file an info).
    pub severity: Option<crate::diagnostic::Severity>,
}

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

#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub source: Arc<SourceFile>,
    pub doc: Node,
}

#[derive(Debug, Clone)]
pub struct OpenApiFile {
    pub source: Arc<SourceFile>,
    pub doc: Node,
}

#[derive(Debug, Clone)]
pub struct AwsFile {
    pub source: Arc<SourceFile>,
    pub doc: Node,
}

#[derive(Debug, Clone)]
pub struct EnvFileParsed {
    pub source: Arc<SourceFile>,
    pub env: env::EnvFile,
}

#[derive(Debug, Clone)]
pub struct ManifestFile {
    pub source: Arc<SourceFile>,
    pub objects: Vec<manifest::Object>,
}

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
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// Malformed ones (reported by E005).
    pub bad_suppressions: Vec<crate::suppress::BadSuppression>,
    /// Byte ranges of secret values per path: masked in every source snippet.
    pub secrets: HashMap<String, Arc<[(usize, usize)]>>,
    /// Dockerfiles by path: whether they declare a HEALTHCHECK.
    pub dockerfiles: HashMap<String, bool>,
    /// Every file of the release, read or not (only their existence matters).
    pub paths: BTreeSet<String>,
    /// Number of files read.
    pub file_count: usize,
    /// A Flyway configuration allows out-of-order migrations (`outOfOrder = true`).
    pub flyway_out_of_order: bool,
    /// The findings of the migration walk, by the rules and judgement they were made
    /// with: a project kept in memory ([`Live`]) walks its migrations again only when one
    /// of them changed.
    pub migration_walk:
        std::sync::Mutex<Option<(Vec<&'static str>, Vec<crate::diagnostic::Diagnostic>)>>,
}

impl Project {
    /// Whether a file exists in the release (read or not).
    pub fn has_file(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    /// Migrations the base release does not have are the release's new ones.
    pub fn mark_new_migrations(&mut self, base: &Project) {
        let new: Vec<bool> = {
            let shipped = migrations::Shipped::new(base.migrations(), self.migrations());
            self.migrations().map(|m| !shipped.has(m)).collect()
        };
        let all = self
            .migration_sets
            .iter_mut()
            .flat_map(|s| s.migrations.iter_mut());
        for (m, is_new) in all.zip(new) {
            m.is_new = is_new;
        }
    }

    pub fn migrations(&self) -> impl Iterator<Item = &migrations::Migration> {
        self.migration_sets.iter().flat_map(|s| s.migrations.iter())
    }
}

/// What the rules see: the working tree, the base release if any, and the settings.
pub struct ProjectCx<'a> {
    pub head: &'a Project,
    pub base: Option<&'a Project>,
    pub config: &'a Config,
    pub check_all: bool,
    pub no_inline_ignores: bool,
}

/// Per-folder facts some conventions keep next to the migrations.
#[derive(Default)]
struct Side {
    /// sqitch project folder → change names in plan order.
    sqitch_plans: HashMap<String, Vec<String>>,
    /// diesel migration folders whose metadata.toml disables the transaction.
    diesel_no_tx: BTreeSet<String>,
    /// Prisma migrations folder → provider dialect from migration_lock.toml.
    prisma_dialect: HashMap<String, Dialect>,
    /// Chart folders (holding Chart.yaml).
    charts: BTreeSet<String>,
    /// Dockerfiles by path: whether they declare a HEALTHCHECK.
    dockerfiles: HashMap<String, bool>,
    /// Folders holding a `go.mod` or `Cargo.toml`, with the migration tools it depends on.
    tool_manifests: Vec<(String, Vec<Tool>)>,
    /// A Flyway configuration sets `outOfOrder = true`.
    flyway_out_of_order: bool,
    /// The project's Flyway configuration: `mixed`, `executeInTransaction`.
    flyway: migrations::FlywaySettings,
    /// Script configurations (`V1__x.sql.conf`): the script's path → `executeInTransaction`.
    flyway_script_tx: HashMap<String, bool>,
    /// Paths of the `.json` files of the release.
    json_paths: BTreeSet<String>,
    /// Folder → dialect-only syntax its `.sql` files use (for folders nothing names).
    sql_marks: HashMap<String, migrations::dialect_marks::Marks>,
    /// The same over every `.sql` file whose path names no dialect, per migration
    /// convention: decides the folders of that convention whose own files show no mark
    /// (one tool's folders of a project are usually written for one database).
    sql_marks_unnamed: HashMap<Convention, migrations::dialect_marks::Marks>,
}

impl Side {
    /// Whether `path` is `x.yaml`/`x.yml` with an `x.json` beside it.
    fn has_json_twin(&self, path: &str) -> bool {
        path.strip_suffix(".yaml")
            .or_else(|| path.strip_suffix(".yml"))
            .is_some_and(|stem| self.json_paths.contains(&format!("{stem}.json")))
    }
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|x| x.0).unwrap_or("")
}

fn side_facts(files: &[RawFile]) -> Side {
    let mut side = Side::default();
    for f in files {
        if f.path.ends_with(".json") {
            side.json_paths.insert(f.path.clone());
        }
        let name = f.path.rsplit('/').next().unwrap_or("");
        let text = || String::from_utf8_lossy(&f.bytes).into_owned();
        if name.to_ascii_lowercase().ends_with(".sql") {
            // One decode for both: the dialect marks and the convention of the file.
            let sql = String::from_utf8_lossy(&f.bytes);
            let found = migrations::dialect_marks::marks(&sql);
            side.sql_marks
                .entry(dir_of(&f.path).to_string())
                .or_default()
                .add(found);
            if migrations::convention::dialect_hint(&f.path).is_none()
                && let Some(info) = migrations::convention::detect(&f.path, &sql, true)
            {
                side.sql_marks_unnamed
                    .entry(info.convention)
                    .or_default()
                    .add(found);
            }
        }
        match name {
            "sqitch.plan" => {
                let changes = text()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with(['%', '#', '@']))
                    .filter_map(|l| l.split_whitespace().next().map(str::to_string))
                    .collect();
                side.sqitch_plans
                    .insert(dir_of(&f.path).to_string(), changes);
            }
            "metadata.toml" => {
                let t = text();
                if t.lines().any(|l| {
                    let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                    l == "run_in_transaction=false"
                }) {
                    side.diesel_no_tx.insert(dir_of(&f.path).to_string());
                }
            }
            "migration_lock.toml" => {
                let t = text();
                if let Some(d) = t
                    .lines()
                    .find(|l| l.trim_start().starts_with("provider"))
                    .and_then(|l| l.split('"').nth(1))
                    .and_then(Dialect::parse)
                {
                    side.prisma_dialect.insert(dir_of(&f.path).to_string(), d);
                }
            }
            "Chart.yaml" => {
                side.charts.insert(dir_of(&f.path).to_string());
            }
            "go.mod" | "Cargo.toml" => {
                let tools = migrations::convention::tools_in_manifest(name, &text());
                side.tool_manifests
                    .push((dir_of(&f.path).to_string(), tools));
            }
            "flyway.conf" | "flyway.toml" => {
                let t = flyway_settings_text(&text());
                side.flyway_out_of_order |= t.contains("outoforder=true");
                side.flyway.mixed |= t.contains("mixed=true");
                if t.contains("executeintransaction=false") {
                    side.flyway.execute_in_transaction = Some(false);
                }
            }
            // Spring Boot's Flyway settings.
            n if n.starts_with("application") && n.ends_with(".properties") => {
                let t = flyway_settings_text(&text());
                side.flyway_out_of_order |= t.contains("spring.flyway.out-of-order=true");
                side.flyway.mixed |= t.contains("spring.flyway.mixed=true");
            }
            n if n.ends_with(".sql.conf") => {
                let t = flyway_settings_text(&text());
                let script = f.path.trim_end_matches(".conf").to_string();
                if t.contains("executeintransaction=false") {
                    side.flyway_script_tx.insert(script, false);
                } else if t.contains("executeintransaction=true") {
                    side.flyway_script_tx.insert(script, true);
                }
            }
            n if crate::model::compose::is_dockerfile_name(n) => {
                let health = text().lines().any(|l| {
                    let l = l.trim_start().to_ascii_uppercase();
                    l.starts_with("HEALTHCHECK ") && !l.contains(" NONE")
                });
                side.dockerfiles.insert(f.path.clone(), health);
            }
            _ => {}
        }
    }
    side
}

/// A Flyway configuration's text, lower case, without blanks or quotes, one setting per
/// line (`flyway.mixed = "true"` → `flyway.mixed=true`); commented lines dropped.
fn flyway_settings_text(text: &str) -> String {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            l.to_ascii_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/').trim_start_matches("./");
    dir.is_empty() || path.starts_with(&format!("{dir}/"))
}

fn is_compose_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"));
    match stem {
        Some(s) => {
            s == "compose"
                || s.starts_with("compose.")
                || s.starts_with("compose-")
                || s == "docker-compose"
                || s.starts_with("docker-compose.")
                || s.starts_with("docker-compose-")
        }
        None => false,
    }
}

fn is_env_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// A top-level `openapi:`/`swagger:` key anywhere (generators often sort keys, so it
/// may be the last line of a 4 MB file), or the JSON key. One pass over the text: this
/// runs on every YAML and JSON file of the repository.
fn sniff_openapi(text: &str) -> bool {
    if text.trim_start().starts_with('{') {
        return text.contains("\"openapi\"") || text.contains("\"swagger\"");
    }
    text.lines()
        .any(|l| l.starts_with("openapi:") || l.starts_with("swagger:"))
}

/// CloudFormation or SAM templates (`AWSTemplateFormatVersion`, or `AWS::` resource
/// types), and ECS service definitions in JSON (`deploymentConfiguration`).
fn sniff_aws(text: &str) -> bool {
    !text.contains("apiVersion")
        && (text.contains("AWSTemplateFormatVersion")
            || text.contains("Type: AWS::")
            || text.contains("\"Type\": \"AWS::")
            || text.contains("\"deploymentConfiguration\""))
}

fn sniff_manifest(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches("- ").trim_start();
        l.starts_with("apiVersion:") || l.contains("\"apiVersion\"")
    })
}

fn helm_chart<'a>(path: &'a str, side: &Side) -> Option<&'a str> {
    let i = path
        .find("/templates/")
        .or_else(|| path.starts_with("templates/").then_some(0))?;
    let chart = if path.starts_with("templates/") {
        ""
    } else {
        &path[..i]
    };
    side.charts.contains(chart).then_some(chart)
}

enum Loaded {
    Migration(MigrationFile),
    Manifest(ManifestFile),
    Compose(ComposeFile),
    Env(EnvFileParsed),
    OpenApi(OpenApiFile),
    Aws(AwsFile),
    Kustomization(crate::k8s::kustomize::Kustomization),
    Helm(String),
    None,
}

struct LoadOut {
    loaded: Loaded,
    source: Option<(Arc<SourceFile>, FileKind)>,
    problems: Vec<Problem>,
    secrets: Vec<(usize, usize)>,
}

pub(crate) fn problem(
    code: &'static str,
    src: &Arc<SourceFile>,
    start: usize,
    end: usize,
    message: String,
    help: &str,
) -> Problem {
    Problem {
        code,
        path: src.path.clone(),
        source: Some(src.clone()),
        span: Some(src.span(start, end)),
        message,
        help: help.to_string(),
        severity: None,
    }
}

fn yaml_problem(src: &Arc<SourceFile>, e: &yaml::YamlError, what: &str) -> Problem {
    let start = if e.pos.line > 0 {
        src.offset_of(e.pos.line, e.pos.column)
    } else {
        e.pos.offset
    };
    let end = (start + 1).min(src.text.len());
    problem(
        "E001",
        src,
        start,
        end,
        format!("{what} cannot be parsed: {}", e.message),
        "fix the syntax: the deploying tool rejects this file, and rollsafe cannot check it",
    )
}

fn duplicate_problems(src: &Arc<SourceFile>, docs: &[Node], out: &mut Vec<Problem>) {
    let mut dups = Vec::new();
    for d in docs {
        d.duplicate_keys(&mut dups);
    }
    for (first, later) in dups {
        let s = later.pos.offset;
        let e = s + later.text.len();
        out.push(problem(
            "E004",
            src,
            s,
            e,
            format!(
                "key `{}` is repeated (first at line {}); kubectl silently keeps this later value and strict decoders reject the file",
                later.text, first.pos.line
            ),
            "remove one of the two keys so that the file says one thing",
        ));
    }
}

fn doc_ranges(docs: &[Node], len: usize) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = docs.iter().map(|d| d.pos.offset).collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, starts.get(i + 1).copied().unwrap_or(len)))
        .collect()
}

/// A file whose bytes are not text rollsafe can read: binary data is skipped (info);
/// text damaged by a NUL byte or saved in an encoding without its mark is an error at the
/// byte, because the file looks fine in an editor and nothing in it would be checked.
fn undecodable(path: &str, bytes: &[u8]) -> Option<LoadOut> {
    let (at, message, help) = match crate::decode::classify(bytes) {
        crate::decode::Content::Text => return None,
        crate::decode::Content::Binary => {
            return Some(LoadOut {
                loaded: Loaded::None,
                source: None,
                problems: vec![Problem {
                    code: "E003",
                    path: path.to_string(),
                    source: None,
                    span: None,
                    message: "file skipped: it is binary, not text".into(),
                    help: String::new(),
                    severity: None,
                }],
                secrets: Vec::new(),
            });
        }
        crate::decode::Content::Nul(at) => (
            at,
            "file holds a NUL byte, so it cannot be read as text (nothing in it was checked)".to_string(),
            "remove the NUL byte (a damaged save or a bad merge usually leaves it)",
        ),
        crate::decode::Content::Utf16WithoutBom => (
            0,
            "file looks like UTF-16 without a byte order mark, so it cannot be read (nothing in it was checked)".to_string(),
            "save the file as UTF-8 (or as UTF-16 with a byte order mark)",
        ),
        crate::decode::Content::BadUtf16 => (
            0,
            "file starts with a UTF-16 byte order mark but is not valid UTF-16 (nothing in it was checked)".to_string(),
            "save the file as UTF-8",
        ),
    };
    Some(bad_text(path, bytes, at, message, help))
}

/// E001 at byte `at` of a file that could not be read as text; the snippet shows the
/// text as far as it can be decoded.
fn bad_text(path: &str, bytes: &[u8], at: usize, message: String, help: &str) -> LoadOut {
    let src = SourceFile::new(path, String::from_utf8_lossy(bytes).into_owned());
    // Lossy decoding may change lengths after the first bad byte, never before it.
    let at = at.min(src.text.len());
    LoadOut {
        loaded: Loaded::None,
        source: None,
        problems: vec![problem("E001", &src, at, at + 1, message, help)],
        secrets: Vec::new(),
    }
}

fn load_one(
    f: &RawFile,
    config: &Config,
    side: &Side,
    overrides: &[(globset::GlobMatcher, String)],
) -> LoadOut {
    let none = || LoadOut {
        loaded: Loaded::None,
        source: None,
        problems: Vec::new(),
        secrets: Vec::new(),
    };
    let path = f.path.as_str();
    let forced = overrides
        .iter()
        .find(|(g, _)| g.is_match(path))
        .map(|(_, k)| k.as_str());
    if forced == Some("ignore") {
        return none();
    }
    if let Some(u) = &f.unread {
        return LoadOut {
            loaded: Loaded::None,
            source: None,
            problems: vec![Problem {
                code: "E003",
                path: path.to_string(),
                source: None,
                span: None,
                message: u.message.clone(),
                help: String::new(),
                severity: Some(u.severity),
            }],
            secrets: Vec::new(),
        };
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(
        name,
        "sqitch.plan"
            | "metadata.toml"
            | "migration_lock.toml"
            | "go.mod"
            | "Cargo.toml"
            | "flyway.conf"
            | "flyway.toml"
    ) {
        return none();
    }
    if crate::model::compose::is_dockerfile_name(name) {
        return none();
    }
    let lower = name.to_ascii_lowercase();
    let is_sql = lower.ends_with(".sql");
    let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json");
    let skip = |message: String| LoadOut {
        loaded: Loaded::None,
        source: None,
        problems: vec![Problem {
            code: "E003",
            path: path.to_string(),
            source: None,
            span: None,
            message,
            help: String::new(),
            severity: None,
        }],
        secrets: Vec::new(),
    };
    let max = config
        .max_file_size
        .unwrap_or(crate::config::DEFAULT_MAX_FILE_SIZE);
    if f.size > max {
        return skip(format!(
            "file skipped: {} bytes is over the {} byte limit (`max-file-size`)",
            f.size, max
        ));
    }
    if let Some(out) = undecodable(path, &f.bytes) {
        return out;
    }
    let text = match std::str::from_utf8(&f.bytes) {
        Ok(t) => t.to_string(),
        Err(e) => {
            let at = e.valid_up_to();
            return bad_text(
                path,
                &f.bytes,
                at,
                format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                "save the file as UTF-8",
            );
        }
    };
    let src = SourceFile::new(path, text);
    let mut problems = Vec::new();

    // SQL migrations.
    if is_sql || forced == Some("migration") {
        let mcfg = &config.migrations;
        let configured = !mcfg.paths.is_empty();
        let in_dir = mcfg.paths.iter().any(|d| under(path, d))
            || side.sqitch_plans.keys().any(|d| under(path, d))
            || forced == Some("migration");
        if configured && !in_dir {
            return none();
        }
        let Some(mut info) = migrations::convention::detect(path, &src.text, in_dir) else {
            return none();
        };
        if info.convention == Convention::Sqitch {
            let plan = side
                .sqitch_plans
                .iter()
                .find(|(d, _)| under(path, d))
                .map(|(d, p)| (d.clone(), p));
            if let Some((dir, plan)) = plan {
                info.set_dir = dir;
                if let Some(i) = plan.iter().position(|c| *c == info.name) {
                    info.version = format!("{i:06}");
                }
            }
        }
        if let Some(c) = mcfg.convention()
            && matches!(info.convention, Convention::Plain | Convention::UpDownFiles)
            && matches!(c, Convention::Plain | Convention::UpDownFiles)
        {
            info.convention = c;
        }
        let (dialect, known) = dialect_for(&info, mcfg, side);
        let sql = sql::read_as(src.clone(), dialect, known, info.convention.annotations());
        collect_sql_problems(&sql, &mut problems);
        let diesel_no_tx =
            info.convention == Convention::Diesel && side.diesel_no_tx.contains(dir_of(path));
        let mut flyway = side.flyway;
        if let Some(tx) = side.flyway_script_tx.get(path) {
            flyway.execute_in_transaction = Some(*tx);
        }
        return LoadOut {
            loaded: Loaded::Migration(MigrationFile {
                info,
                sql: Arc::new(sql),
                diesel_no_tx,
                flyway,
            }),
            source: Some((src, FileKind::Migration)),
            problems,
            secrets: Vec::new(),
        };
    }

    if is_env_name(path) || forced == Some("env") {
        let parsed = env::parse(&src.text);
        for e in &parsed.errors {
            problems.push(problem(
                "E001",
                &src,
                e.offset,
                e.offset + e.len,
                format!("env file cannot be parsed: {}", e.message),
                "write one `KEY=VALUE` per line; quote values that contain spaces or `#`",
            ));
        }
        let mut secrets = crate::model::secrets::env_ranges(&parsed);
        // A malformed line may hold a value too, anywhere on it: hide every line's value,
        // judged from the text (values spanning lines come from the parse).
        secrets.extend(crate::model::secrets::env_line_ranges(&src.text));
        return LoadOut {
            loaded: Loaded::Env(EnvFileParsed {
                source: src.clone(),
                env: parsed,
            }),
            source: Some((src, FileKind::Env)),
            problems,
            secrets,
        };
    }

    if crate::k8s::kustomize::is_kustomization_name(path) {
        return match yaml::parse_stream(&src.text, Flavor::Kubernetes) {
            Ok(docs) => {
                duplicate_problems(&src, &docs, &mut problems);
                let doc = docs.into_iter().next().unwrap_or(Node {
                    kind: yaml::Kind::Map(Vec::new()),
                    pos: Default::default(),
                });
                LoadOut {
                    loaded: Loaded::Kustomization(crate::k8s::kustomize::Kustomization {
                        source: src.clone(),
                        doc,
                        dir: dir_of(path).to_string(),
                    }),
                    source: Some((src, FileKind::Kustomization)),
                    problems,
                    secrets: Vec::new(),
                }
            }
            Err(e) => {
                problems.push(yaml_problem(&src, &e, "kustomization"));
                LoadOut {
                    loaded: Loaded::None,
                    source: Some((src, FileKind::Other)),
                    problems,
                    secrets: Vec::new(),
                }
            }
        };
    }
    if !is_yaml && forced.is_none() {
        return none();
    }
    if let Some(chart) = helm_chart(path, side)
        && src.text.contains("{{")
    {
        return LoadOut {
            loaded: Loaded::Helm(chart.to_string()),
            source: None,
            problems,
            secrets: Vec::new(),
        };
    }
    let named_compose = forced == Some("compose") || (forced.is_none() && is_compose_name(path));
    // A compose file by content: a top-level `services:` mapping and no `apiVersion`.
    let sniffed_compose = forced.is_none()
        && !named_compose
        && !src.text.contains("apiVersion")
        && src.text.lines().any(|l| l.trim_end() == "services:");
    let compose = named_compose || sniffed_compose;
    let openapi =
        forced == Some("openapi") || (forced.is_none() && !compose && sniff_openapi(&src.text));
    // Generators (swag, protoc-gen-openapi) often write one description twice, as
    // `x.json` and `x.yaml` side by side: the same API, so only the JSON one is read and
    // every change is reported once.
    if openapi && forced.is_none() && side.has_json_twin(path) {
        return none();
    }
    let aws = forced.is_none() && !compose && !openapi && sniff_aws(&src.text);
    let flavor = if compose {
        Flavor::Compose
    } else if openapi || aws {
        Flavor::Core
    } else {
        Flavor::Kubernetes
    };
    // Most YAML and JSON in a repository (CI workflows, package.json, i18n tables) is none
    // of ours: without an `apiVersion` key it cannot be a manifest, so it is not parsed.
    if !compose && !openapi && !aws && forced.is_none() && !src.text.contains("apiVersion") {
        return none();
    }
    let mut secrets = crate::model::secrets::yaml_secret_ranges(&src.text);
    let blanked = (flavor == Flavor::Kubernetes)
        .then(|| blank_crds(&src.text))
        .flatten();
    let docs = match yaml::parse_stream(blanked.as_deref().unwrap_or(&src.text), flavor) {
        Ok(d) => d,
        Err(e) => {
            if named_compose
                || openapi
                || aws
                || forced == Some("manifest")
                || sniff_manifest(&src.text)
            {
                if src.text.contains("{{") || src.text.contains("{%") {
                    problems.push(Problem {
                        code: "E003",
                        path: path.to_string(),
                        source: None,
                        span: None,
                        message: "file skipped: it holds template syntax (`{{ … }}` or `{% … %}`) and is not plain YAML".into(),
                        help: String::new(),
                        severity: None,
                    });
                } else {
                    let what = if compose {
                        "compose file"
                    } else if openapi {
                        "API description"
                    } else if aws {
                        "CloudFormation template"
                    } else {
                        "manifest"
                    };
                    problems.push(yaml_problem(&src, &e, what));
                }
                return LoadOut {
                    loaded: Loaded::None,
                    source: Some((src, FileKind::Other)),
                    problems,
                    secrets,
                };
            }
            return none();
        }
    };
    // Secret-looking values of deployment files are masked in every snippet.
    if !openapi {
        secrets.extend(crate::model::secrets::yaml_value_ranges(&docs));
    }
    if sniffed_compose
        && !docs
            .first()
            .and_then(|d| d.get("services"))
            .is_some_and(|s| {
                s.entries()
                    .iter()
                    .any(|(_, v)| v.get("image").is_some() || v.get("build").is_some())
            })
    {
        return none();
    }
    if compose {
        duplicate_problems(&src, &docs, &mut problems);
        let doc = docs.into_iter().next().unwrap_or(Node {
            kind: yaml::Kind::Map(Vec::new()),
            pos: Default::default(),
        });
        return LoadOut {
            loaded: Loaded::Compose(ComposeFile {
                source: src.clone(),
                doc,
            }),
            source: Some((src, FileKind::Compose)),
            problems,
            secrets,
        };
    }
    if aws {
        let doc = docs.into_iter().next().unwrap_or(Node {
            kind: yaml::Kind::Map(Vec::new()),
            pos: Default::default(),
        });
        return LoadOut {
            loaded: Loaded::Aws(AwsFile {
                source: src.clone(),
                doc,
            }),
            source: Some((src, FileKind::CloudFormation)),
            problems,
            secrets,
        };
    }
    if openapi
        && docs
            .first()
            .is_some_and(|d| d.get("openapi").is_some() || d.get("swagger").is_some())
    {
        duplicate_problems(&src, &docs, &mut problems);
        return LoadOut {
            loaded: Loaded::OpenApi(OpenApiFile {
                source: src.clone(),
                doc: docs.into_iter().next().expect("checked"),
            }),
            source: Some((src, FileKind::OpenApi)),
            problems,
            secrets,
        };
    }
    if forced == Some("manifest") || docs.iter().any(manifest::is_object) {
        duplicate_problems(&src, &docs, &mut problems);
        let ranges = doc_ranges(&docs, src.text.len());
        let mut objects = Vec::new();
        for (d, r) in docs.into_iter().zip(ranges) {
            manifest::objects(d, r, &mut objects);
        }
        return LoadOut {
            loaded: Loaded::Manifest(ManifestFile {
                source: src.clone(),
                objects,
            }),
            source: Some((src, FileKind::Manifest)),
            problems,
            secrets,
        };
    }
    none()
}

/// The text with every CustomResourceDefinition document blanked out (same length, same
/// line breaks, so every position stays exact), or `None` when there is none. No rule
/// reads CRDs, and their OpenAPI schemas are most of the bytes of real repositories.
fn blank_crds(text: &str) -> Option<String> {
    if !text.contains("kind: CustomResourceDefinition") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut doc = String::new();
    let flush = |doc: &mut String, out: &mut String| {
        let crd = doc
            .lines()
            .any(|l| l.trim_end() == "kind: CustomResourceDefinition");
        if crd {
            out.extend(
                doc.chars()
                    .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
            );
        } else {
            out.push_str(doc);
        }
        doc.clear();
    };
    for line in text.split_inclusive('\n') {
        let is_separator = line.starts_with("---")
            && line[3..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|c| c == '#');
        if is_separator {
            flush(&mut doc, &mut out);
            out.push_str(line);
        } else {
            doc.push_str(line);
        }
    }
    flush(&mut doc, &mut out);
    Some(out)
}

/// Which program applies a migration folder: the configured convention, else the one the
/// layout implies, else the tool the nearest `go.mod`/`Cargo.toml` depends on. Files with
/// dialect infixes are pop's naming; `<ver>_<name>.up.sql` files in a repository with no
/// Go or Rust manifest at all are run by golang-migrate's CLI (pop and sqlx are libraries).
fn migration_tool(
    dir: &str,
    convention: Convention,
    has_variants: bool,
    mcfg: &crate::config::MigrationsConfig,
    manifests: &[(String, Vec<Tool>)],
) -> Tool {
    if let Some(t) = mcfg.convention.as_deref().and_then(Tool::parse) {
        return t;
    }
    let by_layout = Tool::of_convention(convention);
    if by_layout != Tool::Unknown {
        return by_layout;
    }
    let fits = |t: &Tool| match convention {
        Convention::UpDownFiles => matches!(t, Tool::GolangMigrate | Tool::Pop | Tool::Sqlx),
        _ => matches!(t, Tool::Sqlx),
    };
    let nearest = manifests
        .iter()
        .filter(|(d, _)| d.is_empty() || d == dir || under(dir, d))
        .filter(|(_, tools)| tools.iter().any(fits))
        .max_by_key(|(d, _)| d.len());
    if let Some((_, tools)) = nearest {
        let candidates: Vec<&Tool> = tools.iter().filter(|t| fits(t)).collect();
        if candidates.len() == 1 {
            return *candidates[0];
        }
        if has_variants && candidates.contains(&&Tool::Pop) {
            return Tool::Pop;
        }
        return Tool::Unknown;
    }
    if has_variants {
        return Tool::Pop;
    }
    if convention == Convention::UpDownFiles && manifests.is_empty() {
        return Tool::GolangMigrate;
    }
    Tool::Unknown
}

/// The dialect a migration file is read as, and why it is known (named by the path,
/// Prisma's lock file or the configuration, or shown by the folder's syntax); `None` when
/// it is the default's guess.
fn dialect_for(
    info: &FileInfo,
    mcfg: &crate::config::MigrationsConfig,
    side: &Side,
) -> (Dialect, Option<String>) {
    if let Some(d) = info.dialect {
        return (d, Some("its path names the database".into()));
    }
    if info.convention == Convention::Prisma
        && let Some(d) = side.prisma_dialect.get(&info.set_dir)
    {
        return (
            *d,
            Some("Prisma's migration_lock.toml names the provider".into()),
        );
    }
    if mcfg.dialect.is_none() {
        if let Some(d) = side.sql_marks.get(&info.set_dir).and_then(|m| m.decide()) {
            return (
                d,
                Some(format!("its folder uses syntax only {} accepts", d.name())),
            );
        }
        if let Some(d) = side
            .sql_marks_unnamed
            .get(&info.convention)
            .and_then(|m| m.decide())
        {
            return (
                d,
                Some(format!(
                    "the project's other {} migrations use syntax only {} accepts",
                    info.convention.label(),
                    d.name()
                )),
            );
        }
    }
    let known = mcfg
        .dialect
        .as_ref()
        .map(|_| "`[migrations] dialect` names it".to_string());
    (mcfg.dialect(), known)
}

fn collect_sql_problems(sql: &SqlFile, out: &mut Vec<Problem>) {
    if let Some((offset, msg)) = &sql.error {
        out.push(problem(
            "E001",
            &sql.source,
            *offset,
            offset + 1,
            format!("SQL cannot be read: {msg}"),
            "fix the syntax: the database rejects this file, and rollsafe cannot check it",
        ));
    }
    for st in sql.statements().chain(sql.stray.iter()) {
        match &st.understood {
            sql::Understood::Unchecked(why) => {
                let span = sql.source.first_line_span(st.start, st.end);
                out.push(problem(
                    "E002",
                    &sql.source,
                    span.start.offset,
                    span.end.offset,
                    format!("statement not checked: {why}"),
                    "review this statement by hand; rollsafe could not tell what it changes",
                ));
            }
            sql::Understood::Rejected(r) => out.push(problem(
                "E001",
                &sql.source,
                r.start,
                r.end,
                match &sql.dialect_known {
                    Some(why) => format!(
                        "{} (read as {} because {why})",
                        r.message,
                        sql.dialect.name()
                    ),
                    None => r.message.clone(),
                },
                &r.help,
            )),
            _ => {}
        }
    }
}

/// Loads a release from its raw files.
pub fn load(files: Vec<RawFile>, config: &Config) -> Project {
    load_with(files, config, None)
}

/// Loads API descriptions given on the command line (`rollsafe diff`): the files they
/// reference are read from disk, relative to each description.
pub fn load_api_files(paths: &[String], config: &Config) -> Result<Project, String> {
    let mut files = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| format!("cannot read {p}: {e}"))?;
        let size = bytes.len() as u64;
        files.push(RawFile::read(p.clone(), bytes, size));
    }
    let read = |path: &str| {
        let bytes = crate::decode::normalise(std::fs::read(path).ok()?);
        String::from_utf8(bytes).ok()
    };
    Ok(load_with(files, config, Some(&read)))
}

/// Reads a file by path, `None` when it does not exist.
type ReadFile = dyn Fn(&str) -> Option<String>;

fn load_with(files: Vec<RawFile>, config: &Config, extra_read: Option<&ReadFile>) -> Project {
    let side = side_facts(&files);
    let overrides = overrides(config);
    let outs: Vec<LoadOut> = files
        .par_iter()
        .map(|f| load_one(f, config, &side, &overrides))
        .collect();
    let mut p = Project::default();
    let mut parts = Parts::default();
    for (f, o) in files.iter().zip(outs) {
        parts.add(&mut p, &f.path, o);
    }
    let Parts {
        migration_files,
        kustomizations,
        charts,
        problems,
    } = parts;
    p.problems = problems;
    let charts = charts.into_values().collect();
    finish(
        &mut p,
        (migration_files, kustomizations, charts),
        &files,
        &side,
        config,
        extra_read,
        None,
    );
    p
}

/// `[classify]` globs of the configuration, compiled.
fn overrides(config: &Config) -> Vec<(globset::GlobMatcher, String)> {
    config
        .classify
        .iter()
        .filter_map(|(g, k)| {
            globset::Glob::new(g)
                .ok()
                .map(|g| (g.compile_matcher(), k.clone()))
        })
        .collect()
}

/// What the files of a release give, each on its own, that is not kept in the project as
/// such: the parts that [`finish`] assembles.
#[derive(Default)]
struct Parts {
    migration_files: Vec<MigrationFile>,
    kustomizations: Vec<crate::k8s::kustomize::Kustomization>,
    /// Helm template path → its chart.
    charts: std::collections::BTreeMap<String, String>,
    /// The problems of each file alone (parse errors, skips).
    problems: Vec<Problem>,
}

impl Parts {
    /// Adds one file's load result: to the project what it keeps per file, to the parts
    /// the rest.
    fn add(&mut self, p: &mut Project, path: &str, o: LoadOut) {
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

/// Builds what the project derives from all its files at once: migration sets, API
/// fragments (unless the last ones and their problems are given back because no API file
/// changed), the Kubernetes object index, suppressions. Returns the fragments' problems.
#[allow(clippy::too_many_arguments)]
fn finish(
    p: &mut Project,
    (mfiles, mut kustomizations, charts): (
        Vec<MigrationFile>,
        Vec<crate::k8s::kustomize::Kustomization>,
        BTreeSet<String>,
    ),
    files: &[RawFile],
    side: &Side,
    config: &Config,
    extra_read: Option<&ReadFile>,
    reuse_fragments: Option<(HashMap<String, OpenApiFile>, Vec<Problem>)>,
) -> Vec<Problem> {
    p.file_count = files.iter().filter(|f| f.unread.is_none()).count();
    p.dockerfiles = side.dockerfiles.clone();
    p.paths.extend(files.iter().map(|f| f.path.clone()));
    p.api_changes = Default::default();
    let texts: HashMap<&str, &RawFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let read = |path: &str| match texts.get(path) {
        Some(f) => String::from_utf8(f.bytes.clone()).ok(),
        None => extra_read.and_then(|r| r(path)),
    };
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
    for chart in charts {
        let path = if chart.is_empty() {
            "Chart.yaml".to_string()
        } else {
            format!("{chart}/Chart.yaml")
        };
        p.problems.push(Problem {
            code: "E003",
            path,
            source: None,
            span: None,
            message: format!(
                "Helm chart `{}` skipped: its templates are not plain YAML; render it (`helm template`) into a folder and check that",
                if chart.is_empty() { "." } else { chart.as_str() }
            ),
            help: String::new(),
            severity: None,
        });
    }
    let mcfg = &config.migrations;
    let assume = mcfg
        .assume_in_transaction
        .or_else(|| (mcfg.convention.as_deref() == Some("sqlx")).then_some(true));
    let tool_of = |dir: &str, convention, has_variants| {
        migration_tool(dir, convention, has_variants, mcfg, &side.tool_manifests)
    };
    p.migration_sets = migrations::build_sets(mfiles, mcfg.dialect(), assume, &tool_of);
    p.flyway_out_of_order = side.flyway_out_of_order;
    // Walk order must not depend on the parallel load.
    p.manifests
        .sort_by(|a, b| a.source.path.cmp(&b.source.path));
    p.compose.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    kustomizations.sort_by(|a, b| a.dir.cmp(&b.dir));
    let raw: HashMap<&str, &RawFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    let read = |path: &str| {
        raw.get(path)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
    };
    let t = std::time::Instant::now();
    p.k8s = crate::k8s::Index::build(&p.manifests, kustomizations, &read);
    p.k8s.refs = crate::k8s::refs::references(&p.k8s, &p.manifests);
    p.k8s.defs = crate::k8s::defs::definitions(&p.k8s, &p.manifests, config);
    if std::env::var_os("ROLLSAFE_TIMING").is_some() {
        eprintln!("rollsafe timing: object index built in {:?}", t.elapsed());
    }
    p.problems.sort_by(|a, b| a.path.cmp(&b.path));
    (p.suppressions, p.bad_suppressions) = crate::suppress::collect(p);
    fragment_problems
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
            && self.charts == o.charts
            && self.flyway == o.flyway
            && self.flyway_script_tx == o.flyway_script_tx
            && self.json_paths == o.json_paths
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
        let outs: Vec<LoadOut> = files
            .par_iter()
            .map(|f| load_one(f, config, &side, &overrides))
            .collect();
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
        let fragment_problems = finish(
            p,
            (
                self.parts.migration_files.clone(),
                self.parts.kustomizations.clone(),
                charts,
            ),
            &self.files,
            &self.side,
            config,
            None,
            fragments,
        );
        self.fragment_problems = fragment_problems;
    }
}
