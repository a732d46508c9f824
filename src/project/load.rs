//! Loading a release: each file is read, classified and parsed once, in parallel, by the
//! loader of its kind (`load_sql`, `load_env`, `load_kustomization`, and after one YAML
//! parse `load_compose`, `load_openapi`, `load_aws`, `load_manifest`); `load_one` only
//! decides which. The results go to `index::build`.

use std::sync::Arc;

use rayon::prelude::*;

use super::classify::{
    Side, YamlKind, dialect_for, dir_of, helm_chart, is_env_name, is_side_file, side_facts,
    sniff_manifest, under, yaml_kind,
};
use super::index;
use crate::api::doc::OpenApiFile;
use crate::diagnostic::{InputCode, Problem};
use crate::migrations::{self, Convention, MigrationFile};
use crate::model::aws::AwsFile;
use crate::model::compose::ComposeFile;
use crate::model::env::{self, EnvFileParsed};
use crate::model::manifest::{self, ManifestFile};
use crate::project::discover::RawFile;
use crate::project::{FileKind, Project};
use crate::settings::Config;
use crate::source::SourceFile;
use crate::sql::{self, SqlFile};
use crate::yaml::{self, Flavor, Node};

pub(super) enum Loaded {
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

/// What loading one file gives: its parse, its source (kept for snippets and
/// suppressions), its problems, and the byte ranges of its secret values.
pub(super) struct LoadOut {
    pub(super) loaded: Loaded,
    pub(super) source: Option<(Arc<SourceFile>, FileKind)>,
    pub(super) problems: Vec<Problem>,
    pub(super) secrets: Vec<(usize, usize)>,
}

impl LoadOut {
    /// A file that is none of ours.
    fn none() -> LoadOut {
        LoadOut {
            loaded: Loaded::None,
            source: None,
            problems: Vec::new(),
            secrets: Vec::new(),
        }
    }

    /// A file that was not read, for the reason `p` says.
    fn problem(p: Problem) -> LoadOut {
        LoadOut {
            problems: vec![p],
            ..LoadOut::none()
        }
    }
}

fn yaml_problem(src: &Arc<SourceFile>, e: &yaml::YamlError, what: &str) -> Problem {
    let start = if e.pos.line > 0 {
        src.offset_of(e.pos.line, e.pos.column)
    } else {
        e.pos.offset
    };
    let end = (start + 1).min(src.text.len());
    Problem::at(
        InputCode::InvalidSyntax,
        src,
        start,
        end,
        format!(
            "{what} cannot be parsed: {}",
            json_reason(&src.path, &e.message)
        ),
        "fix the syntax: the deploying tool rejects this file, and rollsafe cannot check it",
    )
}

/// The YAML parser's words for JSON's own rule: a JSON text is one value (RFC 8259 §2),
/// so more text after it (a second object pasted after the first, as a bad merge leaves
/// it) is what "expected <document start>" means in a `.json` file.
fn json_reason<'m>(path: &str, message: &'m str) -> std::borrow::Cow<'m, str> {
    if path.ends_with(".json") && message.contains("expected <document start>") {
        "more text follows the end of the JSON value (a JSON file holds exactly one)".into()
    } else {
        message.into()
    }
}

/// Which tool's reading of a repeated key the message names.
#[derive(Clone, Copy)]
enum Reader {
    Kubernetes,
    Compose,
    Other,
}

