//! Statements the file's database rejects outright although a lenient reading (sqlparser's
//! or the token recogniser's) would accept them: another dialect's syntax (`DROP INDEX i ON
//! t` in PostgreSQL, `ALTER COLUMN c TYPE …` in MySQL) or a double-quoted name in MySQL,
//! which is a string literal there unless the server runs with `ANSI_QUOTES`.
//!
//! Only forms the database's grammar has no rule for are listed: a finding here means the
//! migration fails at this statement.

use sqlparser::tokenizer::Token;

use super::Dialect;
use super::lexer::{Tok, top_level_clauses as clauses};

/// Where and why the database rejects a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Byte range of the offending tokens.
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub help: String,
}

/// The first reason `dialect` rejects the statement made of `tokens` (non-trivia), if any.
/// `ansi_quotes`: the file switches MySQL's `ANSI_QUOTES` mode on, so `"name"` is a name.
pub fn rejection(tokens: &[Tok], dialect: Dialect, ansi_quotes: bool) -> Option<Rejection> {
    if dialect != Dialect::Sqlite && tokens.first()?.is_kw("PRAGMA") {
        let db = if dialect == Dialect::Mysql {
            "MySQL"
        } else {
            "PostgreSQL"
        };
        return reject(
            &tokens[..1],
            format!("{db} has no PRAGMA statement (SQLite syntax)"),
            "move the statement to the SQLite migrations, or use the database's own setting (`SET …`)",
        );
    }
    match dialect {
        Dialect::Postgres => postgres(tokens),
        Dialect::Mysql => mysql(tokens, ansi_quotes),
        Dialect::Sqlite => None,
    }
}

fn reject(toks: &[Tok], message: String, help: &str) -> Option<Rejection> {
    let first = toks.first()?;
    let last = toks.last()?;
    Some(Rejection {
        start: first.start,
        end: last.end,
        message,
        help: help.to_string(),
    })
}

/// Index just past `IF [NOT] EXISTS` at `i`, else `i`.
fn past_if_exists(t: &[Tok], i: usize) -> usize {
    let kw = |j: usize, k: &str| t.get(j).is_some_and(|x| x.is_kw(k));
    if kw(i, "IF") && kw(i + 1, "NOT") && kw(i + 2, "EXISTS") {
        i + 3
    } else if kw(i, "IF") && kw(i + 1, "EXISTS") {
        i + 2
    } else {
        i
    }
}

