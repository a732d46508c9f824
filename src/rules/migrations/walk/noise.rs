//! How migration findings are shaped so that a pull-request check stays worth reading:
//! rollbacks judged one level lower, one lock-timeout finding per file, short-lock
//! findings folded into it, and one finding for the same change in every dialect
//! variant of a migration. Each choice is documented in the rule documents it touches.

use std::collections::BTreeMap;

use crate::diagnostic::catalogue;
use crate::diagnostic::{Diagnostic, Severity};
use crate::migrations::{MigrationSet, convention};
use crate::settings::{DeployStyle, MigrationsConfig};
use crate::sql::Part;

/// Rules about locks and availability while a migration runs (M2xx), without M210: a
/// whole-table data change hurts CockroachDB too (transaction size and contention).
pub fn is_lock_rule(code: &str) -> bool {
    code.starts_with("M2") && code != catalogue::M210.code
}

fn lower(s: Severity) -> Severity {
    match s {
        Severity::Error => Severity::Warning,
        _ => Severity::Info,
    }
}

/// Findings of one operation: on a down part (run only in a rollback, an emergency whose
/// locks are not the release's risk) availability findings are information, unless
/// `[migrations] demote-down-parts = false`. Measured: of 37 such findings judged on real
/// release pairs at warning level, none was one a reviewer would act on
/// (bench/precision/JUDGED.tsv).
pub fn shape_op(found: &mut [Diagnostic], part: Part, config: &MigrationsConfig) {
    if part != Part::Down || !config.demote_down_parts {
        return;
    }
    // M203 is not a lock: CONCURRENTLY inside a transaction makes the rollback fail.
    for d in found
        .iter_mut()
        .filter(|d| d.code.starts_with("M2") && d.code != catalogue::M203.code)
    {
        d.severity = Severity::Info;
    }
}

/// Findings of one migration: M209 once per file and severity, naming every table it
/// locks; M202 (a short ACCESS EXCLUSIVE lock) is a lock-queue risk only without a lock
/// timeout, so it is named in that file's M209 finding, and is info where one is set.
pub fn shape_migration(found: &mut Vec<Diagnostic>) {
    merge_dropped_defaults(found);
    drop_covered_lock_timeouts(found);
    fold_same_table(found);
    fold_many_tables(found);
    let mut lock_findings: BTreeMap<(String, Severity), Vec<usize>> = BTreeMap::new();
    for (i, d) in found.iter().enumerate() {
        if d.code == catalogue::M209.code {
            lock_findings
                .entry((d.location.path.clone(), d.severity))
                .or_default()
                .push(i);
        }
    }
    let mut drop = vec![false; found.len()];
    for ((path, _), idx) in &lock_findings {
        let first = idx[0];
        let short: Vec<usize> = (0..found.len())
            .filter(|&i| found[i].code == catalogue::M202.code && found[i].location.path == *path)
            .collect();
        // One statement and nothing to fold in: the rule's own message says it.
        if idx.len() == 1 && short.is_empty() {
            continue;
        }
        let mut tables: Vec<String> = Vec::new();
        for &i in idx {
            let t = table_of(&found[i]);
            if !tables.contains(&t) {
                tables.push(t);
            }
        }
        let mut message = format!(
            "this migration locks {} without a lock timeout: if a long query holds {}, the migration waits and every query on {} queues behind it",
            list(&tables),
            if tables.len() == 1 {
                "the table"
            } else {
                "one of them"
            },
            if tables.len() == 1 {
                "it"
            } else {
                "that table"
            },
        );
        if !short.is_empty() {
            let lines: Vec<String> = short
                .iter()
                .map(|&i| found[i].location.line.to_string())
                .collect();
            message.push_str(&format!(
                "; this includes the DROP INDEX without CONCURRENTLY at line{} {}, whose ACCESS EXCLUSIVE lock is brief but queues every query while it waits",
                if lines.len() == 1 { "" } else { "s" },
                lines.join(", ")
            ));
        }
        found[first].message = message;
        for &i in idx.iter().skip(1) {
            drop[i] = true;
        }
        for i in short {
            let loc = found[i].location.clone();
            found[first]
                .related
                .push(loc.with_message("DROP INDEX without CONCURRENTLY"));
            drop[i] = true;
        }
    }
    for (i, d) in found.iter_mut().enumerate() {
        if d.code == catalogue::M202.code && !drop[i] {
            d.severity = Severity::Info;
        }
    }
    crate::diagnostic::remove_marked(found, &drop);
}

