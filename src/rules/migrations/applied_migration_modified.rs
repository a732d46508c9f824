//! M304: a migration already in the previous release was edited (or deleted). Databases
//! that applied it will not run it again: the tools refuse to start or silently skip it.
//!
//! A folder whose tool changed between the releases is not judged: the new program
//! keeps its own record of what ran.
//!
//! Which shipped migration a migration is comes from `Shipped::counterpart` (folder,
//! database, version, and the name where the tool records one; a rename keeps the
//! identity), and each file of a migration (one per dialect variant) is compared with the
//! same file, or the same variant, in the base. Only what applied databases ran counts: down parts are not applied until a
//! rollback, so editing them changes nothing already run; and for tools that keep no
//! checksum an edit that only respells the same statements (comments, layout, transaction
//! control, `CONCURRENTLY`, combined `ALTER TABLE` actions: `same_effect`) changes
//! nothing either.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostic::catalogue::M304 as META;
use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::convention::file_variant;
use crate::migrations::{Migration, Shipped, Tool, same_effect, version_key};
use crate::rules::{ProjectCx, Rule, RuleMeta};
use crate::source::{SourceFile, Span};
use crate::sql::ops::Op;

pub struct AppliedMigrationModified;

impl Rule for AppliedMigrationModified {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        let shipped = Shipped::new(base.migrations(), cx.head.migrations());
        // Migrations this release adds to the set of `m` (a set may span version
        // folders): where a repair of an edit would be.
        let new_in_release = |m: &Migration| -> Vec<&Migration> {
            let key = m.exact_key();
            cx.head
                .migration_sets
                .iter()
                .filter(|s| s.migrations.iter().any(|x| x.exact_key() == key))
                .flat_map(|s| s.migrations.iter())
                .filter(|n| shipped.counterpart(n).is_none())
                .collect()
        };
        // Exact keys of the shipped migrations this release still has (maybe renamed).
        let mut kept = HashSet::new();
        for m in cx.head.migrations() {
            if m.repeatable {
                continue;
            }
            let Some(old) = shipped.counterpart(m) else {
                continue;
            };
            kept.insert(old.exact_key());
            // Another program now applies the folder (shiori 1.7 replaced golang-migrate
            // with its own runner): what databases recorded is not what it reads.
            if m.tool != old.tool {
                continue;
            }
            // Flyway validates each applied migration's checksum and description,
            // unless the project turned validation off (`validateOnMigrate = false`):
            // then it behaves as the tools that never look back.
            let validates = m.tool.verifies_checksums()
                && !(m.tool == Tool::Flyway && cx.head.flyway_validate_off);
            if m.tool == Tool::Flyway && validates && m.name != old.name {
                out.push(Diagnostic::new(
                    &META,
                    &m.primary.source,
                    m.primary.source.line_span(1),
                    format!(
                        "migration `{}` was already shipped as `{}`: Flyway validates the description of every applied migration and refuses to migrate (\"Migration description mismatch for migration version {}\")",
                        m.label(),
                        old.label(),
                        m.version
                    ),
                    "restore the file's previous name",
                    format!("{}|{:?}|renamed", m.label(), m.dialect),
                ));
            }
            if let Some(edit) = first_edit(m, old, validates) {
                let data_only = edit.data_only;
                // Only rows differ (a seed edited): every database has the same schema,
                // so no statement of the release fails for it; a warning.
                let mut severity = if data_only && !validates {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                let mut what = consequence(m.tool, validates, data_only);
                if !validates && let Some(repair) = repaired_by(&edit, &new_in_release(m)) {
                    severity = Severity::Info;
                    what = format!(
                        "{} never re-runs it, but `{}`, new in this release, runs what the edit added again for databases that applied the old text (check that it also undoes what the old text did)",
                        m.tool.label(),
                        repair.label()
                    );
                }
                out.push(Diagnostic::new(
                    &META,
                    &edit.file,
                    edit.span,
                    format!(
                        "migration `{}` was already shipped in the previous release and has been edited: {what}",
                        m.label(),
                    ),
                    "revert the edit and put the change in a new migration",
                    format!("{}|{:?}|modified", m.label(), m.dialect),
                ).with_severity(severity));
            }
        }
        let tool_now: HashMap<&str, Tool> = cx
            .head
            .migration_sets
            .iter()
            .map(|s| (s.dir.as_str(), s.tool))
            .collect();
        for set in &base.migration_sets {
            let mut deleted = Vec::new();
            for old in &set.migrations {
                let switched = tool_now
                    .get(old.set_dir().as_str())
                    .is_some_and(|t| *t != old.tool);
                if old.repeatable || switched || !kept.insert(old.exact_key()) {
                    continue;
                }
                deleted.push(old);
            }
            // The whole folder is gone (every migration, and no set of that folder in
            // the release): one decision, said once. While the project keeps migrating
            // elsewhere, support for that database was dropped or the folder moved where
            // rollsafe does not see it; with no migrations left at all, the schema moved
            // out of the repository (onlook 0.1.23 "Move supabase backend" took its six
            // migrations to another repository).
            let whole = !deleted.is_empty()
                && deleted.len() == set.migrations.len()
                && !tool_now.contains_key(set.dir.as_str());
            if whole {
                let first = deleted[0];
                // With nothing left, a deletion by mistake (a pre-commit that removes the
                // project's only migration) looks the same: it stays an error, said once.
                let severity = if tool_now.is_empty() {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                let (what, help) = if tool_now.is_empty() {
                    (
                        ", and the release has no migrations left: databases migrated with it get no further migrations from this repository",
                        "if the schema now lives in another repository, migrate it from there (and ignore this); if not, restore the folder",
                    )
                } else {
                    (
                        ": databases migrated with it get no further migrations from this release",
                        "if the release drops support for that database, say so in the upgrade notes; if the folder moved, configure `[migrations] paths` so the moved migrations are compared with these",
                    )
                };
                out.push(
                    Diagnostic::at_path(
                        &META,
                        &first.primary.source.path,
                        format!(
                            "the migration folder `{}` ({} migration{} shipped in the previous release) has been deleted{what}",
                            set.dir,
                            deleted.len(),
                            if deleted.len() == 1 { "" } else { "s" }
                        ),
                        help,
                    )
                    .with_severity(severity),
                );
                continue;
            }
            // A squash (openlane v2.0.0 replaced 177 shipped goose migrations with one
            // `init`): one decision, said once, where the new migration re-creates a table.
            if let Some(squash) = squash(cx, &shipped, set, &deleted) {
                out.push(squash);
                continue;
            }
            for old in deleted {
                // The same migration under a new version (AppFlowy Cloud 0.9.49 moved
                // `20231130150000_user_id_foreign_key` to `…150001_…`, rewritten to be
                // idempotent): databases that applied the old version run it again. morph
                // keys migrations by name, so there the new file is the old one's
                // counterpart and never reaches this point.
                let reversioned = cx
                    .head
                    .migration_sets
                    .iter()
                    .filter(|s| s.dir == set.dir)
                    .flat_map(|s| s.migrations.iter())
                    .find(|m| {
                        !m.name.is_empty()
                            && m.name == old.name
                            && m.version != old.version
                            && m.dialect == old.dialect
                            && !set.migrations.iter().any(|b| b.version == m.version)
                    });
                // sql-migrate records file names, morph the name after the version: the
                // same version under a new name (asset-db 0.24.0's `001_schema_init.sql`
                // → `001_schema.sql`) is, to them, an unknown applied migration and a new
                // one.
                let renamed = matches!(old.tool, Tool::SqlMigrate | Tool::Morph)
                    .then(|| {
                        cx.head
                            .migration_sets
                            .iter()
                            .filter(|s| s.dir == set.dir)
                            .flat_map(|s| s.migrations.iter())
                            .find(|m| {
                                m.version == old.version
                                    && m.name != old.name
                                    && m.dialect == old.dialect
                                    && !set.migrations.iter().any(|b| b.name == m.name)
                            })
                    })
                    .flatten();
                let refusal = if old.tool == Tool::Flyway && cx.head.flyway_validate_off {
                    ""
                } else {
                    deletion_consequence(old.tool)
                };
                // The same migration under a new name or version: reported on the new file.
                let moved = if let Some(new) = renamed.filter(|_| old.tool == Tool::Morph) {
                    Some((
                        new,
                        format!(
                            "migration `{}` shipped in the previous release is now `{}`: morph records migrations by name, so databases that applied the old one run `{}` again, where it must succeed on a schema that already has its changes",
                            old.label(),
                            new.label(),
                            new.label()
                        ),
                        "keep the old file name",
                        Severity::Warning,
                    ))
                } else if let Some(new) = renamed {
                    Some((
                        new,
                        format!(
                            "migration `{}` shipped in the previous release is now `{}`: sql-migrate records migrations by file name, so it refuses databases that applied the old file (\"unknown migration in database\"), and a migration set that ignores unknown ones (`IgnoreUnknown`) runs `{}` again on them, where it must succeed on a schema that already has its changes",
                            old.label(),
                            new.label(),
                            new.label()
                        ),
                        "keep the old file name",
                        Severity::Error,
                    ))
                } else {
                    reversioned.map(|new| {
                        (
                            new,
                            format!(
                                "migration `{}` shipped in the previous release is now `{}`: databases that applied it run it again under the new version, so it must succeed on a schema that already has its changes{refusal}",
                                old.label(),
                                new.label(),
                            ),
                            "keep the old version's file; put what changed in a new migration",
                            // An error where the tool refuses a database that applied a
                            // version it no longer has (Flyway validating, sqlx by
                            // default); else the re-run is the only risk, and an
                            // idempotent migration survives it.
                            if refusal.is_empty() {
                                Severity::Warning
                            } else {
                                Severity::Error
                            },
                        )
                    })
                };
                if let Some((new, message, help, severity)) = moved {
                    out.push(
                        Diagnostic::at_path(&META, &new.primary.source.path, message, help)
                            .with_severity(severity),
                    );
                    continue;
                }
                out.push(Diagnostic::at_path(
                    &META,
                    &old.primary.source.path,
                    format!(
                        "migration `{}` shipped in the previous release has been deleted: databases created from now on never get its changes{}",
                        old.label(),
                        refusal
                    ),
                    "restore the file; to undo its effect, add a new migration",
                ));
            }
        }
    }
}

/// The release deleted several shipped migrations of `set` and adds one that creates
/// again (without `IF NOT EXISTS`) a table they created: a squash. Databases that applied
/// the old migrations do not know the new one; where its version is newer than theirs
/// every version-ordered tool runs it there, and it fails on the table that exists.
fn squash(
    cx: &ProjectCx,
    shipped: &Shipped,
    set: &crate::migrations::MigrationSet,
    deleted: &[&Migration],
) -> Option<Diagnostic> {
    if deleted.len() < 2 {
        return None;
    }
    let created: HashSet<&str> = deleted
        .iter()
        .flat_map(|m| m.up_statements())
        .flat_map(|(_, s)| s.ops.iter())
        .filter_map(|o| match o {
            Op::CreateTable { table, .. } => Some(table.as_str()),
            _ => None,
        })
        .collect();
    let newest_deleted = deleted.iter().map(|m| version_key(&m.version)).max()?;
    let (new, part, stmt, table) = cx
        .head
        .migration_sets
        .iter()
        .filter(|s| s.dir == set.dir)
        .flat_map(|s| s.migrations.iter())
        .filter(|m| !m.repeatable && shipped.counterpart(m).is_none())
        .find_map(|m| {
            m.up_statements().find_map(|(p, s)| {
                let table = s.ops.iter().find_map(|o| match o {
                    Op::CreateTable { table, .. } if created.contains(table.as_str()) => {
                        Some(table)
                    }
                    _ => None,
                })?;
                (!s.normalised.contains("if not exists")).then_some((m, p, s, table))
            })
        })?;
    let source = &part.file.source;
    let refusal = deletion_consequence(new.tool);
    let what = if version_key(&new.version) > newest_deleted {
        format!(
            "databases that applied them run `{}` as a new migration (its version is newer than theirs), and its `CREATE TABLE {table}` fails there because the table exists{refusal}",
            new.label()
        )
    } else {
        format!(
            "its version is older than theirs, so on databases that applied them a tool that runs only newer versions skips it, and one that runs every unapplied version fails on its `CREATE TABLE {table}`{refusal}"
        )
    };
    Some(Diagnostic::new(
        &META,
        source,
        source.span(stmt.start, stmt.end),
        format!(
            "{} migrations shipped in the previous release were deleted and `{}` re-creates their schema (a squash): {what}",
            deleted.len(),
            new.label()
        ),
        "record the squashed migration as applied on existing databases before they upgrade (and say so in the upgrade notes), or keep the old migrations and squash only for new databases",
        format!("{}|{:?}|squash", new.label(), new.dialect),
    ))
}

/// An edit of a shipped migration: where it starts, whether only rows change, and the
/// statements (as `same_effect` spells them) the new text has and the old had not.
struct Edit {
    file: Arc<SourceFile>,
    span: Span,
    data_only: bool,
    added: Vec<String>,
}

/// The repair pattern (bytebase 3.21.1 edited two shipped migrations and added
/// `3.21/0005##drop_task_run_log_pkey.sql`): a migration new in this release runs every
/// statement the edit added, guarded to run on either history (`IF [NOT] EXISTS`), or
/// drops what an added statement creates. Databases that applied the old text then get
/// the edit from the new migration; the first such migration is returned.
fn repaired_by<'a>(edit: &Edit, new: &[&'a Migration]) -> Option<&'a Migration> {
    if edit.added.is_empty() {
        return None;
    }
    let unguarded = |st: &str| st.replace(" if not exists", "").replace(" if exists", "");
    // What each new migration runs, read once.
    let runs: Vec<(&Migration, Vec<String>)> = new
        .iter()
        .map(|m| {
            let effects = m.up.iter().flat_map(same_effect::effect);
            (*m, effects.map(|e| unguarded(&e)).collect())
        })
        .collect();
    let mut by = None;
    for st in &edit.added {
        let want = unguarded(st);
        let created = created_index(&want);
        let (covering, _) = runs.iter().find(|(_, effects)| {
            effects
                .iter()
                .any(|e| *e == want || created.is_some_and(|name| dropped_index(e) == Some(name)))
        })?;
        by.get_or_insert(*covering);
    }
    by
}

