//! A source file with a precomputed line index, so every position lookup is a binary search.
//! One `Arc<SourceFile>` is shared by the parser, the rules and the reports.

use std::sync::Arc;

#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the project root, `/`-separated.
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line/column position plus the byte offset it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    /// 1-based column counted in characters.
    pub column: usize,
    pub offset: usize,
}

/// A half-open byte range in one file, with both ends resolved to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    /// Exclusive end.
    pub end: Pos,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: String) -> Arc<SourceFile> {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        Arc::new(SourceFile {
            path: path.into(),
            text,
            line_starts,
        })
    }

    /// The same text under another name (a monorepo report names files from the
    /// repository's top, not from their project's root).
    pub fn renamed(&self, path: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: path.into(),
            text: self.text.clone(),
            line_starts: self.line_starts.clone(),
        })
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of a 1-based line, without its line terminator.
    pub fn line_range(&self, line: usize) -> (usize, usize) {
        let idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let start = self.line_starts[idx];
        let mut end = self
            .line_starts
            .get(idx + 1)
            .map(|n| n - 1)
            .unwrap_or(self.text.len());
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end.max(start))
    }

    pub fn line_text(&self, line: usize) -> &str {
        let (s, e) = self.line_range(line);
        &self.text[s..e]
    }

    /// Position of a byte offset (clamped to the file, snapped back to a char boundary).
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx];
        let column = self.text[start..offset].chars().count() + 1;
        Pos {
            line: idx + 1,
            column,
            offset,
        }
    }

    /// Byte offset of a 1-based line and 1-based character column (clamped to the line).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        if line == 0 || line > self.line_starts.len() {
            return self.text.len();
        }
        let start = self.line_starts[line - 1];
        let (_, end) = self.line_range(line);
        let line_text = &self.text[start..end];
        match line_text.char_indices().nth(column.saturating_sub(1)) {
            Some((i, _)) => start + i,
            None => end,
        }
    }

    pub fn span(&self, start: usize, end: usize) -> Span {
        let end = end.max(start);
        Span {
            start: self.pos(start),
            end: self.pos(end),
        }
    }

    /// Span from `start` to the end of its line, but not past `end`: how a multi-line
    /// statement is pointed at when only its start matters.
    pub fn first_line_span(&self, start: usize, end: usize) -> Span {
        let line_end = self.text[start.min(self.text.len())..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(self.text.len());
        self.span(start, line_end.min(end))
    }

    /// Span covering a whole 1-based line.
    pub fn line_span(&self, line: usize) -> Span {
        let (s, e) = self.line_range(line);
        self.span(s, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_char_columns() {
        let f = SourceFile::new("a.sql", "ab\r\nhé x\nlast".to_string());
        assert_eq!(
            f.pos(0),
            Pos {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        let x = f.text.find('x').unwrap();
        assert_eq!(
            f.pos(x),
            Pos {
                line: 2,
                column: 4,
                offset: x
            }
        );
        assert_eq!(f.offset_of(2, 4), x);
        assert_eq!(f.line_text(1), "ab");
        assert_eq!(f.line_text(3), "last");
        assert_eq!(f.pos(999).line, 3);
    }
}
