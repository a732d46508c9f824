//! M304: a migration already in the previous release was edited (or deleted). Databases
//! that applied it will not run it again: the tools refuse to start or silently skip it.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::project::ProjectCx;
use crate::rules::{Domain, Rule, RuleMeta};

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
        let base_by_key: HashMap<String, &crate::migrations::Migration> =
            base.migrations().map(|m| (m.key(), m)).collect();
        let head_keys: std::collections::BTreeSet<String> =
            cx.head.migrations().map(|m| m.key()).collect();
        for m in cx.head.migrations() {
            if m.repeatable {
                continue;
            }
            let Some(old) = base_by_key.get(&m.key()) else {
                continue;
            };
            let (new_text, old_text) = (m.content(), old.content());
            if new_text == old_text {
                continue;
            }
            // Point at the first changed line of the first changed file.
            let mut span = m.primary.source.line_span(1);
            let mut path_changed = m.primary.source.path.clone();
            'files: for p in m.up.iter().chain(&m.down) {
                let src = &p.file.source;
                let Some(o) = old
                    .up
                    .iter()
                    .chain(&old.down)
                    .find(|x| x.file.source.path == src.path)
                else {
                    continue;
                };
                if o.file.source.text == src.text {
                    continue;
                }
                let n = src.line_count().max(o.file.source.line_count());
                for line in 1..=n {
                    if src.line_text(line) != o.file.source.line_text(line)
                        || line > src.line_count()
                    {
                        span = src.line_span(line.min(src.line_count()));
                        path_changed = src.path.clone();
                        break 'files;
                    }
                }
            }
            let file = cx
                .head
                .sources
                .get(&path_changed)
                .map(|(s, _)| s.clone())
                .unwrap_or_else(|| m.primary.source.clone());
            out.push(Diagnostic::new(
                &META,
                &file,
                span,
                format!(
                    "migration `{}` was already shipped in the previous release and has been edited: databases that applied it will not run the change, and checksum-verifying tools refuse to start",
                    m.label()
                ),
                "revert the edit and put the change in a new migration",
                format!("{}|modified", m.label()),
            ));
        }
        for (key, old) in &base_by_key {
            if head_keys.contains(key) || old.repeatable {
                continue;
            }
            out.push(Diagnostic::at_path(
                &META,
                &old.primary.source.path,
                format!(
                    "migration `{}` shipped in the previous release has been deleted: tools that track applied versions fail on the unknown version, and new databases miss its changes",
                    old.label()
                ),
                "restore the file; to undo its effect, add a new migration",
            ));
        }
    }
}
