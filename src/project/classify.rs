//! Classifying a file: by name (compose, env, kustomization, Helm templates), by a cheap
//! sniff of its text (API description, CloudFormation, manifest), and by the side facts
//! some conventions keep next to the migrations (sqitch plans, Prisma lock files, Flyway
//! settings, the tools a `go.mod` or `Cargo.toml` depends on).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::migrations::{self, Convention, FileInfo, Tool};
use crate::project::discover::RawFile;
use crate::settings::MigrationsConfig;
use crate::sql::Dialect;
use crate::yaml::Flavor;

/// Per-folder facts some conventions keep next to the migrations.
#[derive(Default)]
pub(super) struct Side {
    /// sqitch project folder → change names in plan order.
    pub(super) sqitch_plans: HashMap<String, Vec<String>>,
    /// diesel migration folders whose metadata.toml disables the transaction.
    pub(super) diesel_no_tx: BTreeSet<String>,
    /// Prisma migrations folder → provider dialect from migration_lock.toml.
    pub(super) prisma_dialect: HashMap<String, Dialect>,
    /// Chart folders (holding Chart.yaml).
    pub(super) charts: BTreeSet<String>,
    /// Dockerfiles by path: whether they declare a HEALTHCHECK.
    pub(super) dockerfiles: HashMap<String, bool>,
    /// Folders holding a `go.mod` or `Cargo.toml`, with the migration tools it depends on.
    pub(super) tool_manifests: Vec<(String, Vec<Tool>)>,
    /// Folders holding a `go.mod` or `Cargo.toml`, with the databases its drivers reach.
    pub(super) driver_manifests: Vec<(String, &'static str, Vec<Dialect>)>,
    /// Migrations written in Go: (folder, version, the tables their SQL strings name, or
    /// `None` when they name none).
    pub(super) code_migrations: Vec<(String, String, Option<Vec<String>>)>,
    /// A Flyway configuration sets `outOfOrder = true`.
    pub(super) flyway_out_of_order: bool,
    /// A Flyway configuration sets `validateOnMigrate = false`.
    pub(super) flyway_validate_off: bool,
    /// The project's Flyway configuration: `mixed`, `executeInTransaction`.
    pub(super) flyway: migrations::FlywaySettings,
    /// Script configurations (`V1__x.sql.conf`): the script's path → `executeInTransaction`.
    pub(super) flyway_script_tx: HashMap<String, bool>,
    /// Paths of the `.json` files of the release.
    pub(super) json_paths: BTreeSet<String>,
    /// Folder → dialect-only syntax its `.sql` files use (for folders nothing names).
    pub(super) sql_marks: HashMap<String, migrations::dialect_marks::Marks>,
    /// The same over every `.sql` file whose path names no dialect, per migration
    /// convention: decides the folders of that convention whose own files show no mark
    /// (one tool's folders of a project are usually written for one database).
    pub(super) sql_marks_unnamed: HashMap<Convention, migrations::dialect_marks::Marks>,
    /// Migration folders for a database rollsafe does not check → their first migration
    /// file (where the one skip notice of the folder goes) and the database.
    pub(super) foreign_dirs: std::collections::BTreeMap<String, (String, &'static str)>,
    /// Variables the project's shell scripts hand to `docker compose`.
    pub(super) launcher_variables: BTreeSet<String>,
    /// The release's `.gitignore` files.
    pub(super) gitignores: crate::model::gitignore::Ignores,
    /// drizzle-kit migration folders (holding `meta/_journal.json`) → their journal.
    pub(super) drizzle: HashMap<String, migrations::convention::DrizzleJournal>,
    /// Objects scripts, Makefiles and docs create with `kubectl create`.
    pub(super) created: Vec<crate::k8s::imperative::Created>,
    /// Files a script or guide applies with `-n` (`kubectl apply -f FILE -n NS`).
    pub(super) applied: Vec<(String, String)>,
    /// Image names a build step rewrites (`kustomize edit set image NAME=…`).
    pub(super) set_images: Vec<String>,
    /// What each Tiltfile builds and deploys.
    pub(super) tilt: Vec<crate::model::tilt::TiltBuilds>,
    /// SQLPage configuration folders (holding `sqlpage.json`/`.yaml`/`.toml`) → whether
    /// its `database_url` is an in-memory SQLite database.
    pub(super) sqlpage: BTreeMap<String, bool>,
}

impl Side {
    /// Whether `path` is `x.yaml`/`x.yml` with an `x.json` beside it.
    pub(super) fn has_json_twin(&self, path: &str) -> bool {
        path.strip_suffix(".yaml")
            .or_else(|| path.strip_suffix(".yml"))
            .is_some_and(|stem| self.json_paths.contains(&format!("{stem}.json")))
    }
}

pub(super) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|x| x.0).unwrap_or("")
}

