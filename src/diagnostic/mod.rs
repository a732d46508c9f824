//! The one diagnostic type every rule produces and every report reads.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::source::{SourceFile, Span};

mod outcome;
pub mod problem;
mod rule_meta;

pub use outcome::Outcome;
pub use problem::{InputCode, Problem};
pub use rule_meta::{Domain, RuleMeta, catalogue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A place in a file as users see it: 1-based lines and columns, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Optional label shown next to the span (related locations use it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Byte range, used by the human report; not part of the JSON schema.
    #[serde(skip)]
    pub offset: usize,
    #[serde(skip)]
    pub len: usize,
    /// A place in the previous release: same path, other text. Never drawn on the
    /// current file's snippet.
    #[serde(skip)]
    pub in_base: bool,
}

impl Location {
    pub fn new(file: &SourceFile, span: Span) -> Location {
        Location {
            path: file.path.clone(),
            line: span.start.line,
            column: span.start.column,
            end_line: span.end.line,
            end_column: span.end.column,
            message: None,
            offset: span.start.offset,
            len: span.end.offset.saturating_sub(span.start.offset),
            in_base: false,
        }
    }

    /// A location for a whole file (used when nothing more precise exists).
    pub fn file_start(path: &str) -> Location {
        Location {
            path: path.to_string(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            message: None,
            offset: 0,
            len: 0,
            in_base: false,
        }
    }

    /// Marks a place in the previous release's version of a file.
    pub fn in_base(mut self) -> Location {
        self.in_base = true;
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Location {
        self.message = Some(message.into());
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    #[serde(flatten)]
    pub location: Location,
    pub related: Vec<Location>,
    pub fingerprint: String,
    /// Semantic anchor the fingerprint is made from; never printed.
    #[serde(skip)]
    pub anchor: String,
    /// Byte ranges whose text must never be shown (secret values).
    #[serde(skip)]
    pub masked: Masks,
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
}

impl Diagnostic {
    pub fn new(
        rule: &RuleMeta,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
        anchor: impl Into<String>,
    ) -> Diagnostic {
        let mut d = Diagnostic::at(rule, Location::new(file, span), message, help);
        d.anchor = anchor.into();
        d.source = Some(file.clone());
        d
    }

    /// A diagnostic about a file we could not read as text (no source to show).
    pub fn at_path(
        rule: &RuleMeta,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::at(rule, Location::file_start(path), message, help)
    }

    fn at(
        rule: &RuleMeta,
        location: Location,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            message: message.into(),
            help: help.into(),
            location,
            related: Vec::new(),
            fingerprint: String::new(),
            anchor: String::new(),
            masked: Masks::default(),
            source: None,
        }
    }

    pub fn with_related(mut self, loc: Location) -> Diagnostic {
        self.related.push(loc);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
}

/// Byte ranges of a file whose text must never be shown: the finding's own, and the
/// file's secret values. The file's ranges are shared by every finding in the file, not
/// copied into each: 10,000 findings in a 20,000-line env file would otherwise hold
/// 10,000 copies of 20,000 ranges (3.5 GB).
#[derive(Debug, Clone, Default)]
pub struct Masks {
    own: Vec<(usize, usize)>,
    file: Option<Arc<[(usize, usize)]>>,
}

impl Masks {
    pub fn push(&mut self, range: (usize, usize)) {
        self.own.push(range);
    }

    /// The secret ranges of the finding's file.
    pub fn set_file(&mut self, ranges: Arc<[(usize, usize)]>) {
        self.file = Some(ranges);
    }

    pub fn is_empty(&self) -> bool {
        self.own.is_empty() && self.file.as_ref().is_none_or(|f| f.is_empty())
    }

    /// The file's shared ranges when the finding has none of its own: a masked copy of
    /// the file can then be made once and shared by all its findings.
    pub fn file_only(&self) -> Option<&Arc<[(usize, usize)]>> {
        self.own.is_empty().then_some(self.file.as_ref()).flatten()
    }

    /// The finding's own ranges, without its file's shared ones.
    pub fn own(&self) -> &[(usize, usize)] {
        &self.own
    }

    /// The file's shared ranges: a report that masks a file once for all its findings
    /// adds them once.
    pub fn shared(&self) -> Option<&Arc<[(usize, usize)]>> {
        self.file.as_ref()
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.own
            .iter()
            .chain(self.file.iter().flat_map(|f| f.iter()))
            .copied()
    }
}

/// Fills in fingerprints: sha256 of code, path and semantic anchor, plus an occurrence
/// counter so two identical findings in one file stay distinct. Line numbers are not
/// part of it, so unrelated edits do not change it.
pub fn assign_fingerprints(diags: &mut [Diagnostic]) {
    let mut seen: HashMap<(&'static str, String, String), usize> = HashMap::new();
    let mut prints = Vec::with_capacity(diags.len());
    for d in diags.iter() {
        let anchor = if d.anchor.is_empty() {
            &d.message
        } else {
            &d.anchor
        };
        let n = seen
            .entry((d.code, d.location.path.clone(), anchor.clone()))
            .or_insert(0);
        *n += 1;
        let mut h = Sha256::new();
        for part in [d.code, d.location.path.as_str(), anchor.as_str()] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        h.update(n.to_string().as_bytes());
        let digest = h.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(32);
        for b in &digest[..16] {
            hex.push(HEX[usize::from(b >> 4)] as char);
            hex.push(HEX[usize::from(b & 15)] as char);
        }
        prints.push(hex);
    }
    for (d, p) in diags.iter_mut().zip(prints) {
        d.fingerprint = p;
    }
}

/// FNV-1a, 64 bits: a fixed, documented hash for shortening long anchors (statement
/// texts) before they are fingerprinted. Never `std::hash`, whose algorithm may change.
pub fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Sort order for every report: by path, then position, then code.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.location.path, a.location.line, a.location.column, a.code).cmp(&(
            &b.location.path,
            b.location.line,
            b.location.column,
            b.code,
        ))
    });
}

/// Reports a finding repeated in other files once. Findings with the same code whose
/// `group` key is the same (`None`: left alone; the key usually holds the message, or a
/// normalised form of it) are one finding when they lie in
/// different files: the first by `rank` stays, its message gains `suffix(other paths)`,
/// and the others become related locations labelled `label`. Repeats inside the kept
/// finding's own file are separate findings and stay.
pub fn merge_repeats<G: Ord, R: Ord>(
    diags: &mut Vec<Diagnostic>,
    group: impl Fn(&Diagnostic) -> Option<G>,
    rank: impl Fn(&Diagnostic) -> R,
    suffix: impl Fn(&[&str]) -> String,
    label: &str,
) {
    let mut groups: std::collections::BTreeMap<(&'static str, G), Vec<usize>> = Default::default();
    for (i, d) in diags.iter().enumerate() {
        if let Some(g) = group(d) {
            groups.entry((d.code, g)).or_default().push(i);
        }
    }
    let mut drop = vec![false; diags.len()];
    for mut idx in groups.into_values().filter(|g| g.len() > 1) {
        idx.sort_by_key(|&i| rank(&diags[i]));
        let first = idx[0];
        let others: Vec<usize> = idx[1..]
            .iter()
            .copied()
            .filter(|&i| diags[i].location.path != diags[first].location.path)
            .collect();
        if others.is_empty() {
            continue;
        }
        let mut paths: Vec<&str> = others
            .iter()
            .map(|&i| diags[i].location.path.as_str())
            .collect();
        paths.dedup();
        let text = suffix(&paths);
        let kept: Vec<usize> = std::iter::once(first).chain(others).collect();
        merge_into_first(diags, &kept, &mut drop, label, |_| text.clone());
    }
    remove_marked(diags, &drop);
}

/// Keeps the first of findings with the same code, place and words: they say one thing.
pub fn drop_identical(diags: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        seen.insert((
            d.code,
            d.location.path.clone(),
            d.location.offset,
            d.location.len,
            d.message.clone(),
        ))
    });
}

/// Removes the findings marked in `drop` (one flag per finding), keeping the order.
pub fn remove_marked(diags: &mut Vec<Diagnostic>, drop: &[bool]) {
    let mut i = 0;
    diags.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

/// Folds the findings at `idx` into the first: its message gains `note(lines of the
/// others)`, the others become its related locations and are marked in `drop`.
pub fn merge_into_first(
    found: &mut [Diagnostic],
    idx: &[usize],
    drop: &mut [bool],
    related: &str,
    note: impl Fn(&str) -> String,
) {
    let (first, rest) = (idx[0], &idx[1..]);
    let lines: Vec<String> = rest
        .iter()
        .map(|&i| found[i].location.line.to_string())
        .collect();
    let text = note(&lines.join(", "));
    let locations: Vec<_> = rest
        .iter()
        .map(|&i| found[i].location.clone().with_message(related))
        .collect();
    found[first].message.push_str(&text);
    found[first].related.extend(locations);
    for &i in rest {
        drop[i] = true;
    }
}
