//! The oracle: migration sets applied to a real PostgreSQL and MariaDB, compared with
//! what rollsafe says about them.
//!
//! For each set (a fresh database each): every migration's up part runs in order; where
//! it has a down part, up, then down, is applied and the catalogs before and after are
//! compared with M302's verdict, then the up runs again. At the end (or at the first
//! statement the server rejects) the catalogs are compared object by object with
//! rollsafe's replayed schema model. Every statement rollsafe says would fail (M307)
//! must fail on the server, and every statement the server rejects must carry a finding.
//!
//! The servers come from `.ci/run` (`ROLLSAFE_TEST_PG_URL`, `ROLLSAFE_TEST_MYSQL_URL`);
//! without them the tests skip with the reason printed, or fail when `CI=true`.

use crate::common;

mod catalog;
mod compare;
mod servers;

use std::path::{Path, PathBuf};

use rollsafe::check::{Options, check, load_config};
use rollsafe::diagnostic::Diagnostic;
use rollsafe::migrations::schema::BEFORE_HISTORY;
use rollsafe::migrations::{MigrationSet, PartRef, replay::replay, section, set_variants};
use rollsafe::project;
use rollsafe::project::discover::{Filter, walk};
use rollsafe::sql::ops::Op;
use rollsafe::sql::{Dialect, Understood};

use compare::Agreement;
use servers::{Mariadb, Postgres, Server};

/// The code of the rule that says a statement fails against the schema at that point.
const FAILS: &str = "M307";

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            common::skip_or_fail(&format!(
                "{var} is not set (.ci/run starts a server and sets it)"
            ));
            None
        }
    }
}

#[derive(Debug, Default)]
struct Figures {
    sets: usize,
    sets_clean: usize,
    migrations_applied: usize,
    agreement: Agreement,
    downs_compared: usize,
    downs_agree: usize,
    downs_disagree: Vec<String>,
    /// Silent where the server shows a difference, for a reason the model states (what it
    /// marks uncertain or does not model).
    downs_explained: Vec<String>,
    fails_claimed: usize,
    fails_confirmed: usize,
    fails_not_reached: usize,
    fails_wrong: Vec<String>,
    rejected: usize,
    rejected_reported: usize,
    /// Rejected because the table comes from migrations older than the kept history.
    rejected_prehistory: usize,
    rejected_unreported: Vec<String>,
    /// Rejections for a documented reason: syntax MariaDB lacks, MySQL index names.
    rejected_known_gap: Vec<String>,
    notes: Vec<String>,
}

impl Figures {
    fn print(&self, title: &str) {
        let a = &self.agreement;
        eprintln!("== oracle: {title}");
        eprintln!(
            "sets {} (applied cleanly {}), migrations applied {}",
            self.sets, self.sets_clean, self.migrations_applied
        );
        eprintln!(
            "schema: objects compared {}, mismatches {}, uncertain (rules quiet) {}, not modelled {}",
            a.compared,
            a.mismatches.len(),
            a.uncertain,
            a.not_modelled
        );
        for m in &a.mismatches {
            eprintln!("  mismatch: {m}");
        }
        eprintln!(
            "down proof: up-then-down compared {}, M302 agrees {}, silent on what the model does not vouch for {}, disagrees {}",
            self.downs_compared,
            self.downs_agree,
            self.downs_explained.len(),
            self.downs_disagree.len()
        );
        for m in &self.downs_explained {
            eprintln!("  not judged: {m}");
        }
        for m in &self.downs_disagree {
            eprintln!("  disagree: {m}");
        }
        eprintln!(
            "{FAILS} claims {}: failed on the server {}, not reached {}, ran fine {}",
            self.fails_claimed,
            self.fails_confirmed,
            self.fails_not_reached,
            self.fails_wrong.len()
        );
        for m in &self.fails_wrong {
            eprintln!("  ran fine: {m}");
        }
        eprintln!(
            "server rejected {} statements: reported {}, table older than the kept history {}, known gap {}, unreported {}",
            self.rejected,
            self.rejected_reported,
            self.rejected_prehistory,
            self.rejected_known_gap.len(),
            self.rejected_unreported.len()
        );
        for m in &self.rejected_known_gap {
            eprintln!("  known gap: {m}");
        }
        for m in &self.rejected_unreported {
            eprintln!("  unreported: {m}");
        }
        for n in &self.notes {
            eprintln!("  note: {n}");
        }
    }
}

