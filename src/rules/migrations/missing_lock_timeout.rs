//! M209: a statement that waits for a table-blocking lock with no lock timeout set: while
//! it waits behind a long query, every other query on the table queues behind it. Fires
//! on every such statement; `noise::shape_migration` folds them into one finding per file.
//! A warning only on the tables `[migrations] hot-tables` lists: whether anything queues
//! behind the lock depends on how busy the table is, which no file says (on the judged
//! release pairs, 141 of 170 such warnings were on small or idle tables).

use crate::diagnostic::catalogue::M209 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::migrations::walk::{OpCx, takes_blocking_lock};
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, ops::Op};

pub struct MissingLockTimeout;

impl Rule for MissingLockTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        if !cx.config.lock_timeout_required || cx.lock_timeout_set {
            return;
        }
        if cx.dialect() == Dialect::Sqlite || !takes_blocking_lock(cx.op, cx.dialect()) {
            return;
        }
        let Some(table) = cx.op.table() else { return };
        if cx.is_new_table(table)
            || matches!(cx.op, Op::LockTable { .. })
            || (matches!(cx.op, Op::DropTable { .. }) && cx.recreates_unknown_table(table))
        {
            return;
        }
        let set = if cx.dialect() == Dialect::Mysql {
            "SET SESSION lock_wait_timeout = 5;"
        } else {
            "SET lock_timeout = '5s';"
        };
        let hot = cx.config.is_hot(table);
        let mut d = cx.diag(
            &META,
            cx.stmt_span(),
            format!(
                "this migration locks `{table}` without a lock timeout: if a long query holds the table, the migration waits and every query on `{table}` queues behind it"
            ),
            if hot {
                format!("start the migration with `{set}` and retry the deploy if it times out (or set `lock-timeout-required = false` if your runner sets one)")
            } else {
                format!("start the migration with `{set}` if the table is busy (list busy tables in `[migrations] hot-tables` to make this a warning)")
            },
            table,
        );
        d.severity = if hot {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(d);
    }
}
