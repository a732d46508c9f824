//! A description changed everywhere at once. When one release makes more schema-level
//! breaking changes (A201, A301, A401) to one description file than `[api]
//! broad-change` allows, the file was almost always regenerated or corrected wholesale
//! — Dokploy 0.29.14's `openapi.json` regenerated from a newer router (80 changes, the
//! server unchanged), Slack's October 2020 spec "clarifications as we harden our
//! internal schema" (63) — and a wall of annotations hides the one decision the reviewer
//! has to make: did the server change? One finding keeps its level and says so; the
//! others become information beside it. Endpoint removals (A101) and lock-outs (A900)
//! are never folded in: they are explicit, and on the judged pairs they were true.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Severity};

/// The schema-level rules, whose findings a regeneration multiplies.
const SCHEMA_RULES: &[&str] = &["A201", "A301", "A401"];

/// Summarises each description file with more than `limit` schema-level breaking
/// findings (0: never).
pub fn summarise(diags: &mut [Diagnostic], limit: usize) {
    if limit == 0 {
        return;
    }
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in diags.iter().enumerate() {
        if SCHEMA_RULES.contains(&d.code) && d.severity > Severity::Info {
            by_file.entry(d.location.path.clone()).or_default().push(i);
        }
    }
    for (file, mut found) in by_file.into_iter().filter(|(_, f)| f.len() > limit) {
        let n = found.len();
        // The most severe first, then the first in the file.
        found.sort_by_key(|&i| {
            let d = &diags[i];
            (
                std::cmp::Reverse(d.severity),
                d.location.line,
                d.location.column,
            )
        });
        let kept = found[0];
        let line = diags[kept].location.line;
        super::before_id(
            &mut diags[kept].message,
            &format!(
                "; one of {n} breaking changes this release makes to `{file}`, the other {} listed as information: a change this broad is most often a regenerated or corrected description, so check that the server changed before treating each as a break",
                n - 1
            ),
        );
        for &i in &found[1..] {
            let d = &mut diags[i];
            d.severity = Severity::Info;
            super::before_id(
                &mut d.message,
                &format!(
                    " (information: one of {n} breaking changes to this description, summarised at line {line})"
                ),
            );
        }
    }
}