struct Rejection {
    path: String,
    start: usize,
    end: usize,
    error: String,
    table: Option<String>,
}

/// Runs the statements of `parts` in order; the first the server rejects stops them.
/// The up parts a database of `variant` runs for `m`: its own, or the neutral up of that
/// version when it has only a down file of its own.
fn ups_run<'a>(
    m: &'a rollsafe::migrations::Migration,
    neutral_ups: &std::collections::HashMap<&str, &'a rollsafe::migrations::Migration>,
    variant: Option<&str>,
) -> Vec<&'a PartRef> {
    match neutral_ups.get(m.version.as_str()) {
        Some(n) if m.up.is_empty() => n.parts_for(variant, false),
        _ => m.parts_for(variant, false),
    }
}

fn apply(server: &mut dyn Server, parts: &[&PartRef]) -> Result<(), Rejection> {
    for p in parts {
        let text = &p.file.source.text;
        for st in &section(p).statements {
            let sql = text.get(st.start..st.end).unwrap_or("");
            if sql.trim().is_empty() {
                continue;
            }
            if let Err(error) = server.exec(sql) {
                server.recover();
                return Err(Rejection {
                    path: p.file.source.path.clone(),
                    start: st.start,
                    end: st.end,
                    error,
                    table: st.ops.iter().find_map(|o| o.table().map(str::to_string)),
                });
            }
        }
    }
    Ok(())
}

/// Why M302 may stay silent on what the server shows differs: every difference is on
/// an object the model marks uncertain or does not keep.
fn explained(
    differs: &[String],
    model: &rollsafe::migrations::schema::Schema,
    dialect: Dialect,
) -> Option<String> {
    let mut why: Vec<&str> = Vec::new();
    for line in differs {
        let mut words = line.split_whitespace();
        let (kind, name) = (words.next()?, words.next()?);
        let table = line.split(':').next().unwrap_or("");
        let reason = if line.contains("sequence ") || line.contains("nextval(") {
            "sequence names are not modelled"
        } else if kind == "constraint" && !model.constraints.contains_key(name) {
            "constraints named by the server are not modelled"
        } else if kind == "index" && dialect == Dialect::Mysql && !model.indexes.contains_key(name)
        {
            "MySQL keys declared inside CREATE TABLE are not modelled"
        } else if model
            .table(table)
            .or(model.table(name))
            .is_some_and(|t| t.unreadable())
        {
            "the table is uncertain (an unreadable statement or procedure touched it)"
        } else {
            return None;
        };
        if !why.contains(&reason) {
            why.push(reason);
        }
    }
    Some(why.join("; "))
}

/// A rejection rollsafe does not claim to foresee, and why.
fn known_gap(error: &str, dialect: Dialect) -> Option<&'static str> {
    if dialect != Dialect::Mysql {
        // GRANT/REVOKE to an application role: roles belong to the cluster, which the
        // deployment provisions; a fresh test server has none.
        if error.starts_with("role \"") && error.contains("does not exist (42704)") {
            return Some("roles are provisioned by the deployment, not by the migrations");
        }
        return None;
    }
    if error.contains("ERROR 1305") || (error.contains("ERROR 1064") && error.contains("MariaDB")) {
        // BIN_TO_UUID, `DROP INDEX … LOCK = NONE`: MySQL 8.0 has them, MariaDB 10.11 not.
        Some("MySQL 8.0 syntax or function that MariaDB lacks")
    } else if error.contains("ERROR 1091") {
        Some(
            "MySQL index names are not modelled (keys declared inside CREATE TABLE), so M307 does not judge them",
        )
    } else {
        None
    }
}

/// The first quoted name in a server message, without a database prefix.
fn quoted_name(msg: &str) -> Option<String> {
    let start = msg.find(['"', '\''])?;
    let q = msg[start..].chars().next()?;
    let rest = &msg[start + 1..];
    let name = &rest[..rest.find(q)?];
    Some(name.rsplit('.').next().unwrap_or(name).to_string())
}

fn at_statement(d: &Diagnostic, path: &str, start: usize, end: usize) -> bool {
    d.location.path == path && d.location.offset >= start && d.location.offset <= end.max(start)
}

/// The finding is on one of the files, or names one as a variant where the same holds (a
/// finding repeated in several dialect files is reported once, the others related).
fn about_migration(d: &Diagnostic, paths: &[String]) -> bool {
    paths.contains(&d.location.path) || d.related.iter().any(|r| paths.contains(&r.path))
}

