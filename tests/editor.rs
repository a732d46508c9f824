//! Editors (issue 14): `rollsafe check - --stdin-filename PATH` and `rollsafe server`.

mod common;

use assert_cmd::Command;
use common::project;

fn rollsafe() -> Command {
    let mut c = Command::cargo_bin("rollsafe").unwrap();
    c.env_remove("NO_COLOR");
    c
}

/// `check - --stdin-filename NAME --format json` in `dir` with `input` on stdin:
/// exit status and (code, path, line, column) of each finding.
fn stdin_check(
    dir: &std::path::Path,
    name: &str,
    input: &str,
) -> (i32, Vec<(String, String, u64, u64)>) {
    let out = rollsafe()
        .args(["check", "-", "--stdin-filename", name, "--format", "json"])
        .current_dir(dir)
        .write_stdin(input)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
    let found = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), found)
}

const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: info
";

/// A Deployment whose pods read the ConfigMap `cm`.
fn deployment(cm: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0.0
          envFrom:
            - configMapRef: {{name: {cm}}}
"
    )
}

fn editor_project() -> tempfile::TempDir {
    project(&[
        ("rollsafe.toml", ""),
        ("deploy/config.yaml", CONFIGMAP),
        ("deploy/app.yaml", &deployment("app-config")),
    ])
}

#[test]
fn stdin_is_judged_against_the_project_on_disk() {
    let p = editor_project();
    // A new file, not on disk: the ConfigMap it reads is defined on disk.
    let (code, found) = stdin_check(p.path(), "deploy/worker.yaml", &deployment("app-config"));
    assert_eq!((code, found.clone()), (0, vec![]), "{found:?}");
    // The same file reading a ConfigMap nothing defines: reported at the stdin file.
    let (code, found) = stdin_check(p.path(), "deploy/worker.yaml", &deployment("other"));
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec![("S101".into(), "deploy/worker.yaml".into(), 17, 36)],
        "{found:?}"
    );
}

#[test]
fn stdin_replaces_the_file_on_disk_and_only_it_is_reported() {
    let p = editor_project();
    // On disk, deploy/app.yaml is fine; stdin's version of the ConfigMap renames it, so
    // the Deployment on disk breaks, but only the stdin file is reported.
    let renamed = CONFIGMAP.replace("app-config", "app-config-v2");
    let (code, found) = stdin_check(p.path(), "deploy/config.yaml", &renamed);
    assert_eq!((code, found.clone()), (0, vec![]), "{found:?}");
    // stdin's version of the Deployment reads the missing name: its line, not the disk's.
    let (_, found) = stdin_check(
        p.path(),
        "deploy/app.yaml",
        &format!("# edited\n{}", deployment("gone")),
    );
    assert_eq!(
        found,
        vec![("S101".into(), "deploy/app.yaml".into(), 18, 36)],
        "{found:?}"
    );
}

#[test]
fn rendered_multi_document_yaml_on_stdin() {
    let p = project(&[("rollsafe.toml", ""), ("chart/Chart.yaml", "name: app\n")]);
    // What `helm template` prints: several documents with `# Source:` comments.
    let rendered = format!(
        "---\n# Source: app/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector: {{app: nothing-matches}}
  ports:
    - port: 80
      targetPort: 8080
---\n# Source: app/templates/deployment.yaml
{}",
        deployment("app-config")
    );
    let (code, found) = stdin_check(p.path(), "chart/rendered.yaml", &rendered);
    assert_eq!(code, 1, "{found:?}");
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert!(codes.contains(&"K201"), "{found:?}");
    assert!(codes.contains(&"S101"), "{found:?}");
    assert!(
        found.iter().all(|f| f.1 == "chart/rendered.yaml"),
        "{found:?}"
    );
}

#[test]
fn stdin_usage_errors() {
    let p = editor_project();
    for args in [
        vec!["check", "-"],
        vec!["check", "--stdin-filename", "deploy/app.yaml"],
        vec![
            "check",
            "-",
            "deploy",
            "--stdin-filename",
            "deploy/app.yaml",
        ],
    ] {
        let out = rollsafe()
            .args(&args)
            .current_dir(p.path())
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("stdin"), "{args:?}: {err}");
    }
}
