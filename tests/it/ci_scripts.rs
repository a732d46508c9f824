//! The GitHub Action's check step (`ci/github/run.sh`), run as the runner runs it: in a
//! checkout of a fixture repository, with a simulated event payload and the `GITHUB_*`
//! variables. Checks the base it picks, the SARIF file, the step summary, the outputs
//! and the exit status.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::gitrepo::{self, Upstream, git, have};

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    summary: String,
    outputs: String,
    sarif: Option<serde_json::Value>,
}

fn run(checkout: &Path, event: &str, payload: &serde_json::Value, env: &[(&str, &str)]) -> Run {
    let runner = tempfile::tempdir().unwrap();
    let event_path = runner.path().join("event.json");
    std::fs::write(&event_path, payload.to_string()).unwrap();
    let summary = runner.path().join("summary.md");
    let outputs = runner.path().join("output");
    // An earlier step's summary stays: the report is appended.
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = Command::new("bash")
        .arg(common::repo().join("ci/github/run.sh"))
        .current_dir(checkout)
        .env("ROLLSAFE", env!("CARGO_BIN_EXE_rollsafe"))
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_WORKSPACE", checkout)
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let sarif = checkout.join("rollsafe.sarif");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        summary: std::fs::read_to_string(&summary).unwrap(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
        sarif: std::fs::read_to_string(&sarif)
            .ok()
            .map(|s| serde_json::from_str(&s).unwrap()),
    }
}

fn rule_ids(sarif: &serde_json::Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect()
}

fn tools_present() -> bool {
    have("git") && have("jq") && have("bash")
}

/// A full clone of `feature`, as `actions/checkout` with `ref: head.sha` and
/// `fetch-depth: 0` gives.
fn head_checkout(tmp: &Path, up: &Upstream) -> PathBuf {
    gitrepo::clone_feature(tmp, up, "head", None)
}

/// What `actions/checkout` gives by default on `pull_request`: the merge commit GitHub
/// makes (refs/pull/1/merge), fetched at depth 1.
fn merge_checkout(tmp: &Path, up: &Upstream) -> PathBuf {
    git(&up.dir, &["checkout", "-q", "--detach", &up.main_tip]);
    git(
        &up.dir,
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature",
            "-m",
            "Merge feature into main",
        ],
    );
    let merge = git(&up.dir, &["rev-parse", "HEAD"]);
    git(&up.dir, &["update-ref", "refs/pull/1/merge", &merge]);
    git(&up.dir, &["checkout", "-q", "feature"]);
    let dir = tmp.join("merge");
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    let url = format!("file://{}", up.dir.display());
    git(&dir, &["remote", "add", "origin", &url]);
    git(
        &dir,
        &[
            "fetch",
            "-q",
            "--no-tags",
            "--depth=1",
            "origin",
            "+refs/pull/1/merge:refs/remotes/pull/1/merge",
        ],
    );
    git(
        &dir,
        &["checkout", "-q", "--detach", "refs/remotes/pull/1/merge"],
    );
    dir
}

fn pull_request(up: &Upstream) -> serde_json::Value {
    serde_json::json!({
        "action": "synchronize",
        "number": 1,
        "pull_request": {
            "base": {"ref": "main", "sha": up.main_tip},
            "head": {"ref": "feature", "sha": up.feature_tip},
        },
    })
}

