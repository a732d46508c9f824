//! rollsafe reads YAML the way the deploying tool does: Kubernetes through go-yaml v2
//! (YAML 1.1), compose through go-yaml v3. Each case of ../shared/corpus/k8s/yaml-edge
//! (see its EXPECTED.md) is read as stated there.

use crate::common;

use std::path::PathBuf;

use rollsafe::yaml::{Flavor, Kind, Node, parse_stream};

fn edge_dir() -> Option<PathBuf> {
    common::shared("corpus/k8s/yaml-edge")
}

fn read(name: &str, flavor: Flavor) -> Option<Vec<Node>> {
    let text = std::fs::read_to_string(edge_dir()?.join(name)).unwrap();
    Some(parse_stream(&text, flavor).unwrap_or_else(|e| panic!("{name}: {e:?}")))
}

fn at<'a>(n: &'a Node, path: &[&str]) -> &'a Node {
    path.iter().fold(n, |cur, p| match p.parse::<usize>() {
        Ok(i) => &cur.items()[i],
        Err(_) => cur.get(p).unwrap_or_else(|| panic!("no `{p}` in {path:?}")),
    })
}

fn map(n: &Node) -> Vec<(String, Kind)> {
    n.entries()
        .iter()
        .rev()
        .filter(|(k, _)| k.text != "<<")
        .fold(Vec::<(String, Kind)>::new(), |mut acc, (k, v)| {
            if !acc.iter().any(|(x, _)| *x == k.text) {
                acc.push((k.text.clone(), v.kind.clone()));
            }
            acc
        })
        .into_iter()
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

fn s(x: &str) -> Kind {
    Kind::Str(x.to_string())
}

#[test]
fn octal_file_modes_are_go_yaml_v2_octal() {
    let Some(d) = read("octal-defaultmode.yaml", Flavor::Kubernetes) else {
        return;
    };
    assert_eq!(
        at(&d[0], &["spec", "volumes", "0", "configMap", "defaultMode"]).kind,
        Kind::Int(420)
    );
    assert_eq!(
        at(&d[0], &["spec", "volumes", "1", "configMap", "defaultMode"]).kind,
        Kind::Int(420)
    );
}

#[test]
fn unquoted_env_values_are_not_strings() {
    let Some(d) = read("env-value-unquoted.yaml", Flavor::Kubernetes) else {
        return;
    };
    let env = at(
        &d[0],
        &["spec", "template", "spec", "containers", "0", "env"],
    );
    assert_eq!(at(env, &["0", "value"]).kind, Kind::Bool(true));
    assert_eq!(at(env, &["1", "value"]).kind, Kind::Int(8080));
    assert_eq!(at(env, &["2", "value"]).kind, s("on"));
    assert_eq!(at(env, &["3", "value"]).kind, Kind::Null);
}

#[test]
fn yaml_1_1_booleans_and_numbers_in_string_maps() {
    let Some(d) = read("yaml11-booleans.yaml", Flavor::Kubernetes) else {
        return;
    };
    assert_eq!(
        at(&d[0], &["metadata", "labels", "enabled"]).kind,
        Kind::Bool(true)
    );
    assert_eq!(
        at(&d[0], &["metadata", "annotations", "example.com/legacy"]).kind,
        s("no")
    );
    assert_eq!(at(&d[0], &["data", "COUNTRY"]).kind, Kind::Bool(false));
    assert_eq!(at(&d[0], &["data", "RETRIES"]).kind, Kind::Int(3));
    assert_eq!(at(&d[0], &["data", "DEBUG"]).kind, s("yes"));
}

#[test]
fn int_or_string_ports_keep_their_type() {
    let Some(d) = read("intorstring-ports.yaml", Flavor::Kubernetes) else {
        return;
    };
    let ports = at(&d[0], &["spec", "ports"]);
    assert_eq!(at(ports, &["0", "targetPort"]).kind, s("http"));
    assert_eq!(at(ports, &["1", "targetPort"]).kind, s("9090"));
    assert_eq!(at(ports, &["2", "targetPort"]).kind, Kind::Int(8081));
    let ru = at(&d[1], &["spec", "strategy", "rollingUpdate"]);
    assert_eq!(at(ru, &["maxSurge"]).kind, s("25%"));
    assert_eq!(at(ru, &["maxUnavailable"]).kind, s("100%"));
    let c = at(&d[1], &["spec", "template", "spec", "containers", "0"]);
    assert_eq!(
        at(c, &["livenessProbe", "tcpSocket", "port"]).kind,
        s("8080")
    );
    assert_eq!(
        at(c, &["readinessProbe", "httpGet", "port"]).kind,
        s("http")
    );
}

#[test]
fn merge_keys_and_aliases_are_expanded() {
    let Some(d) = read("merge-keys.yaml", Flavor::Kubernetes) else {
        return;
    };
    assert_eq!(
        map(at(&d[0], &["metadata", "annotations"])),
        vec![("app".into(), s("shop")), ("tier".into(), s("api"))]
    );
    let expected = vec![("app".into(), s("shop")), ("tier".into(), s("backend"))];
    assert_eq!(
        map(at(&d[0], &["spec", "selector", "matchLabels"])),
        expected
    );
    assert_eq!(
        map(at(&d[0], &["spec", "template", "metadata", "labels"])),
        expected
    );
}

#[test]
fn empty_documents_are_skipped() {
    let Some(d) = read("empty-docs.yaml", Flavor::Kubernetes) else {
        return;
    };
    assert_eq!(d.len(), 1);
    assert_eq!(at(&d[0], &["metadata", "name"]).kind, s("empty-docs"));
}

#[test]
fn compose_is_read_with_go_yaml_v3_rules() {
    let Some(d) = read("compose-yaml-edge.yaml", Flavor::Compose) else {
        return;
    };
    let api = at(&d[0], &["services", "api"]);
    assert_eq!(at(api, &["ports", "0"]).kind, s("22:22"));
    assert_eq!(at(api, &["ports", "1"]).kind, s("8080:8080"));
    let hc = at(&d[0], &["services", "db", "healthcheck"]);
    assert_eq!(at(hc, &["interval"]).kind, s("10s"));
    assert_eq!(at(hc, &["retries"]).kind, Kind::Int(5));
    assert!(at(hc, &["test"]).items().len() == 2);
    assert!(
        at(&d[0], &["services", "cache"])
            .get("healthcheck")
            .is_none()
    );
}

#[test]
fn parse_errors_and_duplicates_are_reported_where_they_are() {
    let Some(dir) = edge_dir() else { return };
    let tmp = common::project(&[("rollsafe.toml", "")]);
    for f in ["alias-across-documents.yaml", "duplicate-keys.yaml"] {
        std::fs::copy(dir.join(f), tmp.path().join(f)).unwrap();
    }
    let o = common::check_dir(tmp.path());
    let got = common::summary(&o);
    // Line 17 holds the first use of the undefined alias (`<<: *common`).
    assert_eq!(
        got,
        [
            "alias-across-documents.yaml:17:9 E001",
            "duplicate-keys.yaml:7:3 E004"
        ],
        "{got:?}"
    );
    // The duplicated value that counts is the last one, as with kubectl.
    let text = std::fs::read_to_string(dir.join("duplicate-keys.yaml")).unwrap();
    let d = parse_stream(&text, Flavor::Kubernetes).unwrap();
    assert_eq!(at(&d[0], &["spec", "replicas"]).kind, Kind::Int(1));
}

/// Every file of yaml-edge, checked as the deploying tool reads it: each reports what
/// EXPECTED.md says and nothing more (severity shown, since "warn" and "error" matter).
#[test]
fn every_case_reports_what_expected_md_states() {
    let Some(dir) = edge_dir() else { return };
    let tmp = common::project(&[("rollsafe.toml", "")]);
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            std::fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let o = common::check_dir(tmp.path());
    // EXPECTED.md speaks of how YAML is read. The S rules also (rightly) report that the
    // octal case mounts a Secret and a ConfigMap that no file defines; they are left out.
    let got: Vec<String> = o
        .diagnostics
        .iter()
        .filter(|d| !d.code.starts_with('S'))
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d.location.path,
                d.location.line,
                d.location.column,
                d.severity.as_str(),
                d.code
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "alias-across-documents.yaml:17:9 error E001",
            // `cache` has no healthcheck, and `api` waits for it to be healthy.
            "compose-yaml-edge.yaml:22:20 error K601",
            "duplicate-keys.yaml:7:3 warning E004",
            // `value: yes` and `value: 8080`; the quoted "on" is fine.
            "env-value-unquoted.yaml:18:22 error K502",
            "env-value-unquoted.yaml:20:22 error K502",
            // `targetPort: "9090"` is an invalid port name.
            "intorstring-ports.yaml:13:19 error K502",
            // The undeclared numeric targetPort 8081 is informational only.
            "intorstring-ports.yaml:16:19 info K202",
            // `maxUnavailable: "100%"` read as a percentage; without a base, information.
            "intorstring-ports.yaml:28:23 info K306",
            // `tcpSocket.port: "8080"` is an invalid port name.
            "intorstring-ports.yaml:44:31 error K502",
            // label `enabled: on`, data `COUNTRY: NO` and `RETRIES: 3`.
            "yaml11-booleans.yaml:6:14 error K502",
            "yaml11-booleans.yaml:10:12 error K502",
            "yaml11-booleans.yaml:11:12 error K502",
        ],
        "{got:#?}"
    );
}

/// Found by the `yaml` fuzz target: the plain reader of API descriptions read an integer
/// past u64 as an integer where the serde path reads a float, so one description had two
/// readings. Core and compose read scalars with the same options: they must agree.
#[test]
fn api_descriptions_read_integers_past_64_bits_as_the_serde_path_does() {
    for text in [
        "33333333333333333333333333333333 \n",
        "maximum: -99999999999999999999\n",
        "a: [0x1ffffffffffffffff, 0o7777777777777777777777777, 18446744073709551615]\n",
    ] {
        let core = parse_stream(text, Flavor::Core).unwrap();
        let compose = parse_stream(text, Flavor::Compose).unwrap();
        assert_eq!(core, compose, "{text}");
    }
}
