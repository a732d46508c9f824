//! M102: dropping a table the previous release still uses.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M102 as META;
use crate::rules::migrations::walk::{OpCx, rows_discarded_in, shipped_assumption};
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Part, ops::Op};

pub struct DropTable;

/// SQLite's table rebuild (copy into a new table, drop the old one, rename the new one to
/// the old name, as its ALTER TABLE documentation prescribes): the table survives. So it
/// does when the rows were copied aside first and a later statement of the file creates
/// the table again (authelia copies to a backup table, drops, re-creates and copies back).
fn rebuilt_later(cx: &OpCx, table: &str) -> bool {
    let renamed_back = cx
        .migration
        .up_statements()
        .flat_map(|(_, s)| s.ops.iter())
        .any(|o| matches!(o, Op::RenameTable { to, .. } if to == table));
    renamed_back || (copied_before(cx, table) && created_again(cx, table))
}

/// Whether a later statement of this file creates the table again.
fn created_again(cx: &OpCx, table: &str) -> bool {
    cx.migration
        .up_statements()
        .filter(|(p, s)| std::sync::Arc::ptr_eq(&p.file, cx.file) && s.start > cx.stmt.start)
        .flat_map(|(_, s)| s.ops.iter())
        .any(|o| matches!(o, Op::CreateTable { table: t, .. } if t == table))
}

/// Whether an earlier statement of the same part copies the table's rows elsewhere
/// (`INSERT INTO other … SELECT … FROM table`): the data survives the drop.
fn copied_before(cx: &OpCx, table: &str) -> bool {
    let text = &cx.file.source.text;
    cx.migration
        .up_statements()
        .filter(|(p, s)| std::sync::Arc::ptr_eq(&p.file, cx.file) && s.start < cx.stmt.start)
        .any(|(_, s)| {
            s.ops
                .iter()
                .any(|o| matches!(o, Op::Insert { table: t, from_query: true } if t != table))
                && (s.find_words(text, &["FROM", table]).is_some()
                    || s.find_words(text, &["JOIN", table]).is_some())
        })
}

impl Rule for DropTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        if let Op::DropView { name } = cx.op {
            drop_view(cx, name, out);
            return;
        }
        let Op::DropTable { table } = cx.op else {
            return;
        };
        // A name this release introduced (e.g. a backup made by renaming) is unknown to the
        // previous release.
        if cx.part != Part::Up
            || cx.is_new_table(table)
            || cx.is_new_name(table)
            || cx.schema.table(table).is_some_and(|t| t.backup)
            || rebuilt_later(cx, table)
            || cx.recreates_unknown_table(table)
        {
            return;
        }
        // Whether the previous release's code uses the table is not in the migrations (river
        // drops two tables no release ever queried): the message says what breaks if it
        // does, not that it does.
        // Rows copied elsewhere first, or rows the project already threw away once when
        // it re-created the table empty: not data a rollback would need.
        let data =
            if copied_before(cx, table) || rows_discarded_in(cx.set, cx.index, table).is_some() {
                ""
            } else {
                ", and destroys the data a rollback would need"
            };
        let assumed = shipped_assumption(cx.set, cx.judge, cx.index, table);
        // Created again by the same file with another definition (rauthy's
        // `login_locations`, now keyed by a NOT NULL `browser_id`): the name stays, what
        // breaks is what no longer fits it.
        let message = if created_again(cx, table) {
            format!(
                "dropping table `{table}` and creating it again discards its rows, and the previous release's reads and writes fail wherever they do not fit the new definition (a column gone, a new NOT NULL column it does not write), during the rollout and after a rollback{assumed}"
            )
        } else {
            format!(
                "dropping table `{table}` breaks the previous release wherever it still reads or writes it, during the rollout and after a rollback{data}{assumed}"
            )
        };
        out.push(cx.diag(
            &META,
            cx.span_of(&["DROP", "TABLE"]),
            message,
            format!(
                "stop using `{table}` in one release, then drop it in a later one (rename it to `{table}_deprecated` first if you want a way back)"
            ),
            table,
        ));
    }
}

/// Flyway applies the repeatable migrations (`R__`) that are new or changed after the
/// versioned ones of the same run: a view a versioned migration drops (to change the
/// columns under it) and a repeatable migration of the release creates again is back
/// when the upgrade ends. Without a base, any repeatable migration that creates it counts.
fn recreated_by_repeatable(cx: &OpCx, name: &str) -> bool {
    cx.set.migrations.iter().any(|m| {
        m.repeatable
            && (m.is_new || !cx.migration.is_new)
            && m.up_statements()
                .flat_map(|(_, s)| s.ops.iter())
                .any(|o| matches!(o, Op::CreateView { name: view } if view == name))
    })
}

/// A view the previous release reads, dropped and not made again in this migration
/// (dropping a view to re-create it with a new definition is how views change).
fn drop_view(cx: &OpCx, name: &str, out: &mut Vec<Diagnostic>) {
    if cx.part != Part::Up
        || cx.is_new_table(name)
        || cx.is_new_name(name)
        || cx.migration_creates_table(name)
        || cx.schema.table(name).is_none_or(|t| !t.view)
        || recreated_by_repeatable(cx, name)
    {
        return;
    }
    out.push(cx.diag(
        &META,
        cx.span_of(&["DROP", "VIEW"]),
        format!(
            "dropping view `{name}` breaks the previous release wherever it still reads it, during the rollout and after a rollback"
        ),
        format!("stop reading `{name}` in one release, then drop the view in a later one"),
        name,
    ));
}