#[test]
fn pull_request_head_checkout_is_compared_at_the_merge_base() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let checkout = head_checkout(tmp.path(), &up);
    let r = run(&checkout, "pull_request", &pull_request(&up), &[]);
    assert_eq!(r.status, 1, "{}", r.stderr);
    let sarif = r.sarif.expect("SARIF written");
    assert_eq!(sarif["version"], "2.1.0");
    let mut ids = rule_ids(&sarif);
    ids.sort();
    assert_eq!(ids, ["M101", "M106", "M201", "M209", "M209", "M303"]);
    assert!(
        r.stdout
            .starts_with("::error file=db/migrations/000003_order_status.up.sql,line=10,col=20"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().count(), 6, "{}", r.stdout);
    assert!(
        r.summary.starts_with(
            "earlier step\n### ❌ rollsafe: 3 errors, 1 warning, 2 infos in 2 files, compared with <code>"
        ),
        "{}",
        r.summary
    );
    assert!(
        r.summary.contains("<code>customers.fax</code>"),
        "{}",
        r.summary
    );
    // The paths and fail-on inputs: only the down part's info finding is reported.
    let r2 = run(
        &checkout,
        "pull_request",
        &pull_request(&up),
        &[
            ("INPUT_PATHS", "db/migrations/000003_order_status.down.sql"),
            ("INPUT_FAIL_ON", "info"),
        ],
    );
    assert_eq!(r2.status, 1, "{}", r2.stderr);
    assert_eq!(rule_ids(&r2.sarif.unwrap()), ["M209"]);
    assert!(
        r2.stdout
            .starts_with("::notice file=db/migrations/000003_order_status.down.sql"),
        "{}",
        r2.stdout
    );
    let sarif_path = checkout.join("rollsafe.sarif").canonicalize().unwrap();
    assert_eq!(
        r.outputs,
        format!(
            "base={}\nsarif-file={}\nexit-code=1\n",
            up.main_tip,
            sarif_path.display()
        )
    );
}

#[test]
fn pull_request_merge_checkout_fetches_the_base_and_compares_exactly() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let checkout = merge_checkout(tmp.path(), &up);
    assert_eq!(
        git(&checkout, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    let r = run(&checkout, "pull_request", &pull_request(&up), &[]);
    assert!(
        r.stderr.contains("fetching the base commit"),
        "{}",
        r.stderr
    );
    assert_eq!(r.status, 1, "{}", r.stderr);
    let ids = rule_ids(&r.sarif.expect("SARIF written"));
    // The merge puts the branch's 000003 behind main's shipped 000004 (M305, true for
    // golang-migrate); nothing is reported as deleted.
    assert!(ids.contains(&"M305".to_string()), "{ids:?}");
    assert!(!ids.contains(&"M304".to_string()), "{ids:?}");
    assert!(
        r.outputs.contains(&format!("base={}\n", up.main_tip)),
        "{}",
        r.outputs
    );
    // The payload's base.sha can be older than the base the merge commit was made on:
    // the merge commit's first parent is what is compared with.
    let mut stale = pull_request(&up);
    stale["pull_request"]["base"]["sha"] = up.fork_point.clone().into();
    let r = run(&checkout, "pull_request", &stale, &[]);
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.outputs.contains(&format!("base={}\n", up.main_tip)),
        "{}",
        r.outputs
    );
    assert!(!rule_ids(&r.sarif.unwrap()).contains(&"M304".to_string()));
}

#[test]
fn push_events_compare_with_the_commit_before() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let checkout = head_checkout(tmp.path(), &up);
    // Nothing pushed since `before`: clean.
    let same = serde_json::json!({"before": up.feature_tip, "after": up.feature_tip});
    let r = run(&checkout, "push", &same, &[]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.summary.starts_with(
            "earlier step\n### ✅ rollsafe: no findings (8 files checked, compared with <code>"
        ),
        "{}",
        r.summary
    );
    // The push of the feature commit.
    let pushed = serde_json::json!({"before": up.fork_point, "after": up.feature_tip});
    let r = run(&checkout, "push", &pushed, &[]);
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert_eq!(rule_ids(&r.sarif.unwrap()).len(), 6);
    // A new branch has no `before`: checked without a base, and fail-on is honoured.
    let new_branch = serde_json::json!({"before": "0".repeat(40), "after": up.feature_tip});
    let r = run(
        &checkout,
        "push",
        &new_branch,
        &[("INPUT_FAIL_ON", "never")],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("::notice title=rollsafe::a new branch has no previous commit"),
        "{}",
        r.stdout
    );
    assert!(r.outputs.starts_with("base=\n"), "{}", r.outputs);
    assert!(r.summary.contains("### ❌ rollsafe:"), "{}", r.summary);
}

