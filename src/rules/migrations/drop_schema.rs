//! M112: dropping a schema (MySQL: a database) that holds tables the previous release
//! still uses. With CASCADE (MySQL: always) every table in it goes with it.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M112 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, Part, ops::Op};

pub struct DropSchema;

impl Rule for DropSchema {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::DropSchema { name, cascade } = cx.op else {
            return;
        };
        // PostgreSQL's default RESTRICT refuses a schema that is not empty: the statement
        // fails (M307 says so) and drops nothing.
        if cx.part != Part::Up || (!cascade && cx.dialect() != Dialect::Mysql) {
            return;
        }
        // Tables the previous release knows under these names; the model lists only the
        // ones it saw created, so an unknown schema stays quiet.
        let old: Vec<String> = cx
            .schema
            .tables_in_schema(name)
            .into_iter()
            .filter(|t| {
                !cx.is_new_table(t)
                    && !cx.is_new_name(t)
                    && cx.schema.table(t).is_some_and(|t| !t.backup)
            })
            .collect();
        // Dropping a schema to build it again in the same migration (a reset) keeps the
        // tables that the migration creates again.
        let old: Vec<String> = old
            .into_iter()
            .filter(|t| !cx.migration_creates_table(t))
            .collect();
        if old.is_empty() {
            return;
        }
        let (them, listed) = (
            if old.len() == 1 { "it" } else { "them" },
            match old.as_slice() {
                [one] => format!("table `{one}`"),
                [first, second] => format!("tables `{first}` and `{second}`"),
                [first, second, rest @ ..] => {
                    format!("tables `{first}`, `{second}` and {} more", rest.len())
                }
                [] => return,
            },
        );
        let (kw, what) =
            if cx.dialect() == Dialect::Mysql && cx.stmt.normalised.contains("database") {
                ("DATABASE", "database")
            } else {
                ("SCHEMA", "schema")
            };
        out.push(cx.diag(
            &META,
            cx.span_of(&["DROP", kw]),
            format!(
                "dropping {what} `{name}` drops {listed} with it: wherever the previous release still reads or writes {them}, it breaks during the rollout, and a rollback finds {them} gone with the data"
            ),
            format!(
                "stop using the tables in `{name}` in one release, then drop the {what} in a later one"
            ),
            name,
        ));
    }
}
