//! M204: adding a FOREIGN KEY or CHECK constraint to an existing table without NOT VALID.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M204 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Dialect,
    ops::{ConstraintKind, Op},
};

pub struct ConstraintValidatedOnAdd;

impl Rule for ConstraintValidatedOnAdd {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::AddConstraint {
            table,
            name,
            kind,
            not_valid: false,
            ..
        } = cx.op
        else {
            return;
        };
        let (what, word) = match kind {
            ConstraintKind::ForeignKey => ("FOREIGN KEY", "FOREIGN"),
            ConstraintKind::Check { .. } => ("CHECK", "CHECK"),
            _ => return,
        };
        if cx.dialect() != Dialect::Postgres || cx.is_new_table(table) {
            return;
        }
        let n = name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default();
        let n_plain = name.clone().unwrap_or_else(|| "<name>".into());
        // ALTER TABLE: ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE on both tables; the
        // other forms of ADD table_constraint take ACCESS EXCLUSIVE.
        let lock = if *kind == ConstraintKind::ForeignKey {
            "holds a SHARE ROW EXCLUSIVE lock on it and on the referenced table, blocking writes to both"
        } else {
            "holds an ACCESS EXCLUSIVE lock, blocking reads and writes of it"
        };
        out.push(cx.diag(
            &META,
            cx.constraint_span(name.as_deref(), word),
            format!(
                "adding {what} constraint{n} to existing table `{table}` validates every row while it {lock}"
            ),
            format!(
                "add it with `NOT VALID` (instant), then run `ALTER TABLE {table} VALIDATE CONSTRAINT {n_plain}` in a separate migration: validation takes a lock that lets reads and writes continue"
            ),
            &format!("{table}:{what}{n}"),
        ));
    }
}
