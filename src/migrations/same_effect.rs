//! Whether an edited migration still does what databases that applied it ran. Tools that
//! keep no checksum never re-run an applied migration, so an edit matters only when it
//! changes the effect: the spelling of the same statements does not. Recognised as
//! spelling only, on tokens (comments and layout already gone):
//! - transaction control (`BEGIN`, `COMMIT`, `START TRANSACTION`, `END`): the statements
//!   between run the same;
//! - `CONCURRENTLY`: the index built or dropped is the same (PostgreSQL manual,
//!   CREATE INDEX: "the index is built without taking any locks that prevent concurrent
//!   inserts, updates, or deletes" — only the locking differs);
//! - one `ALTER TABLE t a, b` against `ALTER TABLE t a; ALTER TABLE t b` (PostgreSQL
//!   manual, ALTER TABLE: "All the forms of ALTER TABLE that act on a single table …
//!   can be combined into a list of multiple alterations to be applied together");
//! - the optional `COLUMN` keyword of `ADD [COLUMN]` and `DROP [COLUMN]`;
//! - a plain `SELECT` (no call, no `INTO`), which reads and changes nothing;
//! - a comment on a column or table (MySQL's `COMMENT 'text'` clause, PostgreSQL's
//!   `COMMENT ON … IS 'text'`): documentation in the catalog, read by no query that stores
//!   or returns data (dataease added "7-URL" to a column comment of a shipped migration);
//! - a session limit on waiting (`SET SESSION innodb_lock_wait_timeout = DEFAULT`,
//!   `SET lock_timeout = '5s'`): how long the migration waits, not what it makes;
//! - MySQL's `ENGINE=InnoDB` table option on `CREATE TABLE`: InnoDB is the default engine
//!   (MySQL manual, *Creating InnoDB Tables*: "The ENGINE=InnoDB clause is not required
//!   when InnoDB is defined as the default storage engine, which it is by default"), so
//!   the table is the same with or without it (fathom added it to nine shipped
//!   migrations). Another engine (`MyISAM`, `MEMORY`) is a different table and counts.
//! - the `public.` schema qualifier (PostgreSQL): under the default search path
//!   (`"$user", public`; manual, *Schemas*, "The Schema Search Path") `public.t` and `t`
//!   are one object, so a database that applied the qualified text has what the
//!   unqualified one makes there (laminar dropped `"public".` from 43 shipped drizzle
//!   migrations to let a fresh install choose its schema).
//! - a `DO $$ … $$` block that only guards one statement against an object that exists
//!   already — `IF NOT EXISTS (SELECT …) THEN stmt; END IF;`, or `stmt; EXCEPTION WHEN
//!   duplicate_object THEN NULL;` (PostgreSQL has no `CREATE TYPE IF NOT EXISTS`) — and
//!   that statement: on a database without the object both make it (claircore 1.5.53
//!   guarded `CREATE TYPE VersionRange` in its shipped `01-init.sql`).

use std::borrow::Cow;

use super::PartRef;

/// The statements of an up part, normalised to the effect they have.
pub fn effect(p: &PartRef) -> Vec<String> {
    statement_effects(p)
        .into_iter()
        .flat_map(|(_, e)| e)
        .collect()
}

/// Each statement of an up part with the effect it has (none for what changes nothing).
pub fn statement_effects(p: &PartRef) -> Vec<(&crate::sql::Statement, Vec<String>)> {
    let text = &p.file.source.text;
    super::section(p)
        .statements
        .iter()
        .map(|s| {
            let toks = s.tokens_text(text);
            // A `DO` block's body is one token, spaces and all.
            let words: Vec<&str> = match toks.strip_prefix("do ") {
                Some(body) if body.starts_with('$') => vec!["do", body],
                _ => toks.split(' ').filter(|w| !w.is_empty()).collect(),
            };
            let mut out = Vec::new();
            normalise(&words, &mut out);
            (s, out)
        })
        .collect()
}