fn duplicate_problems(
    src: &Arc<SourceFile>,
    docs: &[Node],
    reader: Reader,
    out: &mut Vec<Problem>,
) {
    let mut dups = Vec::new();
    for d in docs {
        d.duplicate_keys(&mut dups);
    }
    // A compose file named as a template (`docker-compose.template.yml`) is the source a
    // generator renders (onyx's `#!for` blocks repeat keys on purpose): compose never
    // reads it, so a repeated key there is information.
    let rendered_template = matches!(reader, Reader::Compose)
        && crate::model::env_sets::is_rendered_template_name(&src.path);
    use crate::diagnostic::Severity;
    for (first, later) in dups {
        let s = later.pos.offset;
        let e = s + later.text.len();
        let (key, line) = (&later.text, first.pos.line);
        // `None`: the code's default level (warning).
        let (message, severity) = match reader {
            Reader::Compose if rendered_template => (
                format!(
                    "key `{key}` is repeated (first at line {line}) in a template that a generator renders, not a file compose reads: docker compose refuses only a rendered file that keeps both"
                ),
                Some(Severity::Info),
            ),
            Reader::Kubernetes => (
                format!(
                    "key `{key}` is repeated (first at line {line}); kubectl silently keeps this later value and strict decoders reject the file"
                ),
                None,
            ),
            // compose-go's loader stops on a repeated key (`loader/reset.go`,
            // `resolveReset`: "line %d: mapping key %#v already defined at line %d").
            Reader::Compose => (
                format!(
                    "key `{key}` is repeated (first at line {line}); docker compose refuses the file (`mapping key \"{key}\" already defined at line {line}`)"
                ),
                Some(Severity::Error),
            ),
            Reader::Other => (
                format!(
                    "key `{key}` is repeated (first at line {line}); YAML readers disagree: many silently keep this later value, strict ones (Go's yaml.v3) reject the file"
                ),
                None,
            ),
        };
        let mut p = Problem::at(
            InputCode::DuplicateKey,
            src,
            s,
            e,
            message,
            "remove one of the two keys so that the file says one thing",
        );
        p.severity = severity;
        out.push(p);
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
            return Some(LoadOut::problem(Problem::file(
                InputCode::FileSkipped,
                path,
                "file skipped: it is binary, not text".into(),
            )));
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
        problems: vec![Problem::at(
            InputCode::InvalidSyntax,
            &src,
            at,
            at + 1,
            message,
            help,
        )],
        secrets: Vec::new(),
    }
}

pub(super) fn load_one(
    f: &RawFile,
    config: &Config,
    side: &Side,
    overrides: &[(globset::GlobMatcher, String)],
) -> LoadOut {
    let path = f.path.as_str();
    let forced = overrides
        .iter()
        .find(|(g, _)| g.is_match(path))
        .map(|(_, k)| k.as_str());
    if forced == Some("ignore") {
        return LoadOut::none();
    }
    if let Some(u) = &f.unread {
        let mut p = Problem::file(InputCode::FileSkipped, path, u.message.clone());
        p.severity = Some(u.severity);
        return LoadOut::problem(p);
    }
    if is_side_file(path) {
        return LoadOut::none();
    }
    let src = match read_text(f, config) {
        Ok(src) => src,
        Err(out) => return *out,
    };
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".sql") || forced == Some("migration") {
        return load_sql(path, src, config, side, forced);
    }
    if is_env_name(path) || forced == Some("env") {
        return load_env(src);
    }
    if crate::k8s::kustomize::is_kustomization_name(path) {
        return load_kustomization(path, src);
    }
    let is_yaml = lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || lower.ends_with(".json")
        || crate::project::classify::is_compose_name(path);
    if !is_yaml && forced.is_none() {
        return LoadOut::none();
    }
    if let Some(chart) = helm_chart(path, side)
        && src.text.contains("{{")
    {
        return LoadOut {
            loaded: Loaded::Helm(chart.to_string()),
            ..LoadOut::none()
        };
    }
    let Some(kind) = yaml_kind(path, &src.text, side, forced) else {
        return LoadOut::none();
    };
    let (docs, secrets) = match parse_yaml(path, &src, kind, forced) {
        Ok(parsed) => parsed,
        Err(out) => return *out,
    };
    match kind {
        YamlKind::Compose { named } => load_compose(src, docs, secrets, named),
        YamlKind::Aws => load_aws(src, docs, secrets),
        YamlKind::OpenApi => load_openapi(src, docs, secrets),
        YamlKind::Manifest => load_manifest(src, docs, secrets, forced == Some("manifest")),
    }
}

/// The file's text, or what stops rollsafe reading it: over the size limit (E003), or
/// not text it can decode (E001, E003).
fn read_text(f: &RawFile, config: &Config) -> Result<Arc<SourceFile>, Box<LoadOut>> {
    let path = f.path.as_str();
    let max = config.max_file_size;
    if f.size > max {
        return Err(Box::new(LoadOut::problem(Problem::file(
            InputCode::FileSkipped,
            path,
            format!(
                "file skipped: {} bytes is over the {} byte limit (`max-file-size`)",
                f.size, max
            ),
        ))));
    }
    if let Some(out) = undecodable(path, &f.bytes) {
        return Err(Box::new(out));
    }
    match std::str::from_utf8(&f.bytes) {
        Ok(t) => Ok(SourceFile::new(path, t.to_string())),
        Err(e) => {
            let at = e.valid_up_to();
            Err(Box::new(bad_text(
                path,
                &f.bytes,
                at,
                format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                "save the file as UTF-8",
            )))
        }
    }
}

