//! Baselines: the fingerprints of findings a team has accepted, so rollsafe can be adopted
//! on an old repository and fail only on new findings.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub fingerprints: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    /// For people reading the file; only the fingerprint is matched.
    pub code: String,
    pub path: String,
}

pub fn write(path: &Path, diags: &[Diagnostic]) -> Result<(), String> {
    let mut entries: Vec<Entry> = diags
        .iter()
        .map(|d| Entry {
            fingerprint: d.fingerprint.clone(),
            code: d.code.to_string(),
            path: d.location.path.clone(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.code, &a.fingerprint).cmp(&(&b.path, &b.code, &b.fingerprint))
    });
    let b = Baseline {
        version: 1,
        fingerprints: entries,
    };
    let text = serde_json::to_string_pretty(&b).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

pub fn read(path: &Path) -> Result<BTreeSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a rollsafe baseline: {e}", path.display()))?;
    Ok(b.fingerprints.into_iter().map(|e| e.fingerprint).collect())
}
