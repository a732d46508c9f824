//! GitLab Code Quality report (a JSON array). Identical fingerprints collapse in GitLab,
//! so rollsafe's occurrence-counted fingerprints are used as they are.

use serde_json::json;

use crate::diagnostic::Outcome;
use crate::diagnostic::Severity;

pub fn render(outcome: &Outcome) -> String {
    let issues: Vec<serde_json::Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "description": format!("{} {}", d.code, d.message),
                "check_name": format!("{} {}", d.code, d.name),
                "fingerprint": d.fingerprint,
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                "location": {
                    "path": d.location.path,
                    "lines": {"begin": d.location.line, "end": d.location.end_line},
                },
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}
