//! SQL reading: tokenize once, split into parts and statements, parse each statement with
//! sqlparser, and fall back to the token recogniser where it fails.

pub mod ast;
pub mod dialect_check;
pub mod fallback;
pub mod lexer;
pub mod mysql_types;
pub mod ops;
pub mod split;
pub mod template;
mod template_branches;

use std::sync::Arc;

use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location as SqlLocation, Span as SqlSpan, Token, TokenWithSpan};

use crate::source::SourceFile;
use fallback::Recognised;
use ops::Op;
pub use split::{Annotations, Part};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
}

impl Dialect {
    pub fn parse(s: &str) -> Option<Dialect> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" | "cockroach" | "cockroachdb" => {
                Some(Dialect::Postgres)
            }
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    /// The database's name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
}

/// How a statement was understood.
#[derive(Debug, Clone, PartialEq)]
pub enum Understood {
    /// sqlparser parsed it.
    Parsed,
    /// sqlparser failed (message kept), the token recogniser understood it.
    Recognised(String),
    /// Neither could read what it does; the reason is reported as an E diagnostic.
    Unchecked(String),
    /// The file's database rejects it (another dialect's syntax): reported as E001, and
    /// no rule judges it, since the migration stops here.
    Rejected(dialect_check::Rejection),
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// Byte range of the statement, without the terminating `;`.
    pub start: usize,
    pub end: usize,
    pub ops: Vec<Op>,
    pub understood: Understood,
    /// Lower-cased text with whitespace collapsed: a line-independent anchor.
    pub normalised: String,
    /// Byte ranges of the significant tokens, for pointing at a clause.
    pub token_ranges: Vec<(usize, usize)>,
}

impl Statement {
    /// The statement's tokens without comments and layout, keywords and names lower-cased
    /// but quoted text kept: two statements with the same tokens run the same.
    /// A statement's own closing `;` is left out: goose `StatementBegin` blocks keep it
    /// inside the statement, plain files end the statement before it.
    pub fn tokens_text(&self, text: &str) -> String {
        let mut out = String::new();
        let mut ranges = self.token_ranges.as_slice();
        while let Some((&(s, e), rest)) = ranges.split_last()
            && text.get(s..e) == Some(";")
        {
            ranges = rest;
        }
        for &(s, e) in ranges {
            let t = text.get(s..e).unwrap_or("");
            if !out.is_empty() {
                out.push(' ');
            }
            if t.starts_with(['\'', '"', '`', '$']) {
                out.push_str(t);
            } else {
                out.push_str(&t.to_lowercase());
            }
        }
        out
    }

    /// The byte range of the first token sequence matching `words` (case-insensitive),
    /// so a finding can point at `DROP COLUMN x` rather than the whole statement.
    /// `text` is the file's text.
    pub fn find_words(&self, text: &str, words: &[&str]) -> Option<(usize, usize)> {
        if words.is_empty() {
            return None;
        }
        let toks = &self.token_ranges;
        let word = |i: usize| toks.get(i).and_then(|(s, e)| text.get(*s..*e));
        'outer: for i in 0..toks.len() {
            for (j, w) in words.iter().enumerate() {
                match word(i + j) {
                    Some(t)
                        if t.eq_ignore_ascii_case(w)
                            || t.trim_matches(['"', '`']).eq_ignore_ascii_case(w) => {}
                    _ => continue 'outer,
                }
            }
            return Some((toks[i].0, toks[i + words.len() - 1].1));
        }
        None
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub part: Part,
    pub marker: usize,
    pub no_transaction: bool,
    pub label: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
pub struct SqlFile {
    pub source: Arc<SourceFile>,
    pub dialect: Dialect,
    pub sections: Vec<Section>,
    /// Statements that belong to no part (before the first annotation), never checked.
    pub stray: Vec<Statement>,
    /// Why the dialect is known (path, configuration, Prisma's lock file, the folder's
    /// syntax); `None` for a default guess. Only a known dialect makes another dialect's
    /// syntax an error.
    pub dialect_known: Option<String>,
    /// A tokenizer error: the file could not be split at all.
    pub error: Option<(usize, String)>,
}

impl SqlFile {
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.sections.iter().flat_map(|s| s.statements.iter())
    }
}

