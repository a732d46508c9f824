//! Splits a tokenized migration file into sections (up/down parts named by the tool's
//! annotations) and statements (top-level `;`, goose StatementBegin/End blocks, routine
//! bodies with BEGIN … END).

use sqlparser::tokenizer::Token;

use super::lexer::Tok;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Up,
    Down,
}

/// Annotation style of a single-file migration that carries both parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Annotations {
    /// The whole file is one part.
    None,
    Goose,
    Dbmate,
    Liquibase,
}

#[derive(Debug, Clone)]
pub struct RawStatement {
    /// Non-trivia tokens, without the terminating `;`.
    pub tokens: Vec<Tok>,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct RawSection {
    pub part: Part,
    /// Byte offset of the annotation that opened it (0 for a whole file).
    pub marker: usize,
    /// The annotation said to run this part outside a transaction.
    pub no_transaction: bool,
    /// Liquibase changeset id, when the file has several.
    pub label: Option<String>,
    pub statements: Vec<RawStatement>,
}

fn annotation(tok: &Tok) -> Option<String> {
    tok.comment().map(|c| c.trim().to_string())
}

/// Splits a file's tokens into parts. For Liquibase, `--rollback` lines hold the down SQL
/// inside comments; `retokenize` turns such text (at a byte offset) into tokens.
pub fn split(
    tokens: &[Tok],
    style: Annotations,
    retokenize: &dyn Fn(&str, usize) -> Option<Vec<Tok>>,
) -> Vec<RawSection> {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut current: Option<RawSection> = match style {
        Annotations::None => Some(RawSection {
            part: Part::Up,
            marker: 0,
            no_transaction: false,
            label: None,
            statements: Vec::new(),
        }),
        _ => None,
    };
    let mut file_no_tx = false;
    // Liquibase rollback parts, appended after the up parts.
    let mut downs: Vec<RawSection> = Vec::new();
    let mut stmt = Builder::default();
    let mut in_block = false;

    for tok in tokens {
        if let Some(text) = annotation(tok) {
            let lower = text.to_ascii_lowercase();
            // sqlx `-- no-transaction` and Atlas `-- atlas:txmode none` apply to the file.
            if lower == "no-transaction" || lower.starts_with("atlas:txmode none") {
                file_no_tx = true;
            }
            let mut opened: Option<RawSection> = None;
            match style {
                Annotations::Goose if lower.starts_with("+goose") => {
                    let rest = lower.trim_start_matches("+goose").trim();
                    if rest.starts_with("up") {
                        opened = Some(section(Part::Up, tok.start, false, None));
                    } else if rest.starts_with("down") {
                        opened = Some(section(Part::Down, tok.start, false, None));
                    } else if rest.starts_with("statementbegin") {
                        stmt.flush_into(&mut current);
                        in_block = true;
                    } else if rest.starts_with("statementend") {
                        in_block = false;
                        stmt.flush_into(&mut current);
                    } else if rest.starts_with("no transaction") {
                        file_no_tx = true;
                    }
                }
                Annotations::Dbmate if lower.starts_with("migrate:") => {
                    let rest = &lower["migrate:".len()..];
                    let no_tx = rest.contains("transaction:false");
                    if rest.starts_with("up") {
                        opened = Some(section(Part::Up, tok.start, no_tx, None));
                    } else if rest.starts_with("down") {
                        opened = Some(section(Part::Down, tok.start, no_tx, None));
                    }
                }
                Annotations::Liquibase => {
                    if let Some(rest) = lower.strip_prefix("changeset") {
                        let label = text["changeset".len()..]
                            .split_whitespace()
                            .next()
                            .map(str::to_string);
                        let no_tx = rest.contains("runintransaction:false");
                        opened = Some(section(Part::Up, tok.start, no_tx, label));
                    } else if let Some(sql) = lower.strip_prefix("rollback") {
                        // The rollback SQL sits in the comment itself.
                        let raw = tok.comment().unwrap_or("");
                        let skip = raw.len() - raw.trim_start().len() + "rollback".len();
                        let base = comment_text_offset(tok) + skip;
                        let rollback = &raw[skip.min(raw.len())..];
                        if !sql.trim().is_empty()
                            && let Some(toks) = retokenize(rollback, base)
                        {
                            let down = liquibase_down(&mut downs, &current);
                            let mut b = Builder::default();
                            for t in toks.iter().filter(|t| !t.is_trivia()) {
                                b.push(t.clone(), false, down);
                            }
                            b.flush(down);
                        }
                    }
                }
                _ => {}
            }
            if let Some(new) = opened {
                stmt.flush_into(&mut current);
                if let Some(done) = current.take() {
                    sections.push(done);
                }
                current = Some(new);
            }
            continue;
        }
        if tok.is_trivia() {
            continue;
        }
        let Some(sec) = current.as_mut() else {
            // Statements before the first annotation belong to no part; the tools ignore
            // them too (goose refuses them), so they are not checked.
            continue;
        };
        stmt.push(tok.clone(), in_block, sec);
    }
    stmt.flush_into(&mut current);
    if let Some(done) = current.take() {
        sections.push(done);
    }
    sections.extend(downs);
    if file_no_tx {
        for s in &mut sections {
            s.no_transaction = true;
        }
    }
    sections
}

fn section(part: Part, marker: usize, no_transaction: bool, label: Option<String>) -> RawSection {
    RawSection {
        part,
        marker,
        no_transaction,
        label,
        statements: Vec::new(),
    }
}

/// The byte offset where a single-line comment's text starts (after `--`).
fn comment_text_offset(tok: &Tok) -> usize {
    match &tok.token {
        Token::Whitespace(sqlparser::tokenizer::Whitespace::SingleLineComment {
            prefix, ..
        }) => tok.start + prefix.len(),
        _ => tok.start + 2,
    }
}

/// Liquibase: the down part for the current changeset, created on first use.
fn liquibase_down<'a>(
    sections: &'a mut Vec<RawSection>,
    current: &Option<RawSection>,
) -> &'a mut RawSection {
    let label = current.as_ref().and_then(|c| c.label.clone());
    let marker = current.as_ref().map(|c| c.marker).unwrap_or(0);
    // A rollback runs the way its changeset does.
    let no_tx = current.as_ref().is_some_and(|c| c.no_transaction);
    let exists = sections
        .last()
        .is_some_and(|s| s.part == Part::Down && s.label == label && s.marker == marker);
    if !exists {
        sections.push(section(Part::Down, marker, no_tx, label));
    }
    sections.last_mut().expect("just pushed")
}

