//! M301: the project writes down migrations, but this one has none.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M301 as META;
use crate::rules::migrations::walk::MigrationCx;
use crate::rules::{Rule, RuleMeta};

pub struct MissingDown;

impl Rule for MissingDown {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_migration(&self, cx: &MigrationCx, out: &mut Vec<Diagnostic>) {
        let m = cx.migration;
        if !m.convention.has_down()
            || !cx.uses_down
            || !m.down.is_empty()
            || m.repeatable
            || m.down_elsewhere
        {
            return;
        }
        // A down file that exists but is empty still counts as written (M302 judges it).
        if m.paths
            .iter()
            .any(|p| p.ends_with(".down.sql") || p.ends_with("/down.sql"))
        {
            return;
        }
        let expected = match m.convention.label() {
            "goose" => "a `-- +goose Down` section".to_string(),
            "dbmate" => "a `-- migrate:down` section".to_string(),
            "Flyway" => format!("an undo migration `U{}__{}.sql`", m.version, m.name),
            "sqitch" => format!("a `revert/{}.sql` script", m.name),
            "Liquibase" => "`--rollback` lines".to_string(),
            "diesel" => "a `down.sql`".to_string(),
            _ => format!("a `{}_{}.down.sql` file", m.version, m.name),
        };
        out.push(super::migration_diag(
            &META,
            m,
            super::migration_span(m),
            format!(
                "migration `{}` has no down part while the other migrations here have one, so a rollback of this release cannot undo it",
                m.label()
            ),
            &format!("add {expected} that reverses this migration (or one that fails with a clear message if it truly cannot be reversed)"),
            "missing-down",
        ));
    }
}
