//! Configuration that changes what is read and reported: migration folders and
//! convention, classification overrides, select/ignore by code, prefix or name,
//! severity overrides and per-path ignores.

use crate::common;

use common::{project, summary};

const DROP: &str =
    "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN fax;\nDROP INDEX users_fax_idx;\n";

#[test]
fn migration_folders_limit_what_counts_as_a_migration() {
    let tmp = project(&[
        ("rollsafe.toml", "[migrations]\npaths = [\"db/up\"]\n"),
        ("db/up/0002_drop.sql", DROP),
        ("db/migrations/000002_other.up.sql", DROP),
        ("sql/report.sql", "DELETE FROM audit;\n"),
    ]);
    let o = common::check_dir(tmp.path());
    assert_eq!(
        summary(&o),
        [
            "db/up/0002_drop.sql:2:19 M101",
            "db/up/0002_drop.sql:3:1 M202"
        ]
    );
}

#[test]
fn configured_convention_and_dialect_apply() {
    // With `sqlx`, a reversible migration runs in a transaction: CONCURRENTLY fails.
    let tmp = project(&[
        ("rollsafe.toml", "[migrations]\nconvention = \"sqlx\"\n"),
        (
            "migrations/0002_idx.up.sql",
            "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nSELECT 1;\n",
        ),
        (
            "migrations/0002_idx.down.sql",
            "DROP INDEX CONCURRENTLY users_email_idx;\n",
        ),
    ]);
    let codes: Vec<String> = summary(&common::check_dir(tmp.path()));
    assert_eq!(
        codes,
        [
            "migrations/0002_idx.down.sql:1:12 M203",
            "migrations/0002_idx.up.sql:1:14 M203"
        ]
    );
    // As golang-migrate, a single-statement file is sent alone, outside a transaction.
    common::write(
        tmp.path(),
        &[(
            "rollsafe.toml",
            "[migrations]\nconvention = \"golang-migrate\"\n",
        )],
    );
    let codes = summary(&common::check_dir(tmp.path()));
    assert_eq!(codes, ["migrations/0002_idx.up.sql:1:14 M203"]);
    // Configured as MySQL, CONCURRENTLY is syntax MySQL rejects: an E001, no lock rule.
    common::write(
        tmp.path(),
        &[("rollsafe.toml", "[migrations]\ndialect = \"mysql\"\n")],
    );
    assert_eq!(
        summary(&common::check_dir(tmp.path())),
        [
            "migrations/0002_idx.down.sql:1:12 E001",
            "migrations/0002_idx.up.sql:1:14 E001"
        ]
    );
}

#[test]
fn classification_can_be_overridden() {
    let tmp = project(&[
        (
            "rollsafe.toml",
            "[classify]\n\"schema/*.sql\" = \"migration\"\n\"deploy/broken.yaml\" = \"ignore\"\n",
        ),
        ("schema/0002_drop.sql", DROP),
        ("deploy/broken.yaml", "apiVersion: v1\nkind: [\n"),
    ]);
    let s = summary(&common::check_dir(tmp.path()));
    assert_eq!(
        s,
        [
            "schema/0002_drop.sql:2:19 M101",
            "schema/0002_drop.sql:3:1 M202"
        ]
    );
}

#[test]
fn select_ignore_severity_and_per_path() {
    let files = |cfg: &'static str| {
        project(&[
            ("rollsafe.toml", cfg),
            ("migrations/000002_a.up.sql", DROP),
            ("legacy/migrations/000002_b.up.sql", DROP),
        ])
    };
    let codes = |cfg: &'static str| -> Vec<String> {
        let tmp = files(cfg);
        common::check_dir(tmp.path())
            .diagnostics
            .iter()
            .map(|d| format!("{} {} {}", d.location.path, d.code, d.severity.as_str()))
            .collect()
    };
    assert_eq!(codes("[rules]\nselect = [\"M2\"]\n").len(), 2);
    assert_eq!(
        codes("[rules]\nignore = [\"drop-index-blocking\"]\n").len(),
        2
    );
    assert_eq!(
        codes("[rules]\nselect = [\"M101\"]\n[rules.severity]\nM101 = \"warning\"\n"),
        [
            "legacy/migrations/000002_b.up.sql M101 warning",
            "migrations/000002_a.up.sql M101 warning"
        ]
    );
    assert_eq!(
        codes("[[rules.per-path]]\npaths = [\"legacy/**\"]\nignore = [\"M\"]\n"),
        [
            "migrations/000002_a.up.sql M101 error",
            "migrations/000002_a.up.sql M202 info"
        ]
    );
}