/// The variant of a set a server of `dialect` runs, if any.
fn variant_for(set: &MigrationSet, dialect: Dialect) -> Option<Option<&'static str>> {
    let own = match dialect {
        Dialect::Mysql => "mysql",
        _ => "postgres",
    };
    let variants = set_variants(set);
    if variants.contains(&Some(own)) {
        Some(Some(own))
    } else if variants == [None] {
        Some(None)
    } else {
        None
    }
}

fn run_project(
    server: &mut dyn Server,
    root: &Path,
    dialect: Dialect,
    label: &str,
    fig: &mut Figures,
) {
    let opts = Options {
        root: Some(root.to_path_buf()),
        cwd: Some(root.to_path_buf()),
        all: true,
        ..Default::default()
    };
    let outcome = check(&opts).unwrap_or_else(|e| panic!("{}: {}", root.display(), e.0));
    let config = load_config(&opts, root, root).unwrap_or_else(|e| panic!("{}", e.0));
    let p = project::load(walk(root, &Filter::new(&[], &[]), u64::MAX), &config);
    let mut rejections: Vec<Rejection> = Vec::new();
    let mut applied_paths: Vec<String> = Vec::new();
    // Statements the server rejected: (path, start, end).
    let mut rejected_at: Vec<(String, usize, usize)> = Vec::new();
    for (n, set) in p.migration_sets.iter().enumerate() {
        if set.dialect != dialect {
            continue;
        }
        let Some(variant) = variant_for(set, dialect) else {
            continue;
        };
        fig.sets += 1;
        let at = format!("{label}/{}", set.dir);
        let db = format!("oracle_{}_{n}", label.replace(['/', '-', '.'], "_"));
        server
            .fresh(&db)
            .unwrap_or_else(|e| panic!("{}: {e}", server.name()));
        let mut reached = set.migrations.len();
        let mut clean = true;
        // What this database runs besides its own files (pop): the dialect-neutral
        // migrations of versions it has no file for, and the neutral up of a version for
        // which it has only its own down.
        let borrowed = rollsafe::migrations::replay::borrowed(set, &p.migration_sets);
        let neutral_ups = rollsafe::migrations::replay::neutral_ups(set, &p.migration_sets);
        let ups_of = |mm| ups_run(mm, &neutral_ups, variant);
        let borrowed_before = |version: &str| -> Vec<&rollsafe::migrations::Migration> {
            let key = rollsafe::migrations::version_key(version);
            borrowed
                .iter()
                .copied()
                .filter(|b| rollsafe::migrations::version_key(&b.version) < key)
                .collect()
        };
        // Every up this database runs before set migration `upto` (exclusive).
        let replay_upto = |server: &mut dyn Server, upto: usize| {
            let before: Vec<&rollsafe::migrations::Migration> = match set.migrations.get(upto) {
                Some(next) => borrowed_before(&next.version),
                None => borrowed.clone(),
            };
            let mut runs: Vec<(&str, Vec<&PartRef>)> = before
                .into_iter()
                .map(|b| (b.version.as_str(), b.parts_for(variant, false)))
                .collect();
            runs.extend(
                set.migrations[..upto]
                    .iter()
                    .map(|mm| (mm.version.as_str(), ups_of(mm))),
            );
            runs.sort_by_key(|(v, _)| rollsafe::migrations::version_key(v));
            for (_, parts) in runs {
                let _ = apply(server, &parts);
            }
        };
        let mut borrowed_done = 0;
        for (i, m) in set.migrations.iter().enumerate() {
            for b in borrowed_before(&m.version).into_iter().skip(borrowed_done) {
                borrowed_done += 1;
                let _ = apply(server, &b.parts_for(variant, false));
            }
            let ups = ups_of(m);
            let downs = m.parts_for(variant, true);
            applied_paths.extend(ups.iter().chain(&downs).map(|p| p.file.source.path.clone()));
            let before = if downs.is_empty() {
                None
            } else {
                Some(server.snapshot().expect("catalogs readable"))
            };
            if let Err(r) = apply(server, &ups) {
                reached = i;
                clean = false;
                rejections.push(r);
                // The statements before the rejected one ran (MySQL DDL commits at once):
                // rebuild the database as it was before this migration, for the model.
                server.fresh(&db).expect("fresh database");
                replay_upto(server, i);
                break;
            }
            fig.migrations_applied += 1;
            let Some(before) = before else { continue };
            let down = apply(server, &downs);
            let after = server.snapshot().expect("catalogs readable");
            let differs = before.diff(&after);
            let down_failed = down.is_err();
            if let Err(r) = down {
                rejections.push(r);
            }
            // Findings on the files this database runs (a finding on a dialect-neutral
            // down replaced here by a variant's own is about other databases).
            let ran: Vec<String> = ups
                .iter()
                .chain(&downs)
                .map(|p| p.file.source.path.clone())
                .collect();
            let reported = outcome.diagnostics.iter().any(|d| {
                about_migration(d, &ran)
                    && (d.code == "M302" || (down_failed && (d.code == FAILS || d.code == "E001")))
            });
            let bad = down_failed || !differs.is_empty();
            fig.downs_compared += 1;
            let after_up = replay(set, &p.migration_sets, i + 1, variant);
            let unreadable_down = downs.iter().any(|p| {
                section(p).statements.iter().any(|s| {
                    !matches!(s.understood, Understood::Parsed | Understood::Recognised(_))
                        || s.ops.iter().any(|o| matches!(o, Op::Opaque { .. }))
                })
            });
            let excuse = if reported || down_failed {
                None
            } else if unreadable_down {
                Some(
                    "the down part runs statements rollsafe cannot read (M302 does not judge it)"
                        .to_string(),
                )
            } else {
                explained(&differs, &after_up, dialect)
            };
            if reported == bad {
                fig.downs_agree += 1;
            } else if let Some(why) = excuse {
                fig.downs_explained
                    .push(format!("{at} {}: {why}", m.label()));
            } else {
                fig.downs_disagree.push(format!(
                    "{at} {}: server {}, rollsafe {}",
                    m.label(),
                    if down_failed {
                        "rejects the down part".to_string()
                    } else if differs.is_empty() {
                        "restores the schema".to_string()
                    } else {
                        format!("leaves {}", differs.join("; "))
                    },
                    if reported {
                        "reports M302"
                    } else {
                        "is silent"
                    }
                ));
            }
            // Back to the state after the up, to go on.
            if down_failed || !differs.is_empty() {
                // The down did not bring back the state before the up, so the up may not
                // run again: rebuild the database up to and including this migration.
                server.fresh(&db).expect("fresh database");
                replay_upto(server, i + 1);
            } else if apply(server, &ups).is_err() {
                reached = i + 1;
                clean = false;
                fig.notes.push(format!(
                    "{at} {}: the up part does not run again after its down",
                    m.label()
                ));
                break;
            }
        }
        if clean {
            fig.sets_clean += 1;
            // Borrowed migrations newer than every one of the set's own run last.
            for b in borrowed.iter().skip(borrowed_done) {
                let _ = apply(server, &b.parts_for(variant, false));
            }
        }
        let model = replay(set, &p.migration_sets, reached, variant);
        let db_schema = server.snapshot().expect("catalogs readable");
        fig.agreement
            .add(compare::compare(&model, &db_schema, dialect, &at));
        // Classify what the server rejected in this set.
        for r in rejections.drain(..) {
            fig.rejected += 1;
            let reported = outcome
                .diagnostics
                .iter()
                .any(|d| at_statement(d, &r.path, r.start, r.end));
            // (A missing role is no table: see `known_gap`.)
            let missing_table = (r.error.contains("does not exist")
                && !r.error.starts_with("role \""))
                || r.error.contains("doesn't exist")
                || r.error.contains("Unknown table");
            // The missing relation is named in the message (`relation "x"`, `Table 'db.x'`),
            // else it is the statement's own table.
            let named = quoted_name(&r.error).or(r.table.clone());
            let prehistory = missing_table
                && named.as_ref().is_some_and(|t| {
                    replay(set, &p.migration_sets, set.migrations.len(), variant)
                        .table(t)
                        .is_none_or(|t| t.created_in == BEFORE_HISTORY)
                });
            if reported {
                fig.rejected_reported += 1;
            } else if prehistory {
                fig.rejected_prehistory += 1;
            } else if let Some(why) = known_gap(&r.error, dialect) {
                fig.rejected_known_gap
                    .push(format!("{label}/{}@{}: {why}", r.path, r.start));
            } else {
                fig.rejected_unreported
                    .push(format!("{label}/{}@{}: {}", r.path, r.start, r.error));
            }
            rejected_at.push((r.path, r.start, r.end));
        }
    }
    for d in outcome.diagnostics.iter().filter(|d| d.code == FAILS) {
        if !applied_paths.contains(&d.location.path) {
            continue;
        }
        fig.fails_claimed += 1;
        let failed = rejected_at
            .iter()
            .any(|(p, s, e)| at_statement(d, p, *s, *e));
        if failed {
            fig.fails_confirmed += 1;
        } else {
            fig.fails_wrong.push(format!(
                "{label}/{}:{}: {}",
                d.location.path, d.location.line, d.message
            ));
        }
    }
}

