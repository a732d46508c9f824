//! rollsafe's own JSON report (schema documented in the README, pinned by a test).

use crate::diagnostic::Outcome;

#[derive(serde::Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    base: &'a Option<String>,
    diagnostics: &'a [crate::diagnostic::Diagnostic],
    summary: Summary,
}

#[derive(serde::Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(serde::Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

/// Serialises straight from the diagnostics (no intermediate JSON tree); keys in the
/// documented order.
pub fn render(outcome: &Outcome) -> String {
    let c = super::counts(&outcome.diagnostics);
    let r = Report {
        version: 1,
        tool: Tool {
            name: "rollsafe",
            version: env!("CARGO_PKG_VERSION"),
        },
        base: &outcome.base,
        diagnostics: &outcome.diagnostics,
        summary: Summary {
            files: outcome.files_checked,
            errors: c.errors,
            warnings: c.warnings,
            infos: c.infos,
        },
    };
    let mut s = serde_json::to_string_pretty(&r).unwrap_or_default();
    s.push('\n');
    s
}
