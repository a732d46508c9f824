//! The splitter never swallows statements: any sequence of statements, with names that
//! are keywords elsewhere (`begin`, `end`, `case`, `declare`, `loop`, `if`, `atomic`,
//! `event`…), splits into exactly the statements written, each read on its own. Sequences
//! come from a fixed-seed generator, so a failure names its seed and reproduces.

use crate::common;

use common::rng::Rng;
use rollsafe::source::SourceFile;
use rollsafe::sql::{self, Annotations, Dialect, Understood, ops::Op};

const NAMES: &[&str] = &[
    "begin",
    "end",
    "case",
    "declare",
    "loop",
    "if",
    "atomic",
    "event",
    "function",
    "trigger",
    "procedure",
    "while",
    "repeat",
    "users",
];

/// One statement (without its `;`) for `dialect`, using keyword-like names.
fn statement(r: &mut Rng, dialect: Dialect) -> String {
    let t = r.pick(NAMES);
    let c = r.pick(NAMES);
    let d = r.pick(NAMES);
    let plain = [
        format!("CREATE TABLE {t} (id int, {c} int, {d} text)"),
        format!("ALTER TABLE {t} ADD COLUMN {c} int"),
        format!("ALTER TABLE users DROP COLUMN {c}"),
        format!("INSERT INTO {t} ({c}, {d}) VALUES (1, 'begin; end')"),
        format!("UPDATE {t} SET {c} = CASE WHEN {d} > 0 THEN 1 ELSE 0 END WHERE id = 1"),
        format!("CREATE INDEX {t}_{c}_idx ON {t} ({c})"),
        format!("CREATE VIEW {t}_v AS SELECT {c}, {d} FROM {t}"),
        format!("DROP TABLE {t}"),
    ];
    let routine = match dialect {
        Dialect::Postgres => [
            format!(
                "CREATE FUNCTION {t}_f() RETURNS trigger AS $$ BEGIN NEW.{c} := 1; RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            format!(
                "CREATE FUNCTION {t}_g({c} int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN {c} > 0 THEN 1 ELSE 0 END; SELECT 2; END"
            ),
        ],
        Dialect::Mysql => [
            format!(
                "CREATE TRIGGER {t}_tr BEFORE INSERT ON {t} FOR EACH ROW BEGIN IF NEW.{c} IS NULL THEN SET NEW.{c} = 1; END IF; SET NEW.{d} = 2; END"
            ),
            format!(
                "CREATE PROCEDURE {t}_p(IN {c} int) BEGIN DECLARE x int DEFAULT 0; CASE x WHEN 1 THEN SET x = 2; ELSE SET x = 3; END CASE; l: LOOP LEAVE l; END LOOP l; END"
            ),
        ],
        Dialect::Sqlite => [
            format!(
                "CREATE TRIGGER {t}_tr AFTER INSERT ON {t} BEGIN UPDATE {t} SET {c} = 1 WHERE id = NEW.id; UPDATE {t} SET {d} = 'x'; END"
            ),
            format!("CREATE TABLE {t}_x (id integer primary key, {c} text)"),
        ],
    };
    match r.next() % 10 {
        0 => routine[0].clone(),
        1 => routine[1].clone(),
        _ => plain[(r.next() % plain.len() as u64) as usize].clone(),
    }
}

#[test]
fn any_sequence_of_statements_splits_into_exactly_those_statements() {
    for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
        for seed in 1..=300u64 {
            let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let n = 1 + (r.next() % 6) as usize;
            let written: Vec<String> = (0..n).map(|_| statement(&mut r, dialect)).collect();
            let text = written
                .iter()
                .map(|s| format!("{s};\n"))
                .collect::<String>();
            let f = sql::read(
                SourceFile::new("m.sql", text.clone()),
                dialect,
                Annotations::None,
            );
            assert!(f.error.is_none(), "{dialect:?} seed {seed}: {:?}", f.error);
            let read: Vec<&str> = f.statements().map(|s| &text[s.start..s.end]).collect();
            assert_eq!(read, written, "{dialect:?} seed {seed}:\n{text}");
            // A statement the tools can read is read: `DROP COLUMN` is seen as one.
            for (s, w) in f.statements().zip(&written) {
                if w.starts_with("ALTER TABLE users DROP COLUMN") {
                    assert!(
                        s.ops.iter().any(|o| matches!(o, Op::DropColumn { .. }))
                            || matches!(s.understood, Understood::Unchecked(_)),
                        "{dialect:?} seed {seed}: {w} read as {:?}",
                        s.ops
                    );
                }
            }
        }
    }
}

#[test]
fn a_column_named_begin_does_not_open_a_routine_body() {
    let text =
        "CREATE TABLE event (id int, begin timestamptz);\nALTER TABLE users DROP COLUMN email;\n";
    let f = sql::read(
        SourceFile::new("m.sql", text.into()),
        Dialect::Postgres,
        Annotations::None,
    );
    let sts: Vec<_> = f.statements().collect();
    assert_eq!(sts.len(), 2);
    assert!(
        matches!(&sts[1].ops[0], Op::DropColumn { column, .. } if column == "email"),
        "{:?}",
        sts[1].ops
    );
}

#[test]
fn a_body_that_never_closes_is_reported_not_swallowed_silently() {
    let text = "CREATE PROCEDURE p() BEGIN SELECT 1;\nALTER TABLE users DROP COLUMN email;\n";
    let f = sql::read(
        SourceFile::new("m.sql", text.into()),
        Dialect::Mysql,
        Annotations::None,
    );
    let sts: Vec<_> = f.statements().collect();
    assert_eq!(sts.len(), 1);
    assert!(
        matches!(&sts[0].understood, Understood::Unchecked(why) if why.contains("never closes")),
        "{:?}",
        sts[0].understood
    );
}

#[test]
fn statements_before_the_first_annotation_are_kept_as_unchecked() {
    let text = "ALTER TABLE users DROP COLUMN email;\n-- +goose Up\nSELECT 1;\n";
    let f = sql::read(
        SourceFile::new("m.sql", text.into()),
        Dialect::Postgres,
        Annotations::Goose,
    );
    assert_eq!(f.stray.len(), 1);
    assert!(matches!(f.stray[0].understood, Understood::Unchecked(_)));
    assert_eq!(f.statements().count(), 1);
}

#[test]
fn every_statement_of_a_goose_block_is_read() {
    let text = "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE audit (id int);\nALTER TABLE users DROP COLUMN email;\n-- +goose StatementEnd\n";
    let f = sql::read(
        SourceFile::new("m.sql", text.into()),
        Dialect::Postgres,
        Annotations::Goose,
    );
    let sts: Vec<_> = f.statements().collect();
    assert_eq!(sts.len(), 1);
    assert!(
        sts[0]
            .ops
            .iter()
            .any(|o| matches!(o, Op::DropColumn { column, .. } if column == "email")),
        "{:?}",
        sts[0].ops
    );
}

#[test]
fn a_definer_routine_is_one_statement_and_the_next_one_is_read() {
    let text = "CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END;\nALTER TABLE users DROP COLUMN email;\n";
    let f = sql::read(
        SourceFile::new("m.sql", text.into()),
        Dialect::Mysql,
        Annotations::None,
    );
    let read: Vec<&str> = f.statements().map(|s| &text[s.start..s.end]).collect();
    assert_eq!(
        read,
        [
            "CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
            "ALTER TABLE users DROP COLUMN email"
        ]
    );
}