/// Folders of the fixtures that hold SQL migrations: each `head/` (the release checked),
/// else the fixture folder itself.
fn fixture_roots() -> Vec<(String, PathBuf)> {
    let base = common::repo().join("fixtures");
    let mut out = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut subdirs: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        subdirs.sort();
        if subdirs.iter().any(|d| d.ends_with("head")) {
            let head = dir.join("head");
            if has_sql(&head) && !has_template(&head) {
                let label = dir.strip_prefix(&base).unwrap().display().to_string();
                out.push((label, head));
            }
            continue;
        }
        if dir != base
            && subdirs.iter().all(|d| !has_sql(d))
            && has_sql(&dir)
            && !has_template(&dir)
        {
            let label = dir.strip_prefix(&base).unwrap().display().to_string();
            out.push((label, dir.clone()));
            continue;
        }
        stack.extend(subdirs.into_iter().filter(|d| !d.ends_with("base")));
    }
    out.sort();
    out
}

/// Templated SQL (`{{ … }}`, `${…}`) is filled in by its migration tool (pop/fizz,
/// Flyway, Liquibase) before a server sees it: such fixtures are not applied as written.
fn has_template(dir: &Path) -> bool {
    walk(dir, &Filter::new(&[], &[]), u64::MAX)
        .iter()
        .filter(|f| f.path.ends_with(".sql"))
        .any(|f| {
            let text = String::from_utf8_lossy(&f.bytes);
            text.contains("{{") || text.contains("${")
        })
}

