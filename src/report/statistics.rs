//! `--statistics`: how many findings each rule reported, most frequent first (as ruff's
//! `--statistics`), as a table or, for `--format json`, as JSON.

use std::collections::BTreeMap;

use super::Format;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Outcome;

#[derive(serde::Serialize)]
struct Row {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    count: usize,
}

fn rows(diags: &[Diagnostic]) -> Vec<Row> {
    let mut by_code: BTreeMap<&str, Row> = BTreeMap::new();
    for d in diags {
        by_code
            .entry(d.code)
            .or_insert(Row {
                code: d.code,
                name: d.name,
                // A rule's findings can differ in severity (down parts are demoted): the
                // most severe is shown.
                severity: d.severity.as_str(),
                count: 0,
            })
            .count += 1;
    }
    for d in diags {
        let row = by_code.get_mut(d.code).expect("counted above");
        if crate::diagnostic::Severity::parse(row.severity).is_some_and(|s| s < d.severity) {
            row.severity = d.severity.as_str();
        }
    }
    let mut v: Vec<Row> = by_code.into_values().collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    v
}

pub fn render(format: Format, outcome: &Outcome) -> String {
    let rows = rows(&outcome.diagnostics);
    if format == Format::Json {
        let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
        s.push('\n');
        return s;
    }
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            format!(
                "{:>width$}  {:<5} {:<name_width$} {}\n",
                r.count, r.code, r.name, r.severity
            )
        })
        .collect()
}