/// MySQL client scripts change the statement terminator with `DELIMITER //` lines so
/// that routine bodies can contain `;`. Returns the text with those lines blanked and
/// each custom terminator turned into `;` (same length, so every offset stays exact);
/// `None` when the file has no DELIMITER line.
fn mysql_delimiters(text: &str) -> Option<String> {
    let is_directive = |l: &str| {
        let t = l.trim_start();
        // `get`: a line whose tenth byte falls inside a character is no directive, and
        // must not panic (`no_panic`'s mutations found `CREATE T\u{202e}ABLE …`).
        t.len() > 10
            && t.get(..10)
                .is_some_and(|p| p.eq_ignore_ascii_case("delimiter "))
    };
    if !text.lines().any(is_directive) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut delim = ";".to_string();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        if is_directive(body) {
            delim = body.trim_start()[10..].trim().to_string();
            if delim.is_empty() {
                delim = ";".to_string();
            }
            out.push_str(&" ".repeat(body.len()));
        } else if delim != ";" && body.trim_end().ends_with(delim.as_str()) {
            let cut = body.trim_end().len() - delim.len();
            out.push_str(&body[..cut]);
            out.push(';');
            out.push_str(&" ".repeat(body.len() - cut - 1));
        } else {
            out.push_str(body);
        }
        out.push_str(ending);
    }
    Some(out)
}

pub fn read(source: Arc<SourceFile>, dialect: Dialect, style: Annotations) -> SqlFile {
    read_as(source, dialect, Some("it was asked for".into()), style)
}

/// Reads a file as `dialect`; `known` says why the dialect is known, `None` when it is
/// only a default guess (then syntax of another dialect is read leniently, not reported).
pub fn read_as(
    source: Arc<SourceFile>,
    dialect: Dialect,
    known: Option<String>,
    style: Annotations,
) -> SqlFile {
    let text = source.text.as_str();
    // Template expressions become placeholders, then MySQL DELIMITER lines are read; both
    // keep every byte offset.
    let chosen = template_branches::select(text, dialect);
    let text_in = chosen.as_deref().unwrap_or(text);
    let filled = template::fill(text_in);
    let base = filled.as_deref().unwrap_or(text_in);
    let prepared = (dialect == Dialect::Mysql)
        .then(|| mysql_delimiters(base))
        .flatten();
    let tokens = match lexer::tokenize(prepared.as_deref().unwrap_or(base), dialect) {
        Ok(t) => t,
        Err(e) => {
            return SqlFile {
                source: source.clone(),
                dialect,
                sections: Vec::new(),
                stray: Vec::new(),
                dialect_known: known.clone(),
                error: Some((e.offset, e.message)),
            };
        }
    };
    let retokenize = |s: &str, base: usize| {
        lexer::tokenize(s, dialect).ok().map(|v| {
            v.into_iter()
                .map(|mut t| {
                    t.start += base;
                    t.end += base;
                    t
                })
                .collect()
        })
    };
    let raw = split::split(&tokens, style, &retokenize);
    let reader = Reader {
        parser_dialect: lexer::sql_dialect(dialect),
        dialect,
        known: known.is_some(),
        ansi_quotes: dialect == Dialect::Mysql && mentions_ansi_quotes(text),
        text,
        templated: filled.is_some(),
    };
    let sections = raw
        .sections
        .into_iter()
        .map(|s| Section {
            part: s.part,
            marker: s.marker,
            no_transaction: s.no_transaction,
            label: s.label,
            statements: s
                .statements
                .into_iter()
                .map(|st| reader.analyse(st))
                .collect(),
        })
        .collect();
    let stray = raw.stray.into_iter().map(|st| reader.analyse(st)).collect();
    SqlFile {
        source,
        dialect,
        sections,
        stray,
        dialect_known: known,
        error: None,
    }
}

/// The statements of a block, split at its top-level `;` (empty ones dropped).
fn chunks(tokens: &[lexer::Tok]) -> Vec<&[lexer::Tok]> {
    tokens
        .split(|t| matches!(t.token, Token::SemiColon))
        .filter(|c| !c.is_empty())
        .collect()
}

/// Which reading of a block's statements the block reports: a rejection first, then a
/// statement not checked, then one read by the recogniser.
fn rank(u: &Understood) -> u8 {
    match u {
        Understood::Parsed => 0,
        Understood::Recognised(_) => 1,
        Understood::Unchecked(_) => 2,
        Understood::Rejected(_) => 3,
    }
}

/// The file sets MySQL's `ANSI_QUOTES` mode (`SET sql_mode = '…ANSI_QUOTES…'`), under
/// which double quotes quote names.
fn mentions_ansi_quotes(text: &str) -> bool {
    text.to_ascii_uppercase().contains("ANSI_QUOTES")
}

