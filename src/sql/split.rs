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
    /// rubenv/sql-migrate's markers (`-- +migrate Up [notransaction]`), which goose's
    /// come from; GoAlert's runner reads the same.
    SqlMigrate,
    Dbmate,
    Liquibase,
}

#[derive(Debug, Clone)]
pub struct RawStatement {
    /// Non-trivia tokens, without the terminating `;`.
    pub tokens: Vec<Tok>,
    pub start: usize,
    pub end: usize,
    /// Why the statement's extent itself is in doubt, so that nothing in it is checked
    /// (a routine body that never closes, SQL outside every part).
    pub unchecked: Option<String>,
}

/// A split file: its parts, and the statements that belong to none of them.
#[derive(Debug, Clone, Default)]
pub struct Split {
    pub sections: Vec<RawSection>,
    /// Statements before the first part annotation (goose, dbmate, Liquibase): the tool
    /// runs them in no part, so they are reported as not checked.
    pub stray: Vec<RawStatement>,
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
) -> Split {
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
    // Statements before the first part annotation.
    let mut stray = RawSection {
        part: Part::Up,
        marker: 0,
        no_transaction: false,
        label: None,
        statements: Vec::new(),
    };

    for tok in tokens {
        if let Some(text) = annotation(tok) {
            let lower = text.to_ascii_lowercase();
            // sqlx `-- no-transaction` and Atlas `-- atlas:txmode none` apply to the file;
            // so does a project runner's marker that sends the statements it heads
            // outside a transaction (stack-auth's `-- RUN_OUTSIDE_TRANSACTION_SENTINEL`,
            // read by its auto-migration runner, which executes them one by one).
            if lower == "no-transaction"
                || lower.starts_with("atlas:txmode none")
                || lower == "run_outside_transaction_sentinel"
            {
                file_no_tx = true;
            }
            let mut opened: Option<RawSection> = None;
            match style {
                // goose's markers are sql-migrate's renamed; sql-migrate turns the
                // transaction off per part (`-- +migrate Up notransaction`), goose per
                // file (`-- +goose NO TRANSACTION`).
                Annotations::Goose | Annotations::SqlMigrate
                    if let Some(rest) = lower
                        .strip_prefix(if style == Annotations::Goose {
                            "+goose"
                        } else {
                            "+migrate"
                        })
                        .map(str::trim) =>
                {
                    let no_tx = style == Annotations::SqlMigrate && rest.contains("notransaction");
                    if rest.starts_with("up") {
                        opened = Some(section(Part::Up, tok.start, no_tx, None));
                    } else if rest.starts_with("down") {
                        opened = Some(section(Part::Down, tok.start, no_tx, None));
                    } else if rest.starts_with("statementbegin") {
                        stmt.flush_into(&mut current, &mut stray);
                        in_block = true;
                    } else if rest.starts_with("statementend") {
                        in_block = false;
                        stmt.flush_into(&mut current, &mut stray);
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
                        if !sql.trim().is_empty() {
                            let down = liquibase_down(&mut downs, &current);
                            match retokenize(rollback, base) {
                                Some(toks) => {
                                    let mut b = Builder::default();
                                    for t in toks.iter().filter(|t| !t.is_trivia()) {
                                        b.push(t.clone(), false, down);
                                    }
                                    b.flush(down);
                                }
                                // Unreadable rollback SQL is still a statement of the down part.
                                None => down.statements.push(RawStatement {
                                    tokens: Vec::new(),
                                    start: base,
                                    end: base + rollback.trim_end().len(),
                                    unchecked: Some(
                                        "the SQL of this `--rollback` line cannot be read".into(),
                                    ),
                                }),
                            }
                        }
                    }
                }
                _ => {}
            }
            if let Some(new) = opened {
                stmt.flush_into(&mut current, &mut stray);
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
        // Statements before the first annotation belong to no part: kept apart, and
        // reported as not checked.
        let sec = current.as_mut().unwrap_or(&mut stray);
        stmt.push(tok.clone(), in_block, sec);
    }
    match current.as_mut() {
        Some(sec) => stmt.flush(sec),
        None => stmt.flush(&mut stray),
    }
    if let Some(done) = current.take() {
        sections.push(done);
    }
    // Liquibase rolls changesets back newest first (`rollback-count` reverts changes
    // "starting from the most recent changes"), so the down parts run in the reverse of
    // the file's order.
    sections.extend(downs.into_iter().rev());
    if file_no_tx {
        for s in &mut sections {
            s.no_transaction = true;
        }
    }
    let mut stray = stray.statements;
    for st in &mut stray {
        st.unchecked.get_or_insert_with(|| {
            "it comes before the file's first part annotation, so it belongs to no up or down part".into()
        });
    }
    Split { sections, stray }
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
    /// Parenthesis depth: a BEGIN inside parentheses is a name (a parameter, a column).
    parens: i32,
    /// Whether the statement is a routine (`CREATE [OR REPLACE] [DEFINER = …] FUNCTION |
    /// PROCEDURE | TRIGGER | EVENT`), decided once its head is read.
    routine: Option<bool>,
    /// The last token's effect on `depth` was applied (it waits for the next token).
    last_settled: bool,
    /// The token before the last one was an END that closed a level (`END IF`).
    after_block_end: bool,
}

/// Keywords after which the grammar wants an object name.
const NAME_BEFORE: &[&str] = &[
    "ON",
    "TABLE",
    "INTO",
    "FROM",
    "JOIN",
    "UPDATE",
    "REFERENCES",
    "TRIGGER",
    "PROCEDURE",
    "FUNCTION",
    "EVENT",
    "CALL",
    "DECLARE",
];

/// Words that make a `CREATE …` a routine whose body may hold `;`.
const ROUTINE_KINDS: &[&str] = &["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"];

/// Whether `tokens` (at least the statement's head) start a routine definition: only the
/// object kind right after `CREATE` counts, so `CREATE TABLE event (…)` is not one.
/// `None` while the head is still incomplete.
pub(crate) fn routine_head(tokens: &[Tok]) -> Option<bool> {
    let first = tokens.first()?;
    if !first.is_kw("CREATE") {
        return Some(false);
    }
    let mut i = 1;
    loop {
        let t = tokens.get(i)?;
        if ROUTINE_KINDS.iter().any(|k| t.is_kw(k)) {
            return Some(true);
        }
        if t.is_kw("OR") || t.is_kw("REPLACE") || t.is_kw("AGGREGATE") || t.is_kw("CONSTRAINT") {
            i += 1;
        } else if t.is_kw("DEFINER") {
            // `DEFINER = user@host | CURRENT_USER[()]`: the kind follows within a few tokens.
            let window = tokens.get(i + 1..).unwrap_or(&[]);
            if window
                .iter()
                .take(8)
                .any(|t| ROUTINE_KINDS.iter().any(|k| t.is_kw(k)))
            {
                return Some(true);
            }
            return (window.len() >= 8).then_some(false);
        } else {
            return Some(false);
        }
    }
}

impl Builder {
    fn push(&mut self, tok: Tok, in_block: bool, sec: &mut RawSection) {
        if self.routine.is_none() {
            self.routine = routine_head(&self.tokens);
        }
        if self.routine == Some(true) {
            self.settle_last(&tok.token);
        }
        self.last_settled = true;
        if matches!(tok.token, Token::SemiColon) && !in_block && self.depth <= 0 {
            self.flush(sec);
            return;
        }
        self.tokens.push(tok);
        self.last_settled = false;
    }

    /// Applies what the last token does to the body depth, now that the token after it
    /// (`next`) is known: a word followed by an operator, `,`, `)` or `.`, or preceded by
    /// `.`, is a name (`SET NEW.end = 1`, `SET begin = 2`), not a block keyword.
    fn settle_last(&mut self, next: &Token) {
        let n = self.tokens.len();
        let after_end = std::mem::replace(&mut self.after_block_end, false);
        let Some(last) = self.tokens.last() else {
            return;
        };
        match last.token {
            Token::LParen => self.parens += 1,
            Token::RParen => self.parens -= 1,
            _ => {}
        }
        if self.parens > 0 || last.word().is_none() {
            return;
        }
        let before = n.checked_sub(2).map(|i| &self.tokens[i]);
        // After `.`, or where the grammar wants an object name (`ON begin FOR EACH ROW`);
        // such a keyword is itself a name when one of them comes just before it (`ON
        // function BEGIN`).
        let wants_name = |t: &Tok| NAME_BEFORE.iter().any(|k| t.is_kw(k));
        let before2 = n.checked_sub(3).map(|i| &self.tokens[i]);
        let qualified = before.is_some_and(|b| {
            b.token == Token::Period || (wants_name(b) && !before2.is_some_and(wants_name))
        });
        let opens_with_paren = matches!(next, Token::LParen) && !last.is_kw("CASE");
        let as_name = matches!(
            next,
            Token::Eq
                | Token::Neq
                | Token::Lt
                | Token::Gt
                | Token::LtEq
                | Token::GtEq
                | Token::Plus
                | Token::Minus
                | Token::Mul
                | Token::Div
                | Token::Mod
                | Token::DoubleColon
                | Token::Comma
                | Token::RParen
                | Token::Period
                | Token::Assignment
        );
        if qualified || as_name || opens_with_paren {
            return;
        }
        if last.is_kw("BEGIN") {
            self.depth += 1;
        } else if last.is_kw("END") {
            if self.depth > 0 {
                self.depth -= 1;
                self.after_block_end = true;
            }
        } else if last.is_kw("CASE") {
            // Inside a body, CASE opens a level that its END (or END CASE) closes.
            if self.depth > 0 && !after_end {
                self.depth += 1;
            }
        } else if after_end
            && ["IF", "LOOP", "WHILE", "REPEAT", "FOR"]
                .iter()
                .any(|k| last.is_kw(k))
        {
            // `END IF` closes an IF, which never opened a level: undo the END.
            self.depth += 1;
        }
    }

    fn flush(&mut self, sec: &mut RawSection) {
        if self.routine == Some(true) && !self.last_settled {
            self.settle_last(&Token::EOF);
        }
        self.last_settled = false;
        self.after_block_end = false;
        let open = self.depth > 0;
        let routine = self.routine == Some(true);
        self.depth = 0;
        self.parens = 0;
        self.routine = None;
        if self.tokens.is_empty() {
            return;
        }
        let tokens = std::mem::take(&mut self.tokens);
        let start = tokens[0].start;
        let end = tokens.last().map(|t| t.end).unwrap_or(start);
        let unchecked = (open && routine).then(|| {
            "the BEGIN … END body of this routine never closes, so everything up to the end of its part was read as this one statement".to_string()
        });
        sec.statements.push(RawStatement {
            tokens,
            start,
            end,
            unchecked,
        });
    }

    fn flush_into(&mut self, sec: &mut Option<RawSection>, stray: &mut RawSection) {
        match sec {
            Some(s) => self.flush(s),
            None => self.flush(stray),
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
        .sections
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
    fn goose_and_sql_migrate_sections_blocks_and_no_transaction() {
        // (file, style, whether the down part runs outside a transaction): goose's
        // `NO TRANSACTION` covers the file, sql-migrate's `notransaction` only its part.
        let cases = [
            (
                "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS 'select 1; select 2' LANGUAGE sql;\n-- +goose StatementEnd\n-- +goose Down\nDROP INDEX i;",
                Annotations::Goose,
                true,
            ),
            (
                "-- +migrate Up notransaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +migrate StatementBegin\nCREATE FUNCTION f() RETURNS int AS 'select 1; select 2' LANGUAGE sql;\n-- +migrate StatementEnd\n-- +migrate Down\nDROP INDEX i;",
                Annotations::SqlMigrate,
                false,
            ),
        ];
        for (src, style, down_no_tx) in cases {
            let s = texts(src, style);
            assert_eq!(s.len(), 2);
            assert_eq!(s[0].1.len(), 2);
            assert!(s[0].2);
            assert_eq!(s[1].2, down_no_tx);
            assert_eq!(s[1].1, vec!["DROP INDEX i"]);
        }
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
        let s = texts(
            "-- SPLIT_STATEMENT_SENTINEL\n-- RUN_OUTSIDE_TRANSACTION_SENTINEL\nCREATE INDEX CONCURRENTLY i ON t (a);",
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

    #[test]
    fn liquibase_rollbacks_run_newest_changeset_first() {
        let src = "--liquibase formatted sql
--changeset a:1
CREATE TABLE t (a int);
--rollback DROP TABLE t;
--changeset a:2
ALTER TABLE t ADD b int;
--rollback ALTER TABLE t DROP b;
";
        let s = texts(src, Annotations::Liquibase);
        let downs: Vec<String> = s
            .iter()
            .filter(|x| x.0 == Part::Down)
            .map(|x| x.1.join("; "))
            .collect();
        assert_eq!(downs, ["ALTER TABLE t DROP b", "DROP TABLE t"]);
    }
}
