//! S401: a secret written in plain text where it ships with the release — a container
//! env `value:`, a ConfigMap entry, a compose `environment` entry, a committed env file
//! (templates excluded). Recognised by the variable's name (`DB_PASSWORD`), a password in
//! a URL, or the value's shape (AWS key id, private key, Stripe live key, GitHub, GitLab
//! or Slack token). The value is never printed: the message names the variable and the
//! snippet masks it.

use std::sync::Arc;

use crate::credentials::{Verdict, classify};
use crate::diagnostic::catalogue::S401 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::compose;
use crate::model::compose_private::PrivateStores;
use crate::model::compose_vars::dir;
use crate::model::env_sets::{declared_not_for_production, is_dummy, is_example_path};
use crate::rules::workloads::who;
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::source::SourceFile;
use crate::yaml::{Kind, Node};

pub struct PlaintextSecret;

/// Why a (name, value) pair is a plain-text secret, and how sure: error for a value whose
/// shape proves it, warning for a name or a URL password, info for a readable default
/// (under a secret's name or as a URL's password).
fn judge(name: &str, value: &str) -> Option<(Severity, String)> {
    Some(match classify(name, value)? {
        Verdict::Shape(what) => (Severity::Error, format!("holds {what} in plain text")),
        Verdict::UrlPassword { readable: true } => (
            Severity::Info,
            "holds a URL with a readable default password, as quick-start files ship; make sure deployments override it".into(),
        ),
        Verdict::UrlPassword { readable: false } => (
            Severity::Warning,
            "holds a URL with a password in plain text".into(),
        ),
        Verdict::ByName { readable: true } => (
            Severity::Info,
            "is a secret by its name and has a readable literal value, a default such as quick-start files ship; make sure deployments override it".into(),
        ),
        Verdict::ByName { readable: false } => (
            Severity::Warning,
            "is a secret by its name and has a literal value".into(),
        ),
    })
}

/// A warning whose value only logs in to a private data store of its compose project
/// (see `model::compose_private`) is a quick-start default, not a leak: info.
fn private_store(judged: (Severity, String), store: Option<&str>) -> (Severity, String) {
    match (judged.0, store) {
        (Severity::Warning, Some(store)) => (
            Severity::Info,
            format!(
                "{}, but it only opens service `{store}` of its compose project, which publishes no port; make sure deployments override it",
                judged.1
            ),
        ),
        _ => judged,
    }
}

fn finding(
    src: &Arc<SourceFile>,
    range: (usize, usize),
    name: &str,
    place: String,
    severity: Severity,
    why: String,
) -> Option<Diagnostic> {
    if is_example_path(&src.path) {
        return None;
    }
    let key_end = range.0;
    let span = src.first_line_span(range.0, range.1.max(key_end + 1));
    let mut d = Diagnostic::new(
        &META,
        src,
        span,
        format!("`{name}` {place} {why}: everyone with read access to the repository, its forks and its CI logs has it"),
        "move the value into a Secret managed outside git (ExternalSecret, SealedSecret, SOPS, your platform's secret store) and reference it; rotate it, since it is already in the history",
        format!("{name}/{place}"),
    )
    .with_severity(severity);
    d.masked.push(range);
    Some(d)
}

fn scalar(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

impl Rule for PlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let start = out.len();
        let ix = &cx.head.k8s;
        let range = |n: &Node| (n.pos.offset, n.pos.offset + n.pos.len.max(1));
        // Container env values.
        for pod in &ix.pods {
            let inst = &ix.instances[pod.inst];
            if !inst.first {
                continue;
            }
            for c in &pod.containers {
                for e in c.node.get("env").map(Node::items).unwrap_or(&[]) {
                    let (Some(name), Some(value)) =
                        (e.get("name").and_then(Node::as_str), e.get("value"))
                    else {
                        continue;
                    };
                    let Some(v) = scalar(value) else { continue };
                    if let Some((sev, why)) = judge(name, &v) {
                        out.extend(finding(
                            &c.src,
                            range(value),
                            name,
                            format!("(env of container `{}` in {})", c.name, who(inst)),
                            sev,
                            why,
                        ));
                    }
                }
            }
        }
        // ConfigMap data.
        for inst in ix
            .instances
            .iter()
            .filter(|i| i.first && i.is_core("ConfigMap"))
        {
            let obj = ix.object(&cx.head.manifests, inst);
            for (k, v) in obj.node.get("data").map(Node::entries).unwrap_or(&[]) {
                let Some(val) = scalar(v) else { continue };
                if let Some((sev, why)) = judge(&k.text, &val) {
                    out.extend(finding(
                        &ix.files[inst.file],
                        range(v),
                        &k.text,
                        format!("(in {})", who(inst)),
                        sev,
                        why,
                    ));
                }
            }
        }
        let stores = PrivateStores::new(&cx.head.compose, &cx.head.env_files);
        // Compose environment (developer and test stacks hold dummies by design).
        for f in
            cx.head.compose.iter().filter(|f| {
                !is_dummy(&f.source.path) && !declared_not_for_production(&f.source.text)
            })
        {
            for (sk, svc) in compose::services(&f.doc) {
                let Some(env) = svc.get("environment") else {
                    continue;
                };
                let place = format!("(environment of service `{}`)", sk.text);
                let folder = dir(&f.source.path);
                let judge = |name: &str, val: &str| {
                    judge(name, val).map(|j| private_store(j, stores.opened_by(folder, val)))
                };
                for (k, v) in env.entries() {
                    if let Some(val) = scalar(v)
                        && let Some((sev, why)) = judge(&k.text, &val)
                    {
                        out.extend(finding(
                            &f.source,
                            range(v),
                            &k.text,
                            place.clone(),
                            sev,
                            why,
                        ));
                    }
                }
                for item in env.items() {
                    let Some(s) = item.as_str() else { continue };
                    let Some((name, val)) = s.split_once('=') else {
                        continue;
                    };
                    if let Some((sev, why)) = judge(name.trim(), val) {
                        out.extend(finding(
                            &f.source,
                            range(item),
                            name.trim(),
                            place.clone(),
                            sev,
                            why,
                        ));
                    }
                }
            }
        }
        // Committed env files (templates and dev/test files hold dummies by design; SOPS
        // files are encrypted).
        for e in &cx.head.env_files {
            let path = &e.source.path;
            if is_dummy(path)
                || declared_not_for_production(&e.source.text)
                || e.env.vars.iter().any(|v| v.key.starts_with("sops_"))
            {
                continue;
            }
            for v in &e.env.vars {
                let text = e
                    .source
                    .text
                    .get(v.value_range.0..v.value_range.1)
                    .unwrap_or("");
                let judged = judge(&v.key, text)
                    .map(|j| private_store(j, stores.opened_through_env_file(path, text)));
                if let Some((sev, why)) = judged {
                    out.extend(finding(
                        &e.source,
                        (v.key_range.0, v.value_range.1),
                        &v.key,
                        format!("(in `{path}`)"),
                        sev,
                        why,
                    ));
                }
            }
        }
        cx.standing_practice(&mut out[start..]);
    }
}
