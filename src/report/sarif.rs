//! SARIF 2.1.0 as GitHub code scanning accepts it: `results` always present, every rule
//! described, relative percent-encoded URIs against an absolute `file:` root, partial
//! fingerprints, nothing else on stdout.

use serde_json::{Value, json};

use super::uri::{encode_path, root_uri};
use crate::diagnostic::Outcome;
use crate::diagnostic::{Location, Severity};
use crate::diagnostic::{RuleMeta, catalogue};
use crate::lints;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(l: &Location) -> Value {
    let mut v = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": encode_path(&l.path), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": l.line,
                "startColumn": l.column,
                "endLine": l.end_line,
                "endColumn": l.end_column,
            }
        }
    });
    if let Some(m) = &l.message {
        v["message"] = json!({"text": m});
    }
    v
}

pub fn render(outcome: &Outcome) -> String {
    let all: &[&RuleMeta] = catalogue::CATALOGUE;
    let rule_defs: Vec<Value> = all
        .iter()
        .map(|m| {
            let doc = lints::doc(m.code).unwrap_or("");
            let mut def = json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": lints::section(doc, "What it flags").unwrap_or(m.summary)},
                "help": {
                    "text": lints::section(doc, "Safe alternative").unwrap_or(m.summary),
                    "markdown": lints::body(doc),
                },
                "helpUri": super::help_uri(m.code, m.name),
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {"tags": [m.domain.as_str()]},
            });
            // The default level is what `--fail-on` users see most; the levels a
            // finding of the rule may carry when they vary.
            if m.varies() {
                def["properties"]["rollsafe/levels"] =
                    json!(m.severities.iter().map(|s| level(*s)).collect::<Vec<_>>());
            }
            def
        })
        .collect();
    let results: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let index = all.iter().position(|m| m.code == d.code).unwrap_or(0);
            let mut r = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": format!("{} Help: {}", d.message, d.help)},
                "locations": [location(&d.location)],
                "partialFingerprints": {"rollsafe/v1": d.fingerprint},
            });
            if !d.related.is_empty() {
                r["relatedLocations"] = Value::Array(
                    d.related
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let mut v = location(l);
                            v["id"] = json!(i);
                            v
                        })
                        .collect(),
                );
            }
            r
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "rollsafe",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/rollsafe/rollsafe",
            "rules": rule_defs,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    // The base must be an absolute URI; when the root cannot be written as one, the
    // consumer resolves `%SRCROOT%` itself (GitHub uses the checkout).
    if let Some(root) = root_uri(&outcome.root) {
        run["originalUriBaseIds"] = json!({"%SRCROOT%": {"uri": root}});
    }
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run]
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