/// Index just past a possibly qualified name starting at `i` (`a`, `a.b`), or `i`.
fn past_name(t: &[Tok], mut i: usize) -> usize {
    let is_name = |x: &Tok| {
        matches!(
            x.token,
            Token::Word(_) | Token::DoubleQuotedString(_) | Token::SingleQuotedString(_)
        )
    };
    if !t.get(i).is_some_and(is_name) {
        return i;
    }
    i += 1;
    while t.get(i).is_some_and(|x| x.token == Token::Period) && t.get(i + 1).is_some_and(is_name) {
        i += 2;
    }
    i
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name`: the index of the first clause.
fn alter_table_body(t: &[Tok]) -> Option<usize> {
    if !(t.first()?.is_kw("ALTER") && t.get(1)?.is_kw("TABLE")) {
        return None;
    }
    let mut i = past_if_exists(t, 2);
    if t.get(i).is_some_and(|x| x.is_kw("ONLY")) {
        i += 1;
    }
    let after = past_name(t, i);
    (after > i).then_some(after)
}

/// MySQL's ALTER TABLE clauses PostgreSQL has no rule for (`=` stands for the token).
const MYSQL_CLAUSES: &[&[&str]] = &[
    &["MODIFY"],
    &["CHANGE"],
    &["ADD", "INDEX"],
    &["ADD", "KEY"],
    &["ADD", "FULLTEXT"],
    &["DROP", "INDEX"],
    &["DROP", "KEY"],
    &["DROP", "FOREIGN", "KEY"],
    &["DROP", "PRIMARY", "KEY"],
    &["ENGINE", "="],
    &["ALGORITHM", "="],
    &["AUTO_INCREMENT", "="],
    &["LOCK", "="],
    &["CONVERT", "TO"],
];

/// PostgreSQL's `ALTER COLUMN c …` forms MySQL has no rule for.
const POSTGRES_COLUMN_FORMS: &[&[&str]] = &[
    &["TYPE"],
    &["SET", "DATA", "TYPE"],
    &["SET", "NOT", "NULL"],
    &["DROP", "NOT", "NULL"],
];

/// Whether the clause `c` starts with the words of `pattern` (`=` is the `=` token).
fn starts_with(c: &[Tok], pattern: &[&str]) -> bool {
    pattern.len() <= c.len()
        && pattern.iter().zip(c).all(|(p, t)| match *p {
            "=" => t.token == Token::Eq,
            w => t.is_kw(w),
        })
}

const PG_HELP: &str = "write it in PostgreSQL's syntax (or, if this file is meant for MySQL, say so: a `.mysql.` infix, a `mysql/` folder or `[migrations] dialect`)";
const MY_HELP: &str = "write it in MySQL's syntax (or, if this file is meant for PostgreSQL, say so: a `.postgres.` infix, a `postgres/` folder or `[migrations] dialect`)";

fn postgres(t: &[Tok]) -> Option<Rejection> {
    // `DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, …] ON table`.
    if t.first()?.is_kw("DROP") && t.get(1).is_some_and(|x| x.is_kw("INDEX")) {
        let mut i = 2;
        if t.get(i).is_some_and(|x| x.is_kw("CONCURRENTLY")) {
            i += 1;
        }
        i = past_if_exists(t, i);
        loop {
            let after = past_name(t, i);
            if after == i {
                return None;
            }
            i = after;
            if t.get(i).is_some_and(|x| x.token == Token::Comma) {
                i += 1;
            } else {
                break;
            }
        }
        if t.get(i).is_some_and(|x| x.is_kw("ON")) {
            let end = past_name(t, i + 1).max(i + 1);
            return reject(
                &t[i..end],
                "PostgreSQL rejects `DROP INDEX … ON <table>` (MySQL syntax): its DROP INDEX names the index alone".into(),
                "write `DROP INDEX <name>` (schema-qualified if needed)",
            );
        }
        return None;
    }
    let body = alter_table_body(t)?;
    for (s, e) in clauses(t, body) {
        let c = &t[s..e];
        let what = MYSQL_CLAUSES
            .iter()
            .find(|p| starts_with(c, p))
            .map(|p| p.len());
        if let Some(n) = what {
            let n = n.min(c.len());
            let words: Vec<String> = c[..n].iter().map(|x| x.token.to_string()).collect();
            return reject(
                &c[..n],
                format!(
                    "PostgreSQL rejects `ALTER TABLE … {}`: it is MySQL syntax",
                    words.join(" ").to_uppercase()
                ),
                PG_HELP,
            );
        }
        // `DROP IF EXISTS COLUMN c`: PostgreSQL's grammar is `DROP [COLUMN] [IF EXISTS] c`,
        // and COLUMN is reserved, so this is a syntax error at `COLUMN` (quickwit's downs).
        let kw = |j: usize, k: &str| c.get(j).is_some_and(|x| x.is_kw(k));
        if kw(0, "DROP") && kw(1, "IF") && kw(2, "EXISTS") && kw(3, "COLUMN") {
            return reject(
                &c[..4],
                "PostgreSQL rejects `DROP IF EXISTS COLUMN`: its syntax is `DROP COLUMN IF EXISTS name` (syntax error at or near \"COLUMN\")".into(),
                "write `DROP COLUMN IF EXISTS <name>`",
            );
        }
    }
    None
}

/// A double-quoted name where MySQL expects an identifier.
fn quoted_name(t: &[Tok], i: usize) -> Option<Rejection> {
    let tok = t.get(i)?;
    let Token::DoubleQuotedString(s) = &tok.token else {
        return None;
    };
    reject(
        &t[i..=i],
        format!(
            "MySQL reads `\"{s}\"` as a string literal, not a name (double quotes quote names only with sql_mode ANSI_QUOTES), and rejects the statement"
        ),
        "quote names with backquotes in MySQL: `name`",
    )
}

/// The first double-quoted name in a (possibly qualified) name at `i`.
fn quoted_in_name(t: &[Tok], i: usize) -> Option<Rejection> {
    let end = past_name(t, i);
    (i..end.max(i + 1)).find_map(|j| quoted_name(t, j))
}

