//! Snapshot of the exact findings for every fixture repository (base/head pairs).

use crate::common;

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
fixture!(drizzle, "conventions/drizzle");
fixture!(dropped_database, "conventions/dropped-database");
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
fixture!(kustomize_helm_charts, "kustomize-helm-charts");
fixture!(kubebuilder, "kubebuilder");
fixture!(job_ttl, "job-ttl");
fixture!(deployment_units, "units");
fixture!(example_units, "example-units");
fixture!(replay_names, "replay-names");
fixture!(fresh_set_8, "fresh-set-8");
fixture!(fresh_set_9, "fresh-set-9");
fixture!(fresh_set_10, "fresh-set-10");
fixture!(fresh_set_11, "fresh-set-11");
fixture!(fresh_set_12, "fresh-set-12");
fixture!(fresh_set_13, "fresh-set-13");
fixture!(fresh_set_14, "fresh-set-14");
fixture!(fresh_set_15, "fresh-set-15");
fixture!(fresh_set_16, "fresh-set-16");
fixture!(api_validating, "api-validating");
fixture!(api_corrections, "api-corrections");
fixture!(open_world, "open-world");
fixture!(probes, "probes");
fixture!(api_open_schemas, "api-open-schemas");
fixture!(api_twins, "api-twins");
fixture!(rollback_fold, "rollback-fold");
fixture!(sql_reading, "sql-reading");
fixture!(locks, "locks");
fixture!(flyway_transactions, "conventions/flyway-transactions");
fixture!(flyway_mixed, "conventions/flyway-mixed");
fixture!(up_down_folders, "conventions/up-down-folders");
fixture!(dated_folders, "conventions/dated-folders");
fixture!(
    liquibase_rollback_order,
    "conventions/liquibase-rollback-order"
);
fixture!(goose_out_of_order, "conventions/goose-out-of-order");
fixture!(lock_fold, "lock-fold");
fixture!(data_kept, "data-kept");
fixture!(name_references, "name-references");
fixture!(rolling_updates, "rolling-updates");
fixture!(helm_chart, "helm-chart");
fixture!(duplicate_key, "duplicate-key");
fixture!(suppressions, "suppressions");
fixture!(probe_timing, "probe-timing");
fixture!(table_rename, "table-rename");
fixture!(drop_default, "drop-default");
fixture!(truncate, "truncate");
fixture!(fresh_repos, "fresh-repos");
fixture!(deploy_stop_then_migrate, "deploy-stop-then-migrate");
fixture!(no_base_scratch, "no-base-scratch");
fixture!(unique_keys, "unique-keys");
fixture!(fresh_set_2, "fresh-set-2");
fixture!(tilt_dev, "tilt-dev");
fixture!(imperative_objects, "imperative-objects");
fixture!(placeholders, "placeholders");

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
fixture!(forward_only_downs, "forward-only");

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
    let src = std::fs::read_to_string(common::repo().join("tests/it/fixtures.rs")).unwrap();
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

/// The second fresh set's reproductions read without a base: the H2 and ClickHouse
/// folders are skipped (one E003 each), any repeatable migration re-creating a dropped
/// view counts, the template's variables are set, a readable URL password is info.
#[test]
fn fresh_set_2_without_base() {
    let o = rollsafe::check::check(&rollsafe::check::Options {
        root: Some(common::repo().join("fixtures/fresh-set-2/head")),
        cwd: Some(common::repo()),
        ..Default::default()
    })
    .unwrap();
    insta::assert_snapshot!(report::compact::render(&o));
}

