//! Environment files grouped the way teams use them: a template (`.env.example`) and the
//! files of each environment (`.env.production`, `config/staging.env`,
//! `deploy/production/app.env`), detected or set under `[env]` in `rollsafe.toml`.

use std::collections::BTreeMap;

use crate::k8s::Index;
use crate::model::env::EnvFileParsed;
use crate::settings::EnvConfig;

const TEMPLATE_SUFFIXES: &[&str] = &["example", "sample", "template", "dist", "tmpl", "tpl"];
const ENVIRONMENTS: &[&str] = &[
    "production",
    "prod",
    "staging",
    "stage",
    "development",
    "dev",
    "test",
    "testing",
    "qa",
    "uat",
    "preview",
    "sandbox",
    "demo",
    "canary",
];

fn name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub fn is_template(path: &str) -> bool {
    let n = name(path).to_ascii_lowercase();
    TEMPLATE_SUFFIXES.iter().any(|s| {
        n == format!(".env.{s}")
            || n.ends_with(&format!(".env.{s}"))
            || n == format!("{s}.env")
            || n == format!("env.{s}")
    })
}

/// A file name without a trailing template suffix (`compose.yaml.example` →
/// `compose.yaml`).
pub fn strip_template_suffix(name: &str) -> &str {
    TEMPLATE_SUFFIXES
        .iter()
        .find_map(|s| name.strip_suffix(&format!(".{s}")))
        .unwrap_or(name)
}

/// A file named as an example or template of another (`docker-compose.override.example.yml`,
/// `compose.sample.yaml`): one dot-separated part of its name is a template suffix.
pub fn is_example_name(path: &str) -> bool {
    let n = name(path).to_ascii_lowercase();
    n.split('.')
        .skip(1)
        .any(|part| TEMPLATE_SUFFIXES.contains(&part))
}

/// A file named as the source a generator renders (`docker-compose.template.yml`,
/// `compose.yaml.tmpl`), not one copied as it is (`.example`, `.sample`, `.dist`).
pub fn is_rendered_template_name(path: &str) -> bool {
    let n = name(path).to_ascii_lowercase();
    let template = |part: &str| matches!(part, "template" | "tmpl" | "tpl");
    // `template.yaml` itself too (d-uzlov's `external-services/template.yaml`, filled in
    // with sed).
    n.split('.').skip(1).any(template)
        || (n.split('.').next().is_some_and(template) && n.split('.').count() == 2)
}

/// The environment an env file belongs to, from its name or folder.
pub fn environment_of(path: &str) -> Option<String> {
    if is_template(path) {
        return None;
    }
    let n = name(path).to_ascii_lowercase();
    if let Some(x) = n.strip_prefix(".env.") {
        // `.env.local` and `.env.production.local` are developer overrides.
        if x.split('.').any(|p| p == "local") {
            return None;
        }
        return Some(x.to_string());
    }
    if let Some(x) = n.strip_suffix(".env")
        && ENVIRONMENTS.contains(&x)
    {
        return Some(x.to_string());
    }
    let dirs: Vec<&str> = path.split('/').collect();
    dirs[..dirs.len().saturating_sub(1)]
        .iter()
        .rev()
        .find(|d| ENVIRONMENTS.contains(&d.to_ascii_lowercase().as_str()))
        .map(|d| d.to_ascii_lowercase())
}

/// Environments that ship to users (not a developer's machine or a test run): the
/// detected sets judge only these; configured environments are all judged.
pub fn is_deployed(environment: &str) -> bool {
    !matches!(
        environment,
        "development" | "dev" | "test" | "testing" | "local" | "ci" | "e2e"
    ) && !environment.contains("test")
        && !environment.contains("dev")
}

/// Env files holding dummy values on purpose: templates and developer or test setups.
pub fn is_dummy(path: &str) -> bool {
    let n = name(path).to_ascii_lowercase();
    is_template(path)
        || environment_of(path).is_some_and(|e| !is_deployed(&e))
        || n.split(['.', '-', '_']).any(|p| {
            matches!(
                p,
                "test"
                    | "tests"
                    | "dev"
                    | "development"
                    | "local"
                    | "ci"
                    | "e2e"
                    | "example"
                    | "sample"
                    | "template"
            )
        })
        || path
            .split('/')
            .any(|d| matches!(d, "test" | "tests" | "testdata" | "fixtures" | "e2e"))
}

/// A repository's test suite: a top-level `test/` or `tests/` folder, or `e2e`, `testdata`
/// and `__tests__` folders anywhere. Their manifests are applied by test scripts that
/// create what they reference (secrets-store-csi-driver's bats suites run `kubectl create
/// secret` before applying), never by a release. Only the top level counts for `test`:
/// `overlays/test` is an environment that is deployed.
pub fn is_test_path(path: &str) -> bool {
    let mut segments = path.split('/');
    matches!(segments.next(), Some("test" | "tests"))
        || path
            .split('/')
            .any(|s| matches!(s, "e2e" | "testdata" | "__tests__"))
}

/// Folders that keep what is no longer maintained (kubernetes/examples' `_archived/`,
/// an `attic/`, a `deprecated/` set of manifests): nothing in them is released.
pub fn is_archived_path(path: &str) -> bool {
    let dirs = path.rsplit_once('/').map_or("", |x| x.0);
    dirs.split('/').any(|d| {
        matches!(
            d.to_ascii_lowercase().as_str(),
            "_archived" | "archived" | "_archive" | "attic" | "deprecated" | "_deprecated" | "_old"
        )
    })
}

