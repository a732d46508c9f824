//! Hostile inputs that once crashed rollsafe or blew up its time or memory (issue 12,
//! "Crashes and blow-ups"; figures in ../shared/research/review-reliability.md). Each
//! input is generated here, big enough that the old quadratic or exponential behaviour
//! would take minutes or gigabytes; the tests assert what is reported, not timings.
//! Malformed (rather than hostile) input is covered by no_panic.rs.

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use rollsafe::config::Config;
use rollsafe::project::discover::{Filter, walk};

/// `check --root dir` in `format`: (exit code, stdout, stderr).
fn run(dir: &Path, format: &str) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("rollsafe")
        .unwrap()
        .args(["check", "--root"])
        .arg(dir)
        .args(["--format", format, "--no-color"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A finding past column 65,535 made miette panic ("Formatting argument out of range").
/// The human report shows it in a window of the line, masked like any snippet.
#[test]
fn human_output_prints_findings_past_column_65535() {
    let sql = format!(
        "SELECT '{}';CREATE INDEX i ON users(a);\n",
        "x".repeat(69_990)
    );
    let yaml = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"x\"}}, \"data\": {{\"a\": \"{}\", \"b\": 1, \"b\": 2}}}}\n",
        "y".repeat(70_000)
    );
    let tmp = common::project(&[
        ("db/migrations/000001_a.up.sql", &sql),
        ("deploy/flow.yaml", &yaml),
    ]);
    let (code, out, err) = run(tmp.path(), "human");
    assert_eq!(code, Some(1), "stderr: {err}");
    assert!(!err.contains("internal error"), "{err}");
    assert!(out.contains("M201"), "{out}");
    assert!(
        out.contains("db/migrations/000001_a.up.sql:1:70001"),
        "the header gives the finding's column: {out}"
    );
    assert!(out.contains("CREATE INDEX i ON users(a)"), "{out}");
    assert!(out.contains("E004"), "{out}");
    assert!(out.contains("deploy/flow.yaml:1:"), "{out}");
    // Only a window of the 70,000-character line is printed.
    assert!(
        out.lines().all(|l| l.len() < 1000),
        "a whole long line printed"
    );
}

/// The 9×9 "billion laughs" inside an `x-` extension of an OpenAPI file: the fast event
/// reader expanded every alias (7 levels: 30 s, 2.8 GB). It stops at the same alias
/// budget as every other YAML reader, and the file gets E001. (Manifests are covered by
/// no_panic.rs; each file costs seconds in a debug build, the budget being 200,000 events.)
#[test]
fn an_alias_bomb_is_stopped_with_e001_in_every_kind_of_yaml_file() {
    let levels = 7;
    let mut bomb = vec!["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]".to_string()];
    for i in 1..=levels {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push(format!("  a{i}: &a{i} [{refs}]"));
    }
    let bomb = bomb.join("\n");
    let files = [
        (
            "api/openapi.yaml",
            format!(
                "openapi: 3.0.0\ninfo: {{title: t, version: \"1\"}}\nx-bomb:\n{bomb}\npaths: {{}}\n"
            ),
        ),
        (
            "compose.yaml",
            format!("services:\n  web:\n    image: nginx:1.27\nx-bomb:\n{bomb}\n"),
        ),
        (
            "overlay/kustomization.yaml",
            format!("resources: []\nx-bomb:\n{bomb}\n"),
        ),
    ];
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let tmp = common::project(&refs);
    let (_, out, err) = run(tmp.path(), "json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let e001: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E001")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    for (path, _) in &files {
        assert!(e001.contains(path), "no E001 for {path}: {out}");
    }
}

/// Every repeated key of an env file held a copy of the file's secret ranges (20,000
/// lines: 3.5 GB), and was found by searching all earlier lines. One S303 per repeat.
#[test]
fn env_duplicate_keys_get_one_finding_each() {
    let env: String = (0..20_000)
        .map(|i| format!("K{}=v\n", i % 10_000))
        .collect();
    let tmp = common::project(&[(".env", &env)]);
    for format in ["json", "human"] {
        let (code, out, err) = run(tmp.path(), format);
        assert_eq!(code, Some(0), "{format}: {err}");
        let n = if format == "json" {
            out.matches("\"S303\"").count()
        } else {
            out.matches("S303 env-duplicate-key").count()
        };
        assert_eq!(n, 10_000, "{format}");
    }
}

/// Level i lists i+1 and i+1b, and i+1b lists i+1: every base is reached along 2^i paths.
/// Each base is built once per transformation, so the ConfigMap at the bottom is one
/// object, not 2^29.
#[test]
fn kustomize_diamonds_build_each_base_once() {
    let levels = 30;
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..levels {
        let k = if i + 1 < levels {
            format!("resources:\n- ../l{}\n- ../l{}b\n", i + 1, i + 1)
        } else {
            "resources:\n- cm.yaml\n".to_string()
        };
        common::write(tmp.path(), &[(&format!("l{i}/kustomization.yaml"), &k)]);
        if i > 0 {
            let b = format!("resources:\n- ../l{i}\n");
            common::write(tmp.path(), &[(&format!("l{i}b/kustomization.yaml"), &b)]);
        }
    }
    common::write(
        tmp.path(),
        &[(
            &format!("l{}/cm.yaml", levels - 1),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bottom\ndata:\n  a: b\n",
        )],
    );
    let files = walk(tmp.path(), &Filter::new(&[], &[]), u64::MAX);
    let p = rollsafe::project::load(files, &Config::default());
    let bottom: Vec<_> = p
        .k8s
        .instances
        .iter()
        .filter(|i| i.name == "bottom")
        .collect();
    assert_eq!(bottom.len(), 1, "{bottom:?}");
    let (code, _, err) = run(tmp.path(), "json");
    assert!(matches!(code, Some(0 | 1)), "{err}");
}

/// 20,000 unset compose variables: the duplicate-key search over the `environment` map
/// was quadratic (100,000: 18 s). One S201 per variable.
#[test]
fn many_unset_compose_variables_are_each_reported_once() {
    let n = 20_000;
    let vars: String = (0..n).map(|i| format!("      V{i}: ${{U{i}}}\n")).collect();
    let compose = format!("services:\n  web:\n    image: nginx:1.27\n    environment:\n{vars}");
    let tmp = common::project(&[("compose.yaml", &compose)]);
    let (code, out, err) = run(tmp.path(), "json");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.matches("\"S201\"").count(), n);
}
