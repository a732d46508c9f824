//! M304: a migration already in the previous release was edited (or deleted). Databases
//! that applied it will not run it again: the tools refuse to start or silently skip it.
//!
//! Identity is folder, database, version and name (`Migration::key`), and each file of a
//! migration (one per dialect variant and direction) is compared with the same file in the
//! base. Only what applied databases ran counts: down parts are not applied until a
//! rollback, so editing them changes nothing already run; and for tools that keep no
//! checksum an edit of comments or layout changes nothing either.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::{Migration, Tool, part_tokens};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};
use crate::source::{SourceFile, Span};

pub struct AppliedMigrationModified;

static META: RuleMeta = RuleMeta {
    code: "M304",
    name: "applied-migration-modified",
    domain: Domain::Migrations,
    severity: Severity::Error,
    summary: "A migration that the previous release already shipped was changed or deleted; databases that ran it will never run the new text.",
    needs_base: true,
};

impl Rule for AppliedMigrationModified {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, cx: &ProjectCx, out: &mut Vec<Diagnostic>) {
        let Some(base) = cx.base else { return };
        let base_by_key: HashMap<String, &Migration> = base
            .migrations()
            .flat_map(|m| [(m.key(), m), (m.moved_key(), m)])
            .collect();
        let mut head_keys = BTreeSet::new();
        for m in cx.head.migrations() {
            head_keys.insert(m.key());
            head_keys.insert(m.moved_key());
            if m.repeatable {
                continue;
            }
            let Some(old) = base_by_key
                .get(&m.key())
                .or_else(|| base_by_key.get(&m.moved_key()))
            else {
                continue;
            };
            if let Some((file, span)) = first_edit(m, old) {
                out.push(Diagnostic::new(
                    &META,
                    &file,
                    span,
                    format!(
                        "migration `{}` was already shipped in the previous release and has been edited: {}",
                        m.label(),
                        consequence(m.tool)
                    ),
                    "revert the edit and put the change in a new migration",
                    format!("{}|{:?}|modified", m.label(), m.dialect),
                ));
            }
        }
        let mut reported = BTreeSet::new();
        for old in base.migrations() {
            if old.repeatable
                || head_keys.contains(&old.key())
                || head_keys.contains(&old.moved_key())
                || !reported.insert(old.key())
            {
                continue;
            }
            out.push(Diagnostic::at_path(
                &META,
                &old.primary.source.path,
                format!(
                    "migration `{}` shipped in the previous release has been deleted: databases created from now on never get its changes{}",
                    old.label(),
                    deletion_consequence(old.tool)
                ),
                "restore the file; to undo its effect, add a new migration",
            ));
        }
    }
}

/// The first up file whose applied content changed, and its first changed line. Files
/// are paired by path: each dialect variant with itself.
fn first_edit(m: &Migration, old: &Migration) -> Option<(Arc<SourceFile>, Span)> {
    let checksum = m.tool.verifies_checksums();
    for part in &m.up {
        let src = &part.file.source;
        let Some(o) = old.up.iter().find(|x| {
            x.file.source.path == src.path || (old.set_dir() != m.set_dir() && same_name(x, part))
        }) else {
            continue;
        };
        let changed = if checksum {
            o.file.source.text != src.text
        } else {
            part_tokens(o) != part_tokens(part)
        };
        if !changed {
            continue;
        }
        let old_src = &o.file.source;
        let n = src.line_count().max(old_src.line_count());
        let line = (1..=n)
            .find(|&l| src.line_text(l) != old_src.line_text(l) || l > src.line_count())
            .unwrap_or(1)
            .min(src.line_count().max(1));
        return Some((src.clone(), src.line_span(line)));
    }
    None
}

fn same_name(a: &crate::migrations::PartRef, b: &crate::migrations::PartRef) -> bool {
    let name = |p: &crate::migrations::PartRef| {
        p.file
            .source
            .path
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    name(a) == name(b)
}

/// What the tool does with an edited applied migration.
fn consequence(tool: Tool) -> String {
    if tool.verifies_checksums() {
        format!(
            "{} stores a checksum of every applied migration and refuses to migrate a database that applied the old text",
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
        Tool::Sqlx => ", and sqlx refuses databases that applied it (`VersionMissing`)",
        Tool::GolangMigrate => {
            ", and golang-migrate fails on databases whose current version it was (\"no migration found for version\")"
        }
        _ => "",
    }
}
