//! The command line as users meet it: exit codes, formats and outputs, configuration
//! errors, suppressions, baselines, git bases, explain/rules/init.

use crate::common;

use assert_cmd::Command;
use common::{git, project, repo};

fn rollsafe() -> Command {
    let mut c = Command::cargo_bin("rollsafe").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn stdout(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DROP: &str = "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN fax;\n";
const WARN_ONLY: &str = "ALTER TABLE users ADD COLUMN note text;\n";

#[test]
fn exit_code_table() {
    let demo = repo().join("fixtures/demo");
    let clean = project(&[
        ("rollsafe.toml", ""),
        ("migrations/000001_a.up.sql", "CREATE TABLE a (id int);\n"),
    ]);
    let warn = project(&[
        ("rollsafe.toml", "[migrations]\nhot-tables = [\"users\"]\n"),
        ("migrations/000002_a.up.sql", WARN_ONLY),
    ]);
    let bad_config = project(&[("rollsafe.toml", "colour = true\n")]);
    let (demo_head, demo_base) = (
        demo.join("head").display().to_string(),
        demo.join("base").display().to_string(),
    );
    let (clean_dir, warn_dir, bad_dir) = (
        clean.path().display().to_string(),
        warn.path().display().to_string(),
        bad_config.path().display().to_string(),
    );
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["check", &demo_head, "--base", &demo_base], 1),
        (vec!["check", &demo_head, "--fail-on", "never"], 0),
        (vec!["check", &clean_dir], 0),
        (vec!["check", &warn_dir], 0),
        (vec!["check", &warn_dir, "--fail-on", "warning"], 1),
        (vec!["check", &warn_dir, "--fail-on", "info"], 1),
        (vec!["check", &bad_dir], 2),
        (vec!["check", &clean_dir, "--select", "M999"], 2),
        (vec!["check", &clean_dir, "--base", "no-such-rev"], 2),
        (vec!["check", "--format", "xml"], 2),
        (vec!["explain", "M101"], 0),
        (vec!["explain", "nope"], 2),
        (vec!["rules"], 0),
    ];
    for (args, code) in cases {
        let (got, _, err) = stdout(rollsafe().args(&args).current_dir(clean.path()));
        assert_eq!(
            got,
            code,
            "rollsafe {} → {got}, expected {code}; stderr: {err}",
            args.join(" ")
        );
    }
}

#[test]
fn config_errors_name_the_position() {
    let unknown = project(&[(
        "rollsafe.toml",
        "[rules]\nselect = [\"M\"]\nignroe = [\"M101\"]\n",
    )]);
    let (code, _, err) = stdout(rollsafe().arg("check").arg(unknown.path()));
    assert_eq!(code, 2);
    assert!(
        err.contains("rollsafe.toml:3:1") && err.contains("unknown field `ignroe`"),
        "{err}"
    );

    let bad_value = project(&[("rollsafe.toml", "[rules.severity]\nM101 = \"fatal\"\n")]);
    let (code, _, err) = stdout(rollsafe().arg("check").arg(bad_value.path()));
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid severity `fatal`") && err.contains(":2:"),
        "{err}"
    );

    let bad_type = project(&[(
        "rollsafe.toml",
        "[migrations]\nlock-timeout-required = \"yes\"\n",
    )]);
    let (code, _, err) = stdout(rollsafe().arg("check").arg(bad_type.path()));
    assert_eq!(code, 2);
    assert!(err.contains("rollsafe.toml:2:"), "{err}");

    let bad_code = project(&[("rollsafe.toml", "[rules]\nignore = [\"M1O1\"]\n")]);
    let (code, _, err) = stdout(rollsafe().arg("check").arg(bad_code.path()));
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `M1O1`"), "{err}");
}

