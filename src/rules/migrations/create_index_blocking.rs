//! M201: building an index on an existing table without CONCURRENTLY (PostgreSQL).

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M201 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Dialect,
    ops::{ConstraintKind, Op},
};

pub struct CreateIndexBlocking;

/// The end of `text[start..end]` without trailing whitespace.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

/// `CREATE INDEX IF NOT EXISTS` of an index the replayed schema already holds (a down
/// part re-creating one its up part never dropped): PostgreSQL skips it with a notice and
/// builds nothing.
fn exists_already(cx: &OpCx, name: Option<&str>) -> bool {
    cx.guarded && name.is_some_and(|n| cx.schema.indexes.contains_key(&cx.schema.index_key(n)))
}

/// The byte offsets of `CREATE` and of the `ON` after it in the `CREATE [UNIQUE] INDEX`
/// clause that names `word` (the index, or the table of an unnamed one). A goose
/// `StatementBegin` block is one statement holding several: the clause is looked for
/// among them, not taken from the block's first token.
fn create_clause(cx: &OpCx, word: &str) -> Option<(usize, usize)> {
    let text = &cx.file.source.text;
    let toks = &cx.stmt.token_ranges;
    let tok = |i: usize| {
        toks.get(i)
            .and_then(|(s, e)| text.get(*s..*e))
            .unwrap_or("")
    };
    let is = |i: usize, w: &str| tok(i).eq_ignore_ascii_case(w);
    let names = |i: usize| {
        let t = tok(i).trim_matches(['"', '`']);
        t.eq_ignore_ascii_case(word)
            || t.rsplit('.')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(word))
    };
    (0..toks.len())
        .filter(|&i| {
            is(i, "CREATE") && (is(i + 1, "INDEX") || (is(i + 1, "UNIQUE") && is(i + 2, "INDEX")))
        })
        .find_map(|i| {
            let clause_end = (i..toks.len())
                .find(|&j| tok(j) == ";")
                .unwrap_or(toks.len());
            let on = (i..clause_end).find(|&j| is(j, "ON"))?;
            (i..clause_end)
                .any(|j| names(j) || (j + 1 < toks.len() && tok(j).ends_with('.') && names(j + 1)))
                .then(|| (toks[i].0, toks[on].0))
        })
}

impl Rule for CreateIndexBlocking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        if cx.dialect() != Dialect::Postgres {
            return;
        }
        match cx.op {
            Op::CreateIndex {
                table,
                name,
                concurrently: false,
                unique,
                ..
            } if !cx.is_new_table(table) && !exists_already(cx, name.as_deref()) => {
                let idx = name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default();
                let uq = if *unique { "UNIQUE " } else { "" };
                // From CREATE to the index name: `CREATE UNIQUE INDEX orders_x_idx`.
                let span = match create_clause(cx, name.as_deref().unwrap_or(table)) {
                    Some((s, on)) => cx.file.source.span(s, on),
                    None => cx.span_of(&["INDEX"]),
                };
                let span = crate::source::Span {
                    end: cx.file.source.pos(trim_end(
                        &cx.file.source.text,
                        span.start.offset,
                        span.end.offset,
                    )),
                    ..span
                };
                out.push(cx.diag(
                    &META,
                    span,
                    format!(
                        "creating index{idx} on existing table `{table}` without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on it until the build finishes"
                    ),
                    format!(
                        "use `CREATE {uq}INDEX CONCURRENTLY`, in a migration that runs outside a transaction"
                    ),
                    &format!("{table}{idx}"),
                ));
            }
            Op::AddConstraint {
                table,
                kind: kind @ (ConstraintKind::Unique | ConstraintKind::PrimaryKey),
                name,
                ..
            } if !cx.is_new_table(table) => {
                let what = if *kind == ConstraintKind::Unique {
                    "UNIQUE"
                } else {
                    "PRIMARY KEY"
                };
                let n = name.clone().unwrap_or_else(|| format!("{table}_key"));
                out.push(cx.diag(
                    &META,
                    cx.span_of(&[what.split(' ').next().unwrap_or(what)]),
                    format!(
                        "adding a {what} constraint to existing table `{table}` builds its index while holding an ACCESS EXCLUSIVE lock, blocking reads and writes"
                    ),
                    format!(
                        "build the index first with `CREATE UNIQUE INDEX CONCURRENTLY {n}_idx …`, then `ALTER TABLE {table} ADD CONSTRAINT {n} {what} USING INDEX {n}_idx`"
                    ),
                    &format!("{table}:{what}"),
                ));
            }
            _ => {}
        }
    }
}