/// `create [unique] index name on …` → `name`.
fn created_index(st: &str) -> Option<&str> {
    let w: Vec<&str> = st.split(' ').collect();
    match w.as_slice() {
        ["create", "index", name, "on", ..] | ["create", "unique", "index", name, "on", ..] => {
            Some(name)
        }
        _ => None,
    }
}

/// `drop index name …` → `name`.
fn dropped_index(st: &str) -> Option<&str> {
    match st.split(' ').collect::<Vec<_>>().as_slice() {
        ["drop", "index", name, ..] => Some(name),
        _ => None,
    }
}

/// The first up file whose applied content changed, its first changed line, and whether
/// every statement that changed writes rows rather than schema (`INSERT`, `UPDATE`,
/// `DELETE`: chirpstack's seeded admin password hash). Files are paired by path, else by
/// dialect variant: each variant with itself.
fn first_edit(m: &Migration, old: &Migration, checksum: bool) -> Option<Edit> {
    for (i, part) in m.up.iter().enumerate() {
        let src = &part.file.source;
        // The same file, else (a renamed file or a moved folder) the file of the same
        // variant: the variants of one migration are one file each. A file with several
        // up sections (convoy's `-- +migrate Up` repeated in one file) is paired section
        // by section, by their order in the file.
        let variant = |p: &crate::migrations::PartRef| file_variant(&p.file.source.path);
        let nth = m.up[..i]
            .iter()
            .filter(|x| x.file.source.path == src.path)
            .count();
        let Some(o) = old
            .up
            .iter()
            .filter(|x| x.file.source.path == src.path)
            .nth(nth)
            .or_else(|| {
                old.up
                    .iter()
                    .filter(|x| variant(x) == variant(part))
                    .nth(nth)
            })
        else {
            continue;
        };
        // Each statement's effect, read once: compared as a whole, then searched for the
        // first statement that does something new.
        let statements = same_effect::statement_effects(part);
        let before = same_effect::effect(o);
        let after: Vec<String> = statements.iter().flat_map(|(_, e)| e.clone()).collect();
        let changed = if checksum {
            m.tool.checksummed(&o.file.source.text) != m.tool.checksummed(&src.text)
        } else {
            before != after
        };
        if !changed {
            continue;
        }
        let differing: Vec<&String> = before
            .iter()
            .filter(|x| !after.contains(x))
            .chain(after.iter().filter(|x| !before.contains(x)))
            .collect();
        let data_only = !differing.is_empty()
            && differing.iter().all(|st| {
                ["insert ", "update ", "delete "]
                    .iter()
                    .any(|verb| st.starts_with(verb))
            });
        let added = after
            .iter()
            .filter(|x| !before.contains(x))
            .cloned()
            .collect();
        // At the first line that differs, from the first statement whose effect is new
        // on (a respelled statement before it, such as a guard or a comment added, is not
        // the edit); where statements were only removed, anywhere.
        let old_src = &o.file.source;
        let (from, to) = statements
            .into_iter()
            .find(|(_, e)| e.iter().any(|x| !before.contains(x)))
            .and_then(|(st, _)| {
                let (start, _) = *st.token_ranges.first()?;
                Some((src.pos(start).line, src.pos(st.end.max(start)).line))
            })
            .unwrap_or((1, src.line_count().max(old_src.line_count())));
        let line = (from..=to)
            .find(|&l| src.line_text(l) != old_src.line_text(l) || l > src.line_count())
            .unwrap_or(from)
            .min(src.line_count().max(1));
        return Some(Edit {
            file: src.clone(),
            span: src.line_span(line),
            data_only,
            added,
        });
    }
    None
}