fn normalise(words: &[&str], out: &mut Vec<String>) {
    if words.starts_with(&["comment", "on"]) {
        return;
    }
    if let ["do", body] = words
        && let Some(inner) = guarded_statement(body)
    {
        let inner: Vec<&str> = inner.iter().map(String::as_str).collect();
        normalise(&inner, out);
        return;
    }
    let mut kept: Vec<Cow<str>> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w == "comment" {
            let value = if words.get(i + 1) == Some(&"=") {
                i + 2
            } else {
                i + 1
            };
            if words.get(value).is_some_and(|v| v.starts_with('\'')) {
                // The literal may hold spaces: it ends at the word that closes it.
                let closes = |k: usize| {
                    let v = words[k];
                    v.ends_with('\'') && (k > value || v.len() > 1)
                };
                let end = (value..words.len()).find(|&k| closes(k)).unwrap_or(value);
                i = end + 1;
                continue;
            }
        }
        if w == "engine" && words.first() == Some(&"create") {
            let value = if words.get(i + 1) == Some(&"=") {
                i + 2
            } else {
                i + 1
            };
            if words.get(value).is_some_and(|v| {
                v.trim_matches(['`', '\'', '"'])
                    .eq_ignore_ascii_case("innodb")
            }) {
                i = value + 1;
                continue;
            }
        }
        // `public.t` and `t` name one object where the search path is PostgreSQL's
        // default (`"$user", public`), as it is for a database that applied either.
        if matches!(w, "public" | "\"public\"") && words.get(i + 1) == Some(&".") {
            i += 2;
            continue;
        }
        if let Some(rest) = w
            .strip_prefix("\"public\".")
            .or_else(|| w.strip_prefix("public."))
            .filter(|r| !r.is_empty())
        {
            kept.push(Cow::Borrowed(rest));
            i += 1;
            continue;
        }
        if w.starts_with('$') && w.contains("public.") {
            // A `DO $$ … $$` body is one token: the same qualifier inside it.
            kept.push(Cow::Owned(without_public(w)));
            i += 1;
            continue;
        }
        if w != "concurrently" {
            kept.push(Cow::Borrowed(w));
        }
        i += 1;
    }
    let words: Vec<&str> = kept.iter().map(|w| w.as_ref()).collect();
    if is_transaction_control(&words) || is_plain_select(&words) || is_wait_setting(&words) {
        return;
    }
    if let Some((head, actions)) = alter_table_actions(&words) {
        for a in actions {
            out.push(format!(
                "{} {}",
                head.join(" "),
                with_column_keyword(&a).join(" ")
            ));
        }
        return;
    }
    out.push(words.join(" "));
}

/// `SET [SESSION | LOCAL] lock_timeout = …` and the other waiting limits
/// (`innodb_lock_wait_timeout`, `statement_timeout`): they bound how long the migration
/// waits, not what it makes (MeterSphere appended `SET SESSION innodb_lock_wait_timeout =
/// DEFAULT` to a shipped migration). Other settings (`search_path`) can change where
/// objects go, so they count.
fn is_wait_setting(words: &[&str]) -> bool {
    let rest = match words {
        ["set", "session" | "local" | "global", rest @ ..] => rest,
        ["set", rest @ ..] => rest,
        _ => return false,
    };
    rest.first().is_some_and(|name| {
        let name = name.trim_start_matches('@');
        name.ends_with("timeout")
    })
}

/// `SELECT 1` and the like: a query with no function call and no `INTO` changes nothing
/// (river added one to a comment-only SQLite migration because Turso refuses an empty
/// one). A call may (`SELECT setval(…)`), so those count.
fn is_plain_select(w: &[&str]) -> bool {
    w.first() == Some(&"select") && !w.iter().any(|t| *t == "into" || t.contains('('))
}

