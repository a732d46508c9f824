//! M203: a CONCURRENTLY operation that will run inside a transaction, where PostgreSQL
//! refuses it — the deploy fails at migration time.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M203 as META;
use crate::migrations::TxMode;
use crate::rules::migrations::walk::OpCx;
use crate::rules::{Rule, RuleMeta};
use crate::sql::{Dialect, ops::Op};

pub struct ConcurrentlyInTransaction;

impl Rule for ConcurrentlyInTransaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_op(&self, cx: &OpCx, out: &mut Vec<Diagnostic>) {
        let what = match cx.op {
            Op::CreateIndex {
                concurrently: true, ..
            } => "CREATE INDEX CONCURRENTLY",
            Op::DropIndex {
                concurrently: true, ..
            } => "DROP INDEX CONCURRENTLY",
            Op::Reindex {
                concurrently: true, ..
            } => "REINDEX CONCURRENTLY",
            _ => return,
        };
        if cx.dialect() != Dialect::Postgres || !cx.in_transaction {
            return;
        }
        let help = match (cx.migration.convention.label(), cx.tx_mode) {
            (_, TxMode::FlywayAuto) if cx.flyway_refuses() => "move this statement into a migration of its own (Flyway runs a migration made only of non-transactional statements outside a transaction), or set `mixed = true` in the Flyway configuration (the whole migration then runs without a transaction)".to_string(),
            ("Flyway", _) => "run it in a migration whose script configuration (`V…__name.sql.conf` beside it) says `executeInTransaction=false`".to_string(),
            ("Prisma", TxMode::ImplicitIfMultiple) => "move this statement into a migration of its own, as its only statement: Prisma then sends it alone and it runs outside a transaction".to_string(),
            (_, TxMode::Wrapped) if cx.migration.tool == crate::migrations::convention::Tool::Pop => "put it in its own migration whose file name has `.autocommit.` (`…_name.autocommit.up.sql`): pop then runs it outside a transaction".to_string(),
            (_, TxMode::Wrapped) if cx.migration.tool == crate::migrations::convention::Tool::Morph => "put it in its own migration whose first line is `-- morph:nontransactional`: morph then runs it outside a transaction".to_string(),
            (_, TxMode::Wrapped) if cx.migration.tool == crate::migrations::convention::Tool::Bun => "move it to a migration whose file name is not `.tx.up.sql` and put `--bun:split` lines around it: bun then sends it alone, outside a transaction".to_string(),
            (_, TxMode::ImplicitIfMultiple) if cx.migration.tool == crate::migrations::convention::Tool::Bun => "put a `--bun:split` line before and after it: bun then sends it alone and it runs outside a transaction".to_string(),
            (_, TxMode::ImplicitIfMultiple) => "move this statement into a file of its own, so it is sent alone and runs outside a transaction".to_string(),
            ("goose", _) => "put it in its own migration marked `-- +goose NO TRANSACTION`".to_string(),
            ("dbmate", _) => "put it in its own migration with `-- migrate:up transaction:false`".to_string(),
            ("diesel", _) => "put it in its own migration whose metadata.toml says `run_in_transaction = false`".to_string(),
            ("Liquibase", _) => "put it in its own changeset with `runInTransaction:false`".to_string(),
            ("drizzle", _) => "drizzle-orm's migrator has no way to run a migration outside its transaction: build the index without CONCURRENTLY while the table is small, or run this statement outside drizzle (a separate deploy step) and keep the migration idempotent (`IF NOT EXISTS`)".to_string(),
            ("plain", _) => "put it in its own migration starting with `-- no-transaction` (sqlx) or `-- atlas:txmode none` (Atlas)".to_string(),
            _ => "run it outside any transaction: remove the surrounding BEGIN/COMMIT or split it into its own migration".to_string(),
        };
        out.push(cx.diag(
            &META,
            cx.span_of(&["CONCURRENTLY"]),
            format!(
                "{what} cannot run inside a transaction block and fails the deploy: {}",
                cx.tx_reason()
            ),
            help,
            what,
        ));
    }
}
