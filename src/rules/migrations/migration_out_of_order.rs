//! M305: a new migration numbered below one the previous release already shipped, for the
//! tools that then skip it (golang-migrate keeps only the newest applied version) or refuse
//! to migrate (goose without `-allow-missing`, Flyway without `outOfOrder`,
//! Atlas's linear execution order). pop, sqlx, dbmate, diesel and Prisma look up every
//! version and run the pending older one, so nothing is reported for them.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::catalogue::M305 as META;
use crate::migrations::{Convention, Tool, version_key};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct MigrationOutOfOrder;

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
            let Some(behaviour) = behaviour(set.tool, cx.head.flyway_out_of_order) else {
                continue;
            };
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
                        "new migration `{}` sorts before `{}`, which the previous release already shipped: {}",
                        m.label(),
                        newest.label(),
                        behaviour
                    ),
                    "renumber it after the newest shipped migration (e.g. with a current timestamp)",
                    "out-of-order",
                ));
            }
        }
    }
}

/// What the tool does with a pending migration older than the newest applied one; `None`
/// when it simply runs it.
fn behaviour(tool: Tool, flyway_out_of_order: bool) -> Option<&'static str> {
    Some(match tool {
        Tool::GolangMigrate => {
            "golang-migrate records only the newest applied version, so databases already past it skip this migration silently"
        }
        Tool::Goose => {
            "goose (v3.3.0 and later) refuses to migrate databases past it (\"detected N missing (out-of-order) migration(s) lower than database version\") unless run with `-allow-missing`, so the deploy fails"
        }
        Tool::Flyway if !flyway_out_of_order => {
            "Flyway refuses to migrate databases past it (validation: \"resolved migration not applied\") unless `outOfOrder` is set, or skips it silently where `ignoreMigrationPatterns` lets ignored migrations pass (`*:ignored`, as DSpace sets in code)"
        }
        Tool::Drizzle => {
            "drizzle-orm's migrator applies only migrations whose journal time (`when`) is later than the last one the database recorded, so databases already past it skip this migration silently"
        }
        Tool::Maragu => {
            "maragudk/migrate records only the name of the last applied migration and runs only files whose name sorts after it, so databases already past it skip this migration silently"
        }
        Tool::Atlas => {
            "Atlas refuses to apply it to databases past it (\"migration file was added out of order\") unless `--exec-order non-linear`"
        }
        _ => return None,
    })
}
