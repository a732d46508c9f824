//! reviewdog's rdjson format. Its columns count UTF-8 bytes, so they are recomputed from
//! byte offsets rather than taken from the character columns.

use serde_json::json;

use crate::diagnostic::Outcome;
use crate::diagnostic::{Diagnostic, Severity};

fn byte_column(d: &Diagnostic, line: usize, char_col: usize) -> usize {
    match &d.source {
        Some(src) => {
            let text = src.line_text(line);
            text.char_indices()
                .nth(char_col.saturating_sub(1))
                .map(|(i, _)| i + 1)
                .unwrap_or(text.len() + 1)
        }
        None => char_col,
    }
}

pub fn render(outcome: &Outcome) -> String {
    let diagnostics: Vec<serde_json::Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let l = &d.location;
            json!({
                "message": format!("{} (help: {})", d.message, d.help),
                "location": {
                    "path": l.path,
                    "range": {
                        "start": {"line": l.line, "column": byte_column(d, l.line, l.column)},
                        "end": {"line": l.end_line, "column": byte_column(d, l.end_line, l.end_column)},
                    }
                },
                "severity": match d.severity {
                    Severity::Error => "ERROR",
                    Severity::Warning => "WARNING",
                    Severity::Info => "INFO",
                },
                "code": {"value": d.code, "url": super::help_uri(d.code, d.name)},
            })
        })
        .collect();
    let v = json!({
        "source": {"name": "rollsafe", "url": "https://github.com/rollsafe/rollsafe"},
        "severity": "ERROR",
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
