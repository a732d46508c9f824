//! Loading a release: each file is classified once and parsed once, in parallel, by the
//! loader of its kind (`load_sql`, `load_env`, `load_kustomization`, `load_yaml`);
//! `load_one` only decides which. The results go to `index::build`.

use std::collections::BTreeSet;
use std::sync::Arc;

use rayon::prelude::*;

use super::classify::{
    Side, dialect_for, dir_of, helm_chart, is_compose_name, is_env_name, side_facts, sniff_aws,
    sniff_manifest, sniff_openapi, under,
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

/// What loading one file gives: its parse, its source (kept for snippets and
/// suppressions), its problems, and the byte ranges of its secret values.
pub(super) struct LoadOut {
    loaded: Loaded,
    source: Option<(Arc<SourceFile>, FileKind)>,
    problems: Vec<Problem>,
    secrets: Vec<(usize, usize)>,
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
}

pub(crate) fn problem(
    code: InputCode,
    src: &Arc<SourceFile>,
    start: usize,
    end: usize,
    message: String,
    help: &str,
) -> Problem {
    Problem::at(code, src, start, end, message, help)
}

fn yaml_problem(src: &Arc<SourceFile>, e: &yaml::YamlError, what: &str) -> Problem {
    let start = if e.pos.line > 0 {
        src.offset_of(e.pos.line, e.pos.column)
    } else {
        e.pos.offset
    };
    let end = (start + 1).min(src.text.len());
    problem(
        InputCode::InvalidSyntax,
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
            InputCode::DuplicateKey,
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
                    code: InputCode::FileSkipped,
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
        problems: vec![problem(
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

fn load_one(
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
        return LoadOut {
            loaded: Loaded::None,
            source: None,
            problems: vec![Problem {
                code: InputCode::FileSkipped,
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
        return LoadOut::none();
    }
    if crate::model::compose::is_dockerfile_name(name) {
        return LoadOut::none();
    }
    let lower = name.to_ascii_lowercase();
    let is_sql = lower.ends_with(".sql");
    let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json");
    let skip = |message: String| LoadOut {
        loaded: Loaded::None,
        source: None,
        problems: vec![Problem {
            code: InputCode::FileSkipped,
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
        .unwrap_or(crate::settings::DEFAULT_MAX_FILE_SIZE);
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
    if is_sql || forced == Some("migration") {
        return load_sql(path, src, config, side, forced);
    }
    if is_env_name(path) || forced == Some("env") {
        return load_env(src);
    }
    if crate::k8s::kustomize::is_kustomization_name(path) {
        return load_kustomization(path, src);
    }
    if !is_yaml && forced.is_none() {
        return LoadOut::none();
    }
    load_yaml(path, src, side, forced)
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
    let in_dir = mcfg.paths.iter().any(|d| under(path, d))
        || side.sqitch_plans.keys().any(|d| under(path, d))
        || forced == Some("migration");
    if configured && !in_dir {
        return LoadOut::none();
    }
    let Some(mut info) = migrations::convention::detect(path, &src.text, in_dir) else {
        return LoadOut::none();
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
    let mut problems = Vec::new();
    let parsed = env::parse(&src.text);
    for e in &parsed.errors {
        problems.push(problem(
            InputCode::InvalidSyntax,
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
    }
}

/// A YAML or JSON file: a compose file, an API description, a CloudFormation template or
/// Kubernetes manifests, by name, by a sniff of its text, or as `[classify]` forces.
fn load_yaml(path: &str, src: Arc<SourceFile>, side: &Side, forced: Option<&str>) -> LoadOut {
    let mut problems = Vec::new();
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
        return LoadOut::none();
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
        return LoadOut::none();
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
                        code: InputCode::FileSkipped,
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
            return LoadOut::none();
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
        return LoadOut::none();
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
    LoadOut::none()
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
        out.push(problem(
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
                out.push(problem(
                    InputCode::StatementNotChecked,
                    &sql.source,
                    span.start.offset,
                    span.end.offset,
                    format!("statement not checked: {why}"),
                    "review this statement by hand; rollsafe could not tell what it changes",
                ));
            }
            sql::Understood::Rejected(r) => out.push(problem(
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

/// Reads a file by path, `None` when it does not exist.
pub(super) type ReadFile = dyn Fn(&str) -> Option<String>;

fn load_with(files: Vec<RawFile>, config: &Config, extra_read: Option<&ReadFile>) -> Project {
    let side = side_facts(&files);
    let overrides: Vec<(globset::GlobMatcher, String)> = config
        .classify
        .iter()
        .filter_map(|(g, k)| {
            globset::Glob::new(g)
                .ok()
                .map(|g| (g.compile_matcher(), k.clone()))
        })
        .collect();
    let outs: Vec<LoadOut> = files
        .par_iter()
        .map(|f| load_one(f, config, &side, &overrides))
        .collect();
    let mut p = Project {
        file_count: files.iter().filter(|f| f.unread.is_none()).count(),
        dockerfiles: side.dockerfiles.clone(),
        paths: files.iter().map(|f| f.path.clone()).collect(),
        ..Default::default()
    };
    let mut mfiles = Vec::new();
    let mut charts = BTreeSet::new();
    let mut kustomizations = Vec::new();
    for o in outs {
        p.problems.extend(o.problems);
        if let Some((src, _)) = &o.source
            && !o.secrets.is_empty()
        {
            p.secrets.insert(src.path.clone(), o.secrets.into());
        }
        if let Some((src, kind)) = o.source {
            p.sources.insert(src.path.clone(), (src, kind));
        }
        match o.loaded {
            Loaded::Migration(m) => mfiles.push(m),
            Loaded::Manifest(m) => p.manifests.push(m),
            Loaded::Compose(c) => p.compose.push(c),
            Loaded::Env(e) => p.env_files.push(e),
            Loaded::OpenApi(a) => p.openapi.push(a),
            Loaded::Aws(a) => p.aws.push(a),
            Loaded::Kustomization(k) => kustomizations.push(k),
            Loaded::Helm(chart) => {
                charts.insert(chart);
            }
            Loaded::None => {}
        }
    }
    let parsed = index::Parsed {
        migrations: mfiles,
        charts,
        kustomizations,
    };
    index::build(&mut p, parsed, &files, extra_read, &side, config);
    p
}
