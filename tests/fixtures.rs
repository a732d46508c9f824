//! Snapshot of the exact findings for every fixture repository (base/head pairs).

mod common;

use rollsafe::report;

fn snapshot(dir: &str) -> String {
    let o = common::check_fixture(dir);
    report::compact::render(&o)
}

macro_rules! fixture {
    ($name:ident, $dir:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(snapshot($dir));
        }
    };
}

fixture!(demo, "demo");
fixture!(goose, "conventions/goose");
fixture!(dbmate, "conventions/dbmate");
fixture!(diesel, "conventions/diesel");
fixture!(flyway, "conventions/flyway");
fixture!(prisma_mysql, "conventions/prisma");
fixture!(sqitch, "conventions/sqitch");
fixture!(liquibase, "conventions/liquibase");
fixture!(golang_migrate_mysql, "conventions/golang-migrate-mysql");
fixture!(pop_variants, "conventions/pop-variants");
fixture!(duplicate_versions, "conventions/duplicate-versions");
fixture!(version_identity, "conventions/version-identity");
fixture!(transactions, "conventions/transactions");
fixture!(workloads_kustomize, "workloads");
fixture!(workloads_rollouts, "rollouts");
fixture!(workloads_compose, "compose");
fixture!(secrets_references, "secrets");
fixture!(traffic_shifting, "traffic");
fixture!(api_contracts, "api");
fixture!(regressions, "regressions");
fixture!(kustomize_components, "kustomize-components");
fixture!(job_ttl, "job-ttl");
fixture!(deployment_units, "units");
fixture!(open_world, "open-world");
fixture!(probes, "probes");
fixture!(api_open_schemas, "api-open-schemas");
fixture!(rollback_fold, "rollback-fold");
fixture!(sql_reading, "sql-reading");
fixture!(locks, "locks");
fixture!(flyway_transactions, "conventions/flyway-transactions");
fixture!(flyway_mixed, "conventions/flyway-mixed");
fixture!(goose_out_of_order, "conventions/goose-out-of-order");
fixture!(lock_fold, "lock-fold");
fixture!(data_kept, "data-kept");
fixture!(name_references, "name-references");
fixture!(rolling_updates, "rolling-updates");
fixture!(fresh_repos, "fresh-repos");
fixture!(deploy_stop_then_migrate, "deploy-stop-then-migrate");

/// A monorepo (`fixtures/monorepo`, as a git history): each `rollsafe.toml` governs its
/// own subtree — the top one ignores M209, billing's does not — a project never reads
/// another's files (shop's ConfigMap moved into billing is missing for shop), and every
/// path is named from the repository's top.
#[test]
fn monorepo() {
    let repo = common::git_release_pair("monorepo");
    let o = rollsafe::workspace::check(&rollsafe::check::Options {
        base: Some("HEAD~1".into()),
        cwd: Some(repo.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    insta::assert_snapshot!(report::compact::render(&o));
}
fixture!(schema_replay, "schema-replay");

/// `rollsafe diff --changelog` on one pair: the breaking changes and every other one.
#[test]
fn api_changelog() {
    // Relative paths: cargo runs tests from the package root, and the report shows them.
    let o = rollsafe::diff::diff(&rollsafe::diff::DiffOptions {
        old: "fixtures/api/base/services/billing/openapi.yaml".into(),
        new: "fixtures/api/head/services/billing/openapi.yaml".into(),
        changelog: true,
        config: None,
    })
    .unwrap();
    insta::assert_snapshot!(report::compact::render(&o));
}

#[test]
fn every_fixture_folder_has_a_snapshot_test() {
    let src = std::fs::read_to_string(common::repo().join("tests/fixtures.rs")).unwrap();
    for e in std::fs::read_dir(common::repo().join("fixtures")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "conventions" || src.contains(&format!("\"{name}\"")),
            "fixtures/{name} has no snapshot test"
        );
    }
    for e in std::fs::read_dir(common::repo().join("fixtures/conventions")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            src.contains(&format!("\"conventions/{name}\"")),
            "fixtures/conventions/{name} has no snapshot test"
        );
    }
}

/// The deployment-units fixture read without its base: a finding repeated in two
/// alternative bundles is reported once, naming the other bundle.
#[test]
fn deployment_units_without_base() {
    let o = rollsafe::check::check(&rollsafe::check::Options {
        root: Some(common::repo().join("fixtures/units/head")),
        cwd: Some(common::repo()),
        ..Default::default()
    })
    .unwrap();
    insta::assert_snapshot!(report::compact::render(&o));
}