#[test]
fn several_formats_in_one_run() {
    let demo = repo().join("fixtures/demo");
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("out.sarif");
    let (code, out, _) = stdout(
        rollsafe()
            .args(["check", "--base"])
            .arg(demo.join("base"))
            .arg(demo.join("head"))
            .args(["--format", "sarif", "--output"])
            .arg(&sarif)
            .args(["--format", "github"]),
    );
    assert_eq!(code, 1);
    // Annotations name files from the repository's top, where GitHub resolves them.
    assert!(
        out.starts_with("::error file=fixtures/demo/head/db/migrations/000003_order_status.up.sql"),
        "{out}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 6);
}

#[test]
fn paths_filter_reports_but_the_whole_root_is_read() {
    let tmp = project(&[
        ("rollsafe.toml", ""),
        (
            "migrations/000001_users.up.sql",
            "CREATE TABLE users (id int, fax text);\n",
        ),
        ("migrations/000002_drop_fax.up.sql", DROP),
        ("other/000001_x.up.sql", "SELECT 1;\n"),
    ]);
    // Only 000002 is passed (as pre-commit does), but 000001 is read for context: the
    // table is known to exist, so the drop is reported.
    let (code, out, _) = stdout(rollsafe().current_dir(tmp.path()).args([
        "check",
        "migrations/000002_drop_fax.up.sql",
        "--format",
        "compact",
    ]));
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("migrations/000002_drop_fax.up.sql:2:19: error[M101]"),
        "{out}"
    );
    let (code, out, _) = stdout(
        rollsafe()
            .current_dir(tmp.path())
            .args(["check", "other", "--format", "compact"]),
    );
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn inline_suppressions() {
    let tmp = project(&[
        (
            "rollsafe.toml",
            "[migrations]\nlock-timeout-required = false\n",
        ),
        (
            "migrations/000002_a.up.sql",
            "-- rollsafe: ignore[M101] fax unused since v41\nALTER TABLE users DROP COLUMN fax;\nALTER TABLE users DROP COLUMN pager; -- rollsafe: ignore[M101] pager unused too\n",
        ),
        (
            "migrations/000003_b.up.sql",
            "-- rollsafe: ignore[M101]\nALTER TABLE users DROP COLUMN telex;\n",
        ),
        (
            "migrations/000004_c.up.sql",
            "-- rollsafe: ignore[M999] typo\nALTER TABLE users DROP COLUMN icq;\n",
        ),
        (
            "migrations/000005_d.up.sql",
            "-- rollsafe: ignore-file[M102] legacy tables, approved in ADR-12\nDROP TABLE a;\nDROP TABLE b;\n",
        ),
        (
            "migrations/000006_e.up.sql",
            "-- rollsafe: ignore[M102] nothing to suppress here\nSELECT 1;\n",
        ),
        // Above a multi-line statement, it covers the whole statement.
        (
            "migrations/000007_f.up.sql",
            "-- rollsafe: ignore[M101] im unused since v40\nALTER TABLE users\n    ALTER COLUMN a SET DEFAULT 1,\n    DROP COLUMN im;\n",
        ),
    ]);
    let o = common::check_dir(tmp.path());
    insta::assert_snapshot!(common::summary(&o).join("\n"));
    // CI can forbid them.
    let (_, out, _) = stdout(rollsafe().arg("check").arg(tmp.path()).args([
        "--no-inline-ignores",
        "--all",
        "--format",
        "compact",
    ]));
    assert_eq!(out.matches("[M101]").count(), 5, "{out}");
    assert_eq!(out.matches("[M102]").count(), 2, "{out}");
    assert!(!out.contains("[E005]"), "{out}");
}

#[test]
fn kubernetes_annotation_suppresses_within_the_object() {
    let tmp = project(&[
        ("rollsafe.toml", ""),
        (
            "deploy/app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  annotations:\n    rollsafe.dev/ignore: \"E004: generated by our templating, last value is intended\"\nspec:\n  replicas: 3\n  replicas: 1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  replicas: 3\n  replicas: 1\n",
        ),
    ]);
    let o = common::check_dir(tmp.path());
    // (The partial Deployments also draw K203: they have no selector.)
    let e: Vec<String> = common::summary(&o)
        .into_iter()
        .filter(|s| s.contains(" E"))
        .collect();
    assert_eq!(e, ["deploy/app.yaml:17:3 E004"]);
}

#[test]
fn baseline_hides_known_findings_only() {
    let tmp = project(&[("rollsafe.toml", ""), ("migrations/000002_a.up.sql", DROP)]);
    let bl = tmp.path().join("baseline.json");
    let (code, _, _) = stdout(
        rollsafe()
            .current_dir(tmp.path())
            .arg("check")
            .arg("--write-baseline")
            .arg(&bl),
    );
    // Writing a baseline accepts the findings: the run succeeds.
    assert_eq!(code, 0);
    let (code, out, _) = stdout(
        rollsafe()
            .current_dir(tmp.path())
            .arg("check")
            .arg("--baseline")
            .arg(&bl)
            .args(["--format", "compact"]),
    );
    assert_eq!((code, out.as_str()), (0, ""));
    // Unrelated lines moving does not change fingerprints; a new finding still shows.
    common::write(
        tmp.path(),
        &[
            (
                "migrations/000002_a.up.sql",
                &format!("-- moved down a line\n{DROP}"),
            ),
            (
                "migrations/000003_b.up.sql",
                "SET lock_timeout = '1s';\nDROP TABLE pagers;\n",
            ),
        ],
    );
    let (code, out, _) = stdout(
        rollsafe()
            .current_dir(tmp.path())
            .arg("check")
            .arg("--baseline")
            .arg(&bl)
            .args(["--format", "compact"]),
    );
    assert_eq!(code, 1);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "migrations/000003_b.up.sql:2:1: error[M102] dropping table `pagers` breaks the previous release wherever it still reads or writes it, during the rollout and after a rollback, and destroys the data a rollback would need"
        ]
    );
}

