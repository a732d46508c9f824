//! K601: compose `depends_on` with `condition: service_healthy` on a service that has no
//! healthcheck. `docker compose up` refuses to start the dependent service
//! ("dependency … has no healthcheck configured"), so the release never comes up.

use std::collections::BTreeMap;

use crate::diagnostic::catalogue::K601 as META;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::k8s::pod::at_path;
use crate::model::compose::ComposeFile;
use crate::model::compose::{self, Health};
use crate::rules::workloads::{key_span, span_at};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::yaml::{Key, Kind, Node};

pub struct ComposeHealthyWithoutHealthcheck;

fn dir(path: &str) -> &str {
    path.rsplit_once('/').map(|x| x.0).unwrap_or("")
}

/// A service as defined across the compose files of one folder.
struct Defined<'a> {
    health: Health,
    extends: bool,
    /// Dockerfile path when the service is built from one.
    dockerfile: Option<String>,
    /// The image it runs, when it names one.
    image: Option<String>,
    at: Option<(&'a ComposeFile, &'a Key)>,
}

/// A Docker official image (`postgres:16`, `library/redis`, `docker.io/library/nginx`):
/// those deliberately declare no HEALTHCHECK (docker-library/faq, "HEALTHCHECK").
fn is_official_image(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    !name.contains('/') && !name.contains('$')
}

fn dockerfile_of(file: &ComposeFile, svc: &Node) -> Option<String> {
    let b = svc.get("build")?;
    let (context, dockerfile) = match b.as_str() {
        Some(c) => (c, "Dockerfile"),
        None => (
            b.get("context").and_then(Node::as_str).unwrap_or("."),
            b.get("dockerfile")
                .and_then(Node::as_str)
                .unwrap_or("Dockerfile"),
        ),
    };
    let ctx = crate::k8s::kustomize::join(dir(&file.source.path), context)?;
    crate::k8s::kustomize::join(&ctx, dockerfile)
}

impl Rule for ComposeHealthyWithoutHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let by_dir = crate::model::compose_vars::by_project(&cx.head.compose);
        for (folder, files) in &by_dir {
            let mut defined: BTreeMap<&str, Defined> = BTreeMap::new();
            for f in files {
                for (k, svc) in compose::services(&f.doc) {
                    let d = defined.entry(k.text.as_str()).or_insert(Defined {
                        health: Health::Absent,
                        extends: false,
                        dockerfile: None,
                        image: None,
                        at: None,
                    });
                    match compose::health(svc) {
                        Health::Absent => {}
                        h => d.health = h,
                    }
                    d.extends |= svc.get("extends").is_some();
                    if let Some(df) = dockerfile_of(f, svc) {
                        d.dockerfile = Some(df);
                    }
                    if let Some(image) = svc.get("image").and_then(|i| i.as_str()) {
                        d.image = Some(image.to_string());
                    }
                    d.at.get_or_insert((f, k));
                }
            }
            // Files another folder includes are judged with that folder's own group.
            for f in files.iter().filter(|f| dir(&f.source.path) == *folder) {
                for (sk, svc) in compose::services(&f.doc) {
                    // One finding per waiting service: a shared `depends_on` anchor would
                    // otherwise repeat it for every dependency.
                    let mut missing: Vec<(&str, String, &Node)> = Vec::new();
                    for (dep, condition, _) in compose::depends_on(svc) {
                        let Some(cond) =
                            condition.filter(|c| c.as_str() == Some("service_healthy"))
                        else {
                            continue;
                        };
                        let Some(d) = defined.get(dep) else { continue };
                        if d.health == Health::Defined || d.extends {
                            continue;
                        }
                        let why = match (&d.health, &d.dockerfile) {
                            (Health::Disabled, _) => "disables its healthcheck".to_string(),
                            (_, Some(df)) => match cx.head.dockerfiles.get(df) {
                                Some(true) => continue,
                                Some(false) => format!(
                                    "has no healthcheck (and `{df}` declares no HEALTHCHECK)"
                                ),
                                // Built from a Dockerfile rollsafe cannot see: it may declare one.
                                None => continue,
                            },
                            // An image rollsafe cannot see may declare one (mailcow's
                            // unbound does); a Docker official image never does.
                            (_, None) => match &d.image {
                                Some(image) if is_official_image(image) => format!(
                                    "has no healthcheck (and `{image}`, a Docker official image, declares none)"
                                ),
                                Some(_) => continue,
                                None => "has no healthcheck".to_string(),
                            },
                        };
                        missing.push((dep, why, cond));
                    }
                    // `required: false` (compose 2.20): compose logs `optional dependency
                    // … failed to start` and starts the service without waiting.
                    let optional = |dep: &str| {
                        at_path(svc, &["depends_on", dep, "required"])
                            .is_some_and(|r| r.kind == Kind::Bool(false))
                    };
                    let all_optional = missing.iter().all(|(d, _, _)| optional(d));
                    missing.retain(|(d, _, _)| all_optional || !optional(d));
                    let Some((dep, why, cond)) = missing.first() else {
                        continue;
                    };
                    let src = &f.source;
                    let message = if all_optional {
                        format!(
                            "service `{}` waits for `{dep}` to be healthy, but `{dep}` {why}: as the dependency is `required: false`, compose logs a warning and starts `{}` without waiting for it",
                            sk.text, sk.text
                        )
                    } else if missing.len() == 1 {
                        format!(
                            "service `{}` waits for `{dep}` to be healthy, but `{dep}` {why}: `docker compose up` refuses to start `{}`",
                            sk.text, sk.text
                        )
                    } else {
                        let names: Vec<String> =
                            missing.iter().map(|(d, _, _)| format!("`{d}`")).collect();
                        format!(
                            "service `{}` waits for {} to be healthy, but none of them has a healthcheck: `docker compose up` refuses to start `{}`",
                            sk.text,
                            names.join(", "),
                            sk.text
                        )
                    };
                    let mut diag = Diagnostic::new(
                        &META,
                        src,
                        span_at(src, cond.pos),
                        message,
                        "add a `healthcheck:` to each dependency (a command that succeeds once it serves), or use `condition: service_started`",
                        format!("{}/{dep}", sk.text),
                    );
                    if all_optional {
                        diag = diag.with_severity(Severity::Warning);
                    }
                    if let Some((df, dk)) = defined.get(dep).and_then(|d| d.at) {
                        diag = diag.with_related(
                            Location::new(&df.source, key_span(&df.source, dk))
                                .with_message(format!("`{dep}` is defined here")),
                        );
                    }
                    out.push(diag);
                }
            }
        }
    }
}