/// A SQL migration: its convention, dialect and transaction settings, and its statements.
fn load_sql(
    path: &str,
    src: Arc<SourceFile>,
    config: &Config,
    side: &Side,
    forced: Option<&str>,
) -> LoadOut {
    let mut problems = Vec::new();
    let mcfg = &config.migrations;
    let configured = !mcfg.paths.is_empty();
    let drizzle = side.drizzle.get(dir_of(path));
    let in_dir = mcfg.paths.iter().any(|d| under(path, d))
        || side.sqitch_plans.keys().any(|d| under(path, d))
        || drizzle.is_some()
        || forced == Some("migration");
    if configured && !in_dir {
        return LoadOut::none();
    }
    let Some(mut info) = migrations::convention::detect(path, &src.text, in_dir) else {
        return LoadOut::none();
    };
    // A folder for a database rollsafe does not check: skipped, said once per folder.
    // Named by the path, or shown by a file of the folder (ClickHouse's table engines).
    if forced != Some("migration")
        && let Some(db) = migrations::convention::foreign_database(path)
            .or_else(|| side.foreign_dirs.get(dir_of(path)).map(|(_, db)| *db))
    {
        let dir = dir_of(path);
        return match side.foreign_dirs.get(dir) {
            Some((first, _)) if first == path => LoadOut::problem(Problem::file(
                InputCode::FileSkipped,
                path,
                format!(
                    "the migrations in `{dir}` are for {db}, which rollsafe does not check (it reads PostgreSQL, MySQL and SQLite): the folder is skipped"
                ),
            )),
            _ => LoadOut::none(),
        };
    }
    // drizzle-kit: the journal lists the migrations; a file it does not list never runs.
    if let Some(journal) = drizzle
        && !matches!(
            info.convention,
            Convention::Goose | Convention::SqlMigrate | Convention::Dbmate | Convention::Liquibase
        )
    {
        let stem = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".sql");
        let Some(when) = journal.when_of(stem) else {
            return LoadOut::none();
        };
        info.convention = Convention::Drizzle;
        // Ordered as the migrator orders them: by the journal's time.
        info.version = format!("{when:015}");
        info.name = stem.to_string();
        info.part = migrations::FilePart::Up;
        info.set_dir = dir_of(path).to_string();
    }
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
    LoadOut {
        loaded: Loaded::Migration(MigrationFile {
            info,
            sql: Arc::new(sql),
            diesel_no_tx,
            flyway,
        }),
        source: Some((src, FileKind::Migration)),
        problems,
        secrets: Vec::new(),
    }
}

/// An env file: its variables, and the byte ranges of every value (all masked).
fn load_env(src: Arc<SourceFile>) -> LoadOut {
    let parsed = env::parse(&src.text);
    let mut secrets = crate::model::secrets::env_ranges(&parsed);
    // A malformed line may hold a value too, anywhere on it: hide every line's value,
    // judged from the text (values spanning lines come from the parse).
    secrets.extend(crate::model::secrets::env_line_ranges(&src.text));
    // A Jinja source (`.env.j2` with `{% if … %}` lines, rendered by boilerplates' CLI or
    // Ansible) is not what any program reads as an env file: skipped, as template YAML is.
    if !parsed.errors.is_empty() && (src.text.contains("{%") || src.text.contains("{{")) {
        return LoadOut {
            source: Some((src.clone(), FileKind::Other)),
            problems: vec![Problem::file(
                InputCode::FileSkipped,
                &src.path,
                "file skipped: it holds template syntax (`{{ … }}`, `{% … %}`) and is not a plain env file: the template engine renders it first".into(),
            )],
            secrets,
            ..LoadOut::none()
        };
    }
    let problems = parsed
        .errors
        .iter()
        .map(|e| {
            Problem::at(
                InputCode::InvalidSyntax,
                &src,
                e.offset,
                e.offset + e.len,
                format!("env file cannot be parsed: {}", e.message),
                "write one `KEY=VALUE` per line; quote values that contain spaces or `#`",
            )
        })
        .collect();
    LoadOut {
        loaded: Loaded::Env(EnvFileParsed {
            source: src.clone(),
            env: parsed,
        }),
        source: Some((src, FileKind::Env)),
        problems,
        secrets,
    }
}