pub(super) fn side_facts(files: &[RawFile]) -> Side {
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
            let foreign = migrations::convention::foreign_database(&f.path)
                .or_else(|| migrations::dialect_marks::is_clickhouse(&sql).then_some("ClickHouse"));
            if let Some(db) = foreign
                && migrations::convention::detect(&f.path, &sql, true).is_some()
            {
                let first = side
                    .foreign_dirs
                    .entry(dir_of(&f.path).to_string())
                    .or_insert_with(|| (f.path.clone(), db));
                if f.path < first.0 {
                    first.0 = f.path.clone();
                }
            }
            if foreign.is_none()
                && migrations::convention::file_dialect_hint(&f.path).is_none()
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
            "_journal.json" if dir_of(&f.path).ends_with("meta") => {
                if let Some(j) = migrations::convention::DrizzleJournal::parse(&text()) {
                    let meta = dir_of(&f.path);
                    side.drizzle.insert(dir_of(meta).to_string(), j);
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
            "sqlpage.json" | "sqlpage.yaml" | "sqlpage.yml" | "sqlpage.toml" => {
                side.sqlpage.insert(
                    dir_of(&f.path).to_string(),
                    migrations::convention::sqlpage_in_memory(name, &text()),
                );
            }
            "Chart.yaml" => {
                side.charts.insert(dir_of(&f.path).to_string());
            }
            "go.mod" | "Cargo.toml" => {
                let text = text();
                let tools = migrations::convention::tools_in_manifest(name, &text);
                side.tool_manifests
                    .push((dir_of(&f.path).to_string(), tools));
                let drivers = migrations::convention::drivers_in_manifest(name, &text);
                let file = if name == "go.mod" {
                    "go.mod"
                } else {
                    "Cargo.toml"
                };
                side.driver_manifests
                    .push((dir_of(&f.path).to_string(), file, drivers));
            }
            "flyway.conf" | "flyway.toml" => {
                let t = flyway_settings_text(&text());
                side.flyway_out_of_order |= t.contains("outoforder=true");
                side.flyway_validate_off |= t.contains("validateonmigrate=false");
                side.flyway.mixed |= t.contains("mixed=true");
                if t.contains("executeintransaction=false") {
                    side.flyway.execute_in_transaction = Some(false);
                }
            }
            // Spring Boot's Flyway settings: `application*.properties`, or any properties
            // file that sets them (MeterSphere's `commons.properties`, loaded with
            // `@PropertySource`).
            n if n.ends_with(".properties")
                && (n.starts_with("application")
                    || f.bytes.windows(13).any(|w| w == b"spring.flyway")) =>
            {
                let t = flyway_settings_text(&text());
                side.flyway_out_of_order |= t.contains("spring.flyway.out-of-order=true");
                side.flyway_validate_off |= t.contains("spring.flyway.validate-on-migrate=false");
                side.flyway.mixed |= t.contains("spring.flyway.mixed=true");
            }
            // The same in YAML (`spring: {flyway: {out-of-order: true}}`, dataease).
            // Only a file that names Flyway is parsed here: most `application.yaml` files
            // are Argo CD Applications, parsed once, as manifests.
            n if n.starts_with("application")
                && (n.ends_with(".yml") || n.ends_with(".yaml"))
                && f.bytes.windows(6).any(|w| w == b"flyway") =>
            {
                for doc in crate::yaml::events::parse_plain(&text()).unwrap_or_default() {
                    let Some(fw) = doc.get("spring").and_then(|s| s.get("flyway")) else {
                        continue;
                    };
                    // Spring's relaxed binding: kebab-case or camelCase.
                    let flag = |kebab: &str, camel: &str| {
                        fw.get(kebab)
                            .or_else(|| fw.get(camel))
                            .and_then(|v| match &v.kind {
                                crate::yaml::Kind::Bool(b) => Some(*b),
                                crate::yaml::Kind::Str(s) => s.parse::<bool>().ok(),
                                _ => None,
                            })
                    };
                    side.flyway_out_of_order |= flag("out-of-order", "outOfOrder") == Some(true);
                    side.flyway_validate_off |=
                        flag("validate-on-migrate", "validateOnMigrate") == Some(false);
                    side.flyway.mixed |= flag("mixed", "mixed") == Some(true);
                }
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
            n if crate::project::discover::is_code_migration(&n.to_ascii_lowercase()) => {
                let version: String = n.chars().take_while(char::is_ascii_digit).collect();
                let tables = migrations::code::tables_named(&text());
                side.code_migrations
                    .push((dir_of(&f.path).to_string(), version, tables));
            }
            ".gitignore" => side.gitignores.add(&f.path, &text()),
            _ if crate::model::compose_vars::is_ci_pipeline(&f.path) => {
                side.launcher_variables
                    .extend(crate::model::compose_vars::ci_variables(&text()));
            }
            n if n.ends_with(".sh") => {
                let text = text();
                side.launcher_variables
                    .extend(crate::model::compose_vars::launcher_variables(&text));
                side.created
                    .extend(crate::k8s::imperative::created_in(&f.path, &text));
                side.applied
                    .extend(crate::k8s::imperative::applied_in(&f.path, &text));
                side.set_images
                    .extend(crate::k8s::imperative::set_images_in(&f.path, &text));
            }
            n if n == "Makefile" || n.to_ascii_lowercase().ends_with(".md") => {
                let text = text();
                side.created
                    .extend(crate::k8s::imperative::created_in(&f.path, &text));
                side.applied
                    .extend(crate::k8s::imperative::applied_in(&f.path, &text));
                side.set_images
                    .extend(crate::k8s::imperative::set_images_in(&f.path, &text));
            }
            "Tiltfile" => {
                let text = text();
                // `local_resource` commands create objects too (unkey's
                // `kubectl -n frontline create configmap frontline-certs …`).
                side.created
                    .extend(crate::k8s::imperative::created_in(&f.path, &text));
                side.tilt.push(crate::model::tilt::read(&f.path, &text));
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
pub(super) fn flyway_settings_text(text: &str) -> String {
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

pub(super) fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/').trim_start_matches("./");
    dir.is_empty() || path.starts_with(&format!("{dir}/"))
}

/// A compose file by its name; also an example of one the setup copies
/// (`compose.override.yaml.example`, zulip's), whose top-level definitions then count.
pub(crate) fn is_compose_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let name = crate::model::env_sets::strip_template_suffix(&name);
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

pub(super) fn is_env_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// A top-level `openapi:`/`swagger:` key anywhere (generators often sort keys, so it
/// may be the last line of a 4 MB file), or the JSON key. One pass over the text: this
/// runs on every YAML and JSON file of the repository.
/// Whether the loader reads this file as an API description when `[classify]` does not
/// force a kind (the tests of `load::load_one` and [`yaml_kind`]: a YAML or JSON file, not a
/// kustomization, no Helm template, not a compose file by name or content, and an
/// `openapi:`/`swagger:` top-level key).
pub fn is_api_description(path: &str, text: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| lower.ends_with(e))
        && !is_env_name(path)
        && !crate::k8s::kustomize::is_kustomization_name(path)
        && !is_compose_name(path)
        // The sniff first: most files are not descriptions, and it settles them in one
        // pass (the checks after it each read the whole text again).
        && sniff_openapi(text)
        && !text.contains("{{")
        && (text.contains("apiVersion") || !text.lines().any(|l| l.trim_end() == "services:"))
}

fn sniff_openapi(text: &str) -> bool {
    if text.trim_start().starts_with('{') {
        return text.contains("\"openapi\"") || text.contains("\"swagger\"");
    }
    // A top-level `openapi:` or `swagger:` key: at the start of a line (a substring search
    // instead of a walk over every line; most YAML files of a repository are not
    // descriptions and are read to the end).
    let b = text.as_bytes();
    ["openapi:", "swagger:"].iter().any(|k| {
        text.match_indices(k)
            .any(|(i, _)| i == 0 || b[i - 1] == b'\n')
    })
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

pub(super) fn sniff_manifest(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches("- ").trim_start();
        l.starts_with("apiVersion:") || l.contains("\"apiVersion\"")
    })
}

pub(super) fn helm_chart<'a>(path: &'a str, side: &Side) -> Option<&'a str> {
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

/// Which program applies a migration folder: the configured convention, else the one the
/// layout implies, else the tool the nearest `go.mod`/`Cargo.toml` depends on. Files with
/// dialect infixes are pop's naming; `<ver>_<name>.up.sql` files in a repository with no
/// Go or Rust manifest at all are run by golang-migrate's CLI (pop and sqlx are libraries).
pub(super) fn migration_tool(
    dir: &str,
    convention: Convention,
    has_variants: bool,
    mcfg: &MigrationsConfig,
    side: &Side,
) -> Tool {
    if let Some(t) = mcfg.convention.as_deref().and_then(Tool::parse) {
        return t;
    }
    // SQLPage applies `<config dir>/migrations` with sqlx's `Migrator` at start-up
    // (`webserver/database/migrations.rs`).
    if migrations::convention::sqlpage_config_of(dir).is_some_and(|c| side.sqlpage.contains_key(c))
    {
        return Tool::Sqlx;
    }
    let manifests = &side.tool_manifests;
    let in_scope = |d: &str| d.is_empty() || d == dir || under(dir, d);
    let by_layout = Tool::of_convention(convention);
    // diesel is a Rust tool: its layout inside a Go module, with no Cargo.toml naming
    // diesel, is some Go program's (formance's ledger, `N-name/up.sql` + `notes.yaml`).
    if by_layout == Tool::Diesel
        && !manifests
            .iter()
            .any(|(d, tools)| in_scope(d) && tools.contains(&Tool::Diesel))
        && side
            .driver_manifests
            .iter()
            .any(|(d, file, _)| *file == "go.mod" && in_scope(d))
    {
        return Tool::Unknown;
    }
    if by_layout != Tool::Unknown {
        return by_layout;
    }
    let fits = |t: &Tool| match convention {
        Convention::UpDownFiles => matches!(
            t,
            Tool::GolangMigrate | Tool::Pop | Tool::Sqlx | Tool::Maragu | Tool::Morph | Tool::Bun
        ),
        // The markers are rubenv/sql-migrate's; GoAlert's own runner reads them too, so
        // only the module's dependency names the program.
        Convention::SqlMigrate => matches!(t, Tool::SqlMigrate),
        _ => matches!(t, Tool::Sqlx),
    };
    let nearest = manifests
        .iter()
        .filter(|(d, _)| in_scope(d))
        .filter(|(_, tools)| tools.iter().any(fits))
        .max_by_key(|(d, _)| d.len());
    if let Some((_, tools)) = nearest {
        let mut candidates: Vec<&Tool> = tools.iter().filter(|t| fits(t)).collect();
        // bun is an ORM first: beside a migration tool of its own (golang-migrate, goose…)
        // the module migrates with that tool.
        if candidates.len() > 1 {
            candidates.retain(|t| **t != Tool::Bun);
        }
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
pub(super) fn dialect_for(
    info: &FileInfo,
    mcfg: &MigrationsConfig,
    side: &Side,
) -> (Dialect, Option<String>) {
    if let Some(d) = info.dialect {
        return (d, Some("its path names the database".into()));
    }
    if info.convention == Convention::Drizzle
        && let Some(d) = side.drizzle.get(&info.set_dir).and_then(|j| j.dialect)
    {
        return (
            d,
            Some("drizzle's meta/_journal.json names the dialect".into()),
        );
    }
    if info.convention == Convention::Prisma
        && let Some(d) = side.prisma_dialect.get(&info.set_dir)
    {
        return (
            *d,
            Some("Prisma's migration_lock.toml names the provider".into()),
        );
    }
    // The database drivers the project's go.mod or Cargo.toml requires, when it is one
    // and the folder's marks do not contradict it (type names such as `JSONB` are marks of
    // PostgreSQL against MySQL, but SQLite accepts any type name: navidrome).
    if mcfg.dialect.is_none()
        && let Some((_, file, drivers)) = side
            .driver_manifests
            .iter()
            .filter(|(_, _, drivers)| !drivers.is_empty())
            .filter(|(d, _, _)| d.is_empty() || *d == info.set_dir || under(&info.set_dir, d))
            .max_by_key(|(d, _, _)| d.len())
        && let [d] = drivers.as_slice()
    {
        let marks = side
            .sql_marks
            .get(&info.set_dir)
            .copied()
            .unwrap_or_default();
        let agrees = match marks.decide() {
            None => {
                marks.postgres + marks.mysql + marks.sqlite == 0
                    || (*d == Dialect::Sqlite && marks.allows_sqlite())
            }
            Some(m) => m == *d || (*d == Dialect::Sqlite && marks.allows_sqlite()),
        };
        if agrees {
            return (
                *d,
                Some(format!(
                    "the project's {file} requires only a {} driver",
                    d.name()
                )),
            );
        }
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

/// Files only the side facts read (migration tool settings, plans, lock files, module
/// manifests, Dockerfiles): never loaded themselves.
pub(super) fn is_side_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "sqitch.plan"
            | "metadata.toml"
            | "migration_lock.toml"
            | "go.mod"
            | "Cargo.toml"
            | "flyway.conf"
            | "flyway.toml"
            | "Tiltfile"
            | "Makefile"
    ) || name.ends_with(".sh")
        || name.to_ascii_lowercase().ends_with(".md")
        || crate::model::compose::is_dockerfile_name(name)
}

/// What a YAML or JSON file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum YamlKind {
    /// A compose file; `named` when its name or `[classify]` says so, not only its text.
    Compose {
        named: bool,
    },
    OpenApi,
    Aws,
    Manifest,
}

impl YamlKind {
    /// How the tool that reads this kind reads YAML.
    pub(super) fn flavor(self) -> Flavor {
        match self {
            YamlKind::Compose { .. } => Flavor::Compose,
            YamlKind::OpenApi | YamlKind::Aws => Flavor::Core,
            YamlKind::Manifest => Flavor::Kubernetes,
        }
    }

    /// The kind in a sentence ("manifest cannot be parsed").
    pub(super) fn what(self) -> &'static str {
        match self {
            YamlKind::Compose { .. } => "compose file",
            YamlKind::OpenApi => "API description",
            YamlKind::Aws => "CloudFormation template",
            YamlKind::Manifest => "manifest",
        }
    }
}

/// What a YAML or JSON file is, by `[classify]` (`forced`), by name, or by a sniff of its
/// text; `None` when it is none of ours.
pub(super) fn yaml_kind(
    path: &str,
    text: &str,
    side: &Side,
    forced: Option<&str>,
) -> Option<YamlKind> {
    let named_compose = forced == Some("compose") || (forced.is_none() && is_compose_name(path));
    // A compose file by content: a top-level `services:` mapping and no `apiVersion`.
    let sniffed_compose = forced.is_none()
        && !named_compose
        && !text.contains("apiVersion")
        && text.lines().any(|l| l.trim_end() == "services:");
    if named_compose || sniffed_compose {
        return Some(YamlKind::Compose {
            named: named_compose,
        });
    }
    if forced == Some("openapi") || (forced.is_none() && sniff_openapi(text)) {
        // Generators (swag, protoc-gen-openapi) often write one description twice, as
        // `x.json` and `x.yaml` side by side: the same API, so only the JSON one is read
        // and every change is reported once.
        if forced.is_none() && side.has_json_twin(path) {
            return None;
        }
        return Some(YamlKind::OpenApi);
    }
    if forced.is_none() && sniff_aws(text) {
        return Some(YamlKind::Aws);
    }
    // Most YAML and JSON in a repository (CI workflows, package.json, i18n tables) is none
    // of ours: without an `apiVersion` key it cannot be a manifest, so it is not parsed.
    if forced.is_none() && !text.contains("apiVersion") {
        return None;
    }
    Some(YamlKind::Manifest)
}