/// What one file's statements are read with.
struct Reader<'a> {
    parser_dialect: Box<dyn sqlparser::dialect::Dialect>,
    dialect: Dialect,
    known: bool,
    ansi_quotes: bool,
    text: &'a str,
    templated: bool,
}

impl Reader<'_> {
    fn analyse(&self, st: split::RawStatement) -> Statement {
        let text = self.text;
        let snippet = text.get(st.start..st.end).unwrap_or("");
        let normalised = snippet
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let token_ranges = st.tokens.iter().map(|t| (t.start, t.end)).collect();
        let chunks = chunks(&st.tokens);
        let (ops, understood) = match &st.unchecked {
            Some(why) => (vec![Op::Other], Understood::Unchecked(why.clone())),
            // A block of several statements (goose StatementBegin … End) that is not a
            // routine: each statement is read, so none hides behind the first.
            None if chunks.len() > 1 && split::routine_head(&st.tokens) != Some(true) => {
                let mut ops = Vec::new();
                let mut worst = Understood::Parsed;
                for c in chunks {
                    let (start, end) = (c[0].start, c[c.len() - 1].end);
                    let (o, u) = self.judge(c, text.get(start..end).unwrap_or(""));
                    ops.extend(o);
                    if rank(&u) > rank(&worst) {
                        worst = u;
                    }
                }
                (ops, worst)
            }
            None => self.judge(&st.tokens, snippet),
        };
        Statement {
            start: st.start,
            end: st.end,
            ops,
            understood,
            normalised,
            token_ranges,
        }
    }

    /// What one statement does, and whether the file's database accepts it.
    fn judge(&self, tokens: &[lexer::Tok], snippet: &str) -> (Vec<Op>, Understood) {
        let (mut ops, understood) = self.understand(tokens, snippet);
        if self.dialect != Dialect::Mysql {
            keep_schema_on_rename(&mut ops);
        }
        match understood {
            Understood::Parsed | Understood::Recognised(_) if self.known => {
                match dialect_check::rejection(tokens, self.dialect, self.ansi_quotes) {
                    Some(r) => (vec![Op::Other], Understood::Rejected(r)),
                    None => (ops, understood),
                }
            }
            _ => (ops, understood),
        }
    }

    fn understand(&self, tokens: &[lexer::Tok], snippet: &str) -> (Vec<Op>, Understood) {
        let mut parse_tokens: Vec<TokenWithSpan> = tokens.iter().map(|t| t.with_span()).collect();
        parse_tokens.push(TokenWithSpan::new(
            Token::EOF,
            SqlSpan::new(SqlLocation::new(0, 0), SqlLocation::new(0, 0)),
        ));
        let parsed = Parser::new(self.parser_dialect.as_ref())
            .with_tokens_with_locations(parse_tokens)
            .parse_statements();
        let templated = self.templated && (snippet.contains("{{") || snippet.contains("${"));
        match parsed {
            Ok(stmts) if stmts.len() == 1 => match ast::ops_of(&stmts[0]) {
                Some(ops) => (ops, Understood::Parsed),
                None => match fallback::recognise(tokens) {
                    Recognised::Ops(ops) => (ops, Understood::Parsed),
                    _ => (vec![Op::Other], Understood::Parsed),
                },
            },
            Ok(_) => fallback_ops(
                tokens,
                "several statements without a separator".into(),
                templated,
            ),
            Err(e) => fallback_ops(tokens, e.to_string(), templated),
        }
    }
}

/// `ALTER TABLE s.t RENAME TO u` keeps the table in schema `s` in PostgreSQL (and SQLite's
/// attached databases): the new name is `s.u`. MySQL's moves an unqualified name to the
/// default database, so it is left as written there.
fn keep_schema_on_rename(ops: &mut [Op]) {
    for op in ops {
        if let Op::RenameTable { from, to } = op
            && !to.contains('.')
            && let Some((schema, _)) = from.rsplit_once('.')
        {
            *to = format!("{schema}.{to}");
        }
    }
}

