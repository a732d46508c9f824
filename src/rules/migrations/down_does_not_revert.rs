//! M302: the down part is empty or does not touch what the up part created, renamed,
//! altered or dropped.

use crate::diagnostic::catalogue::M302 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::schema::Difference;
use crate::rules::migrations::walk::MigrationCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Understood, ops::Op};

pub struct DownDoesNotRevert;

fn describe(d: &Difference) -> String {
    match d {
        Difference::Added(o) => format!("{} in place", o.describe()),
        Difference::Removed(o) => format!("{} missing", o.describe()),
        Difference::ColumnChanged {
            table,
            column,
            what,
        } if what.is_empty() => {
            format!("the change to column `{table}.{column}`")
        }
        Difference::ColumnChanged {
            table,
            column,
            what,
        } => {
            format!("column `{table}.{column}` with {what}")
        }
    }
}

/// A change to a column the model knows only from changes (its table predates the kept
/// history) counts as undone when the down part changes that column again.
fn touched_by_down(d: &Difference, down: &[&Op]) -> bool {
    let Difference::ColumnChanged {
        table,
        column,
        what,
    } = d
    else {
        return false;
    };
    what.is_empty()
        && down.iter().any(|o| match o {
            Op::ChangeColumnType {
                table: t,
                column: c,
                ..
            }
            | Op::SetNotNull {
                table: t,
                column: c,
            }
            | Op::DropNotNull {
                table: t,
                column: c,
            }
            | Op::DropColumn {
                table: t,
                column: c,
            } => t == table && c == column,
            _ => false,
        })
}

/// Indexes the down part drops (without `IF EXISTS`) that the up part neither created
/// nor dropped and the model does not know: the rollback fails where the index does not
/// exist, and removes one the previous release had where it does (a dialect-neutral down
/// written for the variant that made the index).
fn foreign_index_drops(
    cx: &MigrationCx,
    down: &[(&crate::migrations::PartRef, &crate::sql::Statement)],
) -> Vec<String> {
    let up_names: Vec<&str> = cx
        .up_parts
        .iter()
        .flat_map(|p| crate::migrations::section(p).statements.iter())
        .flat_map(|s| s.ops.iter())
        .filter_map(|o| match o {
            Op::CreateIndex { name: Some(n), .. } | Op::DropIndex { name: n, .. } => {
                Some(n.as_str())
            }
            _ => None,
        })
        .collect();
    // The up part is in another set (dialect-neutral files are read as PostgreSQL), or
    // makes an index whose name the server chooses: the drop may well be its undoing.
    let unnamed_index = cx
        .up_parts
        .iter()
        .flat_map(|p| crate::migrations::section(p).statements.iter())
        .flat_map(|s| s.ops.iter())
        .any(|o| matches!(o, Op::CreateIndex { name: None, .. }));
    if cx.up_parts.is_empty() || unnamed_index {
        return Vec::new();
    }
    let up_keys: Vec<String> = up_names
        .iter()
        .map(|n| cx.schema_after.index_key(n))
        .collect();
    let on = crate::rules::migrations::walk::variant_phrase(cx.variant);
    down.iter()
        .filter(|(p, s)| !crate::migrations::replay::is_guarded(s, &p.file.source.text))
        .flat_map(|(_, s)| s.ops.iter())
        .filter_map(|o| {
            let Op::DropIndex { name, .. } = o else {
                return None;
            };
            // The index as the schema keys it, whichever way the statements spell it.
            let key = cx.schema_after.index_key(name);
            let foreign = !up_keys.contains(&key)
                && !cx.schema_after.indexes.contains_key(&key)
                && !cx.schema_after.constraints.contains_key(name);
            foreign.then(|| format!(
                "index `{name}` dropped{on} though the up part did not create it (the rollback fails where it does not exist, and removes it where the previous release had it)"
            ))
        })
        .collect()
}

