//! The whole shared corpus loads without a panic or an internal error, and the SQL
//! migrations parse at the measured rate. Skipped, with the reason printed, when the
//! corpus is absent.

use crate::common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rollsafe::check::{Options, check};
use rollsafe::config::Config;
use rollsafe::project;
use rollsafe::project::discover::{Filter, walk};
use rollsafe::sql::{Dialect, Understood};

fn corpus() -> Option<PathBuf> {
    common::shared("corpus")
}

#[test]
fn whole_corpus_loads_and_checks_without_panic() {
    let Some(root) = corpus() else { return };
    let outcome = check(&Options {
        root: Some(root.clone()),
        cwd: Some(root),
        ..Default::default()
    })
    .expect("no usage, configuration or internal error");
    assert!(outcome.files_checked > 1000, "{}", outcome.files_checked);
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &outcome.diagnostics {
        *by_code.entry(d.code).or_default() += 1;
        assert!(d.location.line >= 1 && d.location.column >= 1, "{d:?}");
    }
    eprintln!("corpus findings by rule: {by_code:?}");
}

#[test]
fn migration_statements_parse_at_the_measured_rate() {
    let Some(root) = corpus() else { return };
    let root = root.join("migrations");
    let config = Config::default();
    let files = walk(&root, &Filter::new(&[], &[]), u64::MAX);
    let p = project::load(files, &config);
    let mut stats: BTreeMap<Dialect, [usize; 4]> = BTreeMap::new();
    let mut unparsed: BTreeMap<String, usize> = BTreeMap::new();
    for set in &p.migration_sets {
        for m in &set.migrations {
            let mut files: Vec<_> = m.up.iter().chain(&m.down).map(|p| p.file.clone()).collect();
            files.dedup_by(|a, b| std::sync::Arc::ptr_eq(a, b));
            for f in files {
                for st in f.statements() {
                    let e = stats.entry(set.dialect).or_default();
                    match &st.understood {
                        Understood::Parsed => e[0] += 1,
                        Understood::Recognised(_) => {
                            e[1] += 1;
                            let head: Vec<&str> =
                                st.normalised.split_whitespace().take(3).collect();
                            *unparsed.entry(head.join(" ")).or_default() += 1;
                        }
                        Understood::Unchecked(_) => e[2] += 1,
                        Understood::Rejected(r) => {
                            e[3] += 1;
                            eprintln!("rejected: {} {}", f.source.path, r.message);
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "statements [parsed, recognised at token level, unchecked, rejected by the database]: {stats:?}"
    );
    eprintln!("statements sqlparser could not parse, by first words: {unparsed:?}");
    // These projects ship and run their migrations: none is syntax their database rejects.
    let rejected: usize = stats.values().map(|s| s[3]).sum();
    assert_eq!(rejected, 0, "false E001 on real migrations");
    let [parsed, recognised, unchecked, _] = stats[&Dialect::Postgres];
    let total = parsed + recognised + unchecked;
    assert!(total > 1500, "{total}");
    assert!(
        parsed * 100 >= total * 98,
        "PostgreSQL parse rate {parsed}/{total}"
    );
    assert!(
        (parsed + recognised) * 1000 >= total * 999,
        "understood {}/{total}",
        parsed + recognised
    );
}

/// The event reader (`yaml::events::parse`) changes no finding: the Kubernetes, compose
/// and traffic corpus gives the same report read by it and by the serde path alone. Fails
/// in CI (`CI=true`) when the corpus is absent; elsewhere it skips with the reason.
#[test]
fn yaml_readers_give_the_same_findings() {
    let Some(corpus) = corpus() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "../shared/corpus is absent in CI"
        );
        return;
    };
    for dir in ["k8s", "config", "traffic"] {
        let root = corpus.join(dir);
        let run = |serde_only: bool| {
            rollsafe::yaml::set_serde_only(serde_only);
            let o = check(&Options {
                root: Some(root.clone()),
                cwd: Some(root.clone()),
                ..Default::default()
            })
            .expect("no usage, configuration or internal error");
            rollsafe::yaml::set_serde_only(false);
            o
        };
        let old = run(true);
        let new = run(false);
        assert!(!new.diagnostics.is_empty(), "{dir}: no findings at all");
        assert_eq!(
            rollsafe::report::json::render(&old),
            rollsafe::report::json::render(&new),
            "{dir}: findings differ"
        );
        eprintln!("{dir}: {} findings, identical", new.diagnostics.len());
    }
}
