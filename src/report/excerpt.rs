//! A one-line excerpt of a very long line, for the human report. miette cannot draw a
//! label past column 65,535 (its padding width overflows and it panics), and a whole
//! minified file or one-line SQL dump is no snippet anyway: a finding on such a line is
//! shown in a window of the line around it.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::diagnostic::{Location, Masks};
use crate::source::SourceFile;

/// Lines longer than this (in bytes) are cut to a window around the finding.
pub const LONG_LINE: usize = 4096;
/// Bytes of the line kept before and after the finding.
const AROUND: usize = 80;
/// At most this much of the finding itself is drawn.
const SHOWN: usize = 160;
const ELLIPSIS: &str = "…";

/// Whether any of these places (or the context line drawn on each side) is on a long line.
pub fn touches_long_line<'a>(
    file: &SourceFile,
    mut places: impl Iterator<Item = &'a Location>,
) -> bool {
    places.any(|l| {
        let first = l.line.saturating_sub(1).max(1);
        let last = (l.end_line.max(l.line) + 1).min(file.line_count());
        (first..=last).any(|n| {
            let (s, e) = file.line_range(n);
            e - s > LONG_LINE
        })
    })
}

/// The window of `at`'s line around it, secret values masked, as miette's source.
pub struct Excerpt {
    name: String,
    text: String,
    /// 0-based line and column of the finding, for miette's `[path:line:col]` header.
    line: usize,
    column: usize,
    /// The window's file range starts at `cut`, is `shown` bytes long, and starts at
    /// `shift` in `text` (after the ellipsis).
    cut: usize,
    shown: usize,
    shift: usize,
}

impl Excerpt {
    pub fn new(file: &SourceFile, at: &Location, masks: &Masks) -> Excerpt {
        let (ls, le) = file.line_range(at.line);
        let start = at.offset.clamp(ls, le);
        let end = (at.offset + at.len).clamp(start, le).min(start + SHOWN);
        let cut = floor_char(&file.text, start.saturating_sub(AROUND).max(ls));
        let cut_end = ceil_char(&file.text, (end + AROUND).min(le));
        let mut text = String::new();
        if cut > ls {
            text.push_str(ELLIPSIS);
        }
        let shift = text.len();
        push_masked(&mut text, &file.text, cut, cut_end, masks);
        if cut_end < le {
            text.push_str(ELLIPSIS);
        }
        // A label at the end of the line points at the line break, which must exist.
        text.push('\n');
        Excerpt {
            name: file.path.clone(),
            text,
            line: at.line.saturating_sub(1),
            column: at.column.saturating_sub(1),
            cut,
            shown: cut_end - cut,
            shift,
        }
    }

    /// `(offset, len)` of a file range in the excerpt, when the window shows all of it;
    /// the drawn part of a long finding is cut to the window.
    pub fn place(&self, offset: usize, len: usize) -> Option<(usize, usize)> {
        let rel = offset.checked_sub(self.cut)?;
        if rel > self.shown {
            return None;
        }
        Some((self.shift + rel, len.min(self.shown - rel).max(1)))
    }

    /// The primary finding, cut to the window (it always starts inside it).
    pub fn primary(&self, offset: usize, len: usize) -> (usize, usize) {
        self.place(offset.max(self.cut), len)
            .unwrap_or((self.shift, 1))
    }
}

/// `text[from..to]` with every character inside a masked range replaced by `*`s of the
/// same byte length, so offsets into the excerpt stay exact.
fn push_masked(out: &mut String, text: &str, from: usize, to: usize, masks: &Masks) {
    let hidden: Vec<(usize, usize)> = masks.iter().filter(|(s, e)| *s < to && *e > from).collect();
    for (i, c) in text[from..to].char_indices() {
        let (s, e) = (from + i, from + i + c.len_utf8());
        if hidden.iter().any(|(ms, me)| *ms < e && *me > s) && c != '\n' {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _before: usize,
        _after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // One line: every label is on it, so every read is all of it.
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            self.line,
            self.column,
            1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_far_along_a_line_is_shown_in_a_window_around_it() {
        let text = format!(
            "{}SECRET CREATE INDEX i ON t(a);{}\n",
            "x".repeat(70_000),
            "y".repeat(500)
        );
        let f = SourceFile::new("a.sql", text);
        let at_off = 70_007;
        let loc = Location::new(&f, f.span(at_off, at_off + 12));
        let mut masks = Masks::default();
        masks.push((70_000, 70_006));
        let e = Excerpt::new(&f, &loc, &masks);
        assert!(
            e.text.starts_with('…') && e.text.ends_with("…\n"),
            "{}",
            e.text
        );
        assert!(
            !e.text.contains("SECRET") && e.text.contains("******"),
            "{}",
            e.text
        );
        let (o, l) = e.primary(loc.offset, loc.len);
        assert_eq!(&e.text[o..o + l], "CREATE INDEX");
        assert!(e.text.len() < 2 * (AROUND + SHOWN));
        assert_eq!(e.place(10, 1), None);
    }
}
