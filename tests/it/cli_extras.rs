//! What ruff users expect of the command line: --exit-zero, --statistics, forced colour,
//! `rules PREFIX`, `init` that detects the project, and --show-settings.

use crate::common;

use assert_cmd::Command;
use common::{project, repo};

fn rollsafe() -> Command {
    let mut c = Command::cargo_bin("rollsafe").unwrap();
    for v in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR"] {
        c.env_remove(v);
    }
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo(c: &mut Command) -> &mut Command {
    let d = repo().join("fixtures/demo");
    c.arg("check")
        .arg(d.join("head"))
        .arg("--base")
        .arg(d.join("base"))
}

#[test]
fn exit_zero_keeps_the_report_and_drops_the_status() {
    let (code, out, _) = run(demo(&mut rollsafe()).args(["--format", "compact"]));
    assert_eq!(code, 1);
    let (code, same, _) = run(demo(&mut rollsafe()).args(["--format", "compact", "--exit-zero"]));
    assert_eq!((code, same), (0, out));
    let (code, _, err) = run(demo(&mut rollsafe()).args(["--exit-zero", "--fail-on", "warning"]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn statistics_count_findings_per_rule() {
    let (code, out, _) = run(demo(&mut rollsafe()).arg("--statistics"));
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "2  M209  missing-lock-timeout   warning\n\
         1  M101  drop-column            error\n\
         1  M106  add-required-column    error\n\
         1  M201  create-index-blocking  error\n\
         1  M303  irreversible-data-loss info\n"
    );
    let (_, out, _) = run(demo(&mut rollsafe()).args(["--statistics", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v[0],
        serde_json::json!({"code": "M209", "name": "missing-lock-timeout", "severity": "warning", "count": 2})
    );
    // The files still get the findings.
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("r.sarif");
    let (_, out, _) = run(demo(&mut rollsafe())
        .args(["--statistics", "--format", "sarif", "--output"])
        .arg(&sarif)
        .args(["--format", "compact"]));
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(
        std::fs::read_to_string(&sarif)
            .unwrap()
            .contains("\"ruleId\": \"M101\"")
    );
}

#[test]
fn colour_can_be_forced_and_no_color_wins() {
    let esc = |env: &[(&str, &str)], extra: &[&str]| {
        let mut c = rollsafe();
        demo(&mut c).args(extra).envs(env.iter().copied());
        run(&mut c).1.contains('\u{1b}')
    };
    assert!(!esc(&[], &[]), "piped: no colour");
    assert!(esc(&[("FORCE_COLOR", "1")], &[]));
    assert!(esc(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!esc(&[("CLICOLOR_FORCE", "0")], &[]));
    assert!(!esc(&[("FORCE_COLOR", "")], &[]));
    assert!(!esc(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")], &[]));
    assert!(!esc(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]));
    assert!(!esc(&[("FORCE_COLOR", "1")], &["--no-color"]));
    // Only the human report has colour.
    assert!(!esc(&[("FORCE_COLOR", "1")], &["--format", "compact"]));
}

#[test]
fn rules_are_filtered_by_code_prefix_or_name() {
    let (code, out, _) = run(rollsafe().args(["rules", "M2"]));
    assert_eq!(code, 0);
    let codes: Vec<&str> = out.lines().map(|l| &l[..4]).collect();
    assert!(
        codes.len() > 3 && codes.iter().all(|c| c.starts_with("M2")),
        "{out}"
    );
    let (_, out, _) = run(rollsafe().args(["rules", "drop-column,K1"]));
    let mut codes: Vec<&str> = out.lines().map(|l| &l[..4]).collect();
    codes.sort();
    assert_eq!(codes, ["K101", "K102", "K103", "K104", "M101"], "{out}");
    let (_, out, _) = run(rollsafe().args(["rules", "m201", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (code, _, err) = run(rollsafe().args(["rules", "M9"]));
    assert_eq!(code, 2);
    assert!(err.contains("no rule matches `M9`"), "{err}");
}

#[test]
fn init_writes_what_it_detects() {
    let tmp = project(&[
        (
            "db/migrations/20240101120000_users.sql",
            "-- +goose Up\nCREATE TABLE `users` (id bigint AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n-- +goose Down\nDROP TABLE `users`;\n",
        ),
        (
            "db/migrations/20240201120000_email.sql",
            "-- +goose Up\nALTER TABLE `users` ADD COLUMN email varchar(255);\n-- +goose Down\nALTER TABLE `users` DROP COLUMN email;\n",
        ),
        (
            "deploy/base/app.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  selector: {app: app}\n  ports: [{port: 80}]\n",
        ),
        (
            "deploy/base/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n",
        ),
        ("compose.yaml", "services:\n  db:\n    image: mysql:8.4\n"),
    ]);
    let (code, out, err) = run(rollsafe().current_dir(tmp.path()).arg("init"));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("migrations: db/migrations (goose, mysql, 2 migrations)"),
        "{out}"
    );
    let text = std::fs::read_to_string(tmp.path().join("rollsafe.toml")).unwrap();
    for expected in [
        "#   migrations: db/migrations (goose, mysql, 2 migrations)\n",
        "#   Kubernetes manifests: deploy/base (1)\n",
        "#   kustomizations: deploy/base (1)\n",
        "#   compose files: . (1)\n",
        "convention = \"goose\"  # detected in db/migrations\n",
        "dialect = \"mysql\"  # detected from the SQL in db/migrations\n",
    ] {
        assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
    }
    let config = rollsafe::config::parse(std::path::Path::new("rollsafe.toml"), &text).unwrap();
    assert_eq!(
        config.migrations.dialect,
        Some(rollsafe::sql::Dialect::Mysql)
    );
    let (code, _, err) = run(rollsafe().current_dir(tmp.path()).arg("check"));
    assert!(code < 2, "{err}");

    // Nothing to detect: the defaults, untouched.
    let empty = tempfile::tempdir().unwrap();
    let (code, _, _) = run(rollsafe().current_dir(empty.path()).arg("init"));
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(empty.path().join("rollsafe.toml")).unwrap();
    assert_eq!(text, rollsafe::config::INIT_TEMPLATE);
}

#[test]
fn show_settings_names_where_each_value_comes_from() {
    let tmp = project(&[
        (
            "rollsafe.toml",
            "# shop\n[migrations]\ndialect = \"mysql\"\n\n[rules]\nignore = [\"M209\"]\n",
        ),
        (
            "db/migrations/000001_a.up.sql",
            "CREATE TABLE a (id int);\n",
        ),
    ]);
    let (code, out, err) = run(rollsafe().current_dir(tmp.path()).args([
        "check",
        "--show-settings",
        "--select",
        "M1",
        "--ignore",
        "M102",
        "--exit-zero",
    ]));
    assert_eq!(code, 0, "{err}");
    let line = |key: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no {key}:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("migrations.dialect"),
        "migrations.dialect = \"mysql\" # rollsafe.toml:3"
    );
    assert_eq!(
        line("rules.select"),
        "rules.select = [\"M1\"] # --select (replaces the file's)"
    );
    assert_eq!(
        line("rules.ignore"),
        "rules.ignore = [\"M209\", \"M102\"] # rollsafe.toml:6 and --ignore"
    );
    assert_eq!(line("traffic.max-step"), "traffic.max-step = 25 # default");
    assert_eq!(line("fail-on"), "fail-on = \"never\" # --exit-zero");
    assert!(
        line("root")
            .ends_with("# nearest folder holding rollsafe.toml at or above the working directory"),
        "{out}"
    );
    assert!(
        line("base").ends_with("# none: the migrations added since the previous git tag are judged (outside git or without tags, the newest of each folder)"),
        "{out}"
    );
    assert!(out.contains("migrations.\"db/migrations\" = "), "{out}");
}

#[test]
fn colour_decision_names_its_reason() {
    use rollsafe::cli::colour;
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        colour(true, false, env(&[])),
        (true, "stdout is a terminal")
    );
    assert_eq!(
        colour(true, true, env(&[("FORCE_COLOR", "1")])),
        (false, "--no-color")
    );
    assert_eq!(
        colour(
            false,
            false,
            env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")])
        ),
        (false, "NO_COLOR")
    );
    assert_eq!(
        colour(true, false, env(&[("CLICOLOR", "0")])),
        (false, "CLICOLOR=0")
    );
    assert_eq!(
        colour(
            false,
            false,
            env(&[("CLICOLOR", "0"), ("CLICOLOR_FORCE", "1")])
        ),
        (true, "CLICOLOR_FORCE")
    );
}

#[test]
fn a_base_from_the_configuration_is_named_as_such() {
    let tmp = project(&[("rollsafe.toml", "base = \"origin/develop\"\n")]);
    let (code, _, err) = run(rollsafe().current_dir(tmp.path()).arg("check"));
    assert_eq!(code, 2);
    assert!(
        err.contains("--base origin/develop: neither a directory nor a git revision")
            && err.ends_with("(the base is set by `base` in rollsafe.toml)\n"),
        "{err}"
    );
}