#[test]
fn a_check_that_cannot_run_says_why_in_the_summary() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    let checkout = head_checkout(tmp.path(), &up);
    let r = run(
        &checkout,
        "workflow_dispatch",
        &serde_json::json!({}),
        &[("INPUT_BASE", "no-such-rev"), ("INPUT_FETCH_BASE", "false")],
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--base no-such-rev: neither a directory nor a git revision")
    );
    assert!(
        r.summary
            .contains("### ⛔ rollsafe could not check this change (exit status 2)"),
        "{}",
        r.summary
    );
    assert!(r.outputs.ends_with("exit-code=2\n"), "{}", r.outputs);
}

/// The script of the GitLab template's job, run as the runner runs it (one shell, `-e`).
fn gitlab(checkout: &Path, env: &[(&str, &str)]) -> (i32, String, Option<serde_json::Value>) {
    let text =
        std::fs::read_to_string(common::repo().join("ci/gitlab/rollsafe.gitlab-ci.yml")).unwrap();
    let job: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        job["rollsafe"]["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    let script: Vec<&str> = job["rollsafe"]["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let bin = Path::new(env!("CARGO_BIN_EXE_rollsafe")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-e", "-c", &script.join("\n")])
        .current_dir(checkout)
        .env("PATH", path)
        .env("ROLLSAFE_VERSION", "")
        .env("ROLLSAFE_ARGS", "")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let report = std::fs::read_to_string(checkout.join("gl-code-quality-report.json"))
        .ok()
        .map(|s| serde_json::from_str(&s).unwrap());
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        report,
    )
}

fn check_names(report: &serde_json::Value) -> Vec<String> {
    report
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["check_name"].as_str().unwrap()[..4].to_string())
        .collect()
}

#[test]
fn gitlab_template_compares_merge_requests_at_their_diff_base() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let up = gitrepo::upstream(tmp.path());
    // A merge request pipeline on a shallow clone of the branch (GIT_DEPTH=1): the diff
    // base is fetched, and main's newer migration is not reported.
    let shallow = gitrepo::clone_feature(tmp.path(), &up, "shallow", Some("1"));
    let (code, log, report) = gitlab(
        &shallow,
        &[
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &up.fork_point),
            ("CI_COMMIT_BEFORE_SHA", &"0".repeat(40)),
        ],
    );
    assert_eq!(code, 1, "{log}");
    let mut names = check_names(&report.expect("Code Quality report written"));
    names.sort();
    assert_eq!(
        names,
        ["M101", "M106", "M201", "M209", "M209", "M303"],
        "{log}"
    );
    assert!(
        log.contains("db/migrations/000003_order_status.up.sql:12:23: error[M101]"),
        "{log}"
    );

    // A merged results pipeline checks the merge commit against the target's tip.
    let merge = merge_checkout(tmp.path(), &up);
    let (code, log, report) = gitlab(
        &merge,
        &[
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &up.fork_point),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_SHA", &up.main_tip),
        ],
    );
    assert_eq!(code, 1, "{log}");
    let names = check_names(&report.unwrap());
    assert!(
        names.contains(&"M305".to_string()) && !names.contains(&"M304".to_string()),
        "{names:?}"
    );

    // A new branch's pipeline: no base.
    let (code, log, _) = gitlab(
        &shallow,
        &[
            ("CI_COMMIT_BEFORE_SHA", &"0".repeat(40)),
            ("ROLLSAFE_ARGS", "--fail-on never"),
        ],
    );
    assert_eq!(code, 0, "{log}");
}

