//! M207: VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY and explicit LOCK TABLE in a
//! migration: each blocks the table for as long as it runs.

use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::walk::OpCx;
use crate::rules::{Domain, Rule, RuleMeta};
use crate::sql::{Dialect, ops::Op};

pub struct BlockingMaintenance;

static META: RuleMeta = RuleMeta {
    code: "M207",
    name: "blocking-maintenance",
    domain: Domain::Migrations,
    severity: Severity::Error,
    summary: "VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY or LOCK TABLE blocks the table for the whole operation.",
    needs_base: false,
};

impl Rule for BlockingMaintenance {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let pg = cx.dialect() == Dialect::Postgres;
        let (what, target, help, word): (&str, String, &str, &str) = match cx.op {
            Op::VacuumFull { table } if pg => (
                "VACUUM FULL",
                table.clone().unwrap_or_else(|| "every table".into()),
                "use pg_repack or pg_squeeze, which rebuild without a long exclusive lock, outside the deploy",
                "VACUUM",
            ),
            Op::Cluster { table } if pg => (
                "CLUSTER",
                table
                    .clone()
                    .unwrap_or_else(|| "every clustered table".into()),
                "use pg_repack outside the deploy, or drop the CLUSTER step",
                "CLUSTER",
            ),
            Op::Reindex {
                target,
                concurrently: false,
            } if pg => (
                "REINDEX",
                target.clone(),
                "use `REINDEX … CONCURRENTLY` (PostgreSQL 12+) in a migration that runs outside a transaction",
                "REINDEX",
            ),
            Op::LockTable { tables } => {
                let existing: Vec<&String> =
                    tables.iter().filter(|t| !cx.is_new_table(t)).collect();
                if existing.is_empty() {
                    return;
                }
                (
                    "LOCK TABLE",
                    existing
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    "drop the explicit lock; if the migration needs it, keep the locked section short and set `lock_timeout` first",
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
            format!("{what} on `{target}` blocks reads and writes to it for as long as it runs"),
            help,
            &format!("{what}:{target}"),
        ));
    }
}