/// A kustomization: its one document, read as Kubernetes reads it.
fn load_kustomization(path: &str, src: Arc<SourceFile>) -> LoadOut {
    let mut problems = Vec::new();
    match yaml::parse_stream(&src.text, Flavor::Kubernetes) {
        Ok(docs) => {
            duplicate_problems(&src, &docs, Reader::Kubernetes, &mut problems);
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
    }
}

/// Parses a YAML or JSON file as the tool that reads its kind does, with the byte ranges
/// of its secret values. A file that does not parse is a problem when it is surely ours
/// (named or forced so, an API description, a template, a manifest by its `apiVersion`).
fn parse_yaml(
    path: &str,
    src: &Arc<SourceFile>,
    kind: YamlKind,
    forced: Option<&str>,
) -> Result<(Vec<Node>, Secrets), Box<LoadOut>> {
    let flavor = kind.flavor();
    let mut secrets = crate::model::secrets::yaml_secret_ranges(&src.text);
    let blanked = (flavor == Flavor::Kubernetes)
        .then(|| blank_crds(&src.text))
        .flatten();
    let docs = match yaml::parse_stream(blanked.as_deref().unwrap_or(&src.text), flavor) {
        Ok(d) => d,
        Err(e) => {
            let ours = match kind {
                YamlKind::Compose { named } => named,
                YamlKind::OpenApi | YamlKind::Aws => true,
                YamlKind::Manifest => forced == Some("manifest") || sniff_manifest(&src.text),
            };
            if !ours {
                return Err(Box::new(LoadOut::none()));
            }
            let placeholder = (e.pos.line > 0)
                .then(|| fill_in_placeholder(src.line_text(e.pos.line)))
                .flatten();
            // FreeMarker directives (`<#if …>`, `</#if>`) start a line of their own in
            // the templates gitops-playground renders (`argocd.ftl.yaml`).
            let freemarker = || {
                src.text.lines().any(|l| {
                    let t = l.trim_start();
                    t.starts_with("<#") || t.starts_with("</#")
                })
            };
            let problem = if src.text.contains("{{") || src.text.contains("{%") || freemarker() {
                Problem::file(
                    InputCode::FileSkipped,
                    path,
                    "file skipped: it holds template syntax (`{{ … }}`, `{% … %}` or FreeMarker's `<#…>`) and is not plain YAML".into(),
                )
            } else if let Some(name) = placeholder {
                Problem::file(
                    InputCode::FileSkipped,
                    path,
                    format!(
                        "file skipped: `{name}` on line {} is a fill-in placeholder, so the file is a template to fill in before applying, not plain YAML",
                        e.pos.line
                    ),
                )
            } else {
                yaml_problem(src, &e, kind.what())
            };
            return Err(Box::new(LoadOut {
                source: Some((src.clone(), FileKind::Other)),
                problems: vec![problem],
                secrets,
                ..LoadOut::none()
            }));
        }
    };
    // Secret-looking values of deployment files are masked in every snippet.
    if kind != YamlKind::OpenApi {
        secrets.extend(crate::model::secrets::yaml_value_ranges(&docs));
    }
    Ok((docs, secrets))
}

/// A `{NAME}` marker (upper case, not `${NAME}`) on the line where YAML failed: docs
/// templates written to be filled in by hand (spark-operator's `image:
/// {IMAGE_REGISTRY}/{IMAGE_REPOSITORY}/spark:4.0.4`), where YAML reads a flow mapping.
fn fill_in_placeholder(line: &str) -> Option<&str> {
    let mut rest = line;
    let mut at = 0;
    while let Some(i) = rest.find('{') {
        let abs = at + i;
        let after = &line[abs + 1..];
        let name_len = after.find('}').filter(|&n| n > 0).filter(|&n| {
            let name = &after[..n];
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        if let Some(n) = name_len
            && !line[..abs].ends_with('$')
        {
            return Some(&line[abs..abs + n + 2]);
        }
        at = abs + 1;
        rest = &line[at..];
    }
    None
}

/// The first document, or an empty mapping.
fn first_doc(docs: Vec<Node>) -> Node {
    docs.into_iter().next().unwrap_or(Node {
        kind: yaml::Kind::Map(Vec::new()),
        pos: Default::default(),
    })
}

/// A compose file. One recognised by its text alone must have a service with an image or
/// a build.
fn load_compose(
    src: Arc<SourceFile>,
    docs: Vec<Node>,
    secrets: Vec<(usize, usize)>,
    named: bool,
) -> LoadOut {
    if !named
        && !docs
            .first()
            .and_then(|d| d.get("services"))
            .is_some_and(|s| {
                s.entries()
                    .iter()
                    .any(|(_, v)| v.get("image").is_some() || v.get("build").is_some())
            })
    {
        return LoadOut::none();
    }
    let mut problems = Vec::new();
    duplicate_problems(&src, &docs, Reader::Compose, &mut problems);
    LoadOut {
        loaded: Loaded::Compose(ComposeFile {
            source: src.clone(),
            doc: first_doc(docs),
        }),
        source: Some((src, FileKind::Compose)),
        problems,
        secrets,
    }
}

/// A CloudFormation/SAM template or an ECS service definition.
fn load_aws(src: Arc<SourceFile>, docs: Vec<Node>, secrets: Secrets) -> LoadOut {
    LoadOut {
        loaded: Loaded::Aws(AwsFile {
            source: src.clone(),
            doc: first_doc(docs),
        }),
        source: Some((src, FileKind::CloudFormation)),
        problems: Vec::new(),
        secrets,
    }
}

/// An API description: its first document names `openapi` or `swagger`; else it is read
/// as manifests if it holds any.
fn load_openapi(src: Arc<SourceFile>, docs: Vec<Node>, secrets: Secrets) -> LoadOut {
    if !docs
        .first()
        .is_some_and(|d| d.get("openapi").is_some() || d.get("swagger").is_some())
    {
        return load_manifest(src, docs, secrets, false);
    }
    let mut problems = Vec::new();
    duplicate_problems(&src, &docs, Reader::Other, &mut problems);
    LoadOut {
        loaded: Loaded::OpenApi(OpenApiFile {
            source: src.clone(),
            doc: first_doc(docs),
        }),
        source: Some((src, FileKind::OpenApi)),
        problems,
        secrets,
    }
}

/// Kubernetes manifests: every object of every document (`forced`: `[classify]` says
/// so, even when no document is an object).
fn load_manifest(
    src: Arc<SourceFile>,
    docs: Vec<Node>,
    secrets: Vec<(usize, usize)>,
    forced: bool,
) -> LoadOut {
    if !forced && !docs.iter().any(manifest::is_object) {
        return LoadOut::none();
    }
    let mut problems = Vec::new();
    duplicate_problems(&src, &docs, Reader::Kubernetes, &mut problems);
    let ranges = doc_ranges(&docs, src.text.len());
    let mut objects = Vec::new();
    for (d, r) in docs.into_iter().zip(ranges) {
        manifest::objects(d, r, &mut objects);
    }
    LoadOut {
        loaded: Loaded::Manifest(ManifestFile {
            source: src.clone(),
            objects,
        }),
        source: Some((src, FileKind::Manifest)),
        problems,
        secrets,
    }
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

fn collect_sql_problems(sql: &SqlFile, out: &mut Vec<Problem>) {
    if let Some((offset, msg)) = &sql.error {
        out.push(Problem::at(
            InputCode::InvalidSyntax,
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
                out.push(Problem::at(
                    InputCode::StatementNotChecked,
                    &sql.source,
                    span.start.offset,
                    span.end.offset,
                    format!("statement not checked: {why}"),
                    "review this statement by hand; rollsafe could not tell what it changes",
                ));
            }
            sql::Understood::Rejected(r) => out.push(Problem::at(
                InputCode::InvalidSyntax,
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

/// Byte ranges of a file's secret values.
type Secrets = Vec<(usize, usize)>;

/// Reads a file by path, `None` when it does not exist.
pub(super) type ReadFile = dyn Fn(&str) -> Option<String>;

/// `[classify]` globs of the configuration, compiled.
pub(super) fn overrides(config: &Config) -> Vec<(globset::GlobMatcher, String)> {
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

/// Classifies and parses every file on its own, in parallel, in the order given.
pub(super) fn load_each(
    files: &[RawFile],
    config: &Config,
    side: &Side,
    overrides: &[(globset::GlobMatcher, String)],
) -> Vec<LoadOut> {
    crate::workers::init();
    files
        .par_iter()
        .map(|f| load_one(f, config, side, overrides))
        .collect()
}

fn load_with(files: Vec<RawFile>, config: &Config, extra_read: Option<&ReadFile>) -> Project {
    let side = side_facts(&files);
    let outs = load_each(&files, config, &side, &overrides(config));
    let mut p = Project {
        file_count: files.iter().filter(|f| f.unread.is_none()).count(),
        dockerfiles: side.dockerfiles.clone(),
        launcher_variables: side.launcher_variables.clone(),
        gitignores: side.gitignores.clone(),
        tilt: side.tilt.clone(),
        paths: files.iter().map(|f| f.path.clone()).collect(),
        ..Default::default()
    };
    let mut parts = super::live::Parts::default();
    for (f, o) in files.iter().zip(outs) {
        parts.add(&mut p, &f.path, o);
    }
    p.problems = parts.problems;
    let parsed = index::Parsed {
        migrations: parts.migration_files,
        charts: parts.charts.into_values().collect(),
        kustomizations: parts.kustomizations,
    };
    index::build(&mut p, parsed, &files, extra_read, &side, config, None);
    p
}