fn fallback_ops(
    tokens: &[lexer::Tok],
    parse_error: String,
    templated: bool,
) -> (Vec<Op>, Understood) {
    let parse_error = parse_error
        .trim_start_matches("sql parser error: ")
        .to_string();
    match fallback::recognise(tokens) {
        Recognised::Ops(ops) => (ops, Understood::Recognised(parse_error)),
        Recognised::Unchecked(why) => (vec![Op::Other], Understood::Unchecked(why)),
        Recognised::Unknown if templated => (
            vec![Op::Other],
            Understood::Unchecked(format!(
                "it holds template syntax (`{{{{ … }}}}` or `${{…}}`) filled in at deploy time, and with each expression read as a placeholder it is still not understood ({parse_error})"
            )),
        ),
        Recognised::Unknown => (
            vec![Op::Other],
            Understood::Unchecked(format!("not understood ({parse_error})")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops_of_text(text: &str, dialect: Dialect) -> Vec<ops::Op> {
        let f = read(
            SourceFile::new("m.sql", text.to_string()),
            dialect,
            Annotations::None,
        );
        f.statements().flat_map(|s| s.ops.clone()).collect()
    }

    #[test]
    fn grants_revokes_and_schema_drops_are_read() {
        use ops::Op;
        let pg = ops_of_text(
            "REVOKE INSERT, UPDATE ON TABLE public.invoices FROM billing_app;\nGRANT SELECT ON ALL TABLES IN SCHEMA reports TO \"Reader\";\nREVOKE CREATE ON SCHEMA public FROM PUBLIC;\nDROP SCHEMA legacy CASCADE;\n",
            Dialect::Postgres,
        );
        assert_eq!(
            pg[0],
            Op::Privileges {
                grant: false,
                privileges: vec!["INSERT".into(), "UPDATE".into()],
                tables: vec!["invoices".into()],
                schemas: vec![],
                grantees: vec!["billing_app".into()],
            }
        );
        assert!(
            matches!(&pg[1], Op::Privileges { grant: true, schemas, grantees, .. } if schemas == &["reports"] && grantees == &["Reader"]),
            "{pg:?}"
        );
        // CREATE on a schema is no privilege an application needs to read or write.
        assert_eq!(pg[2], Op::Other);
        assert_eq!(
            pg[3],
            Op::DropSchema {
                name: "legacy".into(),
                cascade: true
            }
        );
        let my = ops_of_text(
            "REVOKE INSERT ON invoices FROM 'billing'@'%';\nDROP DATABASE reports;\n",
            Dialect::Mysql,
        );
        assert!(
            matches!(&my[0], Op::Privileges { grant: false, grantees, .. } if grantees == &["'billing'@'%'"]),
            "{my:?}"
        );
        assert!(
            matches!(&my[1], Op::DropSchema { name, .. } if name == "reports"),
            "{my:?}"
        );
    }

    #[test]
    fn a_character_across_the_tenth_byte_is_no_delimiter_line() {
        assert_eq!(
            mysql_delimiters("CREATE T\u{202e}ABLE orders (id int);\n"),
            None
        );
    }

    #[test]
    fn mysql_delimiter_scripts_split_at_the_custom_terminator() {
        let text = "DELIMITER //\nCREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\n  SET NEW.b = 2;\nEND //\nDELIMITER ;\nALTER TABLE users DROP COLUMN fax;\n";
        let f = read(
            SourceFile::new("m.sql", text.to_string()),
            Dialect::Mysql,
            Annotations::None,
        );
        let sts: Vec<&Statement> = f.statements().collect();
        assert_eq!(sts.len(), 2, "{sts:#?}");
        assert!(text[sts[0].start..sts[0].end].starts_with("CREATE TRIGGER"));
        assert!(text[sts[0].start..sts[0].end].ends_with("END"));
        assert_eq!(
            &text[sts[1].start..sts[1].end],
            "ALTER TABLE users DROP COLUMN fax"
        );
        assert!(matches!(&sts[1].ops[0], ops::Op::DropColumn { column, .. } if column == "fax"));
    }

    #[test]
    fn tokens_ignore_comments_layout_and_goose_statement_blocks() {
        let tokens = |text: &str| {
            let f = read(
                SourceFile::new("m.sql", text.to_string()),
                Dialect::Postgres,
                Annotations::Goose,
            );
            f.statements()
                .map(|s| s.tokens_text(&f.source.text))
                .collect::<Vec<_>>()
        };
        let block = "-- +goose Up\n-- +goose StatementBegin\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- +goose StatementEnd\n";
        let plain = "-- +goose Up \n-- why\ncreate index concurrently i on t (a); -- faster\n";
        assert_eq!(tokens(block), tokens(plain));
        assert_ne!(
            tokens(block),
            tokens("-- +goose Up\nCREATE INDEX i ON t (a);\n")
        );
    }
}
