//! M202: dropping an index without CONCURRENTLY (PostgreSQL).

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M202 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, ops::Op};

pub struct DropIndexBlocking;

impl Rule for DropIndexBlocking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let Op::DropIndex {
            name,
            concurrently: false,
            ..
        } = cx.op
        else {
            return;
        };
        if cx.dialect() != Dialect::Postgres {
            return;
        }
        // An index made by this release, or on a table made by it, holds no traffic yet.
        let key = cx.schema.index_key(name);
        if let Some(i) = cx.schema.indexes.get(&key)
            && (cx.is_fresh(i.made_in) || cx.is_new_table(&i.table))
        {
            return;
        }
        // `DROP INDEX IF EXISTS` of an index the model is sure is not there (it follows
        // every statement of the history): PostgreSQL skips it and takes no lock.
        if cx.guarded
            && !cx.schema.indexes.contains_key(&key)
            && !cx.schema.constraints.contains_key(name)
            && cx.schema.dropped_names.contains_key(&key)
            && cx.schema.knows_everything()
        {
            return;
        }
        let on = cx
            .schema
            .indexes
            .get(name)
            .map(|i| format!(" on `{}`", i.table))
            .unwrap_or_default();
        out.push(cx.diag(
            &META,
            cx.span_of(&["DROP", "INDEX"]),
            format!(
                "dropping index `{name}` without CONCURRENTLY takes an ACCESS EXCLUSIVE lock{on}; while it waits for running queries, every new query on the table queues behind it"
            ),
            format!("use `DROP INDEX CONCURRENTLY IF EXISTS {name}`, in a migration that runs outside a transaction"),
            name,
        ));
    }
}