fn is_transaction_control(w: &[&str]) -> bool {
    matches!(
        w,
        ["begin"]
            | ["begin", "transaction" | "work"]
            | ["start", "transaction"]
            | ["commit"]
            | ["commit", "transaction" | "work"]
            | ["end"]
            | ["end", "transaction" | "work"]
    )
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name` and its actions, split at top-level commas.
fn alter_table_actions<'a>(w: &[&'a str]) -> Option<(Vec<&'a str>, Vec<Vec<&'a str>>)> {
    if w.len() < 4 || w[0] != "alter" || w[1] != "table" {
        return None;
    }
    let mut i = 2;
    if w.get(i) == Some(&"if") && w.get(i + 1) == Some(&"exists") {
        i += 2;
    }
    if w.get(i) == Some(&"only") {
        i += 1;
    }
    // A qualified name is tokenised as `schema . table`.
    i += 1;
    while w.get(i) == Some(&".") && i + 1 < w.len() {
        i += 2;
    }
    let (head, rest) = w.split_at(i.min(w.len()));
    let mut actions = vec![Vec::new()];
    let mut depth = 0i32;
    for &t in rest {
        match t {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 0 => {
                actions.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(a) = actions.last_mut() {
            a.push(t);
        }
    }
    if actions.iter().any(Vec::is_empty) {
        return None;
    }
    Some((head.to_vec(), actions))
}

/// `ADD x …` / `DROP x …` naming a column without the optional `COLUMN` keyword.
fn with_column_keyword<'a>(a: &[&'a str]) -> Vec<&'a str> {
    const NOT_A_COLUMN: [&str; 12] = [
        "column",
        "constraint",
        "primary",
        "unique",
        "foreign",
        "check",
        "exclude",
        "index",
        "key",
        "partition",
        "default",
        "not",
    ];
    match a {
        [verb @ ("add" | "drop"), next, ..] if !NOT_A_COLUMN.contains(next) => {
            let mut v = vec![*verb, "column"];
            v.extend_from_slice(&a[1..]);
            v
        }
        _ => a.to_vec(),
    }
}

/// `text` without the `public.` / `"public".` qualifier of the names in it.
fn without_public(text: &str) -> String {
    let text = text.replace("\"public\".", "");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("public.") {
        let before = rest[..at].chars().next_back();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            out.push_str("public.");
        }
        rest = &rest[at + "public.".len()..];
    }
    out.push_str(rest);
    out
}

/// The one statement a `DO` body (`$$…$$` or `$tag$…$tag$`, as one token) runs when it
/// only guards it against an existing object, as words the way `tokens_text` spells them.
fn guarded_statement(body: &str) -> Option<Vec<String>> {
    let tag_end = body[1..].find('$')? + 2;
    let tag = &body[..tag_end];
    let inner = body.strip_prefix(tag)?.strip_suffix(tag)?;
    let toks = crate::sql::lexer::tokenize(inner, crate::sql::Dialect::Postgres).ok()?;
    let words: Vec<String> = toks
        .iter()
        .filter(|t| !t.is_trivia())
        .map(|t| {
            let w = inner.get(t.start..t.end).unwrap_or("");
            if w.starts_with(['\'', '"', '$']) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let w = w.strip_suffix(&[";"]).unwrap_or(&w);
    let stmt: &[&str] = if let Some(rest) = w.strip_prefix(&["begin", "if", "not", "exists", "("]) {
        // The condition's parentheses, then `THEN stmt ; END IF ; END`.
        let mut depth = 1;
        let close = rest.iter().position(|x| {
            depth += match *x {
                "(" => 1,
                ")" => -1,
                _ => 0,
            };
            depth == 0
        })?;
        rest[close + 1..]
            .strip_prefix(&["then"])?
            .strip_suffix(&[";", "end", "if", ";", "end"])?
    } else {
        let rest = w.strip_prefix(&["begin"])?;
        let handler = rest.iter().position(|x| *x == "exception")?;
        let tail = &rest[handler..];
        let ignores_existing = matches!(
            tail,
            [
                "exception",
                "when",
                "duplicate_object" | "duplicate_table" | "duplicate_column",
                "then",
                "null",
                ";",
                "end"
            ]
        );
        if !ignores_existing {
            return None;
        }
        rest[..handler].strip_suffix(&[";"])?
    };
    if stmt.is_empty() || stmt.contains(&";") {
        return None;
    }
    Some(stmt.iter().map(|x| x.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(stmts: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for s in stmts {
            let w: Vec<&str> = s.split(' ').collect();
            normalise(&w, &mut out);
        }
        out
    }

    #[test]
    fn a_do_block_guarding_one_statement_is_that_statement() {
        let guarded = "$$\nBEGIN\n    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'versionrange') THEN\n        CREATE TYPE VersionRange AS RANGE ( SUBTYPE = integer[10]);\n    END IF;\nEND $$";
        let plain = "create type versionrange as range ( subtype = integer [ 10 ] )";
        // The body is one token, as the lexer gives it.
        let block = |body: &str| {
            let mut out = Vec::new();
            normalise(&["do", body], &mut out);
            out
        };
        assert_eq!(block(guarded), norm(&[plain]));
        let handled = "$tag$ BEGIN CREATE TYPE mood AS ENUM ('ok'); EXCEPTION WHEN duplicate_object THEN null; END $tag$";
        assert_eq!(block(handled), norm(&["create type mood as enum ( 'ok' )"]));
        // Two statements, or a handler that swallows other errors, are more than a guard.
        let two = "$$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE TYPE a AS ENUM ('x'); CREATE TYPE b AS ENUM ('y'); END IF; END $$";
        assert!(block(two)[0].starts_with("do $$"));
        let others =
            "$$ BEGIN CREATE TYPE mood AS ENUM ('ok'); EXCEPTION WHEN others THEN null; END $$";
        assert!(block(others)[0].starts_with("do $$"));
    }

    #[test]
    fn combined_alter_actions_are_the_separate_statements() {
        assert_eq!(
            norm(&[
                "alter table hydra_client rename pk to pk_deprecated",
                "alter table hydra_client add pk uuid not null default gen_random_uuid ( )",
            ]),
            norm(&[
                "alter table hydra_client rename pk to pk_deprecated , add column pk uuid not null default gen_random_uuid ( )"
            ])
        );
    }

    #[test]
    fn a_plain_select_changes_nothing_but_a_call_may() {
        assert!(norm(&["select 1"]).is_empty());
        assert_eq!(
            norm(&["select setval ( 'users_id_seq' , 100 )"]),
            ["select setval ( 'users_id_seq' , 100 )"]
        );
        assert_eq!(norm(&["select 1 into t"]), ["select 1 into t"]);
    }

    #[test]
    fn commas_inside_parentheses_do_not_split() {
        let n = norm(&["alter table t add constraint k primary key ( a , b )"]);
        assert_eq!(n, ["alter table t add constraint k primary key ( a , b )"]);
    }

    #[test]
    fn transaction_control_and_concurrently_are_spelling() {
        assert_eq!(
            norm(&["begin", "create index concurrently i on t ( a )", "commit"]),
            norm(&["create index i on t ( a )"])
        );
    }

    #[test]
    fn a_real_change_stays_a_change() {
        assert_ne!(
            norm(&["alter table t add column a int"]),
            norm(&["alter table t add column a bigint"])
        );
        assert_ne!(norm(&["drop table t"]), norm(&["drop table if exists t"]));
    }

    #[test]
    fn limits_on_waiting_are_not_effects_but_other_settings_are() {
        assert!(norm(&["set session innodb_lock_wait_timeout = default"]).is_empty());
        assert!(norm(&["set lock_timeout = '5s'", "set local statement_timeout = 0"]).is_empty());
        assert_eq!(norm(&["set search_path = app"]), ["set search_path = app"]);
    }

    #[test]
    fn the_default_engine_named_is_the_same_table_but_another_engine_is_not() {
        assert_eq!(
            norm(&["create table t ( a int ) character set = utf8 engine = innodb"]),
            norm(&["create table t ( a int ) character set = utf8"])
        );
        assert_eq!(
            norm(&["create table t ( a int ) engine innodb"]),
            norm(&["create table t ( a int )"])
        );
        assert_ne!(
            norm(&["create table t ( a int ) engine = myisam"]),
            norm(&["create table t ( a int )"])
        );
    }

    #[test]
    fn comments_on_columns_and_tables_are_documentation() {
        assert_eq!(
            norm(&[
                "create table t ( a int not null comment '0-text 1-time' , b int ) comment = 'types'"
            ]),
            norm(&["create table t ( a int not null comment '0-text 1-time 7-url' , b int )"])
        );
        assert!(norm(&["comment on column t . a is 'the kind'"]).is_empty());
        assert_ne!(
            norm(&["create table t ( a int comment 'x' )"]),
            norm(&["create table t ( a bigint comment 'x' )"])
        );
    }
}