/// The action's install step, on the paths that need no network: a rollsafe already on
/// PATH, and the source build (whose cache key follows the source, not the ref).
#[test]
fn install_step_uses_what_is_installed_or_builds_the_source() {
    if !have("bash") {
        return;
    }
    let runner = tempfile::tempdir().unwrap();
    let install = |version: &str, path: &str| {
        let outputs = runner.path().join(format!("output-{version}"));
        let github_path = runner.path().join(format!("path-{version}"));
        let out = Command::new("bash")
            .arg(common::repo().join("ci/github/install.sh"))
            .env("INPUT_VERSION", version)
            .env("PATH", path)
            .env("GITHUB_ACTION_PATH", common::repo())
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_PATH", &github_path)
            .env("RUNNER_TEMP", runner.path())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            std::fs::read_to_string(outputs).unwrap_or_default(),
            std::fs::read_to_string(github_path).unwrap_or_default(),
        )
    };
    let system = std::env::var("PATH").unwrap_or_default();
    let bin = Path::new(env!("CARGO_BIN_EXE_rollsafe")).parent().unwrap();
    let (code, stdout, outputs, _) = install("installed", &format!("{}:{system}", bin.display()));
    assert_eq!((code, outputs.as_str()), (0, "build=false\n"));
    assert!(stdout.starts_with("rollsafe "), "{stdout}");
    let (code, stdout, _, _) = install("installed", "/usr/bin:/bin");
    assert_eq!(code, 1);
    assert!(stdout.contains("no rollsafe on PATH"), "{stdout}");
    let (code, _, outputs, github_path) = install("source", &system);
    assert_eq!(code, 0);
    let lines: Vec<&str> = outputs.lines().collect();
    assert_eq!(lines[0], "build=true");
    let key = lines[1]
        .strip_prefix("cache-key=rollsafe-Linux-X64-")
        .unwrap();
    assert!(
        key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    let root = runner.path().join("rollsafe/build");
    assert_eq!(lines[2], format!("build-root={}", root.display()));
    assert_eq!(github_path, format!("{}\n", root.join("bin").display()));
}

/// What cannot run here is checked statically: every input, step output and script the
/// action names exists, and the outputs the scripts write are the ones it reads.
#[test]
fn action_yml_refers_only_to_what_exists() {
    let text = std::fs::read_to_string(common::repo().join("action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs: Vec<&str> = action["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for wanted in ["version", "paths", "config", "fail-on"] {
        assert!(inputs.contains(&wanted), "input {wanted} missing");
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let ids: Vec<&str> = steps.iter().filter_map(|s| s["id"].as_str()).collect();
    let scripts =
        |name: &str| std::fs::read_to_string(common::repo().join("ci/github").join(name)).unwrap();
    let written = |script: &str| -> Vec<String> {
        let text = scripts(script);
        text.match_indices("output ")
            .filter_map(|(i, _)| text[i + 7..].split_whitespace().next())
            .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(str::to_string)
            .collect()
    };
    let outputs_of = |id: &str| -> Vec<String> {
        match id {
            "install" => written("install.sh"),
            "check" => written("run.sh"),
            "cache" => vec!["cache-hit".into()],
            _ => Vec::new(),
        }
    };
    let mut rest = text.as_str();
    while let Some(i) = rest.find("${{") {
        let end = rest[i..].find("}}").unwrap() + i;
        let expr = &rest[i + 3..end];
        for word in expr.split(|c: char| c.is_whitespace() || "=!&|()'".contains(c)) {
            if let Some(name) = word.strip_prefix("inputs.") {
                assert!(inputs.contains(&name), "undeclared input {name}");
            }
            if let Some(path) = word.strip_prefix("steps.") {
                let mut parts = path.split('.');
                let (id, kind, name) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                assert!(
                    ids.contains(&id) && kind == "outputs",
                    "unknown step {path}"
                );
                assert!(
                    outputs_of(id).iter().any(|o| o == name),
                    "step {id} writes no output {name}"
                );
            }
        }
        rest = &rest[end..];
    }
    for s in steps {
        if let Some(run) = s["run"].as_str()
            && let Some(i) = run.find("ci/github/")
        {
            let name = run[i + 10..].split('"').next().unwrap();
            assert!(
                common::repo().join("ci/github").join(name).is_file(),
                "{name}"
            );
        }
    }
}