#[test]
fn git_revision_as_base_reports_only_new_findings() {
    let tmp = project(&[
        ("svc/rollsafe.toml", ""),
        (
            "svc/migrations/000001_users.up.sql",
            "CREATE TABLE users (id int, fax text, pager text);\n",
        ),
        (
            "svc/migrations/000002_drop_pager.up.sql",
            "ALTER TABLE users DROP COLUMN pager;\n",
        ),
    ]);
    git(tmp.path(), &["init", "-q"]);
    git(tmp.path(), &["add", "."]);
    git(tmp.path(), &["commit", "-qm", "base"]);
    common::write(
        tmp.path(),
        &[("svc/migrations/000003_drop_fax.up.sql", DROP)],
    );
    let svc = tmp.path().join("svc");
    let (code, out, err) = stdout(
        rollsafe()
            .current_dir(&svc)
            .args(["check", "--base", "HEAD", "--format", "compact"]),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("migrations/000003_drop_fax.up.sql:2:19: error[M101]"),
        "{out}"
    );
    let (_, out, _) = stdout(
        rollsafe()
            .current_dir(&svc)
            .args(["check", "--base", "HEAD", "--all", "--format", "compact"]),
    );
    assert!(
        out.contains("000002_drop_pager.up.sql") && out.contains("000003_drop_fax.up.sql"),
        "{out}"
    );
    // An edited applied migration is caught.
    common::write(
        tmp.path(),
        &[(
            "svc/migrations/000002_drop_pager.up.sql",
            "ALTER TABLE users DROP COLUMN pager CASCADE;\n",
        )],
    );
    let (_, out, _) = stdout(
        rollsafe()
            .current_dir(&svc)
            .args(["check", "--base", "HEAD", "--format", "compact"]),
    );
    assert!(
        out.contains("000002_drop_pager.up.sql:1:1: error[M304]"),
        "{out}"
    );
}