fn mysql(t: &[Tok], ansi_quotes: bool) -> Option<Rejection> {
    let first = t.first()?;
    let kw = |j: usize, k: &str| t.get(j).is_some_and(|x| x.is_kw(k));
    // CONCURRENTLY is PostgreSQL's.
    if (first.is_kw("CREATE") || first.is_kw("DROP"))
        && let Some(i) = (1..4.min(t.len())).find(|&j| kw(j, "INDEX"))
        && kw(i + 1, "CONCURRENTLY")
    {
        return reject(
            &t[i + 1..=i + 1],
            "MySQL rejects CONCURRENTLY (PostgreSQL syntax): MySQL builds and drops indexes online through ALGORITHM/LOCK".into(),
            MY_HELP,
        );
    }
    // `DROP INDEX name` needs `ON table` in MySQL.
    if first.is_kw("DROP") && kw(1, "INDEX") {
        let i = past_if_exists(t, 2);
        let after = past_name(t, i);
        if after > i && !kw(after, "ON") {
            return reject(
                &t[..after],
                "MySQL rejects DROP INDEX without `ON <table>`: an index is named within its table"
                    .into(),
                "write `DROP INDEX <name> ON <table>` (or `ALTER TABLE <table> DROP INDEX <name>`)",
            );
        }
    }
    if !ansi_quotes && let Some(r) = mysql_quoted_names(t) {
        return Some(r);
    }
    let body = alter_table_body(t)?;
    for (s, e) in clauses(t, body) {
        let c = &t[s..e];
        let ck = |j: usize, k: &str| c.get(j).is_some_and(|x| x.is_kw(k));
        if ck(0, "ALTER") {
            let j = if ck(1, "COLUMN") { 3 } else { 2 };
            let n = POSTGRES_COLUMN_FORMS
                .iter()
                .find(|p| starts_with(&c[j.min(c.len())..], p))
                .map(|p| p.len());
            if let Some(n) = n
                && j + n <= c.len()
            {
                let words: Vec<String> = c[j..j + n].iter().map(|x| x.token.to_string()).collect();
                return reject(
                    &c[..j + n],
                    format!(
                        "MySQL rejects `ALTER COLUMN … {}` (PostgreSQL syntax): MySQL restates the column with MODIFY",
                        words.join(" ").to_uppercase()
                    ),
                    MY_HELP,
                );
            }
        }
        if ck(0, "VALIDATE") && ck(1, "CONSTRAINT") {
            return reject(
                &c[..2],
                "MySQL rejects `VALIDATE CONSTRAINT` (PostgreSQL syntax)".into(),
                MY_HELP,
            );
        }
        if let Some(i) = c
            .windows(2)
            .position(|w| w[0].is_kw("NOT") && w[1].is_kw("VALID"))
        {
            return reject(
                &c[i..i + 2],
                "MySQL rejects `NOT VALID` (PostgreSQL syntax): MySQL validates a constraint when it is added".into(),
                MY_HELP,
            );
        }
    }
    None
}

/// Double-quoted strings where MySQL's grammar wants a name: the table of CREATE, ALTER,
/// DROP, TRUNCATE and CREATE INDEX … ON, a CREATE TABLE column, and the column of ALTER
/// TABLE's ADD, DROP, MODIFY, CHANGE, ALTER and RENAME COLUMN clauses.
fn mysql_quoted_names(t: &[Tok]) -> Option<Rejection> {
    let kw = |j: usize, k: &str| t.get(j).is_some_and(|x| x.is_kw(k));
    let first = t.first()?;
    if first.is_kw("CREATE") || first.is_kw("DROP") || first.is_kw("TRUNCATE") {
        let mut i = 1;
        while kw(i, "TEMPORARY") || kw(i, "UNIQUE") || kw(i, "OR") || kw(i, "REPLACE") {
            i += 1;
        }
        if kw(i, "TABLE") || kw(i, "INDEX") || kw(i, "VIEW") {
            let table = kw(i, "TABLE");
            let index = kw(i, "INDEX");
            let at = past_if_exists(t, i + 1);
            if let Some(r) = quoted_in_name(t, at) {
                return Some(r);
            }
            let after = past_name(t, at);
            if index && first.is_kw("CREATE") && kw(after, "ON") {
                return quoted_in_name(t, after + 1);
            }
            if table
                && first.is_kw("CREATE")
                && t.get(after).is_some_and(|x| x.token == Token::LParen)
            {
                return create_table_columns(t, after + 1);
            }
        }
        return None;
    }
    let body = alter_table_body(t)?;
    if let Some(r) = quoted_in_name(t, past_if_exists(t, 2)) {
        return Some(r);
    }
    for (s, e) in clauses(t, body) {
        let c = &t[s..e];
        let ck = |j: usize, k: &str| c.get(j).is_some_and(|x| x.is_kw(k));
        let column_at = if ck(0, "ADD") || ck(0, "DROP") || ck(0, "MODIFY") || ck(0, "ALTER") {
            if ck(1, "COLUMN") {
                Some(2)
            } else if c
                .get(1)
                .is_some_and(|x| matches!(x.token, Token::DoubleQuotedString(_)))
            {
                Some(1)
            } else {
                None
            }
        } else if ck(0, "CHANGE") || (ck(0, "RENAME") && ck(1, "COLUMN")) {
            Some(if ck(1, "COLUMN") { 2 } else { 1 })
        } else {
            None
        };
        let Some(j) = column_at else { continue };
        let j = past_if_exists(c, j);
        if let Some(r) = quoted_name(c, j) {
            return Some(r);
        }
        // CHANGE old new, RENAME COLUMN old TO new.
        if ck(0, "CHANGE") {
            if let Some(r) = quoted_name(c, j + 1) {
                return Some(r);
            }
        } else if ck(0, "RENAME")
            && ck(j + 1, "TO")
            && let Some(r) = quoted_name(c, j + 2)
        {
            return Some(r);
        }
    }
    None
}

