//! M211: MySQL ALTER TABLE operations that copy the table and block writes unless an
//! online algorithm can be used.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M211 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Dialect,
    ops::{ConstraintKind, Op},
};

pub struct MysqlTableCopy;

/// ALGORITHM/LOCK stated on the same statement.
fn online_options(cx: &OpCx) -> (Option<String>, Option<String>) {
    cx.stmt
        .ops
        .iter()
        .find_map(|o| match o {
            Op::MysqlOnlineOptions {
                algorithm, lock, ..
            } => Some((algorithm.clone(), lock.clone())),
            _ => None,
        })
        .unwrap_or((None, None))
}

impl Rule for MysqlTableCopy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        if cx.dialect() != Dialect::Mysql {
            return;
        }
        let Some(table) = cx.op.table() else { return };
        if cx.is_new_table(table) {
            return;
        }
        let (algorithm, _) = online_options(cx);
        let online = matches!(algorithm.as_deref(), Some("INPLACE" | "INSTANT"));
        let (what, words): (String, &[&str]) = match cx.op {
            Op::MysqlOnlineOptions {
                algorithm, lock, ..
            } => {
                if algorithm.as_deref() == Some("COPY") {
                    ("ALGORITHM=COPY copies".into(), &["ALGORITHM"])
                } else if matches!(lock.as_deref(), Some("SHARED" | "EXCLUSIVE")) {
                    let l = lock.as_deref().unwrap_or("");
                    out.push(cx.diag(
                        &META,
                        cx.span_of(&["LOCK"]),
                        format!("LOCK={l} blocks writes to `{table}` for the whole ALTER TABLE"),
                        "use `LOCK=NONE` so MySQL refuses instead of blocking writes, and run changes that need a lock with an online schema-change tool (gh-ost, pt-online-schema-change)",
                        &format!("{table}:LOCK={l}"),
                    ));
                    return;
                } else {
                    return;
                }
            }
            _ if online => return,
            Op::ChangeColumnType {
                column, new_type, ..
            } => {
                let Some(old) = cx.schema.column(table, column) else {
                    return;
                };
                // A statement the model could not read touched the table: the column's
                // type may no longer be the one it recorded.
                if cx.schema.table(table).is_some_and(|t| t.unreadable()) {
                    return;
                }
                if old.spec.data_type.is_empty()
                    || crate::sql::ops::mysql_canonical_type(&old.spec.data_type)
                        == crate::sql::ops::mysql_canonical_type(new_type)
                    || crate::migrations::mysql_inplace::in_place_type_change(
                        &old.spec.data_type,
                        new_type,
                    )
                {
                    return;
                }
                (
                    format!(
                        "changing `{column}` from `{}` to `{new_type}` copies",
                        old.spec.data_type
                    ),
                    &["MODIFY"],
                )
            }
            Op::MysqlRebuild { what, .. } if what.starts_with("CONVERT") => {
                ("CONVERT TO CHARACTER SET copies".into(), &["CONVERT"])
            }
            Op::AddConstraint {
                kind: ConstraintKind::ForeignKey,
                name,
                ..
            } if !cx.foreign_key_checks_off => {
                let span = cx.constraint_span(name.as_deref(), "FOREIGN");
                out.push(cx.diag(
                    &META,
                    span,
                    format!("adding a FOREIGN KEY (with foreign_key_checks on) copies `{table}` and blocks writes to it until the copy ends"),
                    "add foreign keys with `SET FOREIGN_KEY_CHECKS = 0` first (MySQL then adds them in place), or run the change with an online schema-change tool (gh-ost, pt-online-schema-change)",
                    &format!("{table}:FOREIGN KEY {}", name.as_deref().unwrap_or("")),
                ));
                return;
            }
            Op::AddConstraint {
                kind: ConstraintKind::ForeignKey,
                ..
            } => return,
            Op::DropConstraint { name, .. } if name == "primary" => {
                ("dropping the PRIMARY KEY copies".into(), &["PRIMARY"])
            }
            _ => return,
        };
        out.push(cx.diag(
            &META,
            cx.span_of(words),
            format!("{what} `{table}` and blocks writes to it until the copy ends"),
            "state `ALGORITHM=INPLACE, LOCK=NONE` (or INSTANT) so MySQL refuses instead of locking, and run changes that need a copy with an online schema-change tool (gh-ost, pt-online-schema-change)",
            &format!("{table}:{what}"),
        ));
    }
}
