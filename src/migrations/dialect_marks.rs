//! The database a migration folder is written for, when neither its path nor the
//! configuration names one: syntax that only one dialect accepts decides (`ENGINE=`,
//! backquoted names, `AUTO_INCREMENT` and `/*! … */` are MySQL's; `$$` bodies, `::`
//! casts, `BIGSERIAL`, `JSONB`, `CONCURRENTLY` are PostgreSQL's; `AUTOINCREMENT`,
//! `PRAGMA` and `WITHOUT ROWID` are SQLite's). Comments and string literals are skipped.
//! SQLite also accepts backquoted names ("included in SQLite for compatibility", SQLite
//! documentation, *SQLite Keywords*), which MySQL's double-quoted table names are not
//! (a string literal unless `ANSI_QUOTES`): a folder with both is SQLite's (Trilium).
//! A folder showing marks of two dialects is left to the configured default; a folder
//! showing none takes what the project's other folders of the same convention (whose
//! paths name no dialect) show, when that is one dialect.

use crate::sql::Dialect;

/// ClickHouse's own DDL: a table engine of the MergeTree family (`ENGINE = MergeTree`,
/// `ReplacingMergeTree`, `ReplicatedMergeTree(…)`) or the `LowCardinality(…)` type, which
/// none of the databases rollsafe reads accepts (ClickHouse documentation, *MergeTree*
/// table engine family; *LowCardinality(T)* data type). A folder holding such a file is
/// ClickHouse's, whatever its name (uptrace's `pkg/bunapp/chmigrations`).
pub fn is_clickhouse(text: &str) -> bool {
    // Runs on every SQL file of the repository: searched in place, without a lower-cased
    // copy of the file.
    let has = |needle: &[u8]| {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    has(b"mergetree") || has(b"lowcardinality(")
}

/// How many statements-worth of marks each dialect left in a folder.
#[derive(Debug, Default, Clone, Copy)]
pub struct Marks {
    pub postgres: usize,
    pub mysql: usize,
    pub sqlite: usize,
    /// Of those, marks SQLite accepts too: type names (`JSONB`, `TIMESTAMPTZ`, `TINYINT`,
    /// …; SQLite accepts any type name) and backquoted names. They tell PostgreSQL from
    /// MySQL but do not rule SQLite out.
    pub type_names: usize,
    /// Double-quoted names where a table is named (`CREATE TABLE "t"`, `INSERT INTO
    /// "t"`): MySQL reads them as strings and rejects the statement.
    pub quoted_tables: usize,
}

impl Marks {
    pub fn add(&mut self, other: Marks) {
        self.postgres += other.postgres;
        self.mysql += other.mysql;
        self.sqlite += other.sqlite;
        self.type_names += other.type_names;
        self.quoted_tables += other.quoted_tables;
    }

    /// Whether SQLite would accept everything that marked the folder (only type names).
    pub fn allows_sqlite(&self) -> bool {
        self.postgres + self.mysql <= self.type_names
    }

    /// The only dialect with marks, if exactly one has any. MySQL's marks that SQLite
    /// accepts too, beside table names MySQL rejects, are SQLite's.
    pub fn decide(&self) -> Option<Dialect> {
        if self.postgres == 0 && self.mysql > 0 && self.allows_sqlite() && self.quoted_tables > 0 {
            return Some(Dialect::Sqlite);
        }
        match (self.postgres > 0, self.mysql > 0, self.sqlite > 0) {
            (true, false, false) => Some(Dialect::Postgres),
            (false, true, false) => Some(Dialect::Mysql),
            (false, false, true) => Some(Dialect::Sqlite),
            _ => None,
        }
    }
}

/// The marks one SQL text leaves.
pub fn marks(text: &str) -> Marks {
    let mut m = Marks::default();
    let words = words(text, &mut m);
    for (i, w) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).map(String::as_str).unwrap_or("");
        match w.as_str() {
            "UNSIGNED" | "TINYINT" | "MEDIUMINT" | "MEDIUMTEXT" | "LONGTEXT" | "TINYTEXT"
            | "LONGBLOB" | "MEDIUMBLOB" => {
                m.mysql += 1;
                m.type_names += 1;
            }
            "AUTO_INCREMENT" => m.mysql += 1,
            "ENGINE" if next(1) == "=" => m.mysql += 1,
            // `ALTER TABLE t MODIFY [COLUMN] c …` / `CHANGE [COLUMN] a b …`.
            "MODIFY" if is_alter(&words, i) => m.mysql += 1,
            // `DROP INDEX name ON table`.
            "DROP" if next(1) == "INDEX" && next(3) == "ON" => m.mysql += 1,
            "BIGSERIAL" | "SMALLSERIAL" | "JSONB" | "TIMESTAMPTZ" | "BYTEA" => {
                m.postgres += 1;
                m.type_names += 1;
            }
            "CONCURRENTLY" | "PLPGSQL" | "ILIKE" => m.postgres += 1,
            "CREATE" if next(1) == "EXTENSION" => m.postgres += 1,
            "AUTOINCREMENT" | "PRAGMA" => m.sqlite += 1,
            "WITHOUT" if next(1) == "ROWID" => m.sqlite += 1,
            _ => {}
        }
    }
    m
}

