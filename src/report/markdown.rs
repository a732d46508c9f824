//! A Markdown report for pull-request comments and GitHub step summaries: a one-line
//! verdict, then the findings grouped by file (files with the most severe findings
//! first), each a collapsed `<details>` whose summary is the finding and whose body is
//! the fix, the masked source lines and the related places.
//!
//! Everything taken from files and messages is escaped as HTML (the report is HTML
//! blocks, where Markdown is not parsed), backquoted names become `<code>`, and `@` and
//! `#` get a word joiner so a file's text cannot mention a user or link an issue. The
//! report stays under GitHub's comment limit (65,536 characters): findings past the
//! budget are counted, not shown.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::human::shown_files;
use super::safe::line;
use super::snippet::Shown;
use crate::diagnostic::Outcome;
use crate::diagnostic::{Diagnostic, Severity};

/// Stay under GitHub's 65,536-character comment limit, with room for the closing lines.
const BUDGET: usize = 60_000;
/// Source lines shown per finding.
const MAX_LINES: usize = 5;
/// Characters shown of one source line.
const MAX_LINE_CHARS: usize = 240;

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

/// Text for an HTML block: control characters shown escaped, HTML escaped, mentions and
/// issue references defused.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '@' | '#' => {
                out.push(c);
                out.push('\u{2060}');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text inside `<code>` or `<pre>`: GitHub links nothing there, so only HTML is escaped.
fn code(s: &str) -> String {
    line(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A message with its backquoted names as `<code>`; an unpaired backquote stays text.
fn message(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let paired = parts.len() - (1 - parts.len() % 2);
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 && i < paired {
            out.push_str(&format!("<code>{}</code>", code(p)));
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&text(p));
        }
    }
    out
}

fn counts_text(diags: &[&Diagnostic]) -> String {
    let n = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let mut parts = Vec::new();
    for (s, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
    ] {
        if n(s) > 0 {
            parts.push(super::plural(n(s), word));
        }
    }
    parts.join(", ")
}

/// The source lines of a finding, masked and escaped as in the human report, with line
/// numbers.
fn source_lines(d: &Diagnostic, shown: Option<&Arc<Shown>>) -> Option<String> {
    let f = &shown?.file;
    let l = &d.location;
    if l.line == 0 || l.line > f.line_count() {
        return None;
    }
    let last = l
        .end_line
        .clamp(l.line, f.line_count())
        .min(l.line + MAX_LINES - 1);
    let width = last.to_string().len();
    let mut out = String::new();
    for n in l.line..=last {
        let t = f.line_text(n).trim_end_matches(['\r', '\n']);
        let mut shown_text: String = t.chars().take(MAX_LINE_CHARS).collect();
        if t.chars().count() > MAX_LINE_CHARS {
            shown_text.push('…');
        }
        out.push_str(&format!("{n:>width$} │ {}\n", code(&shown_text)));
    }
    Some(out)
}

fn finding(d: &Diagnostic, shown: Option<&Arc<Shown>>) -> String {
    let l = &d.location;
    let mut s = format!(
        "<details><summary>{} <b>{}</b> {} · line {}, column {}: {}</summary>\n\n",
        icon(d.severity),
        d.code,
        d.name,
        l.line,
        l.column,
        message(&d.message)
    );
    if !d.help.is_empty() {
        s.push_str(&format!("<p><b>Fix:</b> {}</p>\n", message(&d.help)));
    }
    if let Some(src) = source_lines(d, shown) {
        s.push_str(&format!("<pre>{src}</pre>\n"));
    }
    if !d.related.is_empty() {
        s.push_str("<ul>\n");
        for r in &d.related {
            s.push_str(&format!(
                "<li><code>{}:{}:{}</code>{}{}</li>\n",
                code(&r.path),
                r.line,
                r.column,
                if r.in_base { " (previous release)" } else { "" },
                r.message
                    .as_deref()
                    .map(|m| format!(": {}", message(m)))
                    .unwrap_or_default()
            ));
        }
        s.push_str("</ul>\n");
    }
    s.push_str(&format!(
        "<p><a href=\"{}\">{} {}</a></p>\n</details>\n",
        super::help_uri(d.code, d.name),
        d.code,
        d.name
    ));
    s
}

pub fn render(outcome: &Outcome) -> String {
    let diags = &outcome.diagnostics;
    let checked = super::plural(outcome.files_checked, "file");
    let against = outcome
        .base
        .as_deref()
        .map(|b| format!(", compared with <code>{}</code>", code(b)))
        .unwrap_or_default();
    let mut out = String::new();
    if diags.is_empty() {
        out.push_str(&format!(
            "### ✅ rollsafe: no findings ({checked} checked{against})\n"
        ));
    } else {
        let all: Vec<&Diagnostic> = diags.iter().collect();
        let worst = diags
            .iter()
            .map(|d| d.severity)
            .max()
            .unwrap_or(Severity::Info);
        let files: std::collections::BTreeSet<&str> =
            diags.iter().map(|d| d.location.path.as_str()).collect();
        out.push_str(&format!(
            "### {} rollsafe: {} in {}{against} ({checked} checked)\n",
            icon(worst),
            counts_text(&all),
            super::plural(files.len(), "file")
        ));
    }
    for n in &outcome.notes {
        out.push_str(&format!("\n> {}\n", message(n)));
    }
    // Files with errors first, then warnings, then infos; by path within a level.
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        by_file.entry(&d.location.path).or_default().push(d);
    }
    let mut files: Vec<(&str, Vec<&Diagnostic>)> = by_file.into_iter().collect();
    for (_, ds) in &mut files {
        ds.sort_by_key(|d| {
            (
                std::cmp::Reverse(d.severity),
                d.location.line,
                d.location.column,
            )
        });
    }
    files.sort_by_key(|(p, ds)| (std::cmp::Reverse(ds[0].severity), *p));
    let shown = shown_files(outcome);
    let mut left = 0;
    let mut left_files = 0;
    for (path, ds) in &files {
        if out.len() >= BUDGET {
            left += ds.len();
            left_files += 1;
            continue;
        }
        let open = if ds[0].severity == Severity::Error {
            " open"
        } else {
            ""
        };
        out.push_str(&format!(
            "\n<details{open}><summary>{} <b><code>{}</code></b> · {}</summary>\n\n",
            icon(ds[0].severity),
            code(path),
            counts_text(ds)
        ));
        for (i, d) in ds.iter().enumerate() {
            if out.len() >= BUDGET {
                left += ds.len() - i;
                break;
            }
            let file = d.source.as_ref().and_then(|f| shown.get(&Arc::as_ptr(f)));
            out.push_str(&finding(d, file));
        }
        out.push_str("\n</details>\n");
    }
    if left > 0 {
        let more = if left_files > 0 {
            format!(" (in {} more)", super::plural(left_files, "file"))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "\n{} not shown{more}, to stay under GitHub's comment size: the SARIF report and `rollsafe check` list them all.\n",
            super::plural(left, "more finding")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_escaped_and_names_are_code() {
        assert_eq!(
            message("column `a<b>` of <script> @team #12 x`y"),
            "column <code>a&lt;b&gt;</code> of &lt;script&gt; @\u{2060}team #\u{2060}12 x`y"
        );
        assert_eq!(message("new\nline"), "new\\nline");
    }
}
