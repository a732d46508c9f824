//! The default report: miette's graphical rendering with source snippets. Sources are
//! looked up through rollsafe's line index (miette's default lookup rescans the file for
//! every label, which is quadratic in findings per file). What it shows of files and
//! messages is masked and escaped (`snippet`, `safe`): no secret, no raw control
//! character, no file name that breaks the line.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::excerpt::{Excerpt, touches_long_line};
use super::safe::line;
use super::snippet::Shown;
use crate::diagnostic::Outcome;
use crate::diagnostic::{Diagnostic, Location, Masks, Severity};
use crate::source::SourceFile;

/// A source for miette backed by the precomputed line index of the shown text (masked
/// and escaped, see `snippet`).
struct IndexedSource {
    shown: Arc<Shown>,
}

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let f = &self.shown.file;
        let text = &f.text;
        let start = f.pos(span.offset());
        let end = f.pos(span.offset() + span.len());
        let first = start.line.saturating_sub(before).max(1);
        let last = (end.line + after).min(f.line_count());
        let (s, _) = f.line_range(first);
        let e = if last < f.line_count() {
            f.line_range(last + 1).0
        } else {
            text.len()
        };
        let data = &text.as_bytes()[s..e];
        Ok(Box::new(MietteSpanContents::new_named(
            f.path.clone(),
            data,
            SourceSpan::new(s.into(), e - s),
            first - 1,
            0,
            last - first + 1,
        )))
    }
}

struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<Box<dyn SourceCode>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&line(&self.d.message))
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&line(&self.d.message))
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{} {}", self.d.code, self.d.name)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (!self.d.help.is_empty())
            .then(|| Box::new(line(&self.d.help).into_owned()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// The snippet's source and labels, and the related places it does not draw (other
/// files, the previous release, or outside the window of a very long line). Positions
/// of the file are moved onto the shown (masked and escaped) text.
fn snippet<'a>(
    d: &'a Diagnostic,
    shown: Option<&Arc<Shown>>,
) -> (
    Option<Box<dyn SourceCode>>,
    Vec<LabeledSpan>,
    Vec<&'a Location>,
) {
    let l = &d.location;
    let here = |r: &&Location| r.path == l.path && !r.in_base;
    let (same, mut elsewhere): (Vec<&Location>, Vec<&Location>) = d.related.iter().partition(here);
    let (Some(file), Some(shown)) = (&d.source, shown) else {
        return (None, Vec::new(), elsewhere);
    };
    let span = |offset: usize, len: usize| {
        let s = shown.offset(offset);
        (s, (shown.offset(offset + len) - s).max(1))
    };
    let primary = Some(d.code.to_string());
    let message = |r: &Location| r.message.as_deref().map(|m| line(m).into_owned());
    // miette cannot draw past column 65,535: a finding on a very long line is shown in
    // a window of that line.
    if touches_long_line(file, std::iter::once(l).chain(same.iter().copied())) {
        let (o, n) = span(l.offset, l.len);
        let at = Location {
            offset: o,
            len: n,
            ..l.clone()
        };
        let ex = Excerpt::new(&shown.file, &at, &Masks::default());
        let (o, n) = ex.primary(o, n);
        let mut labels = vec![LabeledSpan::new(primary, o, n)];
        for r in same {
            let (ro, rn) = span(r.offset, r.len);
            match ex.place(ro, rn).filter(|_| r.line == l.line) {
                Some((o, n)) => labels.push(LabeledSpan::new(message(r), o, n)),
                None => elsewhere.push(r),
            }
        }
        return (Some(Box::new(ex)), labels, elsewhere);
    }
    let (o, n) = span(l.offset, l.len);
    let labels = std::iter::once(LabeledSpan::new(primary, o, n))
        .chain(same.iter().map(|r| {
            let (o, n) = span(r.offset, r.len);
            LabeledSpan::new(message(r), o, n)
        }))
        .collect();
    (
        Some(Box::new(IndexedSource {
            shown: shown.clone(),
        })),
        labels,
        elsewhere,
    )
}

type Ranges = Vec<(usize, usize)>;

/// The shown text of every file with findings, built once per file: masked with what
/// every finding of the file hides (all of it is secret, whichever finding said so).
pub(super) fn shown_files(outcome: &Outcome) -> HashMap<*const SourceFile, Arc<Shown>> {
    // Per file: its text, the ranges to mask, and the shared range lists already added
    // (10,000 findings of one env file share one list of 20,000 ranges: adding it per
    // finding took gigabytes).
    type Shared = *const [(usize, usize)];
    let mut masks: HashMap<*const SourceFile, (&SourceFile, Ranges, Vec<Shared>)> = HashMap::new();
    for d in &outcome.diagnostics {
        if let Some(f) = &d.source {
            let entry = masks
                .entry(Arc::as_ptr(f))
                .or_insert_with(|| (f.as_ref(), Vec::new(), Vec::new()));
            entry.1.extend_from_slice(d.masked.own());
            if let Some(shared) = d.masked.shared()
                && !entry.2.contains(&Arc::as_ptr(shared))
            {
                entry.2.push(Arc::as_ptr(shared));
                entry.1.extend_from_slice(shared);
            }
        }
    }
    masks
        .into_iter()
        .map(|(k, (f, m, _))| (k, Arc::new(Shown::new(f, &m))))
        .collect()
}

pub fn render(outcome: &Outcome, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let shown = shown_files(outcome);
    for d in &outcome.diagnostics {
        let (source, labels, elsewhere) = snippet(
            d,
            d.source.as_ref().and_then(|f| shown.get(&Arc::as_ptr(f))),
        );
        let report = Report { d, source, labels };
        // Related places not drawn in the snippet are listed under it.
        let elsewhere: Vec<String> = elsewhere
            .iter()
            .map(|r| {
                format!(
                    "  = related: {}:{}:{}{}\n",
                    line(&r.path),
                    r.line,
                    r.column,
                    r.message
                        .as_ref()
                        .map(|m| format!(": {}", line(m)))
                        .unwrap_or_default()
                )
            })
            .collect();
        if report.source.is_none() {
            out.push_str(&format!(
                "  {}:{}:{}\n",
                line(&d.location.path),
                d.location.line,
                d.location.column
            ));
        }
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_ok() {
            out.push_str(&s);
        }
        for line in elsewhere {
            out.push_str(&line);
        }
        out.push('\n');
    }
    let c = super::counts(&outcome.diagnostics);
    if !outcome.diagnostics.is_empty() && outcome.base.is_none() {
        out.push_str(&format!("By rule: {}.\n", by_rule(&outcome.diagnostics)));
    }
    for n in &outcome.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    if outcome.diagnostics.is_empty() {
        out.push_str(&format!(
            "No findings ({} checked).\n",
            super::plural(outcome.files_checked, "file")
        ));
    } else {
        let mut parts = vec![
            super::plural(c.errors, "error"),
            super::plural(c.warnings, "warning"),
        ];
        if c.infos > 0 {
            parts.push(super::plural(c.infos, "info"));
        }
        out.push_str(&format!(
            "{} in {} ({} checked).\n",
            parts.join(", "),
            super::plural(c.files, "file"),
            super::plural(outcome.files_checked, "file")
        ));
    }
    out
}

/// `M201 ×3, S101 ×1`: most frequent first, so a first run shows where the work is.
fn by_rule(diags: &[crate::diagnostic::Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in diags {
        *counts.entry(d.code).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(c, n)| format!("{c} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
