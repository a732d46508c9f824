//! M303: the up part drops data and the down part re-creates an empty shell, so a
//! rollback "succeeds" but the data is gone. A down part that fills what it re-created
//! (`INSERT … SELECT` into the table, an `UPDATE` of the table whose column it re-added)
//! restores the data from a copy the up part kept, and is not reported.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M303 as META;
use crate::rules::migrations::walk::{MigrationCx, rows_discarded_in, shipped_assumption};
use crate::rules::{Rule, RuleMeta};
use crate::sql::ops::Op;

pub struct IrreversibleDataLoss;

impl Rule for IrreversibleDataLoss {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_migration(&self, cx: &MigrationCx, out: &mut Vec<Diagnostic>) {
        let m = cx.migration;
        if m.down.is_empty() {
            return;
        }
        // Every down operation with the statement (and file) it sits in.
        let down_ops: Vec<(&Op, &crate::sql::Statement, &crate::migrations::PartRef)> = m
            .down_statements()
            .flat_map(|(p, s)| s.ops.iter().map(move |o| (o, s, p)))
            .collect();
        // Tables the up part itself creates (and may drop again) hold no old data.
        let mut created: Vec<&str> = Vec::new();
        for (p, st) in m.up_statements() {
            for op in &st.ops {
                if let Op::CreateTable { table, .. } | Op::RenameTable { to: table, .. } = op {
                    created.push(table);
                }
                let (what, recreated) = match op {
                    Op::DropTable { table } if !created.contains(&table.as_str()) => (
                        format!("table `{table}`"),
                        down_ops.iter().find(|(o, _, _)| matches!(o, Op::CreateTable { table: t, .. } if t == table)),
                    ),
                    Op::DropColumn { table, column } => (
                        super::qual(table, column),
                        down_ops.iter().find(|(o, _, _)| {
                            matches!(o, Op::AddColumn { table: t, column: c } if t == table && c.name == *column)
                        }),
                    ),
                    _ => continue,
                };
                let Some((_, down_stmt, down_part)) = recreated else {
                    continue;
                };
                // The down part fills what it re-created (`INSERT … SELECT` from a copy
                // the up part kept, or an `UPDATE` of the column): the data comes back.
                let target = match op {
                    Op::DropTable { table } | Op::DropColumn { table, .. } => table.as_str(),
                    _ => continue,
                };
                let refilled = down_ops.iter().any(|(o, s, part)| {
                    std::ptr::eq(*part, *down_part)
                        && s.start > down_stmt.start
                        && match (o, op) {
                            (
                                Op::Insert {
                                    table,
                                    from_query: true,
                                },
                                Op::DropTable { .. },
                            ) => table == target,
                            (Op::Update { table, .. }, Op::DropColumn { .. }) => table == target,
                            _ => false,
                        }
                });
                if refilled {
                    continue;
                }
                // A table this release made holds no data the previous release wrote.
                let table = match op {
                    Op::DropTable { table } | Op::DropColumn { table, .. } => table,
                    _ => continue,
                };
                // Rows the project already discarded once (it re-created the table empty
                // in an earlier migration) are not data a rollback would need.
                if cx.table_made_in_release(table)
                    || rows_discarded_in(cx.set, cx.index, table).is_some()
                {
                    continue;
                }
                let assumed = shipped_assumption(cx.set, cx.judge, cx.index, table);
                let down_src = &down_part.file.source;
                let related = crate::diagnostic::Location::new(
                    down_src,
                    down_src.span(down_stmt.start, down_stmt.end),
                )
                .with_message("the down part re-creates it here, empty");
                out.push(Diagnostic::new(
                    &META,
                    &p.file.source,
                    p.file.source.span(st.start, st.end),
                    format!(
                        "the up part drops {what} and the down part re-creates it empty: a rollback restores the schema but the data is lost{assumed}"
                    ),
                    "do not drop data in the release that stops using it: keep the column or table (or copy it to an archive table) until the release is final",
                    format!("{}|{what}", m.label()),
                )
                .with_related(related));
            }
        }
    }
}
