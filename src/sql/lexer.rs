//! Tokenizes a SQL file once with sqlparser's tokenizer and attaches byte ranges to every
//! token (the tokenizer gives line and character column; reports and miette need bytes).

use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::tokenizer::{Span as SqlSpan, Token, TokenWithSpan, Tokenizer, Whitespace};

use super::Dialect;

#[derive(Debug, Clone)]
pub struct Tok {
    pub token: Token,
    /// Byte range in the file.
    pub start: usize,
    pub end: usize,
    /// The tokenizer's line/column span, handed back to sqlparser's parser.
    pub span: SqlSpan,
}

impl Tok {
    pub fn with_span(&self) -> TokenWithSpan {
        TokenWithSpan::new(self.token.clone(), self.span)
    }
}

impl Tok {
    pub fn is_trivia(&self) -> bool {
        matches!(self.token, Token::Whitespace(_))
    }

    pub fn comment(&self) -> Option<&str> {
        match &self.token {
            Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) => Some(comment),
            Token::Whitespace(Whitespace::MultiLineComment(c)) => Some(c),
            _ => None,
        }
    }

    /// Upper-cased keyword or unquoted identifier text, if this is a word.
    pub fn word(&self) -> Option<&str> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(&w.value),
            _ => None,
        }
    }

    pub fn is_kw(&self, kw: &str) -> bool {
        self.word().is_some_and(|w| w.eq_ignore_ascii_case(kw))
    }

    /// An identifier's name as the database folds it (quoted kept, unquoted lower-cased).
    pub fn ident(&self) -> Option<String> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
            Token::Word(w) => Some(w.value.to_lowercase()),
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct LexError {
    pub message: String,
    pub offset: usize,
}

pub fn sql_dialect(d: Dialect) -> Box<dyn SqlDialect> {
    match d {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    }
}

const DRIZZLE_BREAKPOINT: &str = "--> statement-breakpoint";

/// Tokenizes `text`, keeping whitespace and comments (annotations live in comments).
pub fn tokenize(text: &str, dialect: Dialect) -> Result<Vec<Tok>, LexError> {
    let d = sql_dialect(dialect);
    let mut cursor = Cursor::new(text);
    // drizzle-kit joins statements with `--> statement-breakpoint` and its migrator splits
    // the file there before the database sees it; MySQL (and sqlparser's MySQL tokenizer)
    // takes `--` as a comment only before a space, so the marker is read as one — the same
    // length, so positions hold.
    let spaced;
    let source = if dialect == Dialect::Mysql && text.contains(DRIZZLE_BREAKPOINT) {
        spaced = text.replace(DRIZZLE_BREAKPOINT, "--  statement-breakpoint");
        spaced.as_str()
    } else {
        text
    };
    let toks = Tokenizer::new(d.as_ref(), source)
        .with_unescape(false)
        .tokenize_with_location()
        .map_err(|e| LexError {
            message: e.message.clone(),
            offset: cursor.offset(e.location.line as usize, e.location.column as usize),
        })?;
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        let start = cursor.offset(t.span.start.line as usize, t.span.start.column as usize);
        let end = cursor.offset(t.span.end.line as usize, t.span.end.column as usize);
        out.push(Tok {
            token: t.token,
            start,
            end: end.max(start),
            span: t.span,
        });
    }
    // Token ends are not always monotonic with starts (multi-line tokens); fix ends from
    // the next token's start so that slices never overlap.
    for i in 0..out.len() {
        let next = out.get(i + 1).map(|t| t.start).unwrap_or(text.len());
        if out[i].end > next || out[i].end < out[i].start {
            out[i].end = next.max(out[i].start);
        }
    }
    Ok(out)
}

/// Converts (line, char column) to byte offsets, moving forward from the last lookup so
/// that a whole file costs one pass.
struct Cursor<'a> {
    text: &'a str,
    line: usize,
    col: usize,
    byte: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text,
            line: 1,
            col: 1,
            byte: 0,
        }
    }

    fn offset(&mut self, line: usize, col: usize) -> usize {
        if line == 0 {
            return self.text.len();
        }
        if (line, col) < (self.line, self.col) {
            self.line = 1;
            self.col = 1;
            self.byte = 0;
        }
        let bytes = self.text.as_bytes();
        while self.line < line && self.byte < bytes.len() {
            match memchr(b'\n', &bytes[self.byte..]) {
                Some(i) => {
                    self.byte += i + 1;
                    self.line += 1;
                    self.col = 1;
                }
                None => {
                    self.byte = bytes.len();
                    return self.byte;
                }
            }
        }
        let rest = &self.text[self.byte..];
        for (i, ch) in rest.char_indices() {
            if self.col >= col || ch == '\n' {
                self.byte += i;
                return self.byte;
            }
            self.col += 1;
        }
        self.byte = self.text.len();
        self.byte
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Top-level comma-separated clauses of `t[from..]` (commas inside parentheses do not
/// split), as index ranges into `t`: the clauses of an ALTER TABLE or a column list.
pub fn top_level_clauses(t: &[Tok], from: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = from;
    for (i, tok) in t.iter().enumerate().skip(from) {
        match tok.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < t.len() {
        out.push((start, t.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drizzle_breakpoints_are_comments_in_mysql_files() {
        let text = "CREATE TABLE `a` (`id` int);\n--> statement-breakpoint\nCREATE TABLE `b` (`id` int);--> statement-breakpoint\nDROP TABLE `a`;";
        let toks = tokenize(text, Dialect::Mysql).unwrap();
        let marks: Vec<&str> = toks
            .iter()
            .filter(|t| t.comment().is_some())
            .map(|t| &text[t.start..t.end])
            .collect();
        assert_eq!(marks.len(), 2, "{marks:?}");
        assert!(
            marks
                .iter()
                .all(|m| m.starts_with("--> statement-breakpoint"))
        );
        assert!(!toks.iter().any(|t| matches!(t.token, Token::Gt)));
    }

    #[test]
    fn byte_ranges_match_text() {
        let text = "-- é comment\nCREATE TABLE \"t\" (a int);\nSELECT $x$ a;b $x$;";
        let toks = tokenize(text, Dialect::Postgres).unwrap();
        for t in &toks {
            let s = &text[t.start..t.end];
            if let Token::Word(w) = &t.token {
                assert!(s.contains(&w.value), "{s:?} vs {w:?}");
            }
        }
        let dollar = toks
            .iter()
            .find(|t| matches!(t.token, Token::DollarQuotedString(_)))
            .unwrap();
        assert_eq!(&text[dollar.start..dollar.end], "$x$ a;b $x$");
    }
}