/// What the tool does with an edited applied migration.
fn consequence(tool: Tool, validates: bool, data_only: bool) -> String {
    if validates {
        format!(
            "{} stores a checksum of every applied migration and refuses to migrate a database that applied the old text",
            tool.label()
        )
    } else if data_only {
        format!(
            "{} never re-runs an applied migration, so databases that applied it keep the rows it wrote before while new databases get the edited ones (the schema is the same)",
            tool.label()
        )
    } else {
        format!(
            "{} never re-runs an applied migration, so databases that applied it keep the old schema while new databases get the edited one",
            tool.label()
        )
    }
}

/// What else goes wrong when an applied migration disappears.
fn deletion_consequence(tool: Tool) -> &'static str {
    match tool {
        Tool::Flyway => {
            ", and Flyway's validation refuses databases that applied it (\"applied migration not resolved locally\")"
        }
        Tool::Sqlx => {
            ", and sqlx refuses databases that applied it (`VersionMissing`) unless the migrator ignores missing versions (`set_ignore_missing(true)`, `sqlx migrate run --ignore-missing`)"
        }
        Tool::GolangMigrate => {
            ", and golang-migrate fails on databases whose current version it was (\"no migration found for version\")"
        }
        // migrate.go, `planMigrationCommon`: every recorded Id must be a file unless
        // `IgnoreUnknown` (`SetIgnoreUnknown(true)`) is set.
        Tool::SqlMigrate => {
            ", and sql-migrate refuses databases that applied it (\"unknown migration in database\") unless the migration set ignores unknown ones (`IgnoreUnknown`)"
        }
        _ => "",
    }
}