/// Documentation and example folders: their secrets are fake by design (`my-token`,
/// `S3cr3tP@ss`), and they are not deployed. The plain-text rules skip them.
pub fn is_example_path(path: &str) -> bool {
    path.split('/').any(|d| {
        matches!(
            d,
            "docs"
                | "doc"
                | "examples"
                | "example"
                | "samples"
                | "sample"
                | "snippets"
                | "test"
                | "tests"
                | "testdata"
                | "fixtures"
                | "e2e"
                | "cypress"
        )
    })
}

pub struct EnvSet<'a> {
    pub template: Vec<&'a EnvFileParsed>,
    /// environment → its files
    pub environments: BTreeMap<String, Vec<&'a EnvFileParsed>>,
}

fn dir(path: &str) -> &str {
    path.rsplit_once('/').map(|x| x.0).unwrap_or("")
}

/// The sets of the release: configured, else one per folder holding a template.
pub fn env_sets<'a>(files: &'a [EnvFileParsed], cfg: &EnvConfig) -> Vec<EnvSet<'a>> {
    if cfg.template.is_some() || !cfg.environments.is_empty() {
        let by_path = |p: &str| {
            files
                .iter()
                .find(|f| f.source.path == p.trim_start_matches("./"))
        };
        return vec![EnvSet {
            template: cfg
                .template
                .as_deref()
                .and_then(by_path)
                .into_iter()
                .collect(),
            environments: cfg
                .environments
                .iter()
                .map(|(e, ps)| (e.clone(), ps.iter().filter_map(|p| by_path(p)).collect()))
                .collect(),
        }];
    }
    let mut out = Vec::new();
    let mut template_dirs: Vec<&str> = files
        .iter()
        .filter(|f| is_template(&f.source.path))
        .map(|f| dir(&f.source.path))
        .collect();
    template_dirs.sort_unstable();
    template_dirs.dedup();
    for d in template_dirs {
        let under = |p: &str| d.is_empty() || p.starts_with(&format!("{d}/"));
        let template: Vec<&EnvFileParsed> = files
            .iter()
            .filter(|f| dir(&f.source.path) == d && is_template(&f.source.path))
            .collect();
        let mut environments: BTreeMap<String, Vec<&EnvFileParsed>> = BTreeMap::new();
        for f in files.iter().filter(|f| under(&f.source.path)) {
            if let Some(e) = environment_of(&f.source.path).filter(|e| is_deployed(e)) {
                environments.entry(e).or_default().push(f);
            }
        }
        out.push(EnvSet {
            template,
            environments,
        });
    }
    out
}

/// Variables an environment's manifests set for containers (a folder or kustomize
/// overlay named after the environment).
pub fn set_by_manifests(ix: &Index, environment: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for pod in &ix.pods {
        let inst = &ix.instances[pod.inst];
        let path = &ix.files[inst.file].path;
        let scope_dir = &ix.scopes[inst.scope];
        let named = |p: &str| {
            p.split('/')
                .any(|seg| seg.eq_ignore_ascii_case(environment))
        };
        if !named(path) && !named(scope_dir) {
            continue;
        }
        for c in &pod.containers {
            for e in c
                .node
                .get("env")
                .map(crate::yaml::Node::items)
                .unwrap_or(&[])
            {
                if let Some(n) = e.get("name").and_then(crate::yaml::Node::as_str) {
                    out.insert(n.to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_by_name_and_folder() {
        assert!(is_template("app/.env.example"));
        assert!(is_template("env.sample"));
        assert_eq!(
            environment_of("app/.env.production").as_deref(),
            Some("production")
        );
        assert_eq!(environment_of(".env.local"), None);
        assert_eq!(
            environment_of("config/staging.env").as_deref(),
            Some("staging")
        );
        assert_eq!(
            environment_of("deploy/prod/app.env").as_deref(),
            Some("prod")
        );
        assert_eq!(environment_of("app/.env"), None);
        assert_eq!(environment_of("app/.env.example"), None);
    }
}

/// A file whose leading comment says it is not for production ("FOR TEST AND
/// DEVELOPMENT ONLY, DO NOT USE IN PRODUCTION"): its authors declare its values
/// dummies, as a suppression comment would. Only the comment block before the first
/// line of content counts.
pub fn declared_not_for_production(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    const SAYS: [&str; 9] = [
        "not for production",
        "do not use in production",
        "don't use in production",
        "not intended for production",
        "not meant for production",
        "development only",
        "for development purposes only",
        "testing only",
        "test only",
    ];
    SAYS.iter().any(|p| head.contains(p))
}

#[cfg(test)]
mod declared_tests {
    use super::declared_not_for_production as d;

    #[test]
    fn only_the_leading_comment_counts() {
        assert!(d(
            "## FOR TEST AND DEVELOPMENT ONLY, DO NOT USE IN PRODUCTION ##\nservices: {}\n"
        ));
        assert!(d("# Local stack.\n# Not for production use.\nA=1\n"));
        assert!(!d("services: {}\n# not for production\n"));
        assert!(!d("# Production stack\nservices: {}\n"));
    }
}
