//! Conformance with the peers' own fixtures (../shared/corpus/k8s/peers), for the checks
//! that overlap with a K rule. Each fixture is checked alone, as the peer checks it; the
//! test prints agreement per check and fails on any disagreement that is not a documented,
//! deliberate difference (see the rule's document).

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use rollsafe::check::{Options, check};

/// Codes rollsafe reports for one fixture file.
fn codes(file: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let name = file.file_name().unwrap();
    std::fs::copy(file, tmp.path().join(name)).unwrap();
    let o = check(&Options {
        root: Some(tmp.path().to_path_buf()),
        cwd: Some(tmp.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{}: {}", file.display(), e.0));
    o.diagnostics.iter().map(|d| d.code.to_string()).collect()
}

struct Case {
    peer: &'static str,
    check: String,
    code: &'static str,
    file: std::path::PathBuf,
    /// Expected number of findings of `code` (`None`: at least one), or 0 for "quiet".
    expect: Option<usize>,
}

/// Peer checks rollsafe deliberately judges differently, with the reason (also in the
/// rule's document).
fn deliberate(peer: &str, check: &str) -> Option<&'static str> {
    match (peer, check) {
        ("polaris", "readinessProbeMissing") | ("kube-linter", "no-readiness-probe") => {
            Some("K103 judges only pods a Service selects; these fixtures have no Service")
        }
        _ => None,
    }
}

fn kube_score(root: &Path, out: &mut Vec<Case>) {
    let map = [
        (
            "Deployment targeted by HPA does not have replicas configured",
            "K303",
        ),
        ("HorizontalPodAutoscaler has target", "K301"),
        ("Ingress targets Service", "K204"),
        ("Container Image Tag", "K402"),
        ("Pod Probes", "K103"),
        ("Service Targets Pod", "K201"),
        (
            "StatefulSet Pod Selector labels match template metadata labels",
            "K203",
        ),
    ];
    let text = std::fs::read_to_string(root.join("kube-score/EXPECTED.md")).unwrap();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (file, check, grade) = (cells[1].trim_matches('`'), cells[2], cells[3]);
        let Some((_, code)) = map.iter().find(|(c, _)| *c == check) else {
            continue;
        };
        out.push(Case {
            peer: "kube-score",
            check: check.to_string(),
            code,
            file: root.join("kube-score/score/testdata").join(file),
            expect: if matches!(grade, "Critical" | "Warning") {
                None
            } else {
                Some(0)
            },
        });
    }
}

fn polaris(root: &Path, out: &mut Vec<Case>) {
    let map = [
        ("tagNotSpecified", "K402"),
        ("readinessProbeMissing", "K103"),
        ("pdbDisruptionsIsZero", "K305"),
    ];
    for (check, code) in map {
        let dir = root.join("polaris/test/checks").join(check);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains("mutated") || name == "check.yaml" {
                continue;
            }
            out.push(Case {
                peer: "polaris",
                check: check.to_string(),
                code,
                file: f,
                expect: if name.contains("failure") {
                    None
                } else {
                    Some(0)
                },
            });
        }
    }
}

fn kube_linter(root: &Path, out: &mut Vec<Case>) {
    let map = [
        ("liveness-port", "K101"),
        ("readiness-port", "K101"),
        ("startup-port", "K101"),
        ("dangling-service", "K201"),
        ("dangling-ingress", "K204"),
        ("dangling-horizontalpodautoscaler", "K301"),
        ("mismatching-selector", "K203"),
        ("latest-tag", "K402"),
        ("no-readiness-probe", "K103"),
        ("pdb-max-unavailable", "K305"),
        ("pdb-min-available", "K305"),
        ("invalid-target-ports", "K502"),
    ];
    let text = std::fs::read_to_string(root.join("kube-linter/EXPECTED.md")).unwrap();
    for section in text.split("### `").skip(1) {
        let check = section.split('`').next().unwrap();
        let Some((_, code)) = map.iter().find(|(c, _)| *c == check) else {
            continue;
        };
        let fixture = section
            .lines()
            .find_map(|l| l.strip_prefix("- fixture: `"))
            .map(|l| l.trim_end_matches('`'))
            .unwrap();
        // Messages listed are the reports; "?" counts are the listed messages.
        let listed = section
            .lines()
            .filter(|l| l.trim_start().starts_with("- equals:"))
            .count();
        out.push(Case {
            peer: "kube-linter",
            check: check.to_string(),
            code,
            file: root.join("kube-linter").join(fixture),
            expect: Some(listed),
        });
    }
}

fn argo(root: &Path, out: &mut Vec<Case>) {
    let dir = root.join("argo-rollouts-lint/pkg/kubectl-argo-rollouts/cmd/lint/testdata");
    let text = std::fs::read_to_string(root.join("argo-rollouts-lint/EXPECTED.md")).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("valid") {
            for code in ["K203", "K205", "K306", "K501"] {
                out.push(Case {
                    peer: "argo-rollouts-lint",
                    check: format!("valid ({code})"),
                    code,
                    file: f.clone(),
                    expect: Some(0),
                });
            }
            continue;
        }
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}`")))
            .unwrap_or("");
        let row = if row.contains("same as invalid.yml") {
            text.lines()
                .find(|l| l.starts_with("| `invalid.yml`"))
                .unwrap()
        } else {
            row
        };
        let code = if row.contains("both can not be zero") {
            "K306"
        } else if row.contains("missing field '.spec.selector'") {
            "K203"
        } else if row.contains("unknown field") {
            "K501"
        } else if row.contains("unmatch label") {
            "K205"
        } else {
            continue; // traffic-router feature combinations: the T domain's, not ours
        };
        out.push(Case {
            peer: "argo-rollouts-lint",
            check: format!("invalid ({code})"),
            code,
            file: f,
            expect: None,
        });
    }
}

#[test]
fn peers_fixtures_agree() {
    let Some(root) = common::shared("corpus/k8s/peers") else {
        return;
    };
    let mut cases = Vec::new();
    kube_linter(&root, &mut cases);
    polaris(&root, &mut cases);
    kube_score(&root, &mut cases);
    argo(&root, &mut cases);
    // (peer, check, code) → (agreed, deliberate, total)
    let mut table: BTreeMap<(String, String, String), (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in &cases {
        let n = codes(&c.file).iter().filter(|x| *x == c.code).count();
        let ok = match c.expect {
            None => n > 0,
            Some(e) => n == e,
        };
        let file = c.file.file_name().unwrap().to_string_lossy().into_owned();
        let why = deliberate(c.peer, &c.check);
        let row = table
            .entry((c.peer.to_string(), c.check.clone(), c.code.to_string()))
            .or_default();
        row.2 += 1;
        if ok {
            row.0 += 1;
        } else if why.is_some() {
            row.1 += 1;
        } else {
            failures.push(format!(
                "{} {} ({}) on {file}: expected {}, got {n}",
                c.peer,
                c.check,
                c.code,
                c.expect
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "≥1".into())
            ));
        }
    }
    println!("{:<20} {:<62} {:<5} agree", "peer", "check", "code");
    for ((peer, check, code), (agreed, differs, total)) in &table {
        let note = if *differs > 0 {
            format!(" ({differs} deliberate)")
        } else {
            String::new()
        };
        println!("{peer:<20} {check:<62} {code:<5} {agreed}/{total}{note}");
    }
    assert!(!cases.is_empty());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