fn has_sql(dir: &Path) -> bool {
    walk(dir, &Filter::new(&[], &[]), u64::MAX)
        .iter()
        .any(|f| f.path.ends_with(".sql"))
}

fn corpus_roots() -> Vec<(String, PathBuf)> {
    let Some(root) = common::shared("corpus/migrations") else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

fn run(
    server: &mut dyn Server,
    roots: &[(String, PathBuf)],
    dialect: Dialect,
    title: &str,
) -> Figures {
    let mut fig = Figures::default();
    let t = std::time::Instant::now();
    for (label, root) in roots {
        run_project(server, root, dialect, label, &mut fig);
    }
    fig.print(&format!(
        "{title} on {} ({:.1?})",
        server.name(),
        t.elapsed()
    ));
    fig
}

/// What the oracle holds rollsafe to: the model agrees with the catalogs on every object
/// it vouches for, M302 agrees with every up-then-down it judges, every M307 claim fails
/// on the server, and every rejection is reported or explained.
fn assert_agreement(fig: &Figures) {
    assert!(fig.sets > 0, "no migration set was applied");
    assert!(
        fig.agreement.mismatches.is_empty(),
        "model and catalogs differ: {:#?}",
        fig.agreement.mismatches
    );
    assert!(
        fig.downs_disagree.is_empty(),
        "M302 and the server disagree: {:#?}",
        fig.downs_disagree
    );
    assert!(
        fig.fails_wrong.is_empty(),
        "{FAILS} claims that ran fine: {:#?}",
        fig.fails_wrong
    );
    assert!(
        fig.rejected_unreported.is_empty(),
        "rejected without a finding: {:#?}",
        fig.rejected_unreported
    );
}

fn postgres() -> Option<Postgres> {
    let url = server_url("ROLLSAFE_TEST_PG_URL")?;
    Some(Postgres::connect(&url).unwrap_or_else(|e| panic!("{e}")))
}

fn mariadb() -> Option<Mariadb> {
    let url = server_url("ROLLSAFE_TEST_MYSQL_URL")?;
    Some(Mariadb::connect(&url).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn fixtures_agree_with_postgresql() {
    let Some(mut s) = postgres() else { return };
    let fig = run(&mut s, &fixture_roots(), Dialect::Postgres, "fixtures");
    assert_agreement(&fig);
}

#[test]
fn fixtures_agree_with_mariadb() {
    let Some(mut s) = mariadb() else { return };
    let fig = run(&mut s, &fixture_roots(), Dialect::Mysql, "fixtures");
    assert_agreement(&fig);
}

#[test]
fn corpus_agrees_with_postgresql() {
    let Some(mut s) = postgres() else { return };
    let roots = corpus_roots();
    if roots.is_empty() {
        return;
    }
    assert_agreement(&run(&mut s, &roots, Dialect::Postgres, "corpus"));
}

#[test]
fn corpus_agrees_with_mariadb() {
    let Some(mut s) = mariadb() else { return };
    let roots = corpus_roots();
    if roots.is_empty() {
        return;
    }
    assert_agreement(&run(&mut s, &roots, Dialect::Mysql, "corpus"));
}

/// What the mixed-version rules say the previous release meets, checked on the server:
/// its statements run after the new release's migration, as the rollout runs them.
/// Each case: setup (the previous release's schema), the migration, the previous
/// release's statement, and whether the server must reject it (with the SQLSTATE).
#[test]
fn mixed_version_claims_hold_on_postgresql() {
    let Some(mut s) = postgres() else { return };
    let cases: &[(&str, &str, &str, &str, Option<&str>)] = &[
        (
            "M111: a CHECK (col IS NOT NULL) NOT VALID on a new column rejects the old INSERT",
            "CREATE TABLE payments (id bigint PRIMARY KEY, amount integer NOT NULL); INSERT INTO payments VALUES (1, 10);",
            "ALTER TABLE payments ADD COLUMN currency text; ALTER TABLE payments ADD CONSTRAINT payments_currency_not_null CHECK (currency IS NOT NULL) NOT VALID;",
            "INSERT INTO payments (id, amount) VALUES (2, 20)",
            Some("23514"),
        ),
        (
            "M111: with a default, the old INSERT passes the same check",
            "CREATE TABLE payments (id bigint PRIMARY KEY, amount integer NOT NULL); INSERT INTO payments VALUES (1, 10);",
            "ALTER TABLE payments ADD COLUMN currency text DEFAULT 'EUR'; ALTER TABLE payments ADD CONSTRAINT payments_currency_not_null CHECK (currency IS NOT NULL) NOT VALID;",
            "INSERT INTO payments (id, amount) VALUES (2, 20)",
            None,
        ),
        (
            "M112: DROP SCHEMA … CASCADE takes the tables the old release reads",
            "CREATE SCHEMA legacy; CREATE TABLE legacy.accounts (id bigint PRIMARY KEY);",
            "DROP SCHEMA legacy CASCADE;",
            "SELECT * FROM legacy.accounts",
            Some("42P01"),
        ),
        (
            "M307 (M112's note): DROP SCHEMA without CASCADE refuses a schema with tables",
            "CREATE SCHEMA legacy; CREATE TABLE legacy.accounts (id bigint PRIMARY KEY);",
            "SELECT 1;",
            "DROP SCHEMA legacy",
            Some("2BP01"),
        ),
        (
            "M113: after REVOKE the old release's role cannot write",
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rollsafe_oracle_app') THEN CREATE ROLE rollsafe_oracle_app; END IF; END $$; CREATE TABLE invoices (id bigint PRIMARY KEY); GRANT SELECT, INSERT ON invoices TO rollsafe_oracle_app;",
            "REVOKE INSERT ON invoices FROM rollsafe_oracle_app;",
            "SET ROLE rollsafe_oracle_app; INSERT INTO invoices VALUES (1)",
            Some("42501"),
        ),
    ];
    let mut wrong = Vec::new();
    for (i, (what, setup, migration, old, expect)) in cases.iter().enumerate() {
        s.fresh(&format!("rollsafe_claims_{i}"))
            .unwrap_or_else(|e| panic!("{e}"));
        s.exec(setup)
            .unwrap_or_else(|e| panic!("{what}: setup: {e}"));
        s.exec(migration)
            .unwrap_or_else(|e| panic!("{what}: migration: {e}"));
        let got = s.exec(old);
        let _ = s.exec("RESET ROLE");
        match (expect, &got) {
            (Some(code), Err(e)) if e.contains(&format!("({code})")) => {}
            (None, Ok(())) => {}
            _ => wrong.push(format!("{what}: expected {expect:?}, got {got:?}")),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
