//! What every rule declares about itself: its code, name, domain and default severity.
//! It lives beside `Diagnostic` (which copies the code, name and severity from it), as
//! ruff keeps its violation metadata in its diagnostics crate. The values are written
//! once, in the front matter of the rule's document (`lints/<CODE>-<name>.md`), and
//! `build.rs` generates one `RuleMeta` static per rule from them (`catalogue`).

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
    /// The default severity.
    pub severity: Severity,
    /// Every severity a finding of the rule may carry, most severe first, when they vary
    /// per finding (`severities:` in the front matter); the default alone otherwise. The
    /// M2xx ranges include their rollback parts, one level lower unless `[migrations]
    /// demote-down-parts = false`; `[rules] severity` overrides come on top.
    pub severities: &'static [Severity],
    pub summary: &'static str,
    /// The rule compares the head with the base release and only runs when one is given.
    pub needs_base: bool,
}

impl RuleMeta {
    /// Whether the rule's findings may carry another severity than the default.
    pub fn varies(&self) -> bool {
        self.severities.len() > 1
    }

    /// The default severity, and the others its findings may carry: `error (or
    /// warning)`, `warning (or error, info)`.
    pub fn severity_range(&self) -> String {
        let others: Vec<&str> = self
            .severities
            .iter()
            .filter(|s| **s != self.severity)
            .map(|s| s.as_str())
            .collect();
        if others.is_empty() {
            self.severity.as_str().to_string()
        } else {
            format!("{} (or {})", self.severity.as_str(), others.join(", "))
        }
    }
}

/// Every rule's metadata, generated from the front matter of `lints/*.md`: one
/// `pub static <CODE>: RuleMeta` per rule, which the rule's file imports as its `META`.
pub mod catalogue {
    use super::{Domain, RuleMeta};
    use crate::diagnostic::Severity;

    include!(concat!(env!("OUT_DIR"), "/rule_meta.rs"));

    /// A rule's metadata by code (`M101`) or name (`drop-column`), case-insensitively.
    pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
        CATALOGUE.iter().copied().find(|m| {
            m.code.eq_ignore_ascii_case(code_or_name) || m.name.eq_ignore_ascii_case(code_or_name)
        })
    }
}
