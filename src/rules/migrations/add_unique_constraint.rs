//! M108: a new uniqueness rule on an existing table.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M108 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Part,
    ops::{ConstraintKind, Op},
};

pub struct AddUniqueConstraint;

impl Rule for AddUniqueConstraint {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let (table, what, words): (&String, String, &[&str]) = match cx.op {
            Op::AddConstraint {
                table,
                kind: ConstraintKind::Unique,
                name,
                ..
            } => (
                table,
                format!(
                    "unique constraint{}",
                    name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default()
                ),
                &["UNIQUE"],
            ),
            Op::CreateIndex {
                table,
                unique: true,
                name,
                ..
            } => (
                table,
                format!(
                    "unique index{}",
                    name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default()
                ),
                &["UNIQUE"],
            ),
            Op::AddColumn { table, column } if column.unique && !column.primary_key => (
                table,
                format!("unique column `{}`", column.name),
                &["UNIQUE"],
            ),
            _ => return,
        };
        if cx.part != Part::Up || cx.is_new_table(table) {
            return;
        }
        let key: &[String] = match cx.op {
            Op::CreateIndex { columns, .. } | Op::AddConstraint { columns, .. } => columns,
            _ => &[],
        };
        // A unique index on columns this release adds: the previous release never
        // writes them, and their values come from this release's own backfill.
        if !key.is_empty() && key.iter().all(|c| cx.is_new_column(table, c)) {
            return;
        }
        // The same set of columns is already unique (an index, a constraint, a key of the
        // table): no duplicates exist, and no write of the previous release can start
        // failing.
        if cx.schema.has_unique_key(table, key) {
            return;
        }
        // A unique key on some of these columns holds, or held until this migration
        // dropped it (dittofeed's `(workspaceId, name)` widened to `(workspaceId,
        // occupantId, name)`): rows unique on fewer columns are unique on more, and no
        // write of the previous release that its own key let through can collide here.
        if cx.schema.unique_on_subset(table, key, cx.index) {
            return;
        }
        // `CREATE UNIQUE INDEX IF NOT EXISTS name` where that unique index exists: nothing
        // happens.
        if let Op::CreateIndex {
            name: Some(name), ..
        } = cx.op
            && cx.guarded
            && cx
                .schema
                .indexes
                .get(&cx.schema.index_key(name))
                .is_some_and(|i| i.unique && &i.table == table)
        {
            return;
        }
        // A column this release adds, filled by this migration with a copy of a column
        // that is unique on its own (`SET slug = id`), makes every row's key distinct; the
        // previous release never writes the new column.
        if key.iter().any(|c| {
            cx.is_new_column(table, c)
                && cx
                    .schema
                    .column(table, c)
                    .is_some_and(|col| col.spec.default.is_none())
                && filled_from_unique(cx, table, c)
        }) {
            return;
        }
        // One column this release adds as nullable with no default: the previous
        // release's rows get NULL there, and a unique index never compares NULLs, so its
        // writes cannot collide (PostgreSQL, MySQL and SQLite alike).
        if let Op::CreateIndex { columns, .. } = cx.op
            && columns.iter().any(|c| {
                cx.is_new_column(table, c)
                    && cx.schema.column(table, c).is_some_and(|col| {
                        !col.spec.not_null && col.spec.default.is_none() && !col.spec.generated
                    })
            })
        {
            return;
        }
        // Re-creating a unique index or constraint this migration just dropped (itself, or
        // through a stored procedure it handed the table to) restores a rule the data
        // already obeys.
        let name = match cx.op {
            Op::AddConstraint { name, .. } | Op::CreateIndex { name, .. } => name.as_deref(),
            _ => None,
        };
        if name
            .is_some_and(|n| cx.schema.dropped_names.get(n).map(|d| d.migration) == Some(cx.index))
            || cx.schema.table(table).and_then(|t| t.opaque_in) == Some(cx.index)
        {
            return;
        }
        // The same migration deletes duplicates first (openpanel's `DELETE FROM members m
        // USING members keep WHERE …` before its unique key): the build cannot fail, and
        // what is left is the rule the key states.
        if deduplicated_first(cx, table) {
            out.push(
                cx.diag(
                    &META,
                    cx.span_of(words),
                    format!(
                        "adding {what} on existing table `{table}` after this migration deletes its duplicates: the build succeeds, and writes of the previous release that would duplicate a value now fail, as the key means them to"
                    ),
                    "make sure the previous release handles the unique violation where it may write a duplicate",
                    &what,
                )
                .with_severity(crate::diagnostic::Severity::Info),
            );
            return;
        }
        out.push(cx.diag(
            &META,
            cx.span_of(words),
            format!(
                "adding {what} on existing table `{table}` fails the migration if duplicates exist, and the previous release's writes that duplicate a value start failing"
            ),
            "first ship code that never writes duplicates and clean existing ones; then CREATE UNIQUE INDEX CONCURRENTLY and attach it with ADD CONSTRAINT … UNIQUE USING INDEX",
            &what,
        ));
    }
}

/// Whether an earlier statement of this migration's up part sets `column` of `table` to a
/// column that a unique key covers alone (the primary key, say).
fn filled_from_unique(cx: &OpCx, table: &str, column: &str) -> bool {
    cx.earlier_up_ops().any(|o| match o {
        Op::Update {
            table: t, copies, ..
        } if t == table => copies.iter().any(|(to, from)| {
            to == column && cx.schema.has_unique_key(table, std::slice::from_ref(from))
        }),
        _ => false,
    })
}

/// Whether an earlier statement of this migration's up part deletes rows of `table`
/// selectively (a `DELETE … WHERE`/`USING`, how duplicates are removed before a key).
fn deduplicated_first(cx: &OpCx, table: &str) -> bool {
    cx.earlier_up_ops()
        .any(|o| matches!(o, Op::Delete { table: t, has_where: true } if t == table))
}
