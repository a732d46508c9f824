//! The result of one check run, which every report renders.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub files_checked: usize,
    pub base: Option<String>,
    pub root: PathBuf,
    /// One-line remarks for people about what was not judged and how to change that.
    pub notes: Vec<String>,
}