/// The column names of `CREATE TABLE t (…)`, the first token of each top-level element.
fn create_table_columns(t: &[Tok], from: usize) -> Option<Rejection> {
    let mut depth = 0i32;
    let mut element_start = true;
    for (i, tok) in t.iter().enumerate().skip(from) {
        if element_start && depth == 0 {
            if let Some(r) = quoted_name(t, i) {
                return Some(r);
            }
            element_start = false;
        }
        match tok.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => return None,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => element_start = true,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lexer::tokenize;

    fn check(sql: &str, d: Dialect) -> Option<String> {
        let toks: Vec<Tok> = tokenize(sql, d)
            .unwrap()
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        rejection(&toks, d, false).map(|r| format!("{}|{}", &sql[r.start..r.end], r.message))
    }

    #[test]
    fn postgres_rejects_mysql_forms() {
        let r = check("DROP INDEX idx_a ON accounts", Dialect::Postgres).unwrap();
        assert!(r.starts_with("ON accounts|"), "{r}");
        assert!(check("DROP INDEX CONCURRENTLY IF EXISTS a, b", Dialect::Postgres).is_none());
        let r = check("ALTER TABLE t MODIFY name varchar(10)", Dialect::Postgres).unwrap();
        assert!(r.starts_with("MODIFY|"), "{r}");
        // Verified against PostgreSQL 15: `syntax error at or near "COLUMN"`.
        let r = check(
            "ALTER TABLE splits DROP IF EXISTS COLUMN node_id",
            Dialect::Postgres,
        )
        .unwrap();
        assert!(r.starts_with("DROP IF EXISTS COLUMN|"), "{r}");
        assert!(
            check(
                "ALTER TABLE splits DROP COLUMN IF EXISTS node_id",
                Dialect::Postgres
            )
            .is_none()
        );
        let r = check(
            "ALTER TABLE t ADD COLUMN a int, ENGINE = InnoDB",
            Dialect::Postgres,
        );
        assert!(r.unwrap().starts_with("ENGINE =|"));
        assert!(
            check(
                "ALTER TABLE ONLY t ADD COLUMN \"key\" text, ALTER COLUMN b TYPE bigint",
                Dialect::Postgres
            )
            .is_none()
        );
        // A column called `modify` is no clause.
        assert!(check("ALTER TABLE t ADD COLUMN modify int", Dialect::Postgres).is_none());
    }

    #[test]
    fn mysql_rejects_double_quoted_names_and_postgres_forms() {
        let r = check("ALTER TABLE t ADD COLUMN \"key\" TEXT", Dialect::Mysql).unwrap();
        assert!(r.starts_with("\"key\"|MySQL reads"), "{r}");
        let r = check("CREATE TABLE t (id int, \"order\" int)", Dialect::Mysql).unwrap();
        assert!(r.starts_with("\"order\"|"), "{r}");
        assert!(check("CREATE TABLE \"t\" (id int)", Dialect::Mysql).is_some());
        // Double-quoted values are strings, as MySQL reads them.
        assert!(
            check(
                "ALTER TABLE t ADD COLUMN k TEXT DEFAULT \"x\" COMMENT \"y\", MODIFY st ENUM(\"a\",\"b\")",
                Dialect::Mysql
            )
            .is_none()
        );
        assert!(check("CREATE INDEX CONCURRENTLY i ON t (a)", Dialect::Mysql).is_some());
        assert!(check("DROP INDEX i", Dialect::Mysql).is_some());
        assert!(check("DROP INDEX i ON t LOCK = NONE", Dialect::Mysql).is_none());
        let r = check("ALTER TABLE t ALTER COLUMN a TYPE bigint", Dialect::Mysql).unwrap();
        assert!(r.starts_with("ALTER COLUMN a TYPE|"), "{r}");
        assert!(check("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", Dialect::Mysql).is_none());
        assert!(check("ALTER TABLE t VALIDATE CONSTRAINT c", Dialect::Mysql).is_some());
    }

    #[test]
    fn ansi_quotes_make_double_quotes_names() {
        let toks: Vec<Tok> = tokenize("ALTER TABLE t ADD COLUMN \"key\" TEXT", Dialect::Mysql)
            .unwrap()
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        assert!(rejection(&toks, Dialect::Mysql, true).is_none());
    }
}
