//! M306: two migrations of one folder carry the same version (typically two branches that
//! each added `000012_*`, merged). The tools key applied migrations by version: most
//! refuse to start, the others apply one of them and treat the other as applied.

use std::collections::BTreeMap;

use crate::diagnostic::catalogue::M306 as META;
use crate::diagnostic::{Diagnostic, Location};
use crate::migrations::{Convention, Migration, Tool, version_key};
use crate::rules::{ProjectCx, Rule, RuleMeta};

pub struct DuplicateMigrationVersion;

impl Rule for DuplicateMigrationVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        for set in &cx.head.migration_sets {
            // sqitch and Liquibase name changes, Prisma keys folders by their whole name.
            if matches!(
                set.convention,
                Convention::Sqitch | Convention::Liquibase | Convention::Prisma
            ) || matches!(set.tool, Tool::Unknown | Tool::Maragu | Tool::Morph)
            {
                // A layout several tools share, none named: some runners (concourse's,
                // shiori's) key migrations by file name and accept equal numbers, as
                // maragudk/migrate does (the whole name is the version) and morph does
                // (it records the name after the version).
                continue;
            }
            let newest = crate::rules::migrations::walk::newest_index(set)
                .map(|i| version_key(&set.migrations[i].version));
            let mut by_version: BTreeMap<_, Vec<&Migration>> = BTreeMap::new();
            for m in &set.migrations {
                if !m.repeatable && !m.version.is_empty() {
                    by_version
                        .entry(version_key(&m.version))
                        .or_default()
                        .push(m);
                }
            }
            for group in by_version.values().filter(|g| g.len() > 1) {
                // With a base, only a release that brings a duplicate is at fault; without
                // one, duplicates among shipped migrations evidently ran, so only the
                // newest version is judged.
                let judged = if cx.new_migrations_known() {
                    group.iter().any(|m| m.is_new)
                } else {
                    newest.as_ref() == Some(&version_key(&group[0].version))
                };
                if !judged {
                    continue;
                }
                let first = group.iter().find(|m| !m.is_new).unwrap_or(&group[0]);
                for m in group.iter().filter(|m| !std::ptr::eq(**m, *first)) {
                    let d = super::migration_diag(
                        &META,
                        m,
                        m.primary.source.line_span(1),
                        format!(
                            "migration `{}` has the same version as `{}`: {}",
                            m.label(),
                            first.label(),
                            consequence(set.tool)
                        ),
                        "give one of them a new version after the newest migration",
                        "duplicate-version",
                    )
                    .with_related(
                        Location::new(&first.primary.source, first.primary.source.line_span(1))
                            .with_message(format!("`{}` has the same version", first.label())),
                    );
                    out.push(d);
                }
            }
        }
    }
}

fn consequence(tool: Tool) -> String {
    match tool {
        Tool::GolangMigrate => "golang-migrate refuses to read the folder (\"duplicate migration file\")".into(),
        Tool::Goose => "goose refuses to run (\"duplicate version\")".into(),
        Tool::Flyway => "Flyway refuses to migrate (\"Found more than one migration with version\")".into(),
        Tool::Dbmate => "dbmate marks a file applied when its version is in `schema_migrations`, so databases that applied one of them never run the other".into(),
        Tool::Sqlx => "sqlx compares each applied version's checksum with the file of that version, so databases that applied one of them refuse to migrate (`VersionMismatch`)".into(),
        t => format!("{} records applied migrations by version, so it refuses to run or applies only one of them", t.label()),
    }
}
