//! M206: adding a column whose value is computed per row (volatile default, serial,
//! identity, stored generated column), which rewrites the table in PostgreSQL.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M206 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Dialect,
    ops::{DefaultKind, Op},
};

pub struct VolatileDefaultRewrite;

impl Rule for VolatileDefaultRewrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::AddColumn { table, column } = cx.op else {
            return;
        };
        if cx.dialect() != Dialect::Postgres || cx.is_new_table(table) {
            return;
        }
        let why = match (&column.default, column.generated) {
            (Some(DefaultKind::Volatile(f)), _) => format!("its default `{f}` is volatile"),
            (_, true) if column.data_type.contains("serial") => {
                format!(
                    "a `{}` column fills every existing row from a sequence",
                    column.data_type
                )
            }
            (_, true) => {
                "it is an identity or stored generated column, computed for every existing row"
                    .to_string()
            }
            _ => return,
        };
        let name = &column.name;
        out.push(cx.diag(
            &META,
            cx.span_of(&["ADD", "COLUMN", name]),
            format!(
                "adding column {} rewrites all of `{table}` under an ACCESS EXCLUSIVE lock because {why}",
                super::qual(table, name)
            ),
            format!(
                "add `{name}` without the default (or with a constant one), set the default in a separate statement so it applies to new rows, and backfill existing rows in batches"
            ),
            &format!("{table}.{name}"),
        ));
    }
}
