//! M308: the up part lets a column hold NULL and the down part makes it NOT NULL again
//! without filling the NULLs first. Once the new release has written a NULL there, the
//! down part fails (PostgreSQL: "column … contains null values"; MySQL in strict mode:
//! "Data truncated" / "Invalid use of NULL value") and the rollback stops half way.

use crate::diagnostic::catalogue::M308 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::migrations::walk::MigrationCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::ops::Op;

pub struct RollbackRestoresNotNull;

/// The column an operation makes nullable, or NOT NULL, if it does.
fn nullability(op: &Op) -> Option<(&str, &str, bool)> {
    match op {
        Op::DropNotNull { table, column } => Some((table, column, false)),
        Op::SetNotNull { table, column } => Some((table, column, true)),
        // MySQL restates nullability in MODIFY/CHANGE.
        Op::ChangeColumnType {
            table,
            column,
            spec: Some(spec),
            ..
        } => Some((table, column, spec.not_null)),
        _ => None,
    }
}

impl Rule for RollbackRestoresNotNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_migration(&self, cx: &MigrationCx, out: &mut Vec<Diagnostic>) {
        let m = cx.migration;
        // The parts the replayed database runs: one dialect variant's files at a time.
        let ups = crate::migrations::part_statements(cx.up_parts);
        let downs = crate::migrations::part_statements(cx.down_parts);
        // (down statement, the up statement that dropped NOT NULL, columns): one finding
        // per down statement, naming every column it restores over NULLs.
        type Hit<'a> = (
            &'a crate::migrations::PartRef,
            &'a crate::sql::Statement,
            &'a crate::migrations::PartRef,
            &'a crate::sql::Statement,
            Vec<String>,
        );
        let mut hits: Vec<Hit> = Vec::new();
        for (up_part, up_stmt) in &ups {
            for op in &up_stmt.ops {
                // DROP NOT NULL, or a MySQL MODIFY restating the column as nullable (a
                // change only if the down part restores NOT NULL, which it checks below).
                let Some((table, column, false)) = nullability(op) else {
                    continue;
                };
                for (down_part, down_stmt) in &downs {
                    let restores = down_stmt
                        .ops
                        .iter()
                        .any(|o| nullability(o) == Some((table, column, true)));
                    if !restores {
                        continue;
                    }
                    // NULLs filled (an UPDATE naming the column) or their rows removed
                    // earlier in the same down part.
                    let text = &down_part.file.source.text;
                    let filled = downs.iter().any(|(p, s)| {
                        std::ptr::eq(*p, *down_part)
                            && s.start < down_stmt.start
                            && s.ops.iter().any(|o| match o {
                                Op::Update { table: t, .. } => {
                                    t == table && s.find_words(text, &[column]).is_some()
                                }
                                Op::Delete { table: t, .. } => t == table,
                                _ => false,
                            })
                    });
                    if filled {
                        continue;
                    }
                    let col = super::qual(table, column);
                    match hits.iter_mut().find(|h| std::ptr::eq(h.1, *down_stmt)) {
                        Some(h) => {
                            if !h.4.contains(&col) {
                                h.4.push(col)
                            }
                        }
                        None => hits.push((down_part, down_stmt, up_part, up_stmt, vec![col])),
                    }
                }
            }
        }
        for (down_part, down_stmt, up_part, up_stmt, cols) in hits {
            let src = &down_part.file.source;
            if cols.is_empty() {
                continue;
            }
            let what = crate::rules::text::and_list(&cols);
            out.push(
                Diagnostic::new(
                    &META,
                    src,
                    src.span(down_stmt.start, down_stmt.end),
                    format!(
                        "the down part makes {what} NOT NULL again, but the up part let {} hold NULL: once the new release has written one, this statement fails and the rollback stops half way",
                        if cols.len() == 1 { "it" } else { "them" }
                    ),
                    "fill the NULLs first in the down part (`UPDATE … SET column = … WHERE column IS NULL`), or leave the columns nullable on rollback",
                    format!("{}|{}", m.label(), cols.join(",")),
                )
                .with_related(
                    Location::new(
                        &up_part.file.source,
                        up_part.file.source.span(up_stmt.start, up_stmt.end),
                    )
                    .with_message("the up part drops NOT NULL here"),
                ),
            );
        }
    }
}