#[derive(Default)]
struct Builder {
    tokens: Vec<Tok>,
    /// Depth of BEGIN … END inside a routine body.
    depth: i32,
}

impl Builder {
    fn push(&mut self, tok: Tok, in_block: bool, sec: &mut RawSection) {
        if matches!(tok.token, Token::SemiColon) && !in_block && self.depth <= 0 {
            self.flush(sec);
            return;
        }
        if self.is_routine() {
            self.track_depth(&tok);
        }
        self.tokens.push(tok);
    }

    fn is_routine(&self) -> bool {
        let words: Vec<&Tok> = self.tokens.iter().take(6).collect();
        if !words.first().is_some_and(|t| t.is_kw("CREATE")) {
            return false;
        }
        words.iter().any(|t| {
            t.is_kw("PROCEDURE") || t.is_kw("FUNCTION") || t.is_kw("TRIGGER") || t.is_kw("EVENT")
        })
    }

    fn track_depth(&mut self, tok: &Tok) {
        let prev_end = self.tokens.last().is_some_and(|t| t.is_kw("END"));
        if tok.is_kw("BEGIN") || (tok.is_kw("CASE") && !prev_end) {
            self.depth += 1;
        } else if prev_end
            && (tok.is_kw("IF") || tok.is_kw("LOOP") || tok.is_kw("WHILE") || tok.is_kw("REPEAT"))
        {
            // `END IF` closes an IF, which never opened a level.
            self.depth += 1;
        }
        if tok.is_kw("END") {
            self.depth -= 1;
        }
    }

    fn flush(&mut self, sec: &mut RawSection) {
        if self.tokens.is_empty() {
            self.depth = 0;
            return;
        }
        let tokens = std::mem::take(&mut self.tokens);
        let start = tokens[0].start;
        let end = tokens.last().map(|t| t.end).unwrap_or(start);
        sec.statements.push(RawStatement { tokens, start, end });
        self.depth = 0;
    }

    fn flush_into(&mut self, sec: &mut Option<RawSection>) {
        match sec {
            Some(s) => self.flush(s),
            None => {
                self.tokens.clear();
                self.depth = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Dialect, lexer::tokenize};

    fn texts(src: &str, style: Annotations) -> Vec<(Part, Vec<String>, bool)> {
        let toks = tokenize(src, Dialect::Postgres).unwrap();
        split(&toks, style, &|s, base| {
            tokenize(s, Dialect::Postgres).ok().map(|v| {
                v.into_iter()
                    .map(|mut t| {
                        t.start += base;
                        t.end += base;
                        t
                    })
                    .collect()
            })
        })
        .into_iter()
        .map(|s| {
            (
                s.part,
                s.statements
                    .iter()
                    .map(|st| src[st.start..st.end].to_string())
                    .collect(),
                s.no_transaction,
            )
        })
        .collect()
    }

    #[test]
    fn goose_sections_blocks_and_no_transaction() {
        let src = "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS 'select 1; select 2' LANGUAGE sql;\n-- +goose StatementEnd\n-- +goose Down\nDROP INDEX i;";
        let s = texts(src, Annotations::Goose);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].1.len(), 2);
        assert!(s[0].2 && s[1].2);
        assert_eq!(s[1].1, vec!["DROP INDEX i"]);
    }

    #[test]
    fn dollar_quotes_and_nested_comments_do_not_split() {
        let src = "DO $$ BEGIN PERFORM 1; END $$;\n/* a /* nested; */ b; */ SELECT E'x\\';y';";
        let s = texts(src, Annotations::None);
        assert_eq!(s[0].1.len(), 2, "{:?}", s[0].1);
    }

    #[test]
    fn sqlx_and_atlas_file_markers_turn_the_transaction_off() {
        let s = texts(
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);",
            Annotations::None,
        );
        assert!(s[0].2);
        let s = texts("-- atlas:txmode none\nSELECT 1;", Annotations::None);
        assert!(s[0].2);
        let s = texts("-- a comment\nSELECT 1;", Annotations::None);
        assert!(!s[0].2);
    }

    #[test]
    fn liquibase_rollback_lines_become_down_part() {
        let src = "--liquibase formatted sql\n--changeset alice:1 runInTransaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n--rollback DROP INDEX i;\n";
        let s = texts(src, Annotations::Liquibase);
        assert_eq!(s.len(), 2);
        assert!(s[0].2);
        assert_eq!(s[1].0, Part::Down);
        assert_eq!(s[1].1, vec!["DROP INDEX i"]);
    }
}
