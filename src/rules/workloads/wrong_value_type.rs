//! K502: a value of the wrong type for the built-in field that holds it. Kubernetes
//! reads YAML with go-yaml v2 (YAML 1.1) rules: `value: yes` is a boolean, `8080` a number,
//! `"8080"` a string — and an env value, a label or a ConfigMap entry must be a string, a
//! replica count an integer, a port name a valid name. kubectl apply fails on each.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::K502 as META;
use crate::k8s::schema::Finding;
use crate::rules::workloads::{span_at, who};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct WrongValueType;

/// Whether a wrong-typed value may be quoted in the message: never a Secret's, never one
/// under a secret-like name, and of an env `value` only the YAML 1.1 booleans (an env
/// variable's name is not in the path, and it may be a password).
fn shows_value(kind: &str, path: &str, text: &str) -> bool {
    if kind == "Secret" || text.is_empty() || text.contains('\n') {
        return false;
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    let boolean = matches!(
        text.to_ascii_lowercase().as_str(),
        "y" | "yes" | "n" | "no" | "on" | "off" | "true" | "false"
    );
    if last == "value" {
        return boolean;
    }
    !crate::credentials::secret_name(last)
}

fn shown(raw: &str) -> String {
    if raw == "the value" {
        raw.to_string()
    } else {
        format!("`{raw}`")
    }
}

impl Rule for WrongValueType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let ix = &cx.head.k8s;
        let flux = crate::k8s::query::applied_by_flux(ix);
        for ((f, o), found) in ix.schema_findings(&cx.head.manifests) {
            let Some(inst) = ix.instance_of(*f, *o) else {
                continue;
            };
            // kustomize re-writes every object's `metadata.annotations` as strings when it
            // strips its build annotations (`RemoveBuildAnnotations` → kyaml
            // `setMapInMetadata` → `NewStringRNode`), so `exclude: true` there reaches the
            // API server as "true". Pod template annotations and labels are not re-written.
            let kustomized = crate::k8s::query::built_by_kustomize(ix, inst, flux);
            let src = &cx.head.manifests[*f].source;
            for finding in found.iter().cloned() {
                let (pos, path, message, help) = match finding {
                    Finding::WrongType {
                        pos,
                        path,
                        expected,
                        got,
                    } => {
                        if kustomized && path.starts_with("metadata.annotations.") {
                            continue;
                        }
                        let text = src
                            .text
                            .get(pos.offset..pos.offset + pos.len)
                            .unwrap_or("")
                            .trim();
                        // A Secret's values are never shown.
                        let raw = if shows_value(&inst.kind, &path, text) {
                            text
                        } else {
                            "the value"
                        };
                        let quoted = raw.starts_with(['"', '\'']);
                        let message = if expected == "a string" && !quoted {
                            format!(
                                "`{path}` in {} must be a string, but {} is read as {got} under the YAML 1.1 rules kubectl uses: apply fails",
                                who(inst),
                                shown(raw)
                            )
                        } else {
                            format!(
                                "`{path}` in {} must be {expected}, but {} is {got}: apply fails",
                                who(inst),
                                shown(raw)
                            )
                        };
                        let help = if expected == "a string" && raw == "the value" {
                            "quote the value".to_string()
                        } else if expected == "a string" {
                            format!("quote it: \"{}\"", raw.trim_matches(['"', '\'']))
                        } else if got == "a string" {
                            "remove the quotes".to_string()
                        } else {
                            format!("write {expected}")
                        };
                        (pos, path, message, help)
                    }
                    Finding::BadPortName {
                        pos,
                        path,
                        name,
                        why,
                    } => {
                        let message = if name.parse::<u32>().is_ok() {
                            format!(
                                "`{path}` in {} is the string \"{name}\", which Kubernetes reads as a port name, not a number, and {why}: apply fails",
                                who(inst)
                            )
                        } else {
                            format!(
                                "`{path}` in {} is not a valid port name (\"{name}\"): {why}",
                                who(inst)
                            )
                        };
                        let help = if name.parse::<u32>().is_ok() {
                            format!("write the number without quotes: {name}")
                        } else {
                            "use at most 15 lowercase letters, digits and single hyphens, with at least one letter".to_string()
                        };
                        (pos, path, message, help)
                    }
                    Finding::UnknownField { .. } => continue,
                };
                out.push(Diagnostic::new(
                    &META,
                    src,
                    span_at(src, pos),
                    message,
                    help,
                    format!("{}/{}/{path}", inst.kind, inst.name),
                ));
            }
        }
    }
}