/// Rules whose safe alternative removes the blocking lock altogether (CONCURRENTLY, a
/// default added after the column, pg_repack, batched DELETE, an online ALTER): the
/// statement's lock is reported there, and a lock timeout would not be the fix.
const LOCK_REMOVING: [&str; 5] = [
    catalogue::M201.code,
    catalogue::M206.code,
    catalogue::M207.code,
    catalogue::M208.code,
    catalogue::M211.code,
];

/// An M209 on a statement that one of those rules already reports at the same or a higher
/// level says the same thing twice: drop it.
pub fn drop_covered_lock_timeouts(found: &mut Vec<Diagnostic>) {
    let stmt = |d: &Diagnostic| {
        (
            d.location.path.clone(),
            d.anchor.split('|').next().unwrap_or("").to_string(),
        )
    };
    let covered: std::collections::BTreeMap<(String, String), Severity> = found
        .iter()
        .filter(|d| LOCK_REMOVING.contains(&d.code))
        .fold(Default::default(), |mut m, d| {
            let e = m.entry(stmt(d)).or_insert(d.severity);
            *e = (*e).max(d.severity);
            m
        });
    let mut drop: Vec<bool> = found
        .iter()
        .map(|d| {
            d.code == catalogue::M209.code
                && covered.get(&stmt(d)).is_some_and(|&s| s >= d.severity)
        })
        .collect();
    // A file whose DROP INDEX statements (M202) are folded into its M209 keeps one M209
    // to carry them.
    for path in found
        .iter()
        .filter(|d| d.code == catalogue::M202.code)
        .map(|d| &d.location.path)
    {
        let of_file =
            |i: &usize| found[*i].code == catalogue::M209.code && found[*i].location.path == *path;
        let all: Vec<usize> = (0..found.len()).filter(of_file).collect();
        if !all.is_empty() && all.iter().all(|&i| drop[i]) {
            drop[all[0]] = false;
        }
    }
    crate::diagnostic::remove_marked(found, &drop);
}

/// Per-statement lock rules whose repeats on one table are one decision: thirty indexes
/// built on one table without CONCURRENTLY in one migration are one finding, naming the
/// other statements, not thirty. Only rules whose findings on one table say the same
/// thing: M207 and M211 name different operations (a type change, `LOCK=EXCLUSIVE`, a
/// charset conversion), each its own fix.
const FOLDED_PER_TABLE: [&str; 5] = [
    catalogue::M107.code,
    catalogue::M201.code,
    catalogue::M204.code,
    catalogue::M206.code,
    catalogue::M208.code,
];

