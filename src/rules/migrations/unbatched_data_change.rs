//! M210: UPDATE or DELETE of a whole existing table inside a schema migration. A warning
//! only on the tables `[migrations] hot-tables` lists (as M209): whether holding every
//! row's lock matters depends on how big and busy the table is, which no file says.

use crate::diagnostic::catalogue::M210 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct UnbatchedDataChange;

impl Rule for UnbatchedDataChange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let (verb, table) = match cx.op {
            Op::Update {
                table,
                has_where: false,
                ..
            } => ("UPDATE", table),
            Op::Delete {
                table,
                has_where: false,
            } => ("DELETE", table),
            _ => return,
        };
        // SQLite has one writer and no row locks or MVCC bloat: the claim does not hold.
        if cx.part != Part::Up
            || table.is_empty()
            || cx.is_new_table(table)
            || cx.dialect() == crate::sql::Dialect::Sqlite
        {
            return;
        }
        let hot = cx.config.is_hot(table);
        let mut d = cx.diag(
            &META,
            cx.span_of(&[verb]),
            format!(
                "{verb} without WHERE rewrites every row of `{table}` in one transaction, holding row locks on all of them and bloating the table while the running version writes to it"
            ),
            if hot {
                "backfill in batches (e.g. `WHERE id BETWEEN …` in a loop) from a script or job outside the schema migration"
            } else {
                "if the table is big and busy, backfill in batches from a job outside the schema migration (list busy tables in `[migrations] hot-tables` to make this a warning)"
            },
            &format!("{verb}:{table}"),
        );
        d.severity = if hot {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(d);
    }
}
