//! Input problems: what the loader finds wrong with a file while it reads it. Each kind
//! is one E rule (`InputCode`), which turns the problems of its kind into diagnostics.

use std::sync::Arc;

use crate::diagnostic::Severity;
use crate::source::{SourceFile, Span};

/// The kinds of input problem, one per E rule. The codes are written here and nowhere
/// else in the code: the E rules' metadata reads them from this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputCode {
    /// E001: a file that the tool reading it would reject.
    InvalidSyntax,
    /// E002: a SQL statement rollsafe could not read.
    StatementNotChecked,
    /// E003: a file rollsafe did not read.
    FileSkipped,
    /// E004: a key repeated in one mapping.
    DuplicateKey,
    /// E005: a malformed or unused suppression.
    InvalidSuppression,
    /// E006: a `$ref` that resolves to nothing.
    UnresolvedReference,
    /// E007: a `$ref` to a remote document.
    RemoteReference,
}

impl InputCode {
    pub const ALL: [InputCode; 7] = [
        InputCode::InvalidSyntax,
        InputCode::StatementNotChecked,
        InputCode::FileSkipped,
        InputCode::DuplicateKey,
        InputCode::InvalidSuppression,
        InputCode::UnresolvedReference,
        InputCode::RemoteReference,
    ];

    /// The rule code (`E001`).
    pub const fn code(self) -> &'static str {
        match self {
            InputCode::InvalidSyntax => "E001",
            InputCode::StatementNotChecked => "E002",
            InputCode::FileSkipped => "E003",
            InputCode::DuplicateKey => "E004",
            InputCode::InvalidSuppression => "E005",
            InputCode::UnresolvedReference => "E006",
            InputCode::RemoteReference => "E007",
        }
    }
}

/// An input problem found while loading; the E rules turn them into diagnostics.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: InputCode,
    pub path: String,
    pub source: Option<Arc<SourceFile>>,
    pub span: Option<Span>,
    pub message: String,
    pub help: String,
    /// Set when this problem matters more or less than its rule's default (a file that
    /// could not be read is a warning; a binary file an info).
    pub severity: Option<Severity>,
}

impl Problem {
    /// A problem at a byte range of a file.
    pub fn at(
        code: InputCode,
        src: &Arc<SourceFile>,
        start: usize,
        end: usize,
        message: String,
        help: &str,
    ) -> Problem {
        Problem {
            code,
            path: src.path.clone(),
            source: Some(src.clone()),
            span: Some(src.span(start, end)),
            message,
            help: help.to_string(),
            severity: None,
        }
    }

    /// A problem about a whole file, with no source to show (a file that was not read).
    pub fn file(code: InputCode, path: &str, message: String) -> Problem {
        Problem {
            code,
            path: path.to_string(),
            source: None,
            span: None,
            message,
            help: String::new(),
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InputCode;
    use crate::diagnostic::{Domain, catalogue::CATALOGUE};

    /// The input codes and the E rules' documents name the same rules.
    #[test]
    fn every_input_code_is_an_input_rule_and_back() {
        for c in InputCode::ALL {
            let m = CATALOGUE.iter().find(|m| m.code == c.code());
            assert!(
                m.is_some_and(|m| m.domain == Domain::Input),
                "{c:?}: {} is no input rule",
                c.code()
            );
        }
        for m in CATALOGUE.iter().filter(|m| m.domain == Domain::Input) {
            assert!(
                InputCode::ALL.iter().any(|c| c.code() == m.code),
                "{} has no InputCode",
                m.code
            );
        }
    }
}
