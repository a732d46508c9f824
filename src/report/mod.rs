//! Output formats, one file each. Each renders the same findings; miette only draws the
//! human one.

pub mod compact;
mod excerpt;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
pub mod rdjson;
pub mod safe;
pub mod sarif;
mod snippet;
pub mod statistics;
mod uri;

use crate::diagnostic::Outcome;
use crate::diagnostic::{Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Compact,
    Json,
    Sarif,
    Github,
    Gitlab,
    Rdjson,
    Markdown,
}

pub fn render(format: Format, outcome: &Outcome, color: bool) -> String {
    // Credentials quoted in messages are masked here, once for every format.
    let outcome = &*safe::masked(outcome);
    match format {
        Format::Human => human::render(outcome, color),
        Format::Compact => compact::render(outcome),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Github => github::render(outcome),
        Format::Gitlab => gitlab::render(outcome),
        Format::Rdjson => rdjson::render(outcome),
        Format::Markdown => markdown::render(outcome),
    }
}

pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
}

pub fn counts(diags: &[Diagnostic]) -> Counts {
    let files: std::collections::BTreeSet<&str> =
        diags.iter().map(|d| d.location.path.as_str()).collect();
    Counts {
        errors: diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        warnings: diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count(),
        infos: diags
            .iter()
            .filter(|d| d.severity == Severity::Info)
            .count(),
        files: files.len(),
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The rule's document, as a link for SARIF and rdjson.
pub fn help_uri(code: &str, name: &str) -> String {
    format!("https://github.com/rollsafe/rollsafe/blob/main/lints/{code}-{name}.md")
}