/// One finding per rule, file, severity and table for [`FOLDED_PER_TABLE`]: the first
/// statement carries it, the others are related locations named in the message.
pub fn fold_same_table(found: &mut Vec<Diagnostic>) {
    let mut groups: BTreeMap<(String, &'static str, Severity, String), Vec<usize>> =
        BTreeMap::new();
    for (i, d) in found.iter().enumerate() {
        if FOLDED_PER_TABLE.contains(&d.code) {
            groups
                .entry((d.location.path.clone(), d.code, d.severity, table_key(d)))
                .or_default()
                .push(i);
        }
    }
    let mut drop = vec![false; found.len()];
    for ((_, _, _, table), idx) in groups.iter().filter(|(_, g)| g.len() > 1) {
        let n = idx.len() - 1;
        let plural = if n == 1 { "" } else { "s" };
        crate::diagnostic::merge_into_first(
            found,
            idx,
            &mut drop,
            "the same on this table",
            |lines| {
                format!(
                    " (and {n} more statement{plural} of this migration on `{table}`, at line{plural} {lines})"
                )
            },
        );
    }
    crate::diagnostic::remove_marked(found, &drop);
}

/// More tables than this with the same finding in one migration are one finding.
const MANY_TABLES: usize = 5;

/// A migration doing the same to many tables is one decision with one fix (openlane
/// 1.33.0's generated `indexes` migration builds 320 indexes, one per table, without
/// CONCURRENTLY): one finding per rule, file and severity names the other tables, instead
/// of a wall of identical findings. A few tables keep one finding each.
///
/// A type change (M105) to the same new type on many columns is folded the same way
/// (AFFiNE 0.16.2 turned 43 `timestamp(3)` columns of 26 tables into `timestamptz(3)`);
/// type changes to different types stay apart, each its own decision. A column of one
/// name dropped from many tables (M101) is one move too.
pub fn fold_many_tables(found: &mut Vec<Diagnostic>) {
    let mut groups: BTreeMap<(String, &'static str, Severity, String), Vec<usize>> =
        BTreeMap::new();
    for (i, d) in found.iter().enumerate() {
        let variant = match d.code {
            c if FOLDED_PER_TABLE.contains(&c) => String::new(),
            c if c == catalogue::M105.code => same_change(d),
            // The same column dropped from many tables: one move (stack-auth's
            // `tenancies` migration drops `projectId` from 18 tables for `tenancyId`).
            c if c == catalogue::M101.code => column_key(d),
            _ => continue,
        };
        groups
            .entry((d.location.path.clone(), d.code, d.severity, variant))
            .or_default()
            .push(i);
    }
    let mut drop = vec![false; found.len()];
    for idx in groups.values().filter(|g| g.len() > MANY_TABLES) {
        let others: Vec<String> = idx[1..].iter().map(|&i| table_key(&found[i])).collect();
        let mut tables = others.clone();
        tables.dedup();
        let shown: Vec<String> = tables.iter().take(3).map(|t| format!("`{t}`")).collect();
        let note = if found[idx[0]].code == catalogue::M105.code {
            format!(
                " (and the same change on {} more columns of this migration, in {} tables: {} and {} others)",
                others.len(),
                tables.len(),
                shown.join(", "),
                tables.len() - shown.len()
            )
        } else {
            format!(
                " (and the same on {} more tables of this migration: {} and {} others)",
                others.len(),
                shown.join(", "),
                others.len() - shown.len()
            )
        };
        crate::diagnostic::merge_into_first(
            found,
            idx,
            &mut drop,
            "the same on another table",
            |_| note.clone(),
        );
    }
    crate::diagnostic::remove_marked(found, &drop);
}

/// What an M105 finding says once its column and table are left out: the old and new
/// types and the consequence (a rewrite, a narrowing), so that only the same change
/// with the same consequence is folded.
fn same_change(d: &Diagnostic) -> String {
    let detail = d.anchor.split_once('|').map(|x| x.1).unwrap_or("");
    let column = detail.rsplit_once(':').map_or(detail, |x| x.0);
    d.message
        .replace(&format!("`{column}`"), "")
        .replace(&format!("`{}`", table_key(d)), "")
}

/// The column a `table.column` anchor names.
fn column_key(d: &Diagnostic) -> String {
    let detail = d.anchor.split_once('|').map(|x| x.1).unwrap_or("");
    detail.rsplit_once('.').map_or(detail, |x| x.1).to_string()
}

/// The table a per-statement finding is about: its anchor's detail starts with it
/// (`table `index``, `table:what`).
fn table_key(d: &Diagnostic) -> String {
    let detail = d.anchor.split_once('|').map(|x| x.1).unwrap_or("");
    let first = detail.split([' ', ':']).next().unwrap_or(detail);
    // M107 and M105 anchor on `table.column`: its table is what comes before the last
    // dot.
    if [
        catalogue::M107.code,
        catalogue::M105.code,
        catalogue::M101.code,
    ]
    .contains(&d.code)
    {
        first.rsplit_once('.').map_or(first, |(t, _)| t).to_string()
    } else {
        first.to_string()
    }
}

/// A rollback that repeats one lock finding (re-creating every index the up part
/// dropped) is one decision: one finding per rule and down file, naming the lines.
pub fn fold_rollback(found: &mut Vec<Diagnostic>) {
    let mut groups: BTreeMap<(String, &'static str, Severity), Vec<usize>> = BTreeMap::new();
    for (i, d) in found.iter().enumerate() {
        if is_lock_rule(d.code) && d.code != catalogue::M209.code && d.code != catalogue::M203.code
        {
            groups
                .entry((d.location.path.clone(), d.code, d.severity))
                .or_default()
                .push(i);
        }
    }
    let mut drop = vec![false; found.len()];
    for idx in groups.values().filter(|g| g.len() > 1) {
        let plural = if idx.len() == 2 { "" } else { "s" };
        crate::diagnostic::merge_into_first(
            found,
            idx,
            &mut drop,
            "the same in this rollback",
            |lines| format!(" (this rollback does the same at line{plural} {lines})"),
        );
    }
    crate::diagnostic::remove_marked(found, &drop);
}

/// The table an M209 finding names (its anchor ends with `|table`).
fn table_of(d: &Diagnostic) -> String {
    d.anchor.rsplit('|').next().unwrap_or("").to_string()
}

fn list(tables: &[String]) -> String {
    if tables.is_empty() {
        return "a table".into();
    }
    let quoted: Vec<String> = tables.iter().map(|t| format!("`{t}`")).collect();
    crate::rules::text::and_list(&quoted)
}

/// pop-style projects ship one file per database for one migration
/// (`…_a.postgres.up.sql`, `…_a.mysql.up.sql`, …): the same finding in several variants
/// of one migration is reported once, on the first variant, naming the others.
pub fn merge_variants(sets: &[MigrationSet], found: &mut Vec<Diagnostic>) {
    // path → (folder, version, name) for the files of folders with variants (the
    // dialect-neutral file of a migration is the variant of the dialects without one).
    let variant_dirs: std::collections::BTreeSet<&str> = sets
        .iter()
        .flat_map(|s| s.migrations.iter().flat_map(|m| m.paths.iter()))
        .filter(|p| convention::file_variant(p).is_some())
        .filter_map(|p| p.rsplit_once('/').map(|x| x.0))
        .collect();
    let mut migration_of: BTreeMap<&str, (&str, &str, &str)> = BTreeMap::new();
    for s in sets {
        for m in &s.migrations {
            for p in &m.paths {
                let dir = p.rsplit_once('/').map(|x| x.0).unwrap_or("");
                if variant_dirs.contains(dir) {
                    migration_of.insert(p, (&s.dir, &m.version, &m.name));
                }
            }
        }
    }
    if migration_of.is_empty() {
        return;
    }
    crate::diagnostic::merge_repeats(
        found,
        |d| {
            let path = d.location.path.as_str();
            migration_of
                .get(path)
                .map(|&mig| (mig, path.ends_with(".down.sql"), d.message.clone()))
        },
        // CockroachDB variants last: their findings are the least typical.
        |d| {
            let p = &d.location.path;
            (convention::is_cockroach(p), p.clone())
        },
        |paths| {
            let names: Vec<&str> = paths
                .iter()
                .map(|p| convention::file_variant(p).unwrap_or("dialect-neutral"))
                .collect();
            format!(
                " (also in the {} variant{})",
                names.join(", "),
                if names.len() == 1 { "" } else { "s" }
            )
        },
        "the same in this variant",
    );
}

/// M110 names one column per finding; one statement dropping many defaults (a MySQL
/// table rebuild restating every column) is one finding naming them all.
fn merge_dropped_defaults(found: &mut Vec<Diagnostic>) {
    // The anchor starts with the statement's hash: one group per statement.
    let mut at: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, d) in found.iter().enumerate() {
        if d.code == catalogue::M110.code {
            let stmt = d.anchor.split('|').next().unwrap_or("").to_string();
            at.entry((d.location.path.clone(), stmt))
                .or_default()
                .push(i);
        }
    }
    let mut drop = vec![false; found.len()];
    for idx in at.values().filter(|g| g.len() > 1) {
        // Columns whose old INSERTs fail come first: they are the breaking ones.
        let mut idx = idx.clone();
        idx.sort_by_key(|&i| !found[i].message.contains(" fail"));
        let first = idx[0];
        let others: Vec<String> = idx[1..].iter().map(|&i| column_of(&found[i])).collect();
        let msg = format!(
            "{} (the statement also drops the defaults of {})",
            found[first].message,
            others
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        found[first].message = msg;
        for &i in &idx[1..] {
            drop[i] = true;
        }
    }
    crate::diagnostic::remove_marked(found, &drop);
}

/// The column an M110 finding names: its anchor ends with `|table.column`.
fn column_of(d: &Diagnostic) -> String {
    let detail = d.anchor.rsplit('|').next().unwrap_or("");
    detail.rsplit('.').next().unwrap_or(detail).to_string()
}

/// `[migrations] deploy = "stop-then-migrate"`: the previous release is stopped before the
/// migration runs and the new one starts after it. Nothing of the application waits on a
/// lock, so lock and availability findings (M2xx but M203, which is a failure, and M210,
/// which also concerns transaction size) are info; the previous release meets the new
/// schema only after a rollback, so mixed-version findings (M1xx) say that, one level
/// lower. Rollback, data-loss and history rules (M3xx) are unchanged.
pub fn shape_deploy(found: &mut [Diagnostic], config: &MigrationsConfig) {
    if config.deploy != DeployStyle::StopThenMigrate {
        return;
    }
    for d in found.iter_mut() {
        if is_lock_rule(d.code) && d.code != catalogue::M203.code {
            if d.severity > Severity::Info {
                d.severity = Severity::Info;
                d.message.push_str(
                    " (info: with `deploy = \"stop-then-migrate\"` the application is stopped while it migrates, so only other clients of the database can queue behind the lock)",
                );
            }
        } else if d.code.starts_with("M1") {
            d.severity = lower(d.severity);
            d.message = d
                .message
                .replace(
                    "during the rollout and after a rollback",
                    "after a rollback",
                )
                .replace("during the rollout", "after a rollback");
            d.message.push_str(
                " (with `deploy = \"stop-then-migrate\"` no instance of the previous release runs during the migration: only a rollback to it meets the new schema)",
            );
        }
    }
}
