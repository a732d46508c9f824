//! Token-level recogniser for the statements rules need when sqlparser cannot parse them
//! (`DROP INDEX CONCURRENTLY`, MySQL table options, `DO` blocks…) and for the few kinds
//! whose keywords the AST drops (`SET lock_timeout`, `LOCK`, `CLUSTER`, `REINDEX`).

use sqlparser::tokenizer::Token;

use super::ast::{default_kind_text, normalise_type};
use super::lexer::{Tok, top_level_clauses};
use super::ops::{ColumnSpec, ConstraintKind, LockBlocks, Op, postgres_lock_blocks, table_key};

/// What the recogniser made of a statement.
pub enum Recognised {
    Ops(Vec<Op>),
    /// Understood, but its body cannot be checked (e.g. a `DO` block); the reason is shown.
    Unchecked(String),
    /// Not understood at all.
    Unknown,
}

struct Cur<'a> {
    t: &'a [Tok],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<&'a Tok> {
        self.t.get(self.i)
    }
    fn kw(&mut self, k: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_kw(k)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn kws(&mut self, ks: &[&str]) -> bool {
        let save = self.i;
        for k in ks {
            if !self.kw(k) {
                self.i = save;
                return false;
            }
        }
        true
    }
    fn tok(&mut self, tok: &Token) -> bool {
        if self.peek().is_some_and(|t| &t.token == tok) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.i >= self.t.len()
    }
    /// A possibly qualified name: `a`, `a.b`, `"A"."b"`, `` `a` ``.
    fn name(&mut self) -> Option<String> {
        let mut parts = vec![self.peek()?.ident()?];
        self.i += 1;
        while self.tok(&Token::Period) {
            parts.push(self.peek()?.ident()?);
            self.i += 1;
        }
        Some(table_key(&parts))
    }
    /// A comma-separated list of names (`a, b, ONLY c`).
    fn names(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        self.kw("ONLY");
        while let Some(n) = self.name() {
            out.push(n);
            if !self.tok(&Token::Comma) {
                break;
            }
            self.kw("ONLY");
        }
        out
    }
    fn skip_if_exists(&mut self) {
        self.kws(&["IF", "NOT", "EXISTS"]);
        self.kws(&["IF", "EXISTS"]);
    }
    /// Text of the remaining tokens up to (not including) index `end`.
    fn text_until(&self, end: usize) -> String {
        self.t[self.i.min(end)..end]
            .iter()
            .map(|t| t.token.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

pub fn recognise(tokens: &[Tok]) -> Recognised {
    let mut c = Cur { t: tokens, i: 0 };
    let Some(first) = c
        .peek()
        .and_then(|t| t.word())
        .map(|w| w.to_ascii_uppercase())
    else {
        return Recognised::Unknown;
    };
    c.i += 1;
    let ops = match first.as_str() {
        "DROP" => drop(&mut c),
        "CREATE" => create(&mut c),
        "ALTER" if c.kw("TABLE") => alter_table(&mut c),
        "ALTER" => Some(vec![Op::Other]),
        "SET" | "RESET" => Some(set(&mut c)),
        "SELECT" => Some(vec![select_set_config(tokens)]),
        "LOCK" if c.kw("TABLES") || (c.kw("TABLE") && mysql_lock_list(&c)) => {
            Some(mysql_lock_tables(&mut c))
        }
        "LOCK" => {
            c.kw("TABLE");
            let tables = c.names();
            // `IN <mode> MODE`; without it, ACCESS EXCLUSIVE.
            let mut mode = Vec::new();
            if c.kw("IN") {
                while let Some(w) = c.peek().and_then(|t| t.word()) {
                    c.i += 1;
                    if w.eq_ignore_ascii_case("MODE") {
                        break;
                    }
                    mode.push(w.to_ascii_lowercase());
                }
            }
            let mode = if mode.is_empty() {
                "access exclusive".to_string()
            } else {
                mode.join(" ")
            };
            Some(vec![Op::LockTable {
                tables,
                blocks: postgres_lock_blocks(&mode),
                mode: format!("IN {} MODE", mode.to_uppercase()),
            }])
        }
        "CLUSTER" => {
            c.kw("VERBOSE");
            Some(vec![Op::Cluster { table: c.name() }])
        }
        "REINDEX" => {
            if c.tok(&Token::LParen) {
                while !c.done() && !c.tok(&Token::RParen) {
                    c.i += 1;
                }
            }
            let target = c.peek().and_then(|t| t.word()).unwrap_or("").to_lowercase();
            c.i += 1;
            let concurrently = c.kw("CONCURRENTLY");
            let name = c.name().unwrap_or_default();
            Some(vec![Op::Reindex {
                target: format!("{target} {name}").trim().to_string(),
                concurrently,
            }])
        }
        "VACUUM" => {
            let mut full = c.kw("FULL");
            if c.tok(&Token::LParen) {
                while !c.done() && !c.tok(&Token::RParen) {
                    full |= c.peek().is_some_and(|t| t.is_kw("FULL"));
                    c.i += 1;
                }
            }
            if full {
                Some(vec![Op::VacuumFull { table: c.name() }])
            } else {
                Some(vec![Op::Other])
            }
        }
        "TRUNCATE" => {
            c.kw("TABLE");
            Some(vec![Op::Truncate { tables: c.names() }])
        }
        "BEGIN" | "START" => Some(vec![Op::Begin]),
        "COMMIT" | "END" => Some(vec![Op::Commit]),
        "ROLLBACK" | "ABORT" => Some(vec![Op::Rollback]),
        "DO" => {
            return Recognised::Unchecked(
                "anonymous DO block: the statements inside its body are not checked".into(),
            );
        }
        "CALL" | "EXECUTE" => Some(vec![Op::Opaque {
            args: tokens
                .iter()
                .filter_map(|t| match &t.token {
                    Token::SingleQuotedString(s) => Some(s.to_lowercase()),
                    _ => None,
                })
                .collect(),
        }]),
        "COMMENT" | "GRANT" | "REVOKE" | "PREPARE" | "DEALLOCATE" | "ANALYZE" | "ANALYSE"
        | "OPTIMIZE" | "INSERT" | "REFRESH" | "NOTIFY" | "DECLARE" | "SAVEPOINT" | "RELEASE"
        | "USE" | "SHOW" | "WITH" | "VALUES" | "COPY" | "DELIMITER" | "SECURITY" | "IMPORT"
        | "REASSIGN" | "DISCARD" | "LISTEN" | "LOAD" => Some(vec![Op::Other]),
        // SQLite's settings (`PRAGMA foreign_keys = OFF` around a table rebuild): no
        // schema change. Other databases reject it (see `dialect_check`).
        "PRAGMA" => Some(vec![Op::Other]),
        _ => None,
    };
    match ops {
        Some(ops) => Recognised::Ops(ops),
        None => Recognised::Unknown,
    }
}

/// `LOCK TABLE t READ` is MySQL's synonym of `LOCK TABLES`: a READ/WRITE after the name.
fn mysql_lock_list(c: &Cur) -> bool {
    c.t[c.i..]
        .iter()
        .any(|t| t.is_kw("READ") || t.is_kw("WRITE"))
}

/// MySQL `LOCK TABLES t [[AS] alias] {READ [LOCAL] | [LOW_PRIORITY] WRITE} [, …]`: one
/// operation per table, each with its own mode, held until `UNLOCK TABLES`.
fn mysql_lock_tables(c: &mut Cur) -> Vec<Op> {
    let mut out = Vec::new();
    while let Some(name) = c.name() {
        let mut mode = ("", LockBlocks::Nothing);
        while let Some(t) = c.peek() {
            if t.token == Token::Comma {
                c.i += 1;
                break;
            }
            if t.is_kw("WRITE") {
                mode = ("WRITE", LockBlocks::ReadsAndWrites);
            } else if t.is_kw("READ") {
                mode = ("READ", LockBlocks::Writes);
            }
            c.i += 1;
        }
        out.push(Op::LockTable {
            tables: vec![name],
            mode: mode.0.to_string(),
            blocks: mode.1,
        });
    }
    out
}

fn drop(c: &mut Cur) -> Option<Vec<Op>> {
    if c.kw("INDEX") {
        let concurrently = c.kw("CONCURRENTLY");
        c.skip_if_exists();
        // CockroachDB names an index within its table: `DROP INDEX t@i`.
        let mut names: Vec<(String, Option<String>)> = Vec::new();
        while let Some(first) = c.name() {
            if c.tok(&Token::AtSign) {
                let Some(index) = c.name() else { break };
                names.push((index, Some(first)));
            } else {
                names.push((first, None));
            }
            if !c.tok(&Token::Comma) {
                break;
            }
        }
        let table = if c.kw("ON") { c.name() } else { None };
        return Some(
            names
                .into_iter()
                .map(|(name, own)| Op::DropIndex {
                    name,
                    concurrently,
                    table: own.or_else(|| table.clone()),
                })
                .collect(),
        );
    }
    if c.kw("TABLE") {
        c.skip_if_exists();
        return Some(
            c.names()
                .into_iter()
                .map(|table| Op::DropTable { table })
                .collect(),
        );
    }
    if c.kw("TYPE") {
        c.skip_if_exists();
        return Some(
            c.name()
                .map(|name| Op::DropType { name })
                .into_iter()
                .collect(),
        );
    }
    Some(vec![Op::Other])
}

/// The plain column names of an index's key (`[USING method] (a, b DESC)`), read when
/// the parser gave up on the statement (CockroachDB's `USING HASH` after the list, say);
/// empty when an element is an expression, whose columns the rules cannot use.
fn index_columns(c: &mut Cur) -> Vec<String> {
    if c.kw("USING") {
        c.i += 1;
    }
    if !c.tok(&Token::LParen) {
        return Vec::new();
    }
    let mut out = Vec::new();
    loop {
        let Some(name) = c.peek().and_then(|t| t.ident()) else {
            return Vec::new();
        };
        c.i += 1;
        // Ordering and collation words may follow a plain column; anything else
        // (a call, an operator) makes the element an expression.
        while c.peek().is_some_and(|t| {
            ["ASC", "DESC", "NULLS", "FIRST", "LAST"]
                .iter()
                .any(|k| t.is_kw(k))
        }) {
            c.i += 1;
        }
        out.push(name);
        if c.tok(&Token::Comma) {
            continue;
        }
        if c.tok(&Token::RParen) {
            return out;
        }
        return Vec::new();
    }
}

fn create(c: &mut Cur) -> Option<Vec<Op>> {
    let unique = c.kw("UNIQUE");
    if c.kw("INDEX") {
        let concurrently = c.kw("CONCURRENTLY");
        c.skip_if_exists();
        let name = if c.peek().is_some_and(|t| t.is_kw("ON")) {
            None
        } else {
            c.name()
        };
        if !c.kw("ON") {
            return None;
        }
        c.kw("ONLY");
        let table = c.name()?;
        let columns = index_columns(c);
        return Some(vec![Op::CreateIndex {
            table,
            name,
            columns,
            unique,
            concurrently,
        }]);
    }
    if unique {
        return None;
    }
    // Tables the AST could not read are still tables: record them so that later
    // statements on them are known to target a new table.
    let save = c.i;
    c.kws(&["OR", "REPLACE"]);
    for k in ["TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL"] {
        c.kw(k);
    }
    // `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name {BEFORE|AFTER|INSTEAD OF} events ON
    // table` (PostgreSQL 14's OR REPLACE is beyond the AST parser).
    c.kw("CONSTRAINT");
    if c.kw("TRIGGER") {
        c.name()?;
        let before = c.kw("BEFORE");
        let mut insert = false;
        // Events up to `ON`: `INSERT OR UPDATE OF "a", "b"` (commas are not words).
        while let Some(t) = c.peek() {
            if t.is_kw("ON") {
                break;
            }
            insert |= t.is_kw("INSERT");
            c.i += 1;
        }
        if !c.kw("ON") {
            return None;
        }
        let table = c.name()?;
        return Some(vec![Op::CreateTrigger {
            table,
            before_insert: before && insert,
        }]);
    }
    c.kw("MATERIALIZED");
    if c.kw("VIEW") {
        c.skip_if_exists();
        return Some(
            c.name()
                .map(|name| Op::CreateView { name })
                .into_iter()
                .collect(),
        );
    }
    if c.kw("TABLE") {
        c.skip_if_exists();
        let table = c.name()?;
        // The parser could not read the definition: its columns and constraints are
        // unknown, as those of a copy are.
        return Some(vec![Op::CreateTable {
            table,
            columns: Vec::new(),
            from_query: true,
            unique_keys: Vec::new(),
            named: Vec::new(),
        }]);
    }
    c.i = save;
    Some(vec![Op::Other])
}

fn set(c: &mut Cur) -> Vec<Op> {
    let local = c.kw("LOCAL");
    c.kw("SESSION");
    c.kw("GLOBAL");
    let var = c.peek().and_then(|t| t.ident()).unwrap_or_default();
    let var = var.trim_start_matches("@@").to_lowercase();
    match var.as_str() {
        "lock_timeout" | "lock_wait_timeout" | "innodb_lock_wait_timeout" => {
            vec![Op::SetTimeout { lock: true, local }]
        }
        "statement_timeout" | "max_execution_time" => vec![Op::SetTimeout { lock: false, local }],
        "foreign_key_checks" => {
            c.i += 1;
            let _ = c.tok(&Token::Eq) || c.kw("TO");
            let on = match c.peek().map(|t| &t.token) {
                Some(Token::Number(n, _)) => n != "0",
                Some(Token::Word(w)) => !w.value.eq_ignore_ascii_case("OFF"),
                _ => true,
            };
            vec![Op::SetForeignKeyChecks { on }]
        }
        _ => vec![Op::Other],
    }
}

/// `SELECT set_config('lock_timeout', '5s', true)`.
fn select_set_config(tokens: &[Tok]) -> Op {
    let has_set_config = tokens.iter().any(|t| t.is_kw("set_config"));
    let target = tokens.iter().find_map(|t| match &t.token {
        Token::SingleQuotedString(s) => Some(s.to_lowercase()),
        _ => None,
    });
    match (has_set_config, target.as_deref()) {
        (true, Some("lock_timeout")) => Op::SetTimeout {
            lock: true,
            local: true,
        },
        (true, Some("statement_timeout")) => Op::SetTimeout {
            lock: false,
            local: true,
        },
        _ => Op::Other,
    }
}

const COLUMN_CONSTRAINT_WORDS: &[&str] = &[
    "NOT",
    "NULL",
    "DEFAULT",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "CHECK",
    "CONSTRAINT",
    "GENERATED",
    "COLLATE",
    "AUTO_INCREMENT",
    "COMMENT",
    "FIRST",
    "AFTER",
    "CHARACTER",
    "CHARSET",
    "ON",
    "USING",
];

/// Moves past tokens up to the next column-constraint keyword at parenthesis depth 0
/// (but not before `min`), or to `end`.
fn skip_to_constraint_word(c: &mut Cur, end: usize, min: usize) {
    let mut depth = 0;
    while c.i < end {
        let t = &c.t[c.i];
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            _ => {}
        }
        if depth == 0 && c.i >= min && COLUMN_CONSTRAINT_WORDS.iter().any(|k| t.is_kw(k)) {
            break;
        }
        c.i += 1;
    }
}

fn column_def(c: &mut Cur, end: usize) -> Option<ColumnSpec> {
    let name = c.peek()?.ident()?;
    c.i += 1;
    let type_start = c.i;
    skip_to_constraint_word(c, end, type_start);
    let data_type = normalise_type(
        &c.t[type_start..c.i]
            .iter()
            .map(|t| t.token.to_string())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let mut spec = ColumnSpec {
        name,
        data_type,
        ..Default::default()
    };
    if spec.data_type.starts_with("enum(") || spec.data_type.starts_with("set(") {
        spec.enum_values = c.t[type_start..c.i]
            .iter()
            .filter_map(|t| match &t.token {
                Token::SingleQuotedString(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
    }
    if spec.data_type.ends_with("serial") {
        spec.generated = true;
        spec.not_null = true;
    }
    while c.i < end {
        if c.kws(&["NOT", "NULL"]) {
            spec.not_null = true;
        } else if c.kw("DEFAULT") {
            let start = c.i;
            skip_to_constraint_word(c, end, start + 1);
            let save = c.i;
            c.i = start;
            spec.default = Some(default_kind_text(&c.text_until(save)));
            c.i = save;
        } else if c.kws(&["PRIMARY", "KEY"]) {
            spec.primary_key = true;
            spec.not_null = true;
        } else if c.kw("UNIQUE") {
            spec.unique = true;
        } else if c.kw("REFERENCES") {
            spec.references = true;
        } else if c.kw("CHECK") {
            spec.check = true;
        } else if c.kw("GENERATED") || c.kw("AUTO_INCREMENT") {
            spec.generated = true;
        } else {
            c.i += 1;
        }
    }
    Some(spec)
}

fn alter_table(c: &mut Cur) -> Option<Vec<Op>> {
    c.skip_if_exists();
    c.kw("ONLY");
    let table = c.name()?;
    let rest = &c.t[c.i..];
    let mut ops = Vec::new();
    let mut algorithm = None;
    let mut lock = None;
    for (s, e) in top_level_clauses(rest, 0) {
        let mut k = Cur {
            t: &rest[..e],
            i: s,
        };
        let t = table.clone();
        let op = if k.kw("ADD") {
            if k.kw("CONSTRAINT") {
                // CockroachDB and MariaDB: `ADD CONSTRAINT IF NOT EXISTS name`.
                k.skip_if_exists();
                let name = k.name();
                Some(add_constraint(&mut k, t, name, e))
            } else if k.peek().is_some_and(|x| {
                [
                    "FOREIGN", "CHECK", "UNIQUE", "PRIMARY", "EXCLUDE", "INDEX", "KEY",
                ]
                .iter()
                .any(|w| x.is_kw(w))
            }) {
                Some(add_constraint(&mut k, t, None, e))
            } else {
                k.kw("COLUMN");
                k.skip_if_exists();
                column_def(&mut k, e).map(|column| Op::AddColumn { table: t, column })
            }
        } else if k.kw("DROP") {
            if k.kw("CONSTRAINT") || k.kws(&["FOREIGN", "KEY"]) {
                k.skip_if_exists();
                k.name().map(|name| Op::DropConstraint { table: t, name })
            } else if k.kw("INDEX") || k.kw("KEY") {
                k.name().map(|name| Op::DropIndex {
                    name,
                    concurrently: false,
                    table: Some(t),
                })
            } else if k.kws(&["PRIMARY", "KEY"]) {
                Some(Op::DropConstraint {
                    table: t,
                    name: "primary".into(),
                })
            } else {
                k.kw("COLUMN");
                k.skip_if_exists();
                k.name().map(|column| Op::DropColumn { table: t, column })
            }
        } else if k.kw("RENAME") {
            if k.kw("COLUMN")
                || (k.peek().is_some_and(|x| !x.is_kw("TO") && !x.is_kw("AS"))
                    && k.t.get(k.i + 1).is_some_and(|x| x.is_kw("TO")))
            {
                let from = k.name();
                k.kw("TO");
                match (from, k.name()) {
                    (Some(from), Some(to)) => Some(Op::RenameColumn { table: t, from, to }),
                    _ => None,
                }
            } else if k.kw("CONSTRAINT") || k.kw("INDEX") || k.kw("KEY") {
                Some(Op::Other)
            } else {
                let _ = k.kw("TO") || k.kw("AS");
                k.name().map(|to| Op::RenameTable { from: t, to })
            }
        } else if k.kw("ALTER") {
            k.kw("COLUMN");
            let column = k.name()?;
            if k.kws(&["SET", "NOT", "NULL"]) {
                Some(Op::SetNotNull { table: t, column })
            } else if k.kws(&["DROP", "NOT", "NULL"]) {
                Some(Op::DropNotNull { table: t, column })
            } else if k.kws(&["SET", "DEFAULT"]) {
                Some(Op::SetDefault { table: t, column })
            } else if k.kws(&["DROP", "DEFAULT"]) {
                Some(Op::DropDefault { table: t, column })
            } else if k.kws(&["SET", "DATA", "TYPE"]) || k.kw("TYPE") {
                let start = k.i;
                while k.i < e && !k.t[k.i].is_kw("USING") && !k.t[k.i].is_kw("COLLATE") {
                    k.i += 1;
                }
                let using = k.i < e && k.t[k.i].is_kw("USING");
                let end = k.i;
                k.i = start;
                Some(Op::ChangeColumnType {
                    table: t,
                    column,
                    new_type: normalise_type(&k.text_until(end)),
                    spec: None,
                    using,
                })
            } else {
                Some(Op::Other)
            }
        } else if k.kw("VALIDATE") {
            k.kw("CONSTRAINT");
            k.name()
                .map(|name| Op::ValidateConstraint { table: t, name })
        } else if k.kw("MODIFY") || k.kw("CHANGE") {
            let change = k.t[s].is_kw("CHANGE");
            k.kw("COLUMN");
            let old = if change {
                let o = k.peek().and_then(|x| x.ident());
                k.i += 1;
                o
            } else {
                None
            };
            column_def(&mut k, e).map(|spec| {
                if let Some(old) = old.filter(|o| *o != spec.name) {
                    ops.push(Op::RenameColumn {
                        table: t.clone(),
                        from: old,
                        to: spec.name.clone(),
                    });
                }
                Op::ChangeColumnType {
                    table: t,
                    column: spec.name.clone(),
                    new_type: spec.data_type.clone(),
                    spec: Some(spec),
                    using: false,
                }
            })
        } else if k.kw("ALGORITHM") {
            k.tok(&Token::Eq);
            algorithm = k
                .peek()
                .and_then(|x| x.word())
                .map(|w| w.to_ascii_uppercase());
            Some(Op::Other)
        } else if k.kw("LOCK") {
            k.tok(&Token::Eq);
            lock = k
                .peek()
                .and_then(|x| x.word())
                .map(|w| w.to_ascii_uppercase());
            Some(Op::Other)
        } else if k.kw("ENGINE") {
            Some(Op::MysqlRebuild {
                table: t,
                what: "ENGINE=".into(),
            })
        } else if k.kws(&["CONVERT", "TO"]) {
            Some(Op::MysqlRebuild {
                table: t,
                what: "CONVERT TO CHARACTER SET".into(),
            })
        } else if k.kw("FORCE") {
            Some(Op::MysqlRebuild {
                table: t,
                what: "FORCE".into(),
            })
        } else {
            // OWNER TO, SET (storage options), ENABLE TRIGGER, DEFAULT CHARSET, COMMENT, …
            Some(Op::Other)
        };
        ops.push(op?);
    }
    if algorithm.is_some() || lock.is_some() {
        ops.push(Op::MysqlOnlineOptions {
            table,
            algorithm,
            lock,
        });
    }
    Some(ops)
}

fn add_constraint(k: &mut Cur, table: String, name: Option<String>, end: usize) -> Op {
    let kind = if k.kws(&["FOREIGN", "KEY"]) {
        ConstraintKind::ForeignKey
    } else if k.kw("CHECK") {
        let start = k.i;
        let text = k.text_until(end).to_lowercase();
        k.i = start;
        let not_null_of = text
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(" not valid")
            .trim_end_matches(')')
            .trim()
            .strip_suffix("is not null")
            .map(|c| c.trim().trim_matches('"').to_string())
            .filter(|c| !c.contains(' '));
        ConstraintKind::Check { not_null_of }
    } else if k.kw("EXCLUDE") {
        ConstraintKind::Exclude
    } else if k.kw("UNIQUE") || k.kws(&["PRIMARY", "KEY"]) {
        let unique = k.t[k.i - 1].is_kw("UNIQUE");
        if k.kws(&["USING", "INDEX"]) {
            ConstraintKind::UsingIndex
        } else if unique {
            ConstraintKind::Unique
        } else {
            ConstraintKind::PrimaryKey
        }
    } else {
        ConstraintKind::UsingIndex
    };
    let not_valid = k.t[..end]
        .windows(2)
        .any(|w| w[0].is_kw("NOT") && w[1].is_kw("VALID"));
    Op::AddConstraint {
        table,
        name,
        kind,
        not_valid,
        columns: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{Dialect, lexer::tokenize};

    fn ops(sql: &str, dialect: Dialect) -> Vec<Op> {
        let toks: Vec<Tok> = tokenize(sql, dialect)
            .unwrap()
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        match recognise(&toks) {
            Recognised::Ops(o) => o,
            _ => panic!("not recognised: {sql}"),
        }
    }

    #[test]
    fn statements_sqlparser_cannot_parse() {
        assert_eq!(
            ops(
                "DROP INDEX CONCURRENTLY IF EXISTS a_idx, b_idx",
                Dialect::Postgres
            ),
            vec![
                Op::DropIndex {
                    name: "a_idx".into(),
                    concurrently: true,
                    table: None
                },
                Op::DropIndex {
                    name: "b_idx".into(),
                    concurrently: true,
                    table: None
                },
            ]
        );
        assert_eq!(
            ops("ALTER TABLE u RENAME _bkp_u", Dialect::Mysql),
            vec![Op::RenameTable {
                from: "u".into(),
                to: "_bkp_u".into()
            }]
        );
        let o = ops(
            "ALTER TABLE d ENGINE=InnoDB, CONVERT TO CHARACTER SET utf8mb4",
            Dialect::Mysql,
        );
        assert!(matches!(&o[1], Op::MysqlRebuild { what, .. } if what.starts_with("CONVERT")));
        assert_eq!(
            ops("DROP INDEX idx ON tuple LOCK = NONE", Dialect::Mysql)[0],
            Op::DropIndex {
                name: "idx".into(),
                concurrently: false,
                table: Some("tuple".into())
            }
        );
        assert!(matches!(
            recognise(
                &tokenize("DO $$ BEGIN END $$", Dialect::Postgres)
                    .unwrap()
                    .into_iter()
                    .filter(|t| !t.is_trivia())
                    .collect::<Vec<_>>()
            ),
            Recognised::Unchecked(_)
        ));
    }

    #[test]
    fn alter_table_clauses() {
        let o = ops(
            "ALTER TABLE ONLY public.orders ADD COLUMN note text NOT NULL DEFAULT 'x', ALTER COLUMN total TYPE numeric(12,2) USING total::numeric, ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID",
            Dialect::Postgres,
        );
        assert!(
            matches!(&o[0], Op::AddColumn { table, column } if table == "orders" && column.not_null && column.default.is_some())
        );
        assert!(
            matches!(&o[1], Op::ChangeColumnType { new_type, using: true, .. } if new_type == "numeric(12,2)")
        );
        assert!(
            matches!(&o[2], Op::AddConstraint { not_valid: true, kind: ConstraintKind::Check { not_null_of: Some(c) }, .. } if c == "a")
        );
    }

    #[test]
    fn index_columns_are_read_when_the_parser_gives_up() {
        let o = ops(
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON identities (external_id, nid DESC) USING HASH WHERE external_id IS NOT NULL",
            Dialect::Postgres,
        );
        assert!(
            matches!(&o[0], Op::CreateIndex { columns, unique: true, .. } if columns == &["external_id", "nid"]),
            "{o:?}"
        );
        let o = ops(
            "CREATE INDEX i ON t USING gin (lower(a))",
            Dialect::Postgres,
        );
        assert!(
            matches!(&o[0], Op::CreateIndex { columns, .. } if columns.is_empty()),
            "{o:?}"
        );
    }

    #[test]
    fn cockroach_names_an_index_within_its_table() {
        let o = ops(
            "DROP INDEX IF EXISTS sessions@sessions_identity_idx, devices@devices_idx",
            Dialect::Postgres,
        );
        assert!(
            matches!(&o[..], [Op::DropIndex { name: a, table: Some(t), .. }, Op::DropIndex { name: b, .. }] if a == "sessions_identity_idx" && t == "sessions" && b == "devices_idx"),
            "{o:?}"
        );
    }

    #[test]
    fn add_constraint_if_not_exists_keeps_the_name() {
        let o = ops(
            "ALTER TABLE s ALTER identity_id SET NOT NULL, ADD CONSTRAINT IF NOT EXISTS \"s_fk\" FOREIGN KEY (identity_id) REFERENCES identities (id)",
            Dialect::Postgres,
        );
        assert!(
            o.iter().any(|op| matches!(op, Op::AddConstraint { name: Some(n), kind: ConstraintKind::ForeignKey, .. } if n == "s_fk")),
            "{o:?}"
        );
    }

    #[test]
    fn session_settings() {
        assert_eq!(
            ops("SET LOCAL lock_timeout = '5s'", Dialect::Postgres),
            vec![Op::SetTimeout {
                lock: true,
                local: true
            }]
        );
        assert_eq!(
            ops(
                "SELECT set_config('lock_timeout', '5s', true)",
                Dialect::Postgres
            ),
            vec![Op::SetTimeout {
                lock: true,
                local: true
            }]
        );
        assert_eq!(
            ops("SET FOREIGN_KEY_CHECKS = 0", Dialect::Mysql),
            vec![Op::SetForeignKeyChecks { on: false }]
        );
    }
}
