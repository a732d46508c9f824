//! M305: a new migration numbered below one the previous release already shipped. Tools
//! that record the highest applied version skip it or refuse to run.

use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::{Convention, version_key};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

pub struct MigrationOutOfOrder;

static META: RuleMeta = RuleMeta {
    code: "M305",
    name: "migration-out-of-order",
    domain: Domain::Migrations,
    severity: Severity::Error,
    summary: "A new migration sorts before the newest migration of the previous release, so databases already past that version skip it or refuse it.",
    needs_base: true,
};

impl Rule for MigrationOutOfOrder {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        for set in &cx.head.migration_sets {
            if matches!(set.convention, Convention::Sqitch | Convention::Liquibase) {
                continue;
            }
            let Some(newest) = base
                .migration_sets
                .iter()
                .filter(|b| b.dir == set.dir && b.dialect == set.dialect)
                .flat_map(|b| b.migrations.iter())
                .filter(|m| !m.repeatable && !m.version.is_empty())
                .max_by_key(|m| version_key(&m.version))
            else {
                continue;
            };
            for m in set
                .migrations
                .iter()
                .filter(|m| m.is_new && !m.repeatable && !m.version.is_empty())
            {
                if version_key(&m.version) >= version_key(&newest.version) {
                    continue;
                }
                out.push(super::migration_diag(
                    &META,
                    m,
                    m.primary.source.line_span(1),
                    format!(
                        "new migration `{}` sorts before `{}`, which the previous release already shipped: databases already at that version skip it or refuse to migrate",
                        m.label(),
                        newest.label()
                    ),
                    "renumber it after the newest shipped migration (e.g. with a current timestamp)",
                    "out-of-order",
                ));
            }
        }
    }
}