/// A release compared with itself changed nothing: no rule that compares with the base
/// may report anything (T302 once compared a route with another file's route of the
/// same name, and reported shifts between two unchanged sample bundles).
#[test]
fn a_base_equal_to_the_head_gives_no_release_comparison_findings() {
    let mut dirs = Vec::new();
    for group in ["", "conventions/"] {
        for e in std::fs::read_dir(common::repo().join("fixtures").join(group)).unwrap() {
            let name = format!("{group}{}", e.unwrap().file_name().to_string_lossy());
            if common::repo()
                .join("fixtures")
                .join(&name)
                .join("head")
                .is_dir()
            {
                dirs.push(name);
            }
        }
    }
    assert!(dirs.len() > 10, "fixtures not found: {dirs:?}");
    let mut found = Vec::new();
    for dir in dirs {
        let o = rollsafe::check::check(&rollsafe::check::Options {
            root: Some(common::repo().join("fixtures").join(&dir).join("head")),
            base: Some(format!("fixtures/{dir}/head")),
            cwd: Some(common::repo()),
            ..Default::default()
        })
        .unwrap_or_else(|e| panic!("{dir}: {}", e.0));
        for d in &o.diagnostics {
            let compares = rollsafe::rules::ALL
                .iter()
                .any(|r| r.meta().code == d.code && r.meta().needs_base);
            if compares {
                found.push(format!("{dir}: {} {}", d.code, d.message));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// Every rule of the registry fires, at a position, in at least one fixture snapshot: a
/// line `path:line:column: severity[CODE] …` of a `it__fixtures__*.snap`. A rule only the
/// document examples exercise has no realistic project pinning where it reports.
#[test]
fn every_rule_has_a_positioned_finding_in_a_fixture_snapshot() {
    let dir = common::repo().join("tests/it/snapshots");
    let mut positioned = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("it__fixtures__") && name.ends_with(".snap")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            if let Some(code) = positioned_code(line) {
                positioned.insert(code.to_string());
            }
        }
    }
    let missing: Vec<&str> = rollsafe::rules::ALL
        .iter()
        .map(|r| r.meta().code)
        .filter(|c| !positioned.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "rules with no positioned finding in any fixture snapshot (add a fixture under \
         fixtures/ and a `fixture!` line): {missing:?}"
    );
}

/// The code of a compact finding line `path:line:column: severity[CODE] message`, or
/// `None` for any other line.
fn positioned_code(line: &str) -> Option<&str> {
    let (at, rest) = line.split_once(": ")?;
    let mut parts = at.rsplitn(3, ':');
    let (col, ln, path) = (parts.next()?, parts.next()?, parts.next()?);
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s != "0";
    if path.is_empty() || !number(ln) || !number(col) {
        return None;
    }
    let (_, code) = rest.split_once('[')?;
    let (code, _) = code.split_once(']')?;
    Some(code)
}
fixture!(standing_practices, "standing-practices");
fixture!(standing_practices_base, "standing-practices-base");
fixture!(api_closed_enums, "api-closed-enums");
fixture!(api_broad_change, "api-broad-change");
fixture!(fresh_set_87, "fresh-set-87");
fixture!(fresh_set_88, "fresh-set-88");
fixture!(fresh_set_89, "fresh-set-89");
fixture!(fresh_set_90, "fresh-set-90");
fixture!(fresh_set_91, "fresh-set-91");
fixture!(fresh_set_93, "fresh-set-93");
fixture!(fresh_set_94, "fresh-set-94");
fixture!(fresh_set_96, "fresh-set-96");
fixture!(fresh_set_97, "fresh-set-97");
fixture!(fresh_set_98, "fresh-set-98");
fixture!(fresh_set_99, "fresh-set-99");
fixture!(fresh_set_100, "fresh-set-100");
fixture!(fresh_set_101, "fresh-set-101");
fixture!(fresh_set_102, "fresh-set-102");
fixture!(fresh_set_103, "fresh-set-103");
fixture!(fresh_set_104, "fresh-set-104");
fixture!(fresh_set_105, "fresh-set-105");
fixture!(fresh_set_106, "fresh-set-106");
fixture!(fresh_set_107, "fresh-set-107");
fixture!(fresh_set_108, "fresh-set-108");
fixture!(fresh_set_109, "fresh-set-109");
fixture!(fresh_set_110, "fresh-set-110");
fixture!(fresh_set_111, "fresh-set-111");
fixture!(fresh_set_112, "fresh-set-112");
fixture!(fresh_set_113, "fresh-set-113");
fixture!(fresh_set_114, "fresh-set-114");
fixture!(fresh_set_115, "fresh-set-115");
fixture!(fresh_set_116, "fresh-set-116");
fixture!(fresh_set_117, "fresh-set-117");
fixture!(fresh_set_118, "fresh-set-118");
fixture!(fresh_set_119, "fresh-set-119");
fixture!(fresh_set_120, "fresh-set-120");
fixture!(fresh_set_121, "fresh-set-121");
fixture!(fresh_set_122, "fresh-set-122");
fixture!(fresh_set_123, "fresh-set-123");
fixture!(api_bundle, "api-bundle");
fixture!(fresh_set_17, "fresh-set-17");
fixture!(flyway_no_validate, "conventions/flyway-no-validate");
fixture!(api_deprecated, "api-deprecated");
fixture!(api_generator_switch, "api-generator-switch");
fixture!(api_annotated_refs, "api-annotated-refs");
fixture!(fresh_set_40, "fresh-set-40");
fixture!(fresh_set_41, "fresh-set-41");
fixture!(fresh_set_42, "fresh-set-42");
fixture!(fresh_set_43, "fresh-set-43");
fixture!(fresh_set_44, "fresh-set-44");
fixture!(fresh_set_47, "fresh-set-47");
fixture!(api_literal_spellings, "api-literal-spellings");
fixture!(fresh_set_48, "fresh-set-48");
fixture!(fresh_set_49, "fresh-set-49");
fixture!(fresh_set_50, "fresh-set-50");
fixture!(fresh_set_51, "fresh-set-51");
fixture!(fresh_set_52, "fresh-set-52");
fixture!(fresh_set_54, "fresh-set-54");
fixture!(fresh_set_55, "fresh-set-55");
fixture!(fresh_set_56, "fresh-set-56");
fixture!(fresh_set_58, "fresh-set-58");
fixture!(fresh_set_58_prerelease, "fresh-set-58-prerelease");
fixture!(fresh_set_59, "fresh-set-59");
fixture!(fresh_set_59_validate_off, "fresh-set-59-validate-off");
fixture!(fresh_set_60, "fresh-set-60");
fixture!(fresh_set_60_alternatives, "fresh-set-60-alternatives");
fixture!(fresh_set_62, "fresh-set-62");
fixture!(fresh_set_68, "fresh-set-68");
fixture!(fresh_set_69, "fresh-set-69");
fixture!(fresh_set_70, "fresh-set-70");
fixture!(fresh_set_71, "fresh-set-71");
fixture!(fresh_set_73, "fresh-set-73");
fixture!(fresh_set_74, "fresh-set-74");
fixture!(fresh_set_75, "fresh-set-75");
fixture!(fresh_set_76, "fresh-set-76");
fixture!(fresh_set_79, "fresh-set-79");
fixture!(fresh_set_82, "fresh-set-82");
fixture!(fresh_set_83, "fresh-set-83");
fixture!(fresh_set_85, "fresh-set-85");
fixture!(fresh_set_86, "fresh-set-86");
fixture!(fresh_set_124, "fresh-set-124");
fixture!(fresh_set_125, "fresh-set-125");
fixture!(fresh_set_126, "fresh-set-126");
fixture!(fresh_set_127, "fresh-set-127");
fixture!(fresh_set_128, "fresh-set-128");
fixture!(fresh_set_129, "fresh-set-129");
fixture!(fresh_set_130, "fresh-set-130");
fixture!(fresh_set_131, "fresh-set-131");
fixture!(fresh_set_132, "fresh-set-132");
