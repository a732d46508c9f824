//! What every rule declares about itself: its code, name, domain and default severity.
//! It lives beside `Diagnostic` (which copies the code, name and severity from it), as
//! ruff keeps its violation metadata in its diagnostics crate.

use serde::Serialize;

use crate::diagnostic::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Migrations,
    Workloads,
    Secrets,
    Traffic,
    Api,
    Input,
}

impl Domain {
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Migrations => "migrations",
            Domain::Workloads => "workloads",
            Domain::Secrets => "secrets",
            Domain::Traffic => "traffic",
            Domain::Api => "api",
            Domain::Input => "input",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub domain: Domain,
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule compares the head with the base release and only runs when one is given.
    pub needs_base: bool,
}
