//! Hover (the rule's explanation and safe alternative) and code actions (an inline
//! suppression with a reason to write, and the rule's document).

use lsp_types as lsp;

use crate::lints;
use crate::rules;

use super::session::Session;

/// The command that asks the client to open a rule's document in a browser.
pub const OPEN_DOCUMENT: &str = "rollsafe.openRuleDocument";

/// The reason left in a new suppression: the user writes the real one.
pub const REASON_PLACEHOLDER: &str = "TODO: why this is safe";

pub fn hover(s: &Session, p: &lsp::HoverParams) -> Option<lsp::Hover> {
    let at = &p.text_document_position_params;
    let found = s.findings_at(&at.text_document.uri, at.position);
    if found.is_empty() {
        return None;
    }
    let mut md = String::new();
    for d in found {
        if !md.is_empty() {
            md.push_str("\n\n---\n\n");
        }
        md.push_str(&format!(
            "**{} {}** ({}): {}\n\n{}",
            d.code,
            d.name,
            d.severity.as_str(),
            d.message,
            d.help
        ));
        if let Some(doc) = lints::doc(d.code) {
            for heading in ["Why it breaks a release", "Safe alternative"] {
                if let Some(text) = lints::section(doc, heading) {
                    md.push_str(&format!("\n\n### {heading}\n\n{text}"));
                }
            }
        }
        md.push_str(&format!(
            "\n\n[{} documentation]({})",
            d.code,
            crate::report::help_uri(d.code, d.name)
        ));
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: md,
        }),
        range: None,
    })
}

/// The comment that starts a suppression in a file of this name, if the format has
/// comments.
fn comment_mark(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".sql") {
        Some("--")
    } else if lower.ends_with(".json") {
        None
    } else {
        Some("#")
    }
}

pub fn code_actions(s: &Session, p: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
    let uri = &p.text_document.uri;
    let Some(path) = s.path_of(uri) else {
        return Vec::new();
    };
    let text = s
        .docs
        .get(uri)
        .map(|(_, t)| t.clone())
        .or_else(|| s.source(&path).map(|src| src.text.clone()));
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for d in &p.context.diagnostics {
        if d.source.as_deref() != Some("rollsafe") {
            continue;
        }
        let Some(lsp::NumberOrString::String(code)) = &d.code else {
            continue;
        };
        let Some(meta) = rules::find(code) else {
            continue;
        };
        let line = d.range.start.line as usize;
        if let (Some(mark), Some(text)) = (comment_mark(&path), &text)
            && !seen.contains(&(code.clone(), line))
        {
            seen.push((code.clone(), line));
            let current = text.lines().nth(line).unwrap_or("");
            let indent: String = current.chars().take_while(|c| c.is_whitespace()).collect();
            let edit = lsp::TextEdit {
                range: lsp::Range::new(
                    lsp::Position::new(line as u32, 0),
                    lsp::Position::new(line as u32, 0),
                ),
                new_text: format!("{indent}{mark} rollsafe: ignore[{code}] {REASON_PLACEHOLDER}\n"),
            };
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Suppress {code} on this line (write the reason)"),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some([(uri.clone(), vec![edit])].into_iter().collect()),
                    ..Default::default()
                }),
                ..Default::default()
            }));
        }
        let url = crate::report::help_uri(meta.code, meta.name);
        if !out.iter().any(|a| matches!(a, lsp::CodeActionOrCommand::CodeAction(c) if c.command.as_ref().is_some_and(|c| c.arguments == Some(vec![serde_json::json!(url)])))) {
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Open the document of {} ({})", meta.code, meta.name),
                diagnostics: Some(vec![d.clone()]),
                command: Some(lsp::Command {
                    title: format!("Open the document of {}", meta.code),
                    command: OPEN_DOCUMENT.into(),
                    arguments: Some(vec![serde_json::json!(url)]),
                }),
                ..Default::default()
            }));
        }
    }
    out
}
