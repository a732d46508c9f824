//! rollsafe's own JSON report (schema documented in the README, pinned by a test).

use serde_json::json;

use crate::check::Outcome;

pub fn value(outcome: &Outcome) -> serde_json::Value {
    let c = super::counts(&outcome.diagnostics);
    json!({
        "version": 1,
        "tool": {"name": "rollsafe", "version": env!("CARGO_PKG_VERSION")},
        "base": outcome.base,
        "diagnostics": outcome.diagnostics,
        "summary": {
            "files": outcome.files_checked,
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
        }
    })
}

pub fn render(outcome: &Outcome) -> String {
    let mut s = serde_json::to_string_pretty(&value(outcome)).unwrap_or_default();
    s.push('\n');
    s
}
