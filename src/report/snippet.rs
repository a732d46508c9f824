//! The text a human snippet shows of a file: secret values and anything that looks like
//! a credential masked with `*`, control characters escaped (`\u{1b}`), the file name
//! escaped. Escaping lengthens the text, so positions of the original file are moved
//! onto the shown one with `offset`.

use std::sync::Arc;

use super::safe::{escaped, is_unsafe, line};
use crate::credentials::text::credential_ranges;
use crate::source::SourceFile;

pub struct Shown {
    /// The shown text, with its own line index.
    pub file: Arc<SourceFile>,
    /// `(p, n)`: from original offset `p` on, the shown text is `n` bytes longer.
    shifts: Vec<(usize, usize)>,
}

impl Shown {
    /// `masked` are the byte ranges the findings of this file hide; credentials found in
    /// the text are hidden too.
    pub fn new(file: &SourceFile, masked: &[(usize, usize)]) -> Shown {
        let text = &file.text;
        let mut ranges = credential_ranges(text);
        ranges.extend_from_slice(masked);
        let ranges = merged(ranges);
        let mut out = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        let mut next = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            while next < ranges.len() && ranges[next].1 <= i {
                next += 1;
            }
            let hidden = ranges.get(next).is_some_and(|(s, _)| *s <= i);
            let crlf = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
            if c == '\n' || crlf {
                out.push(c);
            } else if hidden {
                // One `*` per byte keeps the offsets of the rest of the line.
                out.extend(std::iter::repeat_n('*', c.len_utf8()));
            } else if is_unsafe(c) {
                let e = escaped(c);
                let added = shifts.last().map_or(0, |(_, n)| *n) + e.len() - c.len_utf8();
                out.push_str(&e);
                shifts.push((i + c.len_utf8(), added));
            } else {
                out.push(c);
            }
        }
        Shown {
            file: SourceFile::new(line(&file.path).into_owned(), out),
            shifts,
        }
    }

    /// Where an offset of the original file is in the shown text.
    pub fn offset(&self, original: usize) -> usize {
        let i = self.shifts.partition_point(|(p, _)| *p <= original);
        original + if i == 0 { 0 } else { self.shifts[i - 1].1 }
    }
}

/// Sorted, disjoint ranges covering the same bytes.
fn merged(mut ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_text_is_masked_and_escaped_with_offsets_moved() {
        let f = SourceFile::new(
            "a\nb.yaml",
            "image: \"x\x1b[2J\"\r\npassword: Hunter_22\nnext\n".to_string(),
        );
        let s = Shown::new(&f, &[]);
        assert_eq!(s.file.path, "a\\nb.yaml");
        assert_eq!(
            s.file.text,
            "image: \"x\\u{1b}[2J\"\r\npassword: *********\nnext\n"
        );
        let next = f.text.find("next").unwrap();
        assert_eq!(&s.file.text[s.offset(next)..s.offset(next) + 4], "next");
        assert_eq!(s.offset(3), 3);
    }
}
