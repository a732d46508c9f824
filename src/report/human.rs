//! The default report: miette's graphical rendering with source snippets. Sources are
//! looked up through rollsafe's line index (miette's default lookup rescans the file for
//! every label, which is quadratic in findings per file).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::excerpt::{Excerpt, touches_long_line};
use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Location, Masks, Severity};
use crate::source::SourceFile;

/// A source for miette backed by the precomputed line index, optionally with secret
/// values masked.
struct IndexedSource {
    file: Arc<SourceFile>,
    masked: Option<Arc<String>>,
}

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.masked.as_deref().unwrap_or(&self.file.text);
        let f = &self.file;
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
    source: Option<Box<dyn SourceCode + 'a>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
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
        (!self.d.help.is_empty()).then(|| Box::new(&self.d.help) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn masked_text(masks: &Masks, file: &SourceFile) -> String {
    let mut bytes = file.text.clone().into_bytes();
    for (s, e) in masks.iter() {
        for b in bytes.iter_mut().take(e).skip(s) {
            if *b != b'\n' {
                *b = b'*';
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Masked copies of the files, made once per file for the findings that mask only the
/// file's own secret values (most of them): a copy per finding is quadratic.
#[derive(Default)]
struct MaskedFiles(HashMap<String, Arc<String>>);

impl MaskedFiles {
    fn get(&mut self, d: &Diagnostic, file: &SourceFile) -> Option<Arc<String>> {
        if d.masked.is_empty() {
            return None;
        }
        if d.masked.file_only().is_none() {
            return Some(Arc::new(masked_text(&d.masked, file)));
        }
        let text = self
            .0
            .entry(file.path.clone())
            .or_insert_with(|| Arc::new(masked_text(&d.masked, file)));
        Some(text.clone())
    }
}

/// The snippet's source and labels, and the related places it does not draw (other
/// files, the previous release, or outside the excerpt of a very long line).
fn snippet<'a>(
    d: &'a Diagnostic,
    masked: &mut MaskedFiles,
) -> (
    Option<Box<dyn SourceCode + 'a>>,
    Vec<LabeledSpan>,
    Vec<&'a Location>,
) {
    let l = &d.location;
    let here = |r: &&Location| r.path == l.path && !r.in_base;
    let (same, mut elsewhere): (Vec<&Location>, Vec<&Location>) = d.related.iter().partition(here);
    let Some(file) = &d.source else {
        return (None, Vec::new(), elsewhere);
    };
    let primary = Some(d.code.to_string());
    if touches_long_line(file, std::iter::once(l).chain(same.iter().copied())) {
        let ex = Excerpt::new(file, l, &d.masked);
        let (o, n) = ex.primary(l.offset, l.len);
        let mut labels = vec![LabeledSpan::new(primary, o, n)];
        for r in same {
            match ex.place(r.offset, r.len).filter(|_| r.line == l.line) {
                Some((o, n)) => labels.push(LabeledSpan::new(r.message.clone(), o, n)),
                None => elsewhere.push(r),
            }
        }
        return (Some(Box::new(ex)), labels, elsewhere);
    }
    let source = IndexedSource {
        file: file.clone(),
        masked: masked.get(d, file),
    };
    let labels = std::iter::once(LabeledSpan::new(primary, l.offset, l.len.max(1)))
        .chain(
            same.iter()
                .map(|r| LabeledSpan::new(r.message.clone(), r.offset, r.len.max(1))),
        )
        .collect();
    (Some(Box::new(source)), labels, elsewhere)
}

pub fn render(outcome: &Outcome, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let mut masked = MaskedFiles::default();
    for d in &outcome.diagnostics {
        let (source, labels, elsewhere) = snippet(d, &mut masked);
        if source.is_none() {
            out.push_str(&format!(
                "  {}:{}:{}\n",
                d.location.path, d.location.line, d.location.column
            ));
        }
        let report = Report { d, source, labels };
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_ok() {
            out.push_str(&s);
        }
        // Related places not drawn in the snippet are listed under it.
        for r in elsewhere {
            out.push_str(&format!(
                "  = related: {}:{}:{}{}\n",
                r.path,
                r.line,
                r.column,
                r.message
                    .as_ref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
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
