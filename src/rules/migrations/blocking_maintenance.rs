//! M207: VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY and explicit LOCK TABLE in a
//! migration: each blocks the table for as long as it runs.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M207 as META;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{
    Dialect,
    ops::{LockBlocks, Op},
};

pub struct BlockingMaintenance;

impl Rule for BlockingMaintenance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let pg = cx.dialect() == Dialect::Postgres;
        let reads_and_writes = "blocks reads and writes to it for as long as it runs";
        let (what, target, effect, help, word): (String, String, String, &str, &str) = match cx.op {
            Op::VacuumFull { table } if pg => (
                "VACUUM FULL".into(),
                table.clone().unwrap_or_else(|| "every table".into()),
                reads_and_writes.to_string(),
                "use pg_repack or pg_squeeze, which rebuild without a long exclusive lock, outside the deploy",
                "VACUUM",
            ),
            Op::Cluster { table } if pg => (
                "CLUSTER".into(),
                table
                    .clone()
                    .unwrap_or_else(|| "every clustered table".into()),
                reads_and_writes.to_string(),
                "use pg_repack outside the deploy, or drop the CLUSTER step",
                "CLUSTER",
            ),
            // REINDEX takes SHARE on the table (writes wait, reads go on) and ACCESS
            // EXCLUSIVE on each index it rebuilds (queries that would use it wait).
            Op::Reindex {
                target,
                concurrently: false,
            } if pg => (
                match target.split_once(' ') {
                    Some((kind, _)) => format!("REINDEX {}", kind.to_uppercase()),
                    None => "REINDEX".into(),
                },
                target
                    .split_once(' ')
                    .map_or(target.as_str(), |(_, name)| name)
                    .to_string(),
                "blocks writes for as long as it runs; reads go on, except queries that would use an index being rebuilt, which wait".to_string(),
                "use `REINDEX … CONCURRENTLY` (PostgreSQL 12+) in a migration that runs outside a transaction",
                "REINDEX",
            ),
            Op::LockTable {
                tables,
                mode,
                blocks,
            } => {
                let existing: Vec<&String> =
                    tables.iter().filter(|t| !cx.is_new_table(t)).collect();
                if existing.is_empty() {
                    return;
                }
                let pg_mode = mode.starts_with("IN ");
                let until = if pg_mode {
                    "until the transaction ends"
                } else {
                    "until UNLOCK TABLES"
                };
                let them = if existing.len() > 1 { "them" } else { "it" };
                let effect = match blocks {
                    LockBlocks::Nothing => return,
                    LockBlocks::Writes => format!("blocks writes to {them} (reads go on) {until}"),
                    LockBlocks::ReadsAndWrites => {
                        format!("blocks reads and writes to {them} {until}")
                    }
                };
                (
                    if pg_mode {
                        format!("LOCK TABLE … {mode}")
                    } else {
                        format!("LOCK TABLES … {mode}")
                    },
                    existing
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    effect,
                    "drop the explicit lock, or take a weaker mode; if the migration needs it, keep the locked section short and set `lock_timeout` first",
                    "LOCK",
                )
            }
            _ => return,
        };
        if let Op::VacuumFull { table: Some(t) } | Op::Cluster { table: Some(t) } = cx.op
            && cx.is_new_table(t)
        {
            return;
        }
        out.push(cx.diag(
            &META,
            cx.span_of(&[word]),
            format!("{what} on `{target}` {effect}"),
            help,
            &format!("{what}:{target}"),
        ));
    }
}