/// Whether a down part's operations change anything (a `BEGIN`/`COMMIT`, a grant or a
/// timeout alone does not).
fn significant(ops: &[&Op]) -> bool {
    ops.iter().any(|o| {
        !matches!(
            o,
            Op::Other | Op::Privileges { .. } | Op::Begin | Op::Commit | Op::SetTimeout { .. }
        )
    })
}

/// A folder whose earlier migrations mostly leave their down parts empty (gophish: 19 of
/// its 28) is forward-only by convention: it rolls back by redeploying the previous
/// version, not by running downs, so one more empty down follows its practice. At least
/// four earlier downs, so that one or two placeholders do not make a convention.
fn forward_only(cx: &MigrationCx) -> bool {
    let downs: Vec<bool> = cx.set.migrations[..cx.index]
        .iter()
        .filter(|m| !m.down.is_empty())
        .map(|m| {
            let ops: Vec<&Op> = m
                .down
                .iter()
                .flat_map(|p| crate::migrations::section(p).statements.iter())
                .flat_map(|s| s.ops.iter())
                .collect();
            significant(&ops)
        })
        .collect();
    let empty = downs.iter().filter(|s| !**s).count();
    downs.len() >= 4 && empty * 2 > downs.len()
}

impl Rule for DownDoesNotRevert {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_migration(&self, cx: &MigrationCx, out: &mut Vec<Diagnostic>) {
        let m = cx.migration;
        if cx.down_parts.is_empty() {
            return;
        }
        let Some(differences) = cx.down_differences else {
            return;
        };
        let down = crate::migrations::part_statements(cx.down_parts);
        // A down that runs code rollsafe cannot read (unparsed statements, stored
        // procedures, dynamic SQL) may well revert everything.
        if down.iter().any(|(_, s)| {
            !matches!(s.understood, Understood::Parsed | Understood::Recognised(_))
                || s.ops.iter().any(|o| matches!(o, Op::Opaque { .. }))
        }) {
            return;
        }
        let down_ops: Vec<&Op> = down.iter().flat_map(|(_, s)| s.ops.iter()).collect();
        let mut left: Vec<String> = differences
            .iter()
            .filter(|d| !touched_by_down(d, &down_ops))
            .map(describe)
            .collect();
        left.extend(foreign_index_drops(cx, &down));
        if left.is_empty() {
            return;
        }
        // Point at the first down statement, else the down marker, else the down file.
        let (file, span) = match down.first() {
            Some((p, st)) => (
                p.file.clone(),
                p.file.source.first_line_span(st.start, st.end),
            ),
            None => {
                let p = cx.down_parts[0];
                let marker = crate::migrations::section(p).marker;
                let src = &p.file.source;
                let span = if marker > 0 {
                    src.first_line_span(marker, src.text.len())
                } else {
                    src.line_span(1)
                };
                (p.file.clone(), span)
            }
        };
        let significant = significant(&down_ops);
        let shown = left.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        let more = match left.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        let convention = !significant && forward_only(cx);
        let (message, detail) = if convention {
            (
                format!(
                    "the down part of migration `{}` does nothing, as most earlier down parts of this folder do (the project rolls forward): a rollback by down would leave {shown}{more}",
                    m.label()
                ),
                "empty".to_string(),
            )
        } else if !significant {
            (
                format!(
                    "the down part of migration `{}` does nothing, so a rollback leaves {shown}{more}",
                    m.label()
                ),
                "empty".to_string(),
            )
        } else {
            (
                format!(
                    "after the up and down parts of migration `{}` the schema is not the previous release's: {shown}{more}",
                    m.label()
                ),
                left.join(","),
            )
        };
        let mut d = Diagnostic::new(
            &META,
            &file.source,
            span,
            message,
            "make the down part reverse every change of the up part, in reverse order (drop what it created, re-create what it dropped under its old name, rename back what it renamed)",
            format!("{}|{detail}", m.label()),
        );
        if convention {
            d = d.with_severity(Severity::Info);
        }
        out.push(d);
    }
}