#[test]
fn explain_rules_and_init() {
    let (code, out, _) = stdout(rollsafe().args(["explain", "drop-column"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("# M101 drop-column") && out.contains("## Safe alternative"),
        "{out}"
    );
    let (code, out, _) = stdout(rollsafe().args(["rules", "--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), rollsafe::rules::ALL.len());
    assert_eq!(v[0]["code"], "E001");
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, _) = stdout(rollsafe().current_dir(tmp.path()).arg("init"));
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(tmp.path().join("rollsafe.toml")).unwrap();
    rollsafe::config::parse(std::path::Path::new("rollsafe.toml"), &text).unwrap();
    let (code, _, _) = stdout(rollsafe().current_dir(tmp.path()).arg("init"));
    assert_eq!(code, 2, "init must not overwrite without --force");
}

#[test]
fn colour_only_on_request_of_a_terminal() {
    let demo = repo().join("fixtures/demo/head");
    let (_, out, _) = stdout(rollsafe().arg("check").arg(&demo));
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    assert!(out.trim_end().ends_with("checked)."), "{out}");
    let (_, out, _) = stdout(rollsafe().arg("check").arg(&demo).arg("--quiet"));
    assert!(!out.contains("checked)."), "{out}");
}

/// `rollsafe diff OLD NEW`: exit codes, JSON with related locations in the old file,
/// the changelog, and a usage error for a file that is no API description.
#[test]
fn diff_compares_two_descriptions() {
    let old = "fixtures/api/base/services/events/openapi.yaml";
    let new = "fixtures/api/head/services/events/openapi.yaml";
    let (code, out, _) = stdout(
        rollsafe()
            .current_dir(repo())
            .args(["diff", old, new, "--format", "json"]),
    );
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = v["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["A401", "A401", "A101"], "{out}");
    assert!(findings.iter().all(|d| d["path"] == new), "{out}");
    let removed = &findings[2];
    assert!(
        removed["message"]
            .as_str()
            .unwrap()
            .contains("webhook `eventDeleted` removed")
    );
    assert_eq!(removed["related"][0]["path"], old);

    let billing = |side: &str| format!("fixtures/api/{side}/services/billing/openapi.yaml");
    let (code, out, _) = stdout(rollsafe().current_dir(repo()).args([
        "diff",
        &billing("base"),
        &billing("head"),
        "--changelog",
        "--format",
        "compact",
        "--fail-on",
        "never",
    ]));
    assert_eq!(code, 0);
    assert!(
        out.contains("info[A900]") && out.contains("[api-path-removed-with-deprecation]"),
        "{out}"
    );

    let (code, _, err) = stdout(
        rollsafe()
            .current_dir(repo())
            .args(["diff", "Cargo.toml", new]),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("not a readable OpenAPI or Swagger description"),
        "{err}"
    );
}

/// `rollsafe diff` given absolute paths names the files relative to the working directory
/// in every format: no report carries an absolute path of the machine, not even in a
/// related location.
#[test]
fn diff_writes_no_absolute_path() {
    let spec =
        |paths: &str| format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}");
    let pets = "  /pets:\n    get:\n      responses: {'200': {description: ok}}\n";
    let tmp = project(&[
        ("specs/old spec.yaml", &spec(pets)),
        ("specs/new.yaml", &spec("  {}\n")),
    ]);
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let old = tmp.path().join("specs/old spec.yaml");
    let new = tmp.path().join("specs/new.yaml");
    let dir = tmp.path().to_string_lossy().into_owned();
    for format in [
        "json", "sarif", "human", "compact", "github", "gitlab", "rdjson", "markdown",
    ] {
        let (code, out, err) = stdout(
            rollsafe()
                .current_dir(&work)
                .arg("diff")
                .arg(&old)
                .arg(&new)
                .args(["--format", format]),
        );
        assert_eq!(code, 1, "{format}: {out}{err}");
        // SARIF's base URI is the one absolute place, and it is a `file:` URI.
        let body = if format == "sarif" {
            let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let base = v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].take();
            assert!(base.as_str().unwrap().starts_with("file:///"), "{base}");
            let related = &v["runs"][0]["results"][0]["relatedLocations"][0];
            assert_eq!(
                related["physicalLocation"]["artifactLocation"]["uri"],
                "../specs/old%20spec.yaml"
            );
            v.to_string()
        } else {
            out
        };
        assert!(!body.contains(&dir), "{format} writes {dir}:\n{body}");
    }
}

/// `[api] ignore` skips matching operations (method and path glob); a bad glob is a
/// configuration error.
#[test]
fn api_ignore_patterns() {
    let spec =
        |paths: &str| format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}");
    let both = "  /internal/reindex:\n    post:\n      responses: {'200': {description: ok}}\n  /pets:\n    get:\n      responses: {'200': {description: ok}}\n";
    let old = project(&[("old.yaml", &spec(both)), ("new.yaml", &spec("  {}\n"))]);
    std::fs::write(
        old.path().join("rollsafe.toml"),
        "[api]\nignore = [\"POST /internal/**\"]\n",
    )
    .unwrap();
    let (code, out, _) = stdout(
        rollsafe()
            .current_dir(old.path())
            .args(["diff", "old.yaml", "new.yaml", "--format", "compact"]),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("GET /pets") && !out.contains("/internal/reindex"),
        "{out}"
    );
    std::fs::write(
        old.path().join("rollsafe.toml"),
        "[api]\nignore = [\"GET /a/{b\"]\n",
    )
    .unwrap();
    let (code, _, err) = stdout(
        rollsafe()
            .current_dir(old.path())
            .args(["diff", "old.yaml", "new.yaml"]),
    );
    assert_eq!(code, 2);
    assert!(err.contains("invalid glob"), "{err}");
}

#[test]
fn without_a_base_only_the_newest_migration_is_judged() {
    let tmp = project(&[
        ("rollsafe.toml", ""),
        (
            "migrations/000001_a.up.sql",
            "ALTER TABLE users DROP COLUMN fax;\n",
        ),
        (
            "migrations/000002_b.up.sql",
            "ALTER TABLE users DROP COLUMN pager;\n",
        ),
    ]);
    let (_, out, _) = stdout(rollsafe().arg("check").arg(tmp.path()).arg("--no-color"));
    assert!(out.contains("000002_b.up.sql"), "{out}");
    assert!(!out.contains("000001_a.up.sql"), "{out}");
    assert!(out.contains("By rule: "), "{out}");
    assert!(
        out.contains("note: without a base, only the newest migration of each folder was judged (1 older ones"),
        "{out}"
    );
    let (_, out, _) = stdout(
        rollsafe()
            .arg("check")
            .arg(tmp.path())
            .args(["--all", "--format", "compact"]),
    );
    assert!(out.contains("000001_a.up.sql"), "{out}");
}

/// In a folder of pop dialect files, the newest migration may have no MySQL file: then
/// the MySQL set's own files are all older, and none is the release's (ory/keto).
#[test]
fn without_a_base_a_dialect_set_whose_files_are_older_is_not_judged() {
    let tmp = project(&[
        ("rollsafe.toml", ""),
        (
            "go.mod",
            "module x\n\nrequire github.com/ory/pop/v6 v6.1.1\n",
        ),
        (
            "migrations/20220101000000000000_a.up.sql",
            "CREATE TABLE t (id int);\n",
        ),
        (
            "migrations/20220101000000000000_a.mysql.down.sql",
            "DROP TABLE t;\n",
        ),
        ("migrations/20220101000000000000_a.down.sql", "SELECT 1;\n"),
        (
            "migrations/20230101000000000000_b.up.sql",
            "ALTER TABLE t ADD COLUMN note text;\n",
        ),
    ]);
    let (_, out, _) = stdout(
        rollsafe()
            .arg("check")
            .arg(tmp.path())
            .args(["--format", "compact"]),
    );
    assert!(!out.contains("20220101000000000000_a"), "{out}");
    assert!(out.contains("20230101000000000000_b.up.sql"), "{out}");
}

#[test]
fn a_yaml_twin_of_a_json_api_description_is_read_once() {
    let spec = |paths: &str| {
        format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"t\", \"version\": \"1\"}}, \"paths\": {{{paths}}}}}"
        )
    };
    let op = "\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}";
    let both = |text: &str| {
        project(&[
            ("rollsafe.toml", ""),
            ("api/openapi.json", text),
            ("api/openapi.yaml", text),
        ])
    };
    let (base, head) = (both(&spec(op)), both(&spec("")));
    let (_, out, _) = stdout(rollsafe().arg("check").arg(head.path()).args([
        "--base",
        &base.path().display().to_string(),
        "--format",
        "compact",
        "--fail-on",
        "never",
    ]));
    assert_eq!(out.matches("[A101]").count(), 1, "{out}");
    assert!(out.contains("api/openapi.json"), "{out}");
}

/// A schema named like a Kubernetes scalar type but drawn with fields of its own (a
/// shop's `Quantity {value, unit}`) that becomes a string is a breaking change; the
/// Kubernetes `Quantity` drawn with its Go field (`Format`) is not.
#[test]
fn only_kubernetes_scalar_types_may_turn_into_their_json_scalar() {
    let spec = |limit: &str, fields: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /items:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Item'}}\ncomponents:\n  schemas:\n    Item:\n      type: object\n      properties:\n        limit: {limit}\n    Quantity:\n      type: object\n      properties:\n{fields}"
        )
    };
    let quantity = "{$ref: '#/components/schemas/Quantity'}";
    let kubernetes = "        Format: {type: string}\n";
    let shop = "        value: {type: integer}\n        unit: {type: string}\n";
    let p = project(&[
        ("k8s-old.yaml", &spec(quantity, kubernetes)),
        ("k8s-new.yaml", &spec("{type: string}", kubernetes)),
        ("shop-old.yaml", &spec(quantity, shop)),
        ("shop-new.yaml", &spec("{type: string}", shop)),
    ]);
    let diff = |old: &str, new: &str| {
        stdout(
            rollsafe()
                .current_dir(p.path())
                .args(["diff", old, new, "--format", "compact"]),
        )
        .1
    };
    let k8s = diff("k8s-old.yaml", "k8s-new.yaml");
    assert!(!k8s.contains("`limit`"), "{k8s}");
    let shop = diff("shop-old.yaml", "shop-new.yaml");
    assert!(shop.contains("property `limit`: type changed"), "{shop}");
}