/// `MODIFY` inside an `ALTER TABLE` statement (not a column called `modify`).
fn is_alter(words: &[String], i: usize) -> bool {
    words[..i]
        .iter()
        .rev()
        .take_while(|w| w.as_str() != ";")
        .collect::<Vec<_>>()
        .windows(2)
        .any(|p| p[0] == "TABLE" && p[1] == "ALTER")
}

/// Upper-cased words and the punctuation `=`, `,` and `;`, outside comments and string
/// literals; backquoted names, `/*!` comments, `$$` bodies and `::` casts are counted
/// on the way.
fn words(text: &str, m: &mut Marks) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'#' => {
                // MySQL's comment; in PostgreSQL `#` is an operator, rare in migrations.
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                if b.get(i + 2) == Some(&b'!') {
                    m.mysql += 1;
                }
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'\'' => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                if matches!(
                    out.last().map(String::as_str),
                    Some("TABLE" | "INTO" | "EXISTS" | "REFERENCES")
                ) {
                    m.quoted_tables += 1;
                }
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                i += 1;
            }
            b'`' => {
                m.mysql += 1;
                m.type_names += 1;
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b'$' if b.get(i + 1) == Some(&b'$') => {
                m.postgres += 1;
                // Skip the body: it is a function's language, not this file's SQL.
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'$' && b[i + 1] == b'$') {
                    i += 1;
                }
                i += 2;
            }
            b':' if b.get(i + 1) == Some(&b':') => {
                m.postgres += 1;
                i += 2;
            }
            b'=' | b',' | b';' => {
                out.push((c as char).to_string());
                i += 1;
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(text[s..i].to_ascii_uppercase());
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_is_told_by_what_only_it_accepts() {
        let my = "ALTER TABLE accounts MODIFY created_date datetime NOT NULL;\nDROP INDEX accounts_idx ON accounts;";
        assert_eq!(marks(my).decide(), Some(Dialect::Mysql));
        let my2 = "CREATE TABLE t (id int /*! unsigned */ NOT NULL) ENGINE=InnoDB;";
        assert_eq!(marks(my2).decide(), Some(Dialect::Mysql));
        let pg = "CREATE INDEX CONCURRENTLY i ON t (a);\nSELECT '1'::int;";
        assert_eq!(marks(pg).decide(), Some(Dialect::Postgres));
        let lite = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);";
        assert_eq!(marks(lite).decide(), Some(Dialect::Sqlite));
    }

    #[test]
    fn comments_strings_and_plain_sql_say_nothing() {
        let text = "-- ENGINE=InnoDB `x`\n/* AUTO_INCREMENT */\nINSERT INTO t VALUES ('ENGINE=1', 'a::b');\nCREATE TABLE modify_log (modify text);";
        assert_eq!(marks(text).decide(), None);
    }

    #[test]
    fn backquotes_beside_double_quoted_table_names_are_sqlite() {
        let lite = "CREATE TABLE IF NOT EXISTS \"blobs\" (`blobId` TEXT NOT NULL);\nINSERT INTO \"blobs\" VALUES ('a');";
        assert_eq!(marks(lite).decide(), Some(Dialect::Sqlite));
        // Backquotes alone, or with MySQL's own syntax, stay MySQL's.
        assert_eq!(
            marks("CREATE TABLE `t` (id int);").decide(),
            Some(Dialect::Mysql)
        );
        let my = "CREATE TABLE \"t\" (id int AUTO_INCREMENT, `k` int);";
        assert_eq!(marks(my).decide(), Some(Dialect::Mysql));
    }

    #[test]
    fn two_dialects_decide_nothing() {
        let text = "CREATE TABLE a (id BIGSERIAL);\nCREATE TABLE b (id int AUTO_INCREMENT);";
        assert_eq!(marks(text).decide(), None);
    }
}

#[cfg(test)]
mod clickhouse_tests {
    #[test]
    fn clickhouse_engines_and_types_are_seen_in_any_case() {
        assert!(super::is_clickhouse(
            "CREATE TABLE t (a UInt64) ENGINE = ReplacingMergeTree ORDER BY a"
        ));
        assert!(super::is_clickhouse(
            "ALTER TABLE t ADD COLUMN k LowCardinality(String)"
        ));
        assert!(!super::is_clickhouse(
            "CREATE TABLE t (a bigint) ENGINE=InnoDB"
        ));
    }
}
